//! `stella forensic attest show`.

use stellaops_signer::inspect_attestation;

use crate::cli::ForensicShowArgs;
use crate::io::read_input;
use crate::Failure;

pub(crate) fn show(a: &ForensicShowArgs) -> Result<(), Failure> {
    let bytes = read_input(&a.file)?;
    let trusted = if a.keys.is_empty() {
        Vec::new()
    } else {
        crate::io::verifying_keys(&a.keys)?
    };
    let f = inspect_attestation(&bytes, &trusted)?;
    if a.json {
        let doc = serde_json::to_value(&f).map_err(|e| Failure::Usage(e.to_string()))?;
        println!("{doc:#}");
    } else {
        println!("container:    {}", f.container);
        println!("payloadType:  {}", f.payload_type);
        if let Some(p) = &f.predicate_type {
            println!("predicate:    {p}");
        }
        for s in &f.subjects {
            let digests: Vec<String> = s.digest.iter().map(|(k, v)| format!("{k}:{v}")).collect();
            println!("subject:      {} {}", s.name, digests.join(" "));
        }
        for (i, s) in f.signatures.iter().enumerate() {
            let keyid = if s.keyid.is_empty() {
                "(none)"
            } else {
                &s.keyid
            };
            match (&s.verified_by, &s.algorithm) {
                (Some(by), Some(alg)) => {
                    println!("signature #{i}: keyid {keyid}, verified by {by} ({alg})")
                }
                _ => println!("signature #{i}: keyid {keyid}, not verified"),
            }
        }
        if let Some(c) = &f.certificate {
            println!("identity:     {}", c.identities.join(", "));
            println!("issuer:       {}", c.issuer.as_deref().unwrap_or("(none)"));
            println!("valid:        {} .. {}", c.not_before, c.not_after);
            if a.keys.is_empty() {
                println!("              (certificate chain not checked: no trust root here)");
            }
        }
        if let Some(h) = &f.public_key_hint {
            println!("key hint:     {h}");
        }
        for t in &f.tlog_entries {
            println!(
                "rekor:        log index {}, integrated {} ({}{})",
                t.log_index,
                t.integrated_time,
                t.kind,
                if t.inclusion_proof {
                    ", inclusion proof"
                } else {
                    ", promise only"
                }
            );
        }
    }
    if !a.keys.is_empty() && !f.verified {
        return Err(Failure::Verification(
            "no signature verifies with the keys given".into(),
        ));
    }
    Ok(())
}

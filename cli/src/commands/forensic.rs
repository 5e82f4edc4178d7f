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
        crate::term::json(&doc);
    } else {
        crate::term::say!("container:    {}", f.container);
        crate::term::say!("payloadType:  {}", f.payload_type);
        if let Some(p) = &f.predicate_type {
            crate::term::say!("predicate:    {p}");
        }
        for s in &f.subjects {
            let digests: Vec<String> = s.digest.iter().map(|(k, v)| format!("{k}:{v}")).collect();
            crate::term::say!("subject:      {} {}", s.name, digests.join(" "));
        }
        for (i, s) in f.signatures.iter().enumerate() {
            let keyid = if s.keyid.is_empty() {
                "(none)"
            } else {
                &s.keyid
            };
            let alg = s.algorithm.as_deref().unwrap_or("?");
            match (&s.verified_by, s.matches_embedded_certificate) {
                (Some(by), _) => {
                    crate::term::say!("signature #{i}: keyid {keyid}, verified by {by} ({alg})")
                }
                (None, Some(true)) => crate::term::say!(
                    "signature #{i}: keyid {keyid}, NOT verified; matches the bundle's own \
                     certificate ({alg}), which is not trusted here"
                ),
                _ => crate::term::say!("signature #{i}: keyid {keyid}, not verified"),
            }
        }
        if let Some(c) = &f.certificate {
            crate::term::say!("identity:     {}", c.identities.join(", "));
            crate::term::say!("issuer:       {}", c.issuer.as_deref().unwrap_or("(none)"));
            crate::term::say!("valid:        {} .. {}", c.not_before, c.not_after);
        }
        if let Some(h) = &f.public_key_hint {
            crate::term::say!("key hint:     {h}");
        }
        for t in &f.tlog_entries {
            crate::term::say!(
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
        for what in &f.not_checked {
            crate::term::say!("not checked:  {what}");
        }
    }
    if !a.keys.is_empty() && !f.verified {
        return Err(Failure::Verification(
            "no signature verifies with the keys given".into(),
        ));
    }
    Ok(())
}

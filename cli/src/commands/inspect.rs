//! `stella inspect`.

use stellaops_signer::{statement_of, Envelope, EnvelopeLimits};

use crate::cli::InspectArgs;
use crate::io::read_input;
use crate::Failure;

pub(crate) fn run(a: &InspectArgs) -> Result<(), Failure> {
    let bytes = read_input(&a.envelope)?;
    let limits = EnvelopeLimits::default();
    let env = Envelope::from_json(&bytes, &limits).map_err(stellaops_signer::Error::from)?;
    let statement = statement_of(&env, &limits)?;
    if a.json {
        let doc = serde_json::json!({
            "verified": false,
            "payloadType": env.payload_type(),
            "payloadBytes": env.payload().len(),
            "signatures": env.signatures().iter().map(|s| serde_json::json!({"keyid": s.keyid(), "sigBytes": s.sig().len()})).collect::<Vec<_>>(),
            "statement": statement.as_ref().map(|s| serde_json::json!({
                "type": s.version().uri(),
                "predicateType": s.predicate_type(),
                "subjects": s.subjects().iter().map(|x| serde_json::json!({"name": x.name(), "digest": x.digest()})).collect::<Vec<_>>(),
            })),
        });
        crate::term::json(&doc);
        return Ok(());
    }
    crate::term::say!("(not verified: use stella verify)");
    crate::term::say!("payloadType: {}", env.payload_type());
    crate::term::say!("payload:     {} bytes", env.payload().len());
    crate::term::say!("signatures:  {}", env.signatures().len());
    for (i, s) in env.signatures().iter().enumerate() {
        let keyid = if s.keyid().is_empty() {
            "(none)"
        } else {
            s.keyid()
        };
        crate::term::say!("  #{i} keyid {keyid}, {} bytes", s.sig().len());
    }
    if let Some(s) = statement {
        crate::term::say!("statement:   {}", s.version().uri());
        crate::term::say!("predicate:   {}", s.predicate_type());
        for subject in s.subjects() {
            let digests: Vec<String> = subject
                .digest()
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect();
            crate::term::say!("  subject {:?} {}", subject.name(), digests.join(" "));
        }
    }
    Ok(())
}

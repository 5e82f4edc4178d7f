//! `stella rekor consistency`: one round of a log monitor, its state in a file.

use std::time::Duration;

use stellaops_signer::sigstore::monitor::{LogCheckpoint, LogKeys, LogMonitor};
use stellaops_signer::sigstore::{RekorVersion, TrustedRoot};

use crate::cli::RekorConsistencyArgs;
use crate::io::{read_input, write_output};
use crate::Failure;

pub(crate) fn consistency(a: &RekorConsistencyArgs) -> Result<(), Failure> {
    let keys = match (&a.trusted_root, &a.rekor_key) {
        (Some(root), None) => LogKeys::from_trusted_root(&TrustedRoot::from_file(root)?)?,
        (None, Some(key)) => LogKeys::pinned(&read_input(key)?)?,
        // clap requires exactly one of the two.
        _ => return Err(Failure::Usage("give --trusted-root or --rekor-key".into())),
    };
    let version = if a.rekor_version == 2 {
        RekorVersion::V2
    } else {
        RekorVersion::V1
    };
    let monitor = LogMonitor::new(
        &a.log,
        version,
        keys,
        Duration::from_secs(a.timeout_seconds),
        2,
    )?;
    // The kept checkpoint, read only as far as a checkpoint can be long (64 KiB, as
    // LogCheckpoint::parse takes): a state file grown beyond that is refused, not read whole.
    let kept = if a.state.exists() {
        let bytes = stellaops_signer::files::read_limited(&a.state, 64 << 10)?;
        let note = String::from_utf8(bytes).map_err(|_| {
            Failure::Usage(format!(
                "{}: not a checkpoint (not UTF-8)",
                a.state.display()
            ))
        })?;
        Some(LogCheckpoint::parse(&note)?)
    } else {
        None
    };
    let check = monitor.check(kept.as_ref())?;
    let c = &check.checkpoint;
    write_output(Some(&a.state), c.as_note().as_bytes())?;
    if a.json {
        crate::term::json(&serde_json::json!({
            "consistent": true,
            "origin": c.origin(),
            "treeSize": c.size(),
            "rootHash": c.root_hash().iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "previousTreeSize": check.previous_size,
            "proofHashes": check.proof_hashes,
            "state": a.state.display().to_string(),
        }));
        return Ok(());
    }
    match check.previous_size {
        Some(previous) => crate::term::say!(
            "log {}: checkpoint of size {} signed by the log, consistent with the kept one of \
             size {previous} (proof of {} hashes); kept in {}",
            c.origin(),
            c.size(),
            check.proof_hashes,
            a.state.display()
        ),
        None => crate::term::say!(
            "log {}: checkpoint of size {} signed by the log; kept in {} (nothing was kept \
             before: the next run proves consistency with it)",
            c.origin(),
            c.size(),
            a.state.display()
        ),
    }
    Ok(())
}

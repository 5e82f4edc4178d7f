//! `stella sign`.

use crate::cli::SignArgs;
use crate::io::{read_input, signing_keys, write_output};
use crate::Failure;

pub(crate) fn run(a: &SignArgs) -> Result<(), Failure> {
    let payload = read_input(&a.payload)?;
    let keys = signing_keys(&a.keys, &a.tenant, None)?;
    let envelope = stellaops_signer::sign(&a.payload_type, payload, &super::as_dyn(&keys))?;
    let mut json = envelope.to_json();
    if a.out.is_none() {
        json.push(b'\n');
    }
    write_output(a.out.as_deref(), &json)
}

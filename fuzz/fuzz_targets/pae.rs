//! PAE: the encoding has the exact length and layout the spec gives, for any type and body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stellaops_dsse::pae;

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len().saturating_sub(1));
    let (type_bytes, body) = data.split_at(split.min(data.len()));
    let payload_type = String::from_utf8_lossy(type_bytes);
    let out = pae(&payload_type, body);
    let header = format!("DSSEv1 {} {} {} ", payload_type.len(), payload_type, body.len());
    assert_eq!(out.len(), header.len() + body.len());
    assert_eq!(&out[..header.len()], header.as_bytes());
    assert_eq!(&out[header.len()..], body);
});

//! The audit-log reader: any file is a verified chain or an error naming a line, never a panic;
//! a chain that verifies reads back record by record.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use stellaops_poe::audit::{read_records, verify_chain};

fuzz_target!(|data: &[u8]| {
    let path = common::scratch("audit.jsonl", data);
    if let Ok(summary) = verify_chain(&path) {
        let records = read_records(&path).expect("a verified chain reads back");
        assert_eq!(records.len() as u64, summary.records);
    }
});

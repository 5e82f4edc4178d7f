//! `stella`: sign, attest, verify and inspect DSSE envelopes.
//!
//! Exit codes: 0 success, 1 verification failed, 2 bad usage or bad input. Errors are one line on
//! stderr.

mod cli;
mod commands;
mod io;
mod pipeline_signer;

use std::process::ExitCode;

use clap::Parser;

/// What a command failed with, and which exit code that means.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Verification ran and failed: exit 1.
    Verification(String),
    /// Bad usage or input: exit 2.
    Usage(String),
    /// Policy refused the request: exit 1, like a failed verification (the answer is no).
    Denied(String),
}

impl From<stellaops_signer::Error> for Failure {
    fn from(e: stellaops_signer::Error) -> Self {
        if let stellaops_signer::Error::Denied(d) = &e {
            return Failure::Denied(d.to_string());
        }
        if e.is_verification_failure() {
            Failure::Verification(e.to_string())
        } else {
            Failure::Usage(e.to_string())
        }
    }
}

impl From<stellaops_signer::sigstore::Error> for Failure {
    fn from(e: stellaops_signer::sigstore::Error) -> Self {
        stellaops_signer::Error::from(e).into()
    }
}

fn main() -> ExitCode {
    // A panic is a bug; still, the user gets one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("stella: internal error: {info}");
    }));
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                print!("{e}");
                return ExitCode::SUCCESS;
            }
            let text = e.to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or("bad usage")
                .trim_start_matches("error: ");
            eprintln!("stella: {first} (see stella --help)");
            return ExitCode::from(2);
        }
    };
    match commands::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Verification(m)) => {
            eprintln!("stella: verification failed: {m}");
            ExitCode::from(1)
        }
        Err(Failure::Denied(m)) => {
            eprintln!("stella: {m}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(m)) => {
            eprintln!("stella: error: {}", m.replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

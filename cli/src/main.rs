//! `stella`: sign, attest, verify and inspect DSSE envelopes.
//!
//! Exit codes: 0 success, 1 verification failed, 2 bad usage or bad input. Errors are one line on
//! stderr, except usage errors, which print the argument parser's whole message with the
//! subcommand's usage line.

mod cli;
mod commands;
mod default_key;
mod io;
mod logs;
mod signers;
mod term;

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

#[cfg(feature = "sigstore")]
impl From<stellaops_signer::sigstore::Error> for Failure {
    fn from(e: stellaops_signer::sigstore::Error) -> Self {
        stellaops_signer::Error::from(e).into()
    }
}

fn main() -> ExitCode {
    // A panic is a bug; still, the user gets one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        term::error_line(&format!("stella: internal error: {info}"));
    }));
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = term::stdout_bytes(e.to_string().as_bytes());
                return ExitCode::SUCCESS;
            }
            // The parser's whole message: what is missing or wrong, "did you mean" tips, and
            // the usage line of the subcommand that was being parsed. Arguments echoed in it
            // are escaped like every other line.
            for line in e.render().to_string().trim_end().lines() {
                term::error_line(line);
            }
            return ExitCode::from(2);
        }
    };
    let run = logs::install(args.log_format).and_then(|()| commands::run(args));
    match run {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Verification(m)) => {
            term::note!("stella: verification failed: {}", one_line(&m));
            ExitCode::from(1)
        }
        Err(Failure::Denied(m)) => {
            term::note!("stella: {}", one_line(&m));
            ExitCode::from(1)
        }
        Err(Failure::Usage(m)) => {
            term::note!("stella: error: {}", one_line(&m));
            ExitCode::from(2)
        }
    }
}

/// Errors are one line: newlines become spaces, and a message quoting a large input is cut.
fn one_line(message: &str) -> String {
    let text = message.replace(['\n', '\r'], " ");
    match stellaops_signer::policy::audit::bound_text(&text, 2048) {
        (kept, true) => format!("{kept}..."),
        (_, false) => text,
    }
}

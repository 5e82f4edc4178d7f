//! One module per subcommand.

mod attest;
mod canon;
mod inspect;
mod key;
mod sign;
mod verify;

use crate::cli::{Cli, Command, KeyCommand};
use crate::Failure;

/// Run the parsed command.
pub(crate) fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Key(KeyCommand::Generate(a)) => key::generate(&a),
        Command::Key(KeyCommand::Show(a)) => key::show(&a),
        Command::Sign(a) => sign::run(&a),
        Command::Attest(a) => attest::run(&a),
        Command::Verify(a) => verify::run(&a),
        Command::Inspect(a) => inspect::run(&a),
        Command::Canon(a) => canon::run(&a),
    }
}

/// `&dyn SigningKey` views of owned keys.
fn as_dyn(keys: &[stellaops_signer::OpenedKey]) -> Vec<&dyn stellaops_signer::SigningKey> {
    keys.iter()
        .map(|k| k as &dyn stellaops_signer::SigningKey)
        .collect()
}

//! One module per subcommand.

mod attest;
mod audit;
mod canon;
mod export;
mod forensic;
mod inspect;
mod key;
mod pipeline;
mod promotion;
mod serve;
mod sign;
mod sigstore;
mod verify;

use crate::cli::{
    AuditCommand, Cli, Command, ExportCommand, ForensicAttestCommand, ForensicCommand, KeyCommand,
    PipelineCommand, PromotionCommand, RekorCommand,
};
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
        Command::Audit(AuditCommand::Verify(a)) => audit::verify(&a),
        Command::Pipeline(PipelineCommand::Sign(a)) => pipeline::sign(&a),
        Command::Serve(a) => serve::run(&a),
        Command::Export(ExportCommand::Sign(a)) => export::sign(&a),
        Command::Export(ExportCommand::Verify(a)) => export::verify(&a),
        Command::Export(ExportCommand::Pack(a)) => export::pack(&a),
        Command::Promotion(PromotionCommand::Attest(a)) => promotion::attest(&a),
        Command::Promotion(PromotionCommand::Verify(a)) => promotion::verify(&a),
        Command::Forensic(ForensicCommand::Attest(ForensicAttestCommand::Show(a))) => {
            forensic::show(&a)
        }
        Command::Rekor(RekorCommand::Consistency(a)) => sigstore::rekor_consistency(&a),
        Command::SignBlob(a) => sigstore::sign_blob(&a),
        Command::AttestBlob(a) => sigstore::attest_blob(&a),
        Command::VerifyBlob(a) => sigstore::verify_blob(&a),
        Command::VerifyBlobAttestation(a) => sigstore::verify_blob_attestation(&a),
    }
}

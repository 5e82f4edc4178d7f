//! `stella sign`, `stella sign sbom`, `stella sign report`.

use stellaops_signer::canon::Limits;
use stellaops_signer::{
    attest_report, attest_sbom, report_statement, sbom_statement, AttestOptions, Subject,
};

use crate::cli::{SignArgs, SignDocument, SignReportArgs, SignSbomArgs};
use crate::io::{parse_subject, read_input, signing_keys, write_envelope};
use crate::pipeline_signer::PipelineSigner;
use crate::Failure;

pub(crate) fn run(a: &SignArgs) -> Result<(), Failure> {
    match &a.document {
        Some(SignDocument::Sbom(s)) => return sbom(s),
        Some(SignDocument::Report(r)) => return report(r),
        None => {}
    }
    let (Some(payload_type), Some(payload)) = (&a.payload_type, &a.payload) else {
        return Err(Failure::Usage(
            "give --payload-type and a payload file".into(),
        ));
    };
    let payload = read_input(payload)?;
    let keys = signing_keys(&a.keys, &a.tenant, None)?;
    let envelope = stellaops_signer::sign(payload_type, payload, &super::as_dyn(&keys))?;
    write_envelope(a.out.as_deref(), envelope.to_json())
}

fn sbom(a: &SignSbomArgs) -> Result<(), Failure> {
    let doc = read_input(&a.file)?;
    let mut subjects: Vec<Subject> = a
        .subjects
        .iter()
        .map(|s| parse_subject(s))
        .collect::<Result<_, _>>()?;
    for path in &a.artifacts {
        let sha256 = [stellaops_signer::predicates::DigestAlgorithm::Sha256];
        subjects
            .push(Subject::from_file(path, None, &sha256).map_err(stellaops_signer::Error::from)?);
    }
    let s = &a.signing;
    let (format, statement, envelope_json) = match PipelineSigner::open(&s.pipeline)? {
        Some(pipeline) => {
            let (format, statement) = sbom_statement(&doc, subjects, &Limits::default())?;
            let outcome = pipeline.sign(&statement, doc.len() as u64)?;
            (format, statement, outcome.envelope_json)
        }
        None => {
            let keys = signing_keys(&s.keys, &s.tenant, Some("sbom"))?;
            let (format, attestation) = attest_sbom(
                &super::as_dyn(&keys),
                &doc,
                subjects,
                &AttestOptions::default(),
            )?;
            let json = attestation.envelope.to_json();
            (format, attestation.statement, json)
        }
    };
    crate::term::note!(
        "stella: {} SBOM signed as {} for {}",
        format.name(),
        format.predicate_type(),
        names(statement.subjects())
    );
    write_envelope(s.out.as_deref(), envelope_json)
}

fn report(a: &SignReportArgs) -> Result<(), Failure> {
    let doc = read_input(&a.file)?;
    let s = &a.signing;
    let (statement, envelope_json) = match PipelineSigner::open(&s.pipeline)? {
        Some(pipeline) => {
            let statement = report_statement(&doc, &Limits::default())?;
            let outcome = pipeline.sign(&statement, doc.len() as u64)?;
            (statement, outcome.envelope_json)
        }
        None => {
            let keys = signing_keys(&s.keys, &s.tenant, Some("policy"))?;
            let attestation =
                attest_report(&super::as_dyn(&keys), &doc, &AttestOptions::default())?;
            let json = attestation.envelope.to_json();
            (attestation.statement, json)
        }
    };
    crate::term::note!(
        "stella: report signed as stella.ops/report@v1 for {}",
        names(statement.subjects())
    );
    write_envelope(s.out.as_deref(), envelope_json)
}

fn names(subjects: &[Subject]) -> String {
    subjects
        .iter()
        .map(Subject::name)
        .collect::<Vec<_>>()
        .join(", ")
}

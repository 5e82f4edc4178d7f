//! `stella sign`, `stella sign sbom`, `stella sign report`.

use stellaops_signer::canon::Limits;
use stellaops_signer::{report_statement, sbom_statement, Authority, OpenedKey, Subject};

use crate::cli::{SignArgs, SignDocument, SignReportArgs, SignSbomArgs};
use crate::io::{parse_subject, read_input, signing_keys, write_envelope};
use crate::signers::Signers;
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
    let keys: Vec<&OpenedKey> = keys.iter().collect();
    let outcome = Authority::opened_keys(&keys).sign_payload(payload_type, payload)?;
    write_envelope(a.out.as_deref(), outcome.into_json())
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
    let signers = Signers::open(&s.pipeline, &s.keys, &s.tenant, Some("sbom"))?;
    let (format, statement) = sbom_statement(&doc, subjects, &Limits::default())?;
    let subjects = names(statement.subjects());
    let outcome = signers.sign(statement, Some(doc.len() as u64))?;
    crate::term::note!(
        "stella: {} SBOM signed as {} for {subjects}",
        format.name(),
        format.predicate_type(),
    );
    write_envelope(s.out.as_deref(), outcome.into_json())
}

fn report(a: &SignReportArgs) -> Result<(), Failure> {
    let doc = read_input(&a.file)?;
    let s = &a.signing;
    let signers = Signers::open(&s.pipeline, &s.keys, &s.tenant, Some("policy"))?;
    let statement = report_statement(&doc, &Limits::default())?;
    let subjects = names(statement.subjects());
    let outcome = signers.sign(statement, Some(doc.len() as u64))?;
    crate::term::note!("stella: report signed as stella.ops/report@v1 for {subjects}");
    write_envelope(s.out.as_deref(), outcome.into_json())
}

fn names(subjects: &[Subject]) -> String {
    subjects
        .iter()
        .map(Subject::name)
        .collect::<Vec<_>>()
        .join(", ")
}

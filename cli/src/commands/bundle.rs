//! `stella verify --bundle`: a Sigstore bundle, offline, against a trusted root.

use stellaops_signer::bundle_report;
use stellaops_signer::sigstore::{
    verify_bundle, BundleVerification, Identity, Signer, TrustedRoot,
};

use crate::cli::VerifyArgs;
use crate::io::read_input;
use crate::Failure;

fn sigstore<T>(r: Result<T, stellaops_signer::sigstore::Error>) -> Result<T, Failure> {
    r.map_err(|e| stellaops_signer::Error::from(e).into())
}

/// Which signer the flags require.
fn signer(a: &VerifyArgs) -> Result<Signer, Failure> {
    let b = &a.bundle;
    let identity = match (&b.certificate_identity, &b.certificate_identity_regexp) {
        (Some(exact), _) => Some(Identity::exact(exact.clone())),
        (None, Some(pattern)) => Some(sigstore(Identity::pattern(pattern))?),
        (None, None) => None,
    };
    match (identity, &b.certificate_oidc_issuer, a.keys.as_slice()) {
        (Some(identity), Some(issuer), []) => Ok(Signer::Keyless {
            identity,
            issuer: issuer.clone(),
        }),
        (None, None, [key]) => sigstore(Signer::public_key(&read_input(key)?)),
        _ => Err(Failure::Usage(
            "a keyless bundle needs --certificate-identity (or --certificate-identity-regexp) and \
             --certificate-oidc-issuer; a keyful bundle exactly one --key"
                .into(),
        )),
    }
}

pub(crate) fn verify(a: &VerifyArgs) -> Result<(), Failure> {
    let (Some(bundle), Some(root)) = (&a.bundle.bundle, &a.bundle.trusted_root) else {
        return Err(Failure::Usage(
            "give an envelope, or --bundle with --trusted-root".into(),
        ));
    };
    if a.artifacts.len() > 1
        || a.threshold != 1
        || a.payload_type.is_some()
        || a.key_config.is_some()
    {
        return Err(Failure::Usage(
            "a bundle carries one signature over one artifact: at most one --artifact, and no \
             --threshold, --payload-type or --key-config"
                .into(),
        ));
    }
    let signer = signer(a)?;
    let root = sigstore(TrustedRoot::from_file(root))?;
    let artifact = a.artifacts.first().map(std::path::PathBuf::as_path);
    let v = sigstore(verify_bundle(
        &read_input(bundle)?,
        &root,
        &signer,
        artifact,
    ))?;
    if a.json {
        println!("{:#}", bundle_report(&v));
    } else {
        print_text(&v, artifact);
    }
    Ok(())
}

fn print_text(v: &BundleVerification, artifact: Option<&std::path::Path>) {
    println!("verified: Sigstore bundle ({})", v.media_type);
    match (&v.identity, &v.issuer) {
        (Some(identity), Some(issuer)) => {
            println!(
                "  signed by {identity} (OIDC issuer {issuer}); certificate chain and SCT checked"
            )
        }
        _ => println!("  signed by the given public key"),
    }
    if let Some(time) = &v.integrated_time {
        println!("  logged in Rekor at {time}; entry checked");
    }
    let report = bundle_report(v);
    if let Some(predicate_type) = report["predicateType"].as_str() {
        println!("  predicate: {predicate_type}");
        for s in report["subjects"].as_array().into_iter().flatten() {
            println!("  subject:   {}", s["name"].as_str().unwrap_or("?"));
        }
    }
    match artifact {
        Some(path) => println!("  artifact {}: is the signed one", path.display()),
        None => println!("  no --artifact: signature checked against the digest the bundle names"),
    }
}

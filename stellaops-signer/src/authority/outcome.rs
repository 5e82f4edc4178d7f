//! What signing returns, whichever way it signed: [`Outcome`].

use sha2::{Digest, Sha256};
use stellaops_crypto::Algorithm;
use stellaops_dsse::Envelope;
use stellaops_poe::{Caller, PoeState, ReleaseTrust};
use stellaops_predicates::{Admission, EnforcementMode, Statement};

/// How a signature was made, as audit records and outcomes name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IssuerMode {
    /// A private key in a file or in memory (`file:`, PEM, JWK, the default key).
    Software,
    /// A key in a PKCS#11 token (`pkcs11:`).
    Hsm,
    /// A key in a cloud KMS (`awskms:`).
    Kms,
    /// A key in Vault or OpenBao's transit engine (`hashivault:`).
    Vault,
    /// A FIDO2 credential (`fido2:`).
    Fido2,
    /// An ephemeral key certified by Fulcio for an OIDC identity.
    Keyless,
    /// A [`SigningKey`](stellaops_crypto::SigningKey) the caller brought: its backend is not ours
    /// to know.
    External,
}

impl IssuerMode {
    /// The stable name: `software`, `hsm`, `kms`, `vault`, `fido2`, `keyless`, `external`.
    pub fn name(self) -> &'static str {
        match self {
            IssuerMode::Software => "software",
            IssuerMode::Hsm => "hsm",
            IssuerMode::Kms => "kms",
            IssuerMode::Vault => "vault",
            IssuerMode::Fido2 => "fido2",
            IssuerMode::Keyless => "keyless",
            IssuerMode::External => "external",
        }
    }

    /// The mode of a key opened by URI, from its scheme (`file`, `pkcs11`, `awskms`, ...).
    pub fn of_scheme(scheme: &str) -> IssuerMode {
        match scheme {
            "pkcs11" => IssuerMode::Hsm,
            "awskms" | "gcpkms" | "azurekms" => IssuerMode::Kms,
            "hashivault" => IssuerMode::Vault,
            "fido2" => IssuerMode::Fido2,
            "file" => IssuerMode::Software,
            _ => IssuerMode::External,
        }
    }
}

impl std::fmt::Display for IssuerMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One signature of an outcome: which key, which algorithm, which kind of signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignerFacts {
    /// The key id (hex SHA-256 of the public key's SPKI DER).
    pub key_id: String,
    /// The signature algorithm.
    pub algorithm: Algorithm,
    /// How the key signs.
    pub issuer_mode: IssuerMode,
}

/// The signed document: a DSSE envelope, or a Sigstore bundle around one.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Signed {
    /// A DSSE envelope (one signature per key).
    Envelope {
        /// The envelope.
        envelope: Envelope,
        /// Its JSON, as written and as hashed into [`Outcome::bundle_digest`].
        json: Vec<u8>,
    },
    /// A Sigstore bundle v0.3 (one signature, logged in Rekor).
    #[cfg(feature = "sigstore")]
    Bundle(stellaops_sigstore::SignedBundle),
}

/// The pipeline's facts about the caller it signed for.
#[derive(Clone, Debug)]
pub struct CallerFacts {
    /// The authenticated caller.
    pub caller: Caller,
    /// Where the entitlement came from.
    pub poe_state: PoeState,
    /// Why the scanner release was trusted, when it was checked.
    pub release: Option<ReleaseTrust>,
    /// The request's trace id (the caller's, or one made up).
    pub trace_id: String,
}

/// What [`Authority::sign_statement`](crate::Authority::sign_statement) and
/// [`Authority::sign_payload`](crate::Authority::sign_payload) return, for every way of signing.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The statement that was signed (`None` for a payload that is not one).
    pub statement: Option<Statement>,
    /// The envelope or bundle.
    pub signed: Signed,
    /// One entry per signature, in the envelope's order.
    pub signatures: Vec<SignerFacts>,
    /// The signing certificate chain (DER, leaf first): Fulcio's for keyless signing, the first
    /// key's own chain otherwise; empty for raw keys.
    pub certificate_chain: Vec<Vec<u8>>,
    /// `sha256:<hex>` of [`Outcome::json`], as audited.
    pub bundle_digest: String,
    /// What the allow-list said about the predicate type (`Allowed` for a non-statement payload).
    pub admission: Admission,
    /// The caller the pipeline signed for; `None` when local keys or a bundle signer signed.
    pub pipeline: Option<CallerFacts>,
}

impl Outcome {
    /// The warning to show when the predicate type was admitted only because enforcement is
    /// `warn` (not in the catalog): what the CLI prints and the faces raise through their
    /// language (`warnings.warn`, `process.emitWarning`, a `slog` record). `None` otherwise,
    /// and for `log-only`. The type is quoted with control characters escaped and cut to 200
    /// bytes: it comes from the caller.
    pub fn warning(&self) -> Option<String> {
        if self.admission != Admission::Unlisted(EnforcementMode::Warn) {
            return None;
        }
        let predicate_type = self.statement.as_ref()?.predicate_type();
        let (shown, cut) = stellaops_poe::audit::bound_text(predicate_type, 200);
        Some(format!(
            "predicate type {:?}{} is not in the StellaOps catalog; signed because enforcement is \"warn\"",
            shown,
            if cut { " (cut)" } else { "" }
        ))
    }

    /// An outcome around `signed`, its digest computed here.
    pub(crate) fn new(
        statement: Option<Statement>,
        signed: Signed,
        signatures: Vec<SignerFacts>,
        certificate_chain: Vec<Vec<u8>>,
        admission: Admission,
    ) -> Self {
        let bundle_digest = {
            let json = match &signed {
                Signed::Envelope { json, .. } => json,
                #[cfg(feature = "sigstore")]
                Signed::Bundle(b) => &b.json,
            };
            format!("sha256:{}", hex::encode(Sha256::digest(json)))
        };
        Outcome {
            statement,
            signed,
            signatures,
            certificate_chain,
            bundle_digest,
            admission,
            pipeline: None,
        }
    }

    /// The JSON to write: the envelope's or the bundle's.
    pub fn json(&self) -> &[u8] {
        match &self.signed {
            Signed::Envelope { json, .. } => json,
            #[cfg(feature = "sigstore")]
            Signed::Bundle(b) => &b.json,
        }
    }

    /// The JSON, owned.
    pub fn into_json(self) -> Vec<u8> {
        match self.signed {
            Signed::Envelope { json, .. } => json,
            #[cfg(feature = "sigstore")]
            Signed::Bundle(b) => b.json,
        }
    }

    /// The DSSE envelope (inside the bundle, for a bundle).
    pub fn envelope(&self) -> &Envelope {
        match &self.signed {
            Signed::Envelope { envelope, .. } => envelope,
            #[cfg(feature = "sigstore")]
            Signed::Bundle(b) => &b.envelope,
        }
    }

    /// The DSSE envelope, owned (the bundle's, for a bundle).
    pub fn into_envelope(self) -> Envelope {
        match self.signed {
            Signed::Envelope { envelope, .. } => envelope,
            #[cfg(feature = "sigstore")]
            Signed::Bundle(b) => b.envelope,
        }
    }

    /// The key ids, in signature order.
    pub fn key_ids(&self) -> Vec<&str> {
        self.signatures.iter().map(|s| s.key_id.as_str()).collect()
    }

    /// The issuer modes of the signatures, each once, joined by `+` (`software`, `hsm+kms`):
    /// what the audit record says.
    pub fn issuer_mode(&self) -> String {
        let mut modes: Vec<&str> = Vec::new();
        for s in &self.signatures {
            if !modes.contains(&s.issuer_mode.name()) {
                modes.push(s.issuer_mode.name());
            }
        }
        modes.join("+")
    }
}

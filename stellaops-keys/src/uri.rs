//! Key URIs: one string names a key in any backend.
//!
//! | scheme | form | example |
//! | --- | --- | --- |
//! | file | `file:PATH` or `file://PATH` (or a bare path) | `file:/etc/stella/key.pem` |
//! | PKCS#11 | RFC 7512 | `pkcs11:token=ci;object=signer?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=/run/pin` |
//! | AWS KMS | `awskms://[ENDPOINT]/KEY` (cosign's form) | `awskms:///alias/stella-signer` |
//! | Vault / OpenBao transit | `hashivault://KEY[?version=N]` | `hashivault://stella-signer` |
//! | FIDO2 | `fido2:CREDENTIAL[?device=hid\|hid:PATH\|software:STATE][&uv=true][&pin-source=FILE]` | `fido2:/etc/stella/yubikey.json?uv=true` |
//! | Google Cloud KMS, Azure Key Vault | `gcpkms://…`, `azurekms://…` | parsed; the backends are not in this build |
//!
//! Every scheme takes an optional `alg` query attribute (`x-alg` for PKCS#11, as RFC 7512 asks
//! of vendor attributes) naming the signature algorithm for keys that allow more than one,
//! i.e. RSA: `rsa-pss-sha256` (the default) or `rsa-pkcs1-sha256`.

use std::fmt;
use std::path::PathBuf;

use percent_encoding::percent_decode_str;
use stellaops_crypto::Algorithm;
use zeroize::Zeroizing;

use crate::{Error, Result};

/// A parsed key URI.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyUri {
    /// A key file (PEM, DER or JWK; see `stellaops_crypto::SoftwareKey::from_bytes`).
    File(PathBuf),
    /// A key on a PKCS#11 token.
    Pkcs11(Box<Pkcs11Uri>),
    /// An AWS KMS asymmetric key.
    AwsKms(AwsKmsUri),
    /// A Vault or OpenBao transit key.
    HashiVault(VaultUri),
    /// A FIDO2 credential on a security key (or the software authenticator).
    Fido2(Fido2Uri),
    /// Keyless signing: an ephemeral key per signature, certified by Fulcio for the workload
    /// identity a token names, logged in Rekor. Not a key this crate opens: the facade's
    /// Sigstore signer uses it (a tenant key registry names it like any other key).
    Keyless(KeylessUri),
    /// A Google Cloud KMS key (no backend in this build).
    GcpKms(String),
    /// An Azure Key Vault key (no backend in this build).
    AzureKms(String),
}

/// The attributes of an RFC 7512 `pkcs11:` URI that select a key and open its token.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pkcs11Uri {
    /// `token`: the token label.
    pub token: Option<String>,
    /// `manufacturer`: the token manufacturer.
    pub manufacturer: Option<String>,
    /// `serial`: the token serial number.
    pub serial: Option<String>,
    /// `model`: the token model.
    pub model: Option<String>,
    /// `slot-id`: the slot number.
    pub slot_id: Option<u64>,
    /// `object`: the key label (`CKA_LABEL`).
    pub object: Option<String>,
    /// `id`: the key id (`CKA_ID`), raw bytes.
    pub id: Option<Vec<u8>>,
    /// `type`: must be `private` (or absent) for a signing key.
    pub object_type: Option<String>,
    /// `module-path`: the PKCS#11 module to load.
    pub module_path: Option<PathBuf>,
    /// `pin-value`: the user PIN, in the URI itself (convenient, and visible to anyone who sees the URI).
    pub pin_value: Option<Zeroizing<String>>,
    /// `pin-source`: a file holding the user PIN (trailing newline ignored).
    pub pin_source: Option<PathBuf>,
    /// `x-alg`: the signature algorithm for RSA keys.
    pub algorithm: Option<Algorithm>,
}

/// An `awskms://` URI.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwsKmsUri {
    /// `host[:port]` between `awskms://` and the key; `None` means the regional AWS endpoint
    /// (or `AWS_ENDPOINT_URL_KMS` / `AWS_ENDPOINT_URL`).
    pub endpoint: Option<String>,
    /// Key id, key ARN, `alias/NAME` or alias ARN, as the KMS API takes it.
    pub key_id: String,
    /// `alg`: the signature algorithm for RSA keys.
    pub algorithm: Option<Algorithm>,
}

/// A `hashivault://` URI.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VaultUri {
    /// The transit key name.
    pub key_name: String,
    /// `version`: pin one key version; absent means the latest version at resolve time.
    pub version: Option<u64>,
    /// `alg`: the signature algorithm for RSA keys.
    pub algorithm: Option<Algorithm>,
}

/// A `fido2:` URI: a credential file (`stellaops.fido2-credential/v1`, written by
/// `stella key generate --alg fido2-es256`) and the authenticator that holds the credential.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fido2Uri {
    /// The credential file (no secret in it).
    pub credential: PathBuf,
    /// `device`: which authenticator; `hid` (the one FIDO device connected) by default.
    pub device: Fido2Device,
    /// `uv=true`: every signature needs user verification (the PIN or built-in biometrics), and
    /// the key verifies only signatures with the UV flag.
    pub user_verification: bool,
    /// `pin-source`: a file holding the PIN. Without it the PIN comes from
    /// `STELLAOPS_FIDO2_PIN` or a prompt; never from the URI itself.
    pub pin_source: Option<PathBuf>,
}

/// Which authenticator a `fido2:` URI's `device` attribute names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fido2Device {
    /// `hid`: the one FIDO HID device connected (an error if there are none or several).
    Hid,
    /// `hid:PATH`: the HID device at PATH (e.g. `/dev/hidraw3`).
    HidPath(String),
    /// `software:STATE`: the software authenticator whose credentials are in the file STATE
    /// (feature `fido2-software`; not hardware-backed, for tests and demonstrations).
    Software(PathBuf),
}

impl Fido2Device {
    /// Parse `hid`, `hid:PATH` or `software:STATE`.
    ///
    /// # Errors
    /// [`Error::InvalidUri`] for anything else.
    pub fn parse(text: &str) -> Result<Self> {
        if text == "hid" {
            return Ok(Fido2Device::Hid);
        }
        if let Some(path) = text.strip_prefix("hid:").filter(|p| !p.is_empty()) {
            return Ok(Fido2Device::HidPath(path.to_owned()));
        }
        if let Some(path) = text.strip_prefix("software:").filter(|p| !p.is_empty()) {
            return Ok(Fido2Device::Software(PathBuf::from(path)));
        }
        Err(Error::InvalidUri(format!(
            "fido2 device {text:?}: expected hid, hid:PATH or software:STATE"
        )))
    }
}

impl fmt::Display for Fido2Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fido2Device::Hid => f.write_str("hid"),
            Fido2Device::HidPath(p) => write!(f, "hid:{p}"),
            Fido2Device::Software(p) => write!(f, "software:{}", p.display()),
        }
    }
}

/// `keyless:?fulcio=URL&rekor=URL&token-file=PATH` (or `token-env=VAR`), optionally
/// `&oidc-issuer=URL` (refuse tokens from any other) and `&trusted-root=PATH` (verify each bundle
/// offline before it is returned). Values are percent-decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeylessUri {
    /// Fulcio's base URL.
    pub fulcio: String,
    /// Rekor's base URL.
    pub rekor: String,
    /// Where the workload's OIDC identity token comes from; read for every signature, so a
    /// token that the platform rotates (a projected service-account token, a CI token file) is
    /// always the current one.
    pub token: TokenSource,
    /// The only issuer whose tokens are accepted.
    pub oidc_issuer: Option<String>,
    /// The Sigstore trusted root (`trusted_root.json`) to verify each bundle against.
    pub trusted_root: Option<PathBuf>,
}

/// Where a keyless signer's identity token is read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// A file holding the token (`token-file=`).
    File(PathBuf),
    /// An environment variable holding the token (`token-env=`).
    Env(String),
}

impl KeylessUri {
    fn parse(rest: &str) -> Result<Self> {
        let (path, query) = split_query(rest);
        if !path.is_empty() {
            return Err(Error::InvalidUri(
                "a keyless uri has no path: keyless:?fulcio=URL&rekor=URL&token-file=PATH".into(),
            ));
        }
        let (mut fulcio, mut rekor, mut token, mut oidc_issuer, mut trusted_root) =
            (None, None, None, None, None);
        for (name, value) in query_pairs(query)? {
            let value = non_empty(&value, name)?.to_owned();
            match name {
                "fulcio" => fulcio = Some(value),
                "rekor" => rekor = Some(value),
                "token-file" => token = Some(TokenSource::File(PathBuf::from(value))),
                "token-env" => token = Some(TokenSource::Env(value)),
                "oidc-issuer" => oidc_issuer = Some(value),
                "trusted-root" => trusted_root = Some(PathBuf::from(value)),
                other => {
                    return Err(Error::InvalidUri(format!(
                        "unknown keyless query attribute {other:?}"
                    )))
                }
            }
        }
        let missing = |what: &str| Error::InvalidUri(format!("a keyless uri needs {what}"));
        Ok(KeylessUri {
            fulcio: fulcio.ok_or_else(|| missing("fulcio=URL"))?,
            rekor: rekor.ok_or_else(|| missing("rekor=URL"))?,
            token: token.ok_or_else(|| missing("token-file=PATH or token-env=VAR"))?,
            oidc_issuer,
            trusted_root,
        })
    }
}

impl fmt::Display for KeylessUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "keyless:?fulcio={}&rekor={}", self.fulcio, self.rekor)?;
        match &self.token {
            TokenSource::File(p) => write!(f, "&token-file={}", p.display())?,
            TokenSource::Env(v) => write!(f, "&token-env={v}")?,
        }
        if let Some(issuer) = &self.oidc_issuer {
            write!(f, "&oidc-issuer={issuer}")?;
        }
        if let Some(root) = &self.trusted_root {
            write!(f, "&trusted-root={}", root.display())?;
        }
        Ok(())
    }
}

/// Why a `fido2:` URI holding a PIN is refused, and what to do instead.
const FIDO2_NO_PIN_VALUE: &str = "fido2 uris take no pin-value (a PIN on a command line is \
     visible to every user); use pin-source=FILE, STELLAOPS_FIDO2_PIN or the prompt";

impl Fido2Uri {
    fn parse(rest: &str) -> Result<Self> {
        let (path, query) = split_query(rest);
        let path = path.strip_prefix("//").unwrap_or(path);
        let credential = PathBuf::from(decode_text(
            non_empty(path, "fido2 credential file")?,
            "fido2 credential file",
        )?);
        let mut uri = Fido2Uri {
            credential,
            device: Fido2Device::Hid,
            user_verification: false,
            pin_source: None,
        };
        let mut seen = Vec::new();
        for (name, value) in query_pairs(query)? {
            if seen.contains(&name) {
                return Err(Error::InvalidUri(format!(
                    "fido2 attribute {name:?} given twice"
                )));
            }
            seen.push(name);
            match name {
                "device" => uri.device = Fido2Device::parse(&value)?,
                "uv" => {
                    uri.user_verification = match value.as_str() {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        other => {
                            return Err(Error::InvalidUri(format!(
                                "fido2 uv={other:?}: expected true or false"
                            )))
                        }
                    }
                }
                "pin-source" => {
                    uri.pin_source = Some(PathBuf::from(non_empty(&value, "pin-source")?))
                }
                "pin-value" => return Err(Error::InvalidUri(FIDO2_NO_PIN_VALUE.into())),
                other => {
                    return Err(Error::InvalidUri(format!(
                        "unknown fido2 attribute {other:?} (device, uv, pin-source)"
                    )))
                }
            }
        }
        Ok(uri)
    }
}

impl fmt::Display for Fido2Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fido2:{}?device={}",
            self.credential.display(),
            self.device
        )?;
        if self.user_verification {
            f.write_str("&uv=true")?;
        }
        if let Some(p) = &self.pin_source {
            write!(f, "&pin-source={}", p.display())?;
        }
        Ok(())
    }
}

impl KeyUri {
    /// Parse a key URI. A string with none of the known schemes is a file path.
    ///
    /// # Errors
    /// [`Error::InvalidUri`] for malformed URIs of a known scheme.
    pub fn parse(text: &str) -> Result<Self> {
        if text.is_empty() {
            return Err(Error::InvalidUri("empty key uri".into()));
        }
        // The one place a PIN may stand is a pkcs11 query (after '?'). Anywhere else (a typo in
        // the scheme, a missing '?', another scheme) the PIN would be quoted back as part of a
        // file name or an attribute value: refuse without showing any of it.
        let lower = text.to_ascii_lowercase();
        if let Some(at) = lower.find("pin-value") {
            let in_query =
                strip_scheme(text, "pkcs11:").is_some() && text.find('?').is_some_and(|q| q < at);
            if !in_query {
                if strip_scheme(text, "fido2:").is_some() {
                    return Err(Error::InvalidUri(FIDO2_NO_PIN_VALUE.into()));
                }
                return Err(Error::InvalidUri(
                    "a pin-value belongs in the query of a pkcs11: uri (after '?'); this key uri \
                     holds one elsewhere and is not shown"
                        .into(),
                ));
            }
        }
        if let Some(rest) = strip_scheme(text, "file://") {
            return Ok(KeyUri::File(PathBuf::from(decode_text(rest, "file path")?)));
        }
        if let Some(rest) = strip_scheme(text, "file:") {
            return Ok(KeyUri::File(PathBuf::from(decode_text(rest, "file path")?)));
        }
        if let Some(rest) = strip_scheme(text, "pkcs11:") {
            return Pkcs11Uri::parse(rest).map(|p| KeyUri::Pkcs11(Box::new(p)));
        }
        if let Some(rest) = strip_scheme(text, "awskms://") {
            return AwsKmsUri::parse(rest).map(KeyUri::AwsKms);
        }
        if let Some(rest) = strip_scheme(text, "hashivault://") {
            return VaultUri::parse(rest).map(KeyUri::HashiVault);
        }
        if let Some(rest) = strip_scheme(text, "fido2:") {
            return Fido2Uri::parse(rest).map(KeyUri::Fido2);
        }
        if let Some(rest) = strip_scheme(text, "keyless:") {
            return KeylessUri::parse(rest).map(KeyUri::Keyless);
        }
        if let Some(rest) = strip_scheme(text, "gcpkms://") {
            return non_empty(rest, "gcpkms").map(|r| KeyUri::GcpKms(r.to_owned()));
        }
        if let Some(rest) = strip_scheme(text, "azurekms://") {
            return non_empty(rest, "azurekms").map(|r| KeyUri::AzureKms(r.to_owned()));
        }
        Ok(KeyUri::File(PathBuf::from(text)))
    }

    /// The scheme name: `file`, `pkcs11`, `awskms`, `hashivault`, `fido2`, `keyless`, `gcpkms` or
    /// `azurekms`.
    pub fn scheme(&self) -> &'static str {
        match self {
            KeyUri::File(_) => "file",
            KeyUri::Pkcs11(_) => "pkcs11",
            KeyUri::AwsKms(_) => "awskms",
            KeyUri::HashiVault(_) => "hashivault",
            KeyUri::Fido2(_) => "fido2",
            KeyUri::Keyless(_) => "keyless",
            KeyUri::GcpKms(_) => "gcpkms",
            KeyUri::AzureKms(_) => "azurekms",
        }
    }
}

/// Shows the URI with any PIN replaced by `***`, so URIs can be logged and audited.
impl fmt::Display for KeyUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyUri::File(p) => write!(f, "file:{}", p.display()),
            KeyUri::Pkcs11(p) => p.fmt(f),
            KeyUri::AwsKms(a) => write!(
                f,
                "awskms://{}/{}",
                a.endpoint.as_deref().unwrap_or(""),
                a.key_id
            ),
            KeyUri::HashiVault(v) => match v.version {
                Some(n) => write!(f, "hashivault://{}?version={n}", v.key_name),
                None => write!(f, "hashivault://{}", v.key_name),
            },
            KeyUri::Fido2(u) => u.fmt(f),
            KeyUri::Keyless(u) => u.fmt(f),
            KeyUri::GcpKms(r) => write!(f, "gcpkms://{r}"),
            KeyUri::AzureKms(r) => write!(f, "azurekms://{r}"),
        }
    }
}

impl fmt::Debug for KeyUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyUri({self})")
    }
}

impl Pkcs11Uri {
    fn parse(rest: &str) -> Result<Self> {
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        let mut uri = Pkcs11Uri::default();
        let mut seen = Vec::new();
        for attr in path.split(';').filter(|a| !a.is_empty()) {
            let (name, value) = split_attr(attr)?;
            if seen.contains(&name) {
                return Err(Error::InvalidUri(format!(
                    "pkcs11 attribute {name:?} given twice"
                )));
            }
            seen.push(name);
            match name {
                "token" => uri.token = Some(decode_text(value, name)?),
                "manufacturer" => uri.manufacturer = Some(decode_text(value, name)?),
                "serial" => uri.serial = Some(decode_text(value, name)?),
                "model" => uri.model = Some(decode_text(value, name)?),
                "object" => uri.object = Some(decode_text(value, name)?),
                "id" => uri.id = Some(percent_decode_str(value).collect()),
                "type" => uri.object_type = Some(decode_text(value, name)?),
                "slot-id" => {
                    uri.slot_id = Some(decode_text(value, name)?.parse().map_err(|_| {
                        Error::InvalidUri(format!("pkcs11 slot-id {value:?} is not a number"))
                    })?)
                }
                // Attributes that select a library or slot by description: accepted, not used to filter.
                "library-manufacturer"
                | "library-description"
                | "library-version"
                | "slot-description"
                | "slot-manufacturer" => {}
                other => {
                    return Err(Error::InvalidUri(format!(
                        "unknown pkcs11 path attribute {other:?}"
                    )))
                }
            }
        }
        // A PIN holding '&' or '=' spills into what looks like further attributes, and a
        // forgotten '&' puts a PIN inside another attribute's value: when the query mentions a
        // pin-value anywhere, no error quotes any of its text.
        let hide = query.is_some_and(|q| q.to_ascii_lowercase().contains("pin-value"));
        let shown = |text: &str| {
            if hide {
                String::from("(not shown: the query holds a pin-value)")
            } else {
                format!("{text:?}")
            }
        };
        for attr in query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter(|a| !a.is_empty())
        {
            let (name, value) = split_attr(attr)?;
            match name {
                "module-path" => uri.module_path = Some(PathBuf::from(decode_text(value, name)?)),
                "pin-value" => uri.pin_value = Some(Zeroizing::new(decode_text(value, name)?)),
                "pin-source" => {
                    let source = decode_text(value, name)?;
                    let path = source.strip_prefix("file:").unwrap_or(&source);
                    uri.pin_source = Some(PathBuf::from(path));
                }
                "x-alg" => {
                    let alg = decode_text(value, name)?;
                    uri.algorithm = Some(alg.parse().map_err(|_| {
                        Error::InvalidUri(format!(
                            "pkcs11 x-alg {} is no known algorithm",
                            shown(&alg)
                        ))
                    })?);
                }
                "module-name" => {
                    return Err(Error::InvalidUri(
                        "pkcs11 module-name is not supported; give module-path".into(),
                    ))
                }
                other => {
                    return Err(Error::InvalidUri(format!(
                        "unknown pkcs11 query attribute {}",
                        shown(other)
                    )))
                }
            }
        }
        if uri.object.is_none() && uri.id.is_none() {
            return Err(Error::InvalidUri(
                "a pkcs11 key uri needs object=LABEL or id=ID".into(),
            ));
        }
        if let Some(t) = &uri.object_type {
            if t != "private" {
                return Err(Error::InvalidUri(format!(
                    "pkcs11 type={t} cannot sign; use type=private or leave it out"
                )));
            }
        }
        if uri.pin_value.is_some() && uri.pin_source.is_some() {
            return Err(Error::InvalidUri(
                "give pin-value or pin-source, not both".into(),
            ));
        }
        Ok(uri)
    }

    /// A short description of the selected key for messages: token and object, no PIN.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(t) = &self.token {
            parts.push(format!("token={t}"));
        }
        if let Some(o) = &self.object {
            parts.push(format!("object={o}"));
        }
        if let Some(id) = &self.id {
            parts.push(format!("id={}", hex::encode(id)));
        }
        parts.join(";")
    }
}

impl fmt::Display for Pkcs11Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pkcs11:{}", self.describe())?;
        let mut query = Vec::new();
        if let Some(m) = &self.module_path {
            query.push(format!("module-path={}", m.display()));
        }
        if self.pin_value.is_some() {
            query.push("pin-value=***".to_owned());
        }
        if let Some(p) = &self.pin_source {
            query.push(format!("pin-source={}", p.display()));
        }
        if let Some(a) = self.algorithm {
            query.push(format!("x-alg={}", a.name()));
        }
        if !query.is_empty() {
            write!(f, "?{}", query.join("&"))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Pkcs11Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pkcs11Uri({self})")
    }
}

impl AwsKmsUri {
    fn parse(rest: &str) -> Result<Self> {
        let (rest, query) = split_query(rest);
        let (endpoint, key) = rest.split_once('/').ok_or_else(|| {
            Error::InvalidUri("awskms uri must be awskms://[ENDPOINT]/KEY".into())
        })?;
        let key_id = non_empty(key, "awskms key")?.to_owned();
        let mut uri = AwsKmsUri {
            endpoint: (!endpoint.is_empty()).then(|| endpoint.to_owned()),
            key_id,
            algorithm: None,
        };
        for (name, value) in query_pairs(query)? {
            match name {
                "alg" => uri.algorithm = Some(parse_algorithm(&value)?),
                other => {
                    return Err(Error::InvalidUri(format!(
                        "unknown awskms query attribute {other:?}"
                    )))
                }
            }
        }
        Ok(uri)
    }
}

impl VaultUri {
    fn parse(rest: &str) -> Result<Self> {
        let (name, query) = split_query(rest);
        let key_name = non_empty(name.trim_end_matches('/'), "hashivault key name")?;
        if key_name.contains('/') {
            return Err(Error::InvalidUri(
                "hashivault uri names one transit key: hashivault://KEY; set the mount with VAULT_TRANSIT_MOUNT"
                    .into(),
            ));
        }
        let mut uri = VaultUri {
            key_name: decode_text(key_name, "hashivault key name")?,
            version: None,
            algorithm: None,
        };
        for (name, value) in query_pairs(query)? {
            match name {
                "version" => {
                    let v: u64 = value.parse().ok().filter(|v| *v > 0).ok_or_else(|| {
                        Error::InvalidUri(format!(
                            "hashivault version {value:?} is not a positive number"
                        ))
                    })?;
                    uri.version = Some(v);
                }
                "alg" => uri.algorithm = Some(parse_algorithm(&value)?),
                other => {
                    return Err(Error::InvalidUri(format!(
                        "unknown hashivault query attribute {other:?}"
                    )))
                }
            }
        }
        Ok(uri)
    }
}

/// `name=value`. The error never quotes the attribute: in `pin-value=SEC&RET` the text `RET`
/// is the end of a PIN that held an `&`.
fn split_attr(attr: &str) -> Result<(&str, &str)> {
    attr.split_once('=').ok_or_else(|| {
        Error::InvalidUri(
            "an attribute has no '=' (its text is not shown: it may be part of a pin)".into(),
        )
    })
}

/// ASCII-case-insensitive `strip_prefix`: URI schemes are case-insensitive (RFC 3986 §3.1), so
/// `PKCS11:` is a PKCS#11 URI, not a file path to be quoted back with its PIN.
fn strip_scheme<'a>(text: &'a str, scheme: &str) -> Option<&'a str> {
    let head = text.get(..scheme.len())?;
    head.eq_ignore_ascii_case(scheme)
        .then(|| &text[scheme.len()..])
}

fn split_query(text: &str) -> (&str, Option<&str>) {
    match text.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (text, None),
    }
}

fn query_pairs(query: Option<&str>) -> Result<Vec<(&str, String)>> {
    query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|a| !a.is_empty())
        .map(|a| {
            let (n, v) = split_attr(a)?;
            Ok((n, decode_text(v, n)?))
        })
        .collect()
}

fn decode_text(value: &str, what: &str) -> Result<String> {
    percent_decode_str(value)
        .decode_utf8()
        .map(|v| v.into_owned())
        .map_err(|_| Error::InvalidUri(format!("{what} is not valid UTF-8 after percent-decoding")))
}

fn non_empty<'a>(value: &'a str, what: &str) -> Result<&'a str> {
    if value.is_empty() {
        Err(Error::InvalidUri(format!("{what} is empty")))
    } else {
        Ok(value)
    }
}

fn parse_algorithm(name: &str) -> Result<Algorithm> {
    name.parse()
        .map_err(|_| Error::InvalidUri(format!("unknown algorithm {name:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkcs11_uri_reads_every_attribute_and_hides_the_pin() {
        let uri = KeyUri::parse(
            "pkcs11:token=ci%20token;object=signer;id=%01%02;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234&x-alg=rsa-pkcs1-sha256",
        )
        .unwrap();
        let KeyUri::Pkcs11(p) = &uri else {
            panic!("not pkcs11: {uri:?}")
        };
        assert_eq!(p.token.as_deref(), Some("ci token"));
        assert_eq!(p.object.as_deref(), Some("signer"));
        assert_eq!(p.id.as_deref(), Some(&[1u8, 2][..]));
        assert_eq!(p.pin_value.as_deref().map(String::as_str), Some("1234"));
        assert_eq!(p.algorithm, Some(Algorithm::RsaPkcs1Sha256));
        let shown = uri.to_string();
        assert!(!shown.contains("1234"), "{shown}");
        assert!(shown.contains("pin-value=***"), "{shown}");
    }

    /// Issue 20, defect 9: no fragment of a PIN reaches an error message, whatever the case
    /// of the scheme or the characters of the PIN.
    #[test]
    fn no_pin_fragment_reaches_an_error() {
        for (uri, secrets) in [
            (
                "pkcs11:object=k?pin-value=SEC&RET1234",
                &["SEC", "RET1234"][..],
            ),
            ("pkcs11:object=k?pin-value=ab&cd=ef", &["ab", "cd", "ef"]),
            ("pkcs11:object=k?pin-value=ab&x-alg=zz9", &["ab", "zz9"]),
            // Found by the key_uri fuzz target: a forgotten '&' puts the PIN in x-alg's value.
            ("pkcs11:object=k?x-alg=es256pin-value=4321", &["4321"]),
            (
                "PKCS11:object=k?pin-value=SECRET&RET1234",
                &["SECRET", "RET1234"],
            ),
            ("pkcs12:object=k?pin-value=SECRET", &["SECRET"]),
            // Found by the key_uri fuzz target: no '?', so the PIN sat in the `type` value.
            (
                "pkcs11:object=k;type=pso&pin-value=1234&x-alg=es256",
                &["1234"],
            ),
            ("fido2:cred.json&pin-value=SECRET", &["SECRET"]),
            ("fido2:c.json?pin-value=SEC&RET1234", &["SEC", "RET1234"]),
        ] {
            let message = KeyUri::parse(uri).unwrap_err().to_string();
            for secret in secrets {
                assert!(!message.contains(secret), "{uri}: {message}");
            }
        }
        // An upper-case scheme is the same scheme.
        assert!(matches!(
            KeyUri::parse("PKCS11:object=k?pin-value=1").unwrap(),
            KeyUri::Pkcs11(_)
        ));
        assert!(matches!(
            KeyUri::parse("File:/tmp/k.pem").unwrap(),
            KeyUri::File(_)
        ));
    }

    #[test]
    fn pkcs11_uri_rejects_what_rfc_7512_forbids_or_we_cannot_use() {
        for bad in [
            "pkcs11:token=a",                            // no object or id
            "pkcs11:object=a;object=b",                  // repeated path attribute
            "pkcs11:object=a;type=public",               // cannot sign
            "pkcs11:object=a;colour=red",                // unknown attribute
            "pkcs11:object=a?pin-value=1&pin-source=/p", // two pins
            "pkcs11:object=a;slot-id=x",
            "pkcs11:object=%ff",
            "pkcs11:object",
        ] {
            assert!(
                matches!(KeyUri::parse(bad), Err(Error::InvalidUri(_))),
                "{bad} was accepted"
            );
        }
    }

    #[test]
    fn awskms_uri_takes_cosigns_forms() {
        let KeyUri::AwsKms(a) = KeyUri::parse("awskms:///alias/stella").unwrap() else {
            panic!()
        };
        assert_eq!(a.endpoint, None);
        assert_eq!(a.key_id, "alias/stella");
        let KeyUri::AwsKms(a) =
            KeyUri::parse("awskms://localhost:4566/arn:aws:kms:us-east-1:111122223333:key/1234?alg=rsa-pkcs1-sha256")
                .unwrap()
        else {
            panic!()
        };
        assert_eq!(a.endpoint.as_deref(), Some("localhost:4566"));
        assert_eq!(a.key_id, "arn:aws:kms:us-east-1:111122223333:key/1234");
        assert_eq!(a.algorithm, Some(Algorithm::RsaPkcs1Sha256));
        assert!(KeyUri::parse("awskms://").is_err());
        assert!(KeyUri::parse("awskms:///").is_err());
        assert!(KeyUri::parse("awskms:///k?alg=md5").is_err());
    }

    #[test]
    fn hashivault_uri_names_a_key_and_optionally_a_version() {
        let KeyUri::HashiVault(v) = KeyUri::parse("hashivault://signer?version=3").unwrap() else {
            panic!()
        };
        assert_eq!((v.key_name.as_str(), v.version), ("signer", Some(3)));
        for bad in [
            "hashivault://",
            "hashivault://a/b",
            "hashivault://a?version=0",
            "hashivault://a?mount=x",
        ] {
            assert!(KeyUri::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keyless_uris_name_fulcio_rekor_and_the_token_source() {
        let uri = KeyUri::parse(
            "keyless:?fulcio=https://fulcio.test&rekor=http://127.0.0.1:3000&token-file=/run/token\
             &oidc-issuer=https://issuer.test&trusted-root=/etc/sigstore/root.json",
        )
        .unwrap();
        let KeyUri::Keyless(k) = &uri else {
            panic!("{uri:?}")
        };
        assert_eq!(k.fulcio, "https://fulcio.test");
        assert_eq!(k.rekor, "http://127.0.0.1:3000");
        assert_eq!(k.token, TokenSource::File(PathBuf::from("/run/token")));
        assert_eq!(k.oidc_issuer.as_deref(), Some("https://issuer.test"));
        assert_eq!(uri.scheme(), "keyless");
        assert_eq!(KeyUri::parse(&uri.to_string()).unwrap(), uri);
        let env = KeyUri::parse("KEYLESS:?fulcio=f&rekor=r&token-env=CI_TOKEN").unwrap();
        assert!(
            matches!(env, KeyUri::Keyless(KeylessUri { token: TokenSource::Env(ref v), .. }) if v == "CI_TOKEN")
        );
        for (bad, says) in [
            ("keyless:?rekor=r&token-file=t", "fulcio=URL"),
            ("keyless:?fulcio=f&token-file=t", "rekor=URL"),
            ("keyless:?fulcio=f&rekor=r", "token-file"),
            (
                "keyless:?fulcio=f&rekor=r&token-file=t&pin=1",
                "unknown keyless",
            ),
            ("keyless:path?fulcio=f&rekor=r&token-file=t", "no path"),
            ("keyless:?fulcio=&rekor=r&token-file=t", "fulcio is empty"),
        ] {
            let message = KeyUri::parse(bad).unwrap_err().to_string();
            assert!(message.contains(says), "{bad}: {message}");
        }
        // Not a key to open: the facade's Sigstore signer makes one per signature.
        let err = crate::open(&uri, crate::OpenOptions::default())
            .err()
            .unwrap();
        assert!(err.to_string().contains("keyless"), "{err}");
    }

    #[test]
    fn files_and_other_schemes() {
        assert_eq!(
            KeyUri::parse("file:/k.pem").unwrap(),
            KeyUri::File("/k.pem".into())
        );
        assert_eq!(
            KeyUri::parse("file:///k%20x.pem").unwrap(),
            KeyUri::File("/k x.pem".into())
        );
        assert_eq!(
            KeyUri::parse("keys/k.pem").unwrap(),
            KeyUri::File("keys/k.pem".into())
        );
        assert_eq!(
            KeyUri::parse("gcpkms://projects/p").unwrap().scheme(),
            "gcpkms"
        );
        assert_eq!(
            KeyUri::parse("azurekms://vault/k").unwrap().scheme(),
            "azurekms"
        );
        assert!(KeyUri::parse("").is_err());
    }
}

//! FIDO2 (CTAP2) assertions as DSSE signatures: the `stellaops.fido2/v1` encoding and its
//! verification (docs/fido2-signature.md).
//!
//! An authenticator signs `authenticatorData || clientDataHash`; here `clientDataHash` is
//! SHA-256 of the message (the DSSE PAE). The signature bytes carried in the envelope are a
//! CBOR map in core deterministic encoding: `alg` (COSE algorithm), `fmt`, `sig` (the
//! authenticator's signature), `authData` (the authenticator data), in that order.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ciborium::value::{Integer, Value};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::{Algorithm, Error, Result, VerifyingKey};

/// The value of `fmt`.
pub const FORMAT: &str = "stellaops.fido2/v1";
/// COSE algorithm ES256 (ECDSA P-256, SHA-256).
pub const COSE_ES256: i64 = -7;
/// COSE algorithm EdDSA (Ed25519).
pub const COSE_EDDSA: i64 = -8;

const FLAG_UP: u8 = 0x01;
const FLAG_UV: u8 = 0x04;
const FLAG_AT: u8 = 0x40;
const FLAG_ED: u8 = 0x80;
/// rpIdHash (32) + flags (1) + signCount (4).
const AUTH_DATA_MIN: usize = 37;
/// Bounds what a decoder allocates for a hostile input.
const MAX_ENCODED: usize = 4096;

/// A FIDO2 assertion in the `stellaops.fido2/v1` encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fido2Signature {
    /// The COSE algorithm of the credential ([`COSE_ES256`] or [`COSE_EDDSA`]).
    pub alg: i64,
    /// The authenticator's signature: DER for ES256, 64 bytes for EdDSA.
    pub sig: Vec<u8>,
    /// The authenticator data, as the authenticator returned it.
    pub auth_data: Vec<u8>,
}

impl Fido2Signature {
    /// The signature bytes to carry in a DSSE envelope (canonical CBOR).
    pub fn encode(&self) -> Vec<u8> {
        let map = Value::Map(vec![
            (
                Value::Text("alg".into()),
                Value::Integer(Integer::from(self.alg)),
            ),
            (Value::Text("fmt".into()), Value::Text(FORMAT.into())),
            (Value::Text("sig".into()), Value::Bytes(self.sig.clone())),
            (
                Value::Text("authData".into()),
                Value::Bytes(self.auth_data.clone()),
            ),
        ]);
        let mut out = Vec::with_capacity(64 + self.sig.len() + self.auth_data.len());
        // Writing into a Vec cannot fail; an error here would be a bug in ciborium.
        if ciborium::ser::into_writer(&map, &mut out).is_err() {
            out.clear();
        }
        out
    }

    /// Decode signature bytes strictly: exactly the canonical encoding [`Fido2Signature::encode`]
    /// writes (key order, shortest lengths, definite lengths, no tags, no extra keys, no
    /// trailing bytes), `fmt` = [`FORMAT`], a known `alg`, at least 37 bytes of `authData`.
    ///
    /// # Errors
    /// [`Error::Fido2Encoding`] naming what is wrong.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        if bytes.len() > MAX_ENCODED {
            return Err(Error::Fido2Encoding("longer than 4096 bytes"));
        }
        let value: Value = ciborium::de::from_reader(bytes)
            .map_err(|_| Error::Fido2Encoding("not a CBOR data item"))?;
        let Value::Map(entries) = value else {
            return Err(Error::Fido2Encoding("not a CBOR map"));
        };
        let [(k1, alg), (k2, fmt), (k3, sig), (k4, auth_data)] = <[_; 4]>::try_from(entries)
            .map_err(|_| Error::Fido2Encoding("not exactly the keys alg, fmt, sig, authData"))?;
        let keys_in_order = [(k1, "alg"), (k2, "fmt"), (k3, "sig"), (k4, "authData")]
            .into_iter()
            .all(|(key, want)| key.as_text() == Some(want));
        if !keys_in_order {
            return Err(Error::Fido2Encoding(
                "not exactly the keys alg, fmt, sig, authData, in that order",
            ));
        }
        if fmt.as_text() != Some(FORMAT) {
            return Err(Error::Fido2Encoding("fmt is not stellaops.fido2/v1"));
        }
        let alg = alg
            .as_integer()
            .and_then(|i| i64::try_from(i).ok())
            .filter(|a| *a == COSE_ES256 || *a == COSE_EDDSA)
            .ok_or(Error::Fido2Encoding("alg is not -7 (ES256) or -8 (EdDSA)"))?;
        let (Value::Bytes(sig), Value::Bytes(auth_data)) = (sig, auth_data) else {
            return Err(Error::Fido2Encoding("sig or authData is not a byte string"));
        };
        if auth_data.len() < AUTH_DATA_MIN {
            return Err(Error::Fido2Encoding("authData is shorter than 37 bytes"));
        }
        let decoded = Fido2Signature {
            alg,
            sig,
            auth_data,
        };
        // Canonical form only: one signature, one byte string.
        if decoded.encode() != bytes {
            return Err(Error::Fido2Encoding(
                "not in canonical form (order, lengths, tags or trailing bytes)",
            ));
        }
        Ok(decoded)
    }

    /// The flags byte of the authenticator data.
    pub fn flags(&self) -> u8 {
        self.auth_data[32]
    }

    /// The signature counter (big-endian, authenticator data bytes 33 to 36).
    pub fn counter(&self) -> u32 {
        u32::from_be_bytes([
            self.auth_data[33],
            self.auth_data[34],
            self.auth_data[35],
            self.auth_data[36],
        ])
    }
}

/// `clientDataHash` for a message: SHA-256 of it (for DSSE, of the PAE).
pub fn client_data_hash(message: &[u8]) -> [u8; 32] {
    Sha256::digest(message).into()
}

/// What the bytes an authenticator signed are: `authData || clientDataHash`.
pub fn signed_bytes(auth_data: &[u8], message: &[u8]) -> Vec<u8> {
    let mut signed = Vec::with_capacity(auth_data.len() + 32);
    signed.extend_from_slice(auth_data);
    signed.extend_from_slice(&client_data_hash(message));
    signed
}

/// How a FIDO2 signature must have been made: for which relying-party id, and whether the
/// authenticator must have verified the user (PIN or biometrics) as well as seen them present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fido2Policy {
    /// The relying-party id the credential was made for.
    pub rp_id: String,
    /// Require the UV flag.
    pub require_uv: bool,
}

/// What a verified FIDO2 signature says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fido2Assertion {
    /// The inner algorithm that verified it.
    pub algorithm: Algorithm,
    /// The signature counter.
    pub counter: u32,
    /// Whether the authenticator verified the user (UV).
    pub user_verified: bool,
}

/// Check a decoded signature's authenticator data against `policy` and, with `last_counter`,
/// that its counter went up. The signature itself is checked by the caller, over
/// [`signed_bytes`].
pub(crate) fn check_assertion(
    signature: &Fido2Signature,
    policy: &Fido2Policy,
    last_counter: Option<u32>,
) -> Result<()> {
    let auth = &signature.auth_data;
    let rp_ok = auth[..32] == Sha256::digest(policy.rp_id.as_bytes())[..];
    let flags = signature.flags();
    let flags_ok = flags & FLAG_UP != 0
        && (!policy.require_uv || flags & FLAG_UV != 0)
        && flags & FLAG_AT == 0
        && (auth.len() == AUTH_DATA_MIN || flags & FLAG_ED != 0);
    let counter_ok = last_counter.is_none_or(|last| signature.counter() > last);
    if rp_ok && flags_ok && counter_ok {
        Ok(())
    } else {
        Err(Error::InvalidSignature)
    }
}

/// The `type` of a credential file.
pub const CREDENTIAL_TYPE: &str = "stellaops.fido2-credential/v1";

/// A FIDO2 credential as a key file: what signing needs to ask the authenticator for an
/// assertion, and what verifying needs to trust it. It holds no secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fido2Credential {
    /// Always [`CREDENTIAL_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// `fido2-es256` or `fido2-eddsa`.
    pub algorithm: String,
    /// The relying-party id the credential was made for.
    pub rp_id: String,
    /// The credential id (base64url without padding).
    pub credential_id: String,
    /// Whether the credential is resident (discoverable) on the authenticator.
    pub resident: bool,
    /// The credential's public key, SubjectPublicKeyInfo PEM.
    pub public_key: String,
}

impl Fido2Credential {
    /// A credential record for `public_key` (P-256 or Ed25519).
    ///
    /// # Errors
    /// [`Error::UnsupportedKey`] for other keys; PEM encoding errors.
    pub fn new(
        rp_id: impl Into<String>,
        credential_id: &[u8],
        resident: bool,
        public_key: &VerifyingKey,
    ) -> Result<Self> {
        let algorithm = match public_key.algorithm() {
            Algorithm::EcdsaP256Sha256 => "fido2-es256",
            Algorithm::Ed25519 => "fido2-eddsa",
            _ => {
                return Err(Error::UnsupportedKey(
                    "a FIDO2 credential is a P-256 (ES256) or Ed25519 (EdDSA) key",
                ))
            }
        };
        Ok(Fido2Credential {
            kind: CREDENTIAL_TYPE.into(),
            algorithm: algorithm.into(),
            rp_id: rp_id.into(),
            credential_id: URL_SAFE_NO_PAD.encode(credential_id),
            resident,
            public_key: public_key.to_spki_pem()?,
        })
    }

    /// Whether `bytes` look like a credential file (JSON naming [`CREDENTIAL_TYPE`]).
    pub fn is_credential(bytes: &[u8]) -> bool {
        bytes.trim_ascii_start().first() == Some(&b'{')
            && serde_json::from_slice::<serde_json::Value>(bytes)
                .is_ok_and(|v| v["type"] == CREDENTIAL_TYPE)
    }

    /// Read a credential file strictly (unknown members refused).
    ///
    /// # Errors
    /// [`Error::UnrecognisedEncoding`] for anything else.
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        let c: Fido2Credential = serde_json::from_slice(bytes)
            .map_err(|_| Error::UnrecognisedEncoding("not a FIDO2 credential file"))?;
        if c.kind != CREDENTIAL_TYPE
            || !matches!(c.algorithm.as_str(), "fido2-es256" | "fido2-eddsa")
            || c.rp_id.is_empty()
            || c.credential_id_bytes().is_none_or(|id| id.is_empty())
        {
            return Err(Error::UnrecognisedEncoding(
                "a FIDO2 credential file needs its type, fido2-es256 or fido2-eddsa, an rp_id \
                 and a base64url credential_id",
            ));
        }
        Ok(c)
    }

    /// The credential file, pretty JSON with a final newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// The credential id's bytes, `None` when it is not base64url.
    pub fn credential_id_bytes(&self) -> Option<Vec<u8>> {
        URL_SAFE_NO_PAD.decode(&self.credential_id).ok()
    }

    /// The public key, bound to the relying party (requiring UV when `require_uv`): the key a
    /// verifier trusts.
    ///
    /// # Errors
    /// Key decoding errors; [`Error::AlgorithmMismatch`] when the key is not the algorithm's.
    pub fn verifying_key(&self, require_uv: bool) -> Result<VerifyingKey> {
        let inner = match self.algorithm.as_str() {
            "fido2-es256" => Algorithm::EcdsaP256Sha256,
            _ => Algorithm::Ed25519,
        };
        VerifyingKey::from_pem(&self.public_key)?
            .with_algorithm(inner)?
            .with_fido2(Fido2Policy {
                rp_id: self.rp_id.clone(),
                require_uv,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Fido2Signature {
        let mut auth_data = Sha256::digest(b"dsse:test").to_vec();
        auth_data.push(FLAG_UP);
        auth_data.extend_from_slice(&7u32.to_be_bytes());
        Fido2Signature {
            alg: COSE_ES256,
            sig: vec![0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01],
            auth_data,
        }
    }

    #[test]
    fn encoding_round_trips_and_is_canonical() {
        let s = sample();
        let bytes = s.encode();
        assert_eq!(Fido2Signature::decode(&bytes).unwrap(), s);
        // Keys in core deterministic order: "alg", "fmt", "sig", "authData".
        assert_eq!(bytes[0], 0xa4);
        assert_eq!(&bytes[1..5], b"\x63alg");
        assert_eq!(s.counter(), 7);
    }

    #[test]
    fn anything_but_the_canonical_form_is_refused() {
        let s = sample();
        let good = s.encode();
        let reencode = |entries: Vec<(Value, Value)>| {
            let mut out = Vec::new();
            ciborium::ser::into_writer(&Value::Map(entries), &mut out).unwrap();
            out
        };
        let entry = |k: &str, v: Value| (Value::Text(k.into()), v);
        let alg = entry("alg", Value::Integer(Integer::from(COSE_ES256)));
        let fmt = entry("fmt", Value::Text(FORMAT.into()));
        let sig = entry("sig", Value::Bytes(s.sig.clone()));
        let auth = entry("authData", Value::Bytes(s.auth_data.clone()));
        let cases: Vec<Vec<u8>> = vec![
            // Another key order, a missing key, an extra key.
            reencode(vec![fmt.clone(), alg.clone(), sig.clone(), auth.clone()]),
            reencode(vec![alg.clone(), fmt.clone(), sig.clone()]),
            reencode(vec![
                alg.clone(),
                fmt.clone(),
                sig.clone(),
                auth.clone(),
                entry("x", Value::Null),
            ]),
            // Another format, an unknown algorithm, a text signature, short authData.
            reencode(vec![
                alg.clone(),
                entry("fmt", Value::Text("stellaops.fido2/v2".into())),
                sig.clone(),
                auth.clone(),
            ]),
            reencode(vec![
                entry("alg", Value::Integer(Integer::from(-35))),
                fmt.clone(),
                sig.clone(),
                auth.clone(),
            ]),
            reencode(vec![
                alg.clone(),
                fmt.clone(),
                entry("sig", Value::Text("x".into())),
                auth.clone(),
            ]),
            reencode(vec![
                alg.clone(),
                fmt.clone(),
                sig.clone(),
                entry("authData", Value::Bytes(vec![0; 36])),
            ]),
            // Trailing bytes; an indefinite-length map; a tag; not a map; empty; too long.
            [good.clone(), vec![0x00]].concat(),
            [vec![0xbf], good[1..].to_vec(), vec![0xff]].concat(),
            [vec![0xd8, 0x18], good.clone()].concat(),
            vec![0x80],
            vec![],
            vec![0x40; MAX_ENCODED + 1],
        ];
        for (i, bytes) in cases.iter().enumerate() {
            assert!(Fido2Signature::decode(bytes).is_err(), "case {i} accepted");
        }
        // A non-shortest length for "sig" (1-byte length form for a short string).
        let mut long_form = good.clone();
        let at = long_form.windows(4).position(|w| w == b"\x63sig").unwrap() + 4;
        let len = long_form[at] & 0x1f;
        long_form.splice(at..=at, [0x58, len]);
        assert!(Fido2Signature::decode(&long_form).is_err());
    }

    #[test]
    fn authenticator_data_checks() {
        let policy = Fido2Policy {
            rp_id: "dsse:test".into(),
            require_uv: false,
        };
        let s = sample();
        check_assertion(&s, &policy, None).unwrap();
        check_assertion(&s, &policy, Some(6)).unwrap();
        assert!(
            check_assertion(&s, &policy, Some(7)).is_err(),
            "counter did not go up"
        );
        let other_rp = Fido2Policy {
            rp_id: "dsse:other".into(),
            ..policy.clone()
        };
        assert!(check_assertion(&s, &other_rp, None).is_err());
        let uv = Fido2Policy {
            require_uv: true,
            ..policy.clone()
        };
        assert!(check_assertion(&s, &uv, None).is_err());
        let with_flags = |flags: u8| {
            let mut t = s.clone();
            t.auth_data[32] = flags;
            check_assertion(&t, &policy, None)
        };
        assert!(with_flags(0).is_err(), "no user presence");
        assert!(
            with_flags(FLAG_UP | FLAG_AT).is_err(),
            "attested data in an assertion"
        );
        with_flags(FLAG_UP | FLAG_UV).unwrap();
        let mut extended = s.clone();
        extended.auth_data.push(0xa0);
        assert!(
            check_assertion(&extended, &policy, None).is_err(),
            "bytes without ED"
        );
        extended.auth_data[32] |= FLAG_ED;
        check_assertion(&extended, &policy, None).unwrap();
    }
}

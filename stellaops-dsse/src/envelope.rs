//! DSSE envelopes: sign with one or many keys, serialize, parse.

use stellaops_crypto::SigningKey;

use crate::canon::{self, Value};
use crate::{b64, pae, Error, Result};

/// Bounds on envelopes read from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvelopeLimits {
    /// Largest envelope JSON in bytes (default 96 MiB).
    pub max_envelope_bytes: usize,
    /// Largest decoded payload in bytes (default 64 MiB).
    pub max_payload_bytes: usize,
    /// Most signatures in one envelope (default 16).
    pub max_signatures: usize,
    /// Deepest JSON nesting in the envelope (default 128).
    pub max_depth: usize,
}

impl Default for EnvelopeLimits {
    fn default() -> Self {
        EnvelopeLimits {
            max_envelope_bytes: 96 << 20,
            max_payload_bytes: 64 << 20,
            max_signatures: 16,
            max_depth: 128,
        }
    }
}

/// One signature of an envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    keyid: String,
    sig: Vec<u8>,
}

impl Signature {
    /// A signature with its key id hint (may be empty).
    pub fn new(keyid: impl Into<String>, sig: Vec<u8>) -> Self {
        Signature {
            keyid: keyid.into(),
            sig,
        }
    }

    /// The `keyid` hint; empty when the signer gave none. Never a reason to trust.
    pub fn keyid(&self) -> &str {
        &self.keyid
    }

    /// The raw signature bytes (DER for ECDSA).
    pub fn sig(&self) -> &[u8] {
        &self.sig
    }
}

/// A DSSE envelope: `payloadType`, `payload` and signatures over their PAE.
///
/// The payload is held once, inside its PAE (the bytes every signature covers), so signing and
/// verifying never copy it again, and parsing decodes the base64 straight into that buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    payload_type: String,
    /// `PAE(payload_type, payload)`; the payload is `pae[body_start..]`.
    pae: Vec<u8>,
    body_start: usize,
    signatures: Vec<Signature>,
}

impl Envelope {
    /// An envelope with no signatures yet.
    pub fn unsigned(payload_type: impl Into<String>, payload: impl AsRef<[u8]>) -> Self {
        let payload_type = payload_type.into();
        let payload = payload.as_ref();
        let pae = pae::pae(&payload_type, payload);
        Envelope {
            body_start: pae.len() - payload.len(),
            payload_type,
            pae,
            signatures: Vec::new(),
        }
    }

    /// Sign `payload` with every key in `keys`, in order (multi-signature).
    ///
    /// # Errors
    /// [`Error::NoSigningKeys`] for an empty `keys`; [`Error::Signing`] naming the key that failed
    /// (no envelope is returned then, so there is never a partly signed result).
    pub fn sign(
        payload_type: impl Into<String>,
        payload: impl AsRef<[u8]>,
        keys: &[&dyn SigningKey],
    ) -> Result<Self> {
        let mut envelope = Envelope::unsigned(payload_type, payload);
        envelope.add_signatures(keys)?;
        Ok(envelope)
    }

    /// Add one signature per key over this envelope's PAE, computed once. On error nothing is added.
    ///
    /// # Errors
    /// [`Error::NoSigningKeys`], [`Error::Signing`].
    pub fn add_signatures(&mut self, keys: &[&dyn SigningKey]) -> Result<()> {
        if keys.is_empty() {
            return Err(Error::NoSigningKeys);
        }
        let pae = self.pae();
        let mut new = Vec::with_capacity(keys.len());
        for key in keys {
            let sig = key.try_sign(pae).map_err(|source| Error::Signing {
                key_id: key.key_id().to_string(),
                source,
            })?;
            new.push(Signature {
                keyid: key.key_id().to_string(),
                sig,
            });
        }
        self.signatures.extend(new);
        Ok(())
    }

    /// Add a signature made elsewhere over [`Envelope::pae`] (a remote signer, or a `keyid` the
    /// signer chose). Nothing is checked here; verification checks it like any other.
    pub fn push_signature(&mut self, signature: Signature) {
        self.signatures.push(signature);
    }

    /// The payload type.
    pub fn payload_type(&self) -> &str {
        &self.payload_type
    }

    /// The decoded payload.
    pub fn payload(&self) -> &[u8] {
        &self.pae[self.body_start..]
    }

    /// The signatures, in envelope order.
    pub fn signatures(&self) -> &[Signature] {
        &self.signatures
    }

    /// The bytes every signature covers, held by the envelope (no copy).
    pub fn pae(&self) -> &[u8] {
        &self.pae
    }

    /// Take the payload out.
    pub fn into_payload(self) -> Vec<u8> {
        let mut bytes = self.pae;
        bytes.drain(..self.body_start);
        bytes
    }

    /// Parse envelope JSON strictly: duplicate keys, oversized input or payload, too many
    /// signatures, bad base64 and missing fields are errors. Both base64 alphabets are read,
    /// padded or not; unknown members are ignored; a missing or `null` `keyid` reads as empty.
    ///
    /// # Errors
    /// The canonical-JSON parse errors, [`Error::Field`], [`Error::InvalidBase64`],
    /// [`Error::TooLarge`], [`Error::TooManySignatures`].
    pub fn from_json(json: &[u8], limits: &EnvelopeLimits) -> Result<Self> {
        let parse_limits = canon::Limits {
            max_bytes: limits.max_envelope_bytes,
            max_depth: limits.max_depth,
        };
        let value = canon::parse(json, &parse_limits)?;
        if value.as_object().is_none() {
            return Err(Error::Field {
                field: "envelope",
                problem: "is not a json object",
            });
        }
        let payload_text = string_field(&value, "payload")?;
        let bound = b64::decoded_len_bound(payload_text.len());
        if bound > limits.max_payload_bytes.saturating_add(3) {
            return Err(Error::TooLarge {
                limit: limits.max_payload_bytes,
                actual: bound,
            });
        }
        let payload_type = string_field(&value, "payloadType")?.to_owned();
        let payload_len = b64::decoded_len(payload_text).ok_or(Error::InvalidBase64("payload"))?;
        if payload_len > limits.max_payload_bytes {
            return Err(Error::TooLarge {
                limit: limits.max_payload_bytes,
                actual: payload_len,
            });
        }
        // The PAE's prefix, then the payload decoded straight into the buffer after it.
        let mut pae = pae::pae_prefix(&payload_type, payload_len);
        let body_start = pae.len();
        b64::decode_append("payload", payload_text, &mut pae)?;
        if pae.len() - body_start != payload_len {
            return Err(Error::InvalidBase64("payload"));
        }
        let sigs = value
            .get("signatures")
            .ok_or(Error::Field {
                field: "signatures",
                problem: "is missing",
            })?
            .as_array()
            .ok_or(Error::Field {
                field: "signatures",
                problem: "is not an array",
            })?;
        if sigs.len() > limits.max_signatures {
            return Err(Error::TooManySignatures {
                limit: limits.max_signatures,
                found: sigs.len(),
            });
        }
        let mut signatures = Vec::with_capacity(sigs.len());
        for s in sigs {
            if s.as_object().is_none() {
                return Err(Error::Field {
                    field: "signatures",
                    problem: "holds a non-object",
                });
            }
            let sig = b64::decode("sig", string_field(s, "sig")?)?;
            let keyid = match s.get("keyid") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(k)) => k.clone(),
                Some(_) => {
                    return Err(Error::Field {
                        field: "keyid",
                        problem: "is not a string",
                    })
                }
            };
            signatures.push(Signature { keyid, sig });
        }
        Ok(Envelope {
            payload_type,
            pae,
            body_start,
            signatures,
        })
    }

    /// Serialize as compact JSON with standard padded base64 and `keyid` always present. Members
    /// come in sorted order, so the output is also RFC 8785 canonical and hashes reproducibly.
    pub fn to_json(&self) -> Vec<u8> {
        let payload = b64::encode(self.payload());
        let mut out = Vec::with_capacity(
            payload.len() + self.payload_type.len() + 64 + self.signatures.len() * 180,
        );
        out.extend_from_slice(b"{\"payload\":\"");
        out.extend_from_slice(payload.as_bytes());
        out.extend_from_slice(b"\",\"payloadType\":");
        json_string(&self.payload_type, &mut out);
        out.extend_from_slice(b",\"signatures\":[");
        for (i, s) in self.signatures.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"keyid\":");
            json_string(&s.keyid, &mut out);
            out.extend_from_slice(b",\"sig\":\"");
            out.extend_from_slice(b64::encode(&s.sig).as_bytes());
            out.extend_from_slice(b"\"}");
        }
        out.extend_from_slice(b"]}");
        out
    }
}

fn string_field<'v>(value: &'v Value, field: &'static str) -> Result<&'v str> {
    match value.get(field) {
        None => Err(Error::Field {
            field,
            problem: "is missing",
        }),
        Some(v) => v.as_str().ok_or(Error::Field {
            field,
            problem: "is not a string",
        }),
    }
}

fn json_string(s: &str, out: &mut Vec<u8>) {
    // Writing a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

#[cfg(test)]
mod zero_copy_tests {
    use super::*;

    /// The payload lives inside the PAE buffer: parsing decodes into it, signing and verifying
    /// read it there, nothing copies the payload a second time.
    #[test]
    fn the_payload_is_stored_once_inside_its_pae() {
        let json = br#"{"payload":"aGVsbG8gd29ybGQ=","payloadType":"text/plain","signatures":[]}"#;
        for envelope in [
            Envelope::from_json(json, &EnvelopeLimits::default()).unwrap(),
            Envelope::unsigned("text/plain", b"hello world"),
        ] {
            let pae = envelope.pae();
            let payload = envelope.payload();
            assert_eq!(pae, &pae::pae("text/plain", b"hello world")[..]);
            assert_eq!(payload, b"hello world");
            let range = pae.as_ptr_range();
            assert!(range.contains(&payload.as_ptr()) && payload.as_ptr_range().end == range.end);
            assert_eq!(envelope.clone().into_payload(), b"hello world");
        }
    }

    #[test]
    fn a_payload_of_impossible_base64_length_is_refused_before_decoding() {
        for bad in ["A", "AAAAA", "AAAAAA=A"] {
            let json = format!(r#"{{"payload":"{bad}","payloadType":"t","signatures":[]}}"#);
            assert!(matches!(
                Envelope::from_json(json.as_bytes(), &EnvelopeLimits::default()),
                Err(Error::InvalidBase64("payload"))
            ));
        }
    }
}

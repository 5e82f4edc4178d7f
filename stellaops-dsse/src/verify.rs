//! Threshold verification of envelopes against trusted keys.

use stellaops_crypto::{Algorithm, KeyId, VerifyingKey};

use crate::{Envelope, Error, Result};

/// Which keys are trusted, how many must agree, and which payload type is expected.
#[derive(Clone, Debug)]
pub struct VerificationPolicy {
    keys: Vec<VerifyingKey>,
    threshold: usize,
    payload_type: Option<String>,
    max_signatures: usize,
}

impl VerificationPolicy {
    /// Trust `keys` and require signatures by `threshold` distinct ones of them over an envelope
    /// whose payload type is `payload_type` (`None` accepts any type: say so explicitly).
    ///
    /// The same key listed twice counts once.
    ///
    /// # Errors
    /// [`Error::InvalidPolicy`] when there are no keys, the threshold is 0, or it exceeds the number
    /// of distinct keys.
    pub fn new(
        keys: impl IntoIterator<Item = VerifyingKey>,
        threshold: usize,
        payload_type: Option<&str>,
    ) -> Result<Self> {
        let mut distinct: Vec<VerifyingKey> = Vec::new();
        for k in keys {
            if !distinct.iter().any(|d| d.to_spki_der() == k.to_spki_der()) {
                distinct.push(k);
            }
        }
        if distinct.is_empty() {
            return Err(Error::InvalidPolicy("no trusted keys"));
        }
        if threshold == 0 {
            return Err(Error::InvalidPolicy("threshold must be at least 1"));
        }
        if threshold > distinct.len() {
            return Err(Error::InvalidPolicy(
                "threshold exceeds the number of distinct trusted keys",
            ));
        }
        Ok(VerificationPolicy {
            keys: distinct,
            threshold,
            payload_type: payload_type.map(str::to_owned),
            max_signatures: crate::EnvelopeLimits::default().max_signatures,
        })
    }

    /// Refuse envelopes with more than `n` signatures before doing any cryptography.
    pub fn with_max_signatures(mut self, n: usize) -> Self {
        self.max_signatures = n;
        self
    }

    /// The distinct trusted keys.
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// How many distinct keys must verify.
    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// The expected payload type, if one is required.
    pub fn payload_type(&self) -> Option<&str> {
        self.payload_type.as_deref()
    }
}

/// A trusted key whose signature verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedKey {
    /// The key's id.
    pub key_id: KeyId,
    /// Its index in [`VerificationPolicy::keys`].
    pub policy_index: usize,
    /// The index of the signature it verified, in envelope order.
    pub signature_index: usize,
    /// The algorithm the signature verified under.
    pub algorithm: Algorithm,
}

/// A successfully verified envelope.
#[derive(Clone, Debug)]
pub struct Verified<'e> {
    envelope: &'e Envelope,
    keys: Vec<VerifiedKey>,
}

impl<'e> Verified<'e> {
    /// The verified payload.
    pub fn payload(&self) -> &'e [u8] {
        self.envelope.payload()
    }

    /// The verified payload type.
    pub fn payload_type(&self) -> &'e str {
        self.envelope.payload_type()
    }

    /// Every distinct trusted key that verified (at least the threshold).
    pub fn keys(&self) -> &[VerifiedKey] {
        &self.keys
    }
}

impl Envelope {
    /// Verify against `policy`.
    ///
    /// Each trusted key counts at most once however many signatures it made. A signature's `keyid`
    /// only decides which key is tried first: a missing or unknown keyid means every trusted key
    /// not yet counted is tried. The payload type is checked before any cryptography.
    ///
    /// # Errors
    /// [`Error::TooManySignatures`], [`Error::PayloadTypeMismatch`], or
    /// [`Error::VerificationFailed`] with the counts when fewer than the threshold verified.
    pub fn verify(&self, policy: &VerificationPolicy) -> Result<Verified<'_>> {
        if self.signatures().len() > policy.max_signatures {
            return Err(Error::TooManySignatures {
                limit: policy.max_signatures,
                found: self.signatures().len(),
            });
        }
        if let Some(expected) = policy.payload_type() {
            if expected != self.payload_type() {
                return Err(Error::PayloadTypeMismatch {
                    expected: expected.to_owned(),
                    found: self.payload_type().to_owned(),
                });
            }
        }
        let pae = self.pae();
        let mut counted = vec![false; policy.keys.len()];
        let mut verified = Vec::new();
        for (signature_index, signature) in self.signatures().iter().enumerate() {
            let hinted = policy
                .keys
                .iter()
                .position(|k| k.key_id().as_str() == signature.keyid());
            let others = (0..policy.keys.len()).filter(|i| Some(*i) != hinted);
            for i in hinted.into_iter().chain(others) {
                if counted[i] {
                    continue;
                }
                if let Ok(algorithm) = policy.keys[i].verify(pae, signature.sig()) {
                    counted[i] = true;
                    verified.push(VerifiedKey {
                        key_id: policy.keys[i].key_id().clone(),
                        policy_index: i,
                        signature_index,
                        algorithm,
                    });
                    break;
                }
            }
        }
        if verified.len() < policy.threshold {
            return Err(Error::VerificationFailed {
                verified: verified.len(),
                required: policy.threshold,
            });
        }
        Ok(Verified {
            envelope: self,
            keys: verified,
        })
    }
}

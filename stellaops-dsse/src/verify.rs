//! Threshold verification of envelopes against trusted keys.

use stellaops_crypto::{Algorithm, KeyId, VerifyingKey};

use crate::{Envelope, Error, Result};

/// Which keys are trusted, how many must agree, and which payload type is expected.
///
/// The keys stay in the order and number the caller gave them: [`VerifiedKey::positions`] and
/// [`VerifiedKey::policy_index`] index that list. The same key (the same SubjectPublicKeyInfo)
/// listed more than once, for example as PEM and as JWK, or pinned to two RSA paddings, is one
/// trusted key for the threshold, and a signature verifies under it if any of its listings
/// accepts it, whatever their order.
#[derive(Clone, Debug)]
pub struct VerificationPolicy {
    keys: Vec<VerifyingKey>,
    /// The positions in `keys` of each distinct key (by SPKI), in order of first appearance.
    distinct: Vec<Vec<usize>>,
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
        let keys: Vec<VerifyingKey> = keys.into_iter().collect();
        let mut distinct: Vec<Vec<usize>> = Vec::new();
        for (position, k) in keys.iter().enumerate() {
            match distinct
                .iter_mut()
                .find(|group| keys[group[0]].to_spki_der() == k.to_spki_der())
            {
                Some(group) => group.push(position),
                None => distinct.push(vec![position]),
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
            keys,
            distinct,
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

    /// The trusted keys as given, duplicates included, in the caller's order.
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// How many distinct keys (by SubjectPublicKeyInfo) are trusted.
    pub fn distinct_keys(&self) -> usize {
        self.distinct.len()
    }

    /// How many distinct keys must verify.
    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// The expected payload type, if one is required.
    pub fn payload_type(&self) -> Option<&str> {
        self.payload_type.as_deref()
    }

    /// Check `signature` over `pae` against the distinct key `group`: the positions of the
    /// listings that accept it (empty when none does) and the algorithm it verified under.
    fn check(
        &self,
        group: &[usize],
        pae: &[u8],
        signature: &[u8],
    ) -> Option<(Vec<usize>, Algorithm)> {
        let (first, algorithm) = group
            .iter()
            .find_map(|&i| self.keys[i].verify(pae, signature).ok().map(|a| (i, a)))?;
        let plain = self.keys[first].fido2_policy().is_none();
        let positions = group
            .iter()
            .copied()
            .filter(|&i| {
                i == first
                    || match (plain, self.keys[i].fido2_policy().is_none()) {
                        // The same plain key: it accepts the signature iff it accepts the
                        // algorithm (an RSA key pinned to the other padding does not).
                        (true, true) => i > first && self.keys[i].accepts(algorithm),
                        // A FIDO2 listing of the key checks assertions: ask it.
                        _ => i > first && self.keys[i].verify(pae, signature).is_ok(),
                    }
            })
            .collect();
        Some((positions, algorithm))
    }
}

/// A trusted key whose signature verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedKey {
    /// The key's id.
    pub key_id: KeyId,
    /// The first position in the caller's key list ([`VerificationPolicy::keys`]) whose
    /// listing of this key accepted the signature.
    pub policy_index: usize,
    /// Every position in the caller's key list whose listing of this key accepted the
    /// signature: more than one when the same key was given twice (say as PEM and as JWK).
    /// A listing pinned to another algorithm (an RSA key pinned to the other padding) is not
    /// among them.
    pub positions: Vec<usize>,
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
        let mut counted = vec![false; policy.distinct.len()];
        let mut verified = Vec::new();
        for (signature_index, signature) in self.signatures().iter().enumerate() {
            let hinted = policy.distinct.iter().position(|group| {
                group
                    .iter()
                    .any(|&i| policy.keys[i].key_id().as_str() == signature.keyid())
            });
            let others = (0..policy.distinct.len()).filter(|g| Some(*g) != hinted);
            for g in hinted.into_iter().chain(others) {
                if counted[g] {
                    continue;
                }
                if let Some((positions, algorithm)) =
                    policy.check(&policy.distinct[g], pae, signature.sig())
                {
                    counted[g] = true;
                    verified.push(VerifiedKey {
                        key_id: policy.keys[positions[0]].key_id().clone(),
                        policy_index: positions[0],
                        positions,
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

//! Streaming digests of artifacts, in constant memory.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use sha2::Digest;

use crate::{Error, Result};

/// A digest algorithm for subjects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-256 (`sha256`), always computed for subjects we make.
    Sha256,
    /// SHA-384 (`sha384`).
    Sha384,
    /// SHA-512 (`sha512`).
    Sha512,
}

impl DigestAlgorithm {
    /// The in-toto digest-set name.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }

    /// The algorithm of an in-toto digest-set name, if we compute it.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(DigestAlgorithm::Sha256),
            "sha384" => Some(DigestAlgorithm::Sha384),
            "sha512" => Some(DigestAlgorithm::Sha512),
            _ => None,
        }
    }

    /// Length of the hex digest.
    pub fn hex_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha256 => 64,
            DigestAlgorithm::Sha384 => 96,
            DigestAlgorithm::Sha512 => 128,
        }
    }
}

enum Hasher {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    fn new(alg: DigestAlgorithm) -> Self {
        match alg {
            DigestAlgorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            DigestAlgorithm::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            DigestAlgorithm::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    fn finish(self) -> String {
        match self {
            Hasher::Sha256(h) => hex::encode(h.finalize()),
            Hasher::Sha384(h) => hex::encode(h.finalize()),
            Hasher::Sha512(h) => hex::encode(h.finalize()),
        }
    }
}

/// Read `reader` to the end once, feeding every algorithm in `algorithms`, and return the
/// in-toto digest set (`{"sha256": "<hex>", ...}`). Memory use is one 64 KiB buffer.
///
/// # Errors
/// The reader's I/O error, labelled with `label`.
pub fn digest_reader(
    mut reader: impl Read,
    algorithms: &[DigestAlgorithm],
    label: &str,
) -> Result<BTreeMap<String, String>> {
    let mut hashers: Vec<(DigestAlgorithm, Hasher)> =
        algorithms.iter().map(|a| (*a, Hasher::new(*a))).collect();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(Error::Io {
                    path: label.to_owned(),
                    source,
                })
            }
        };
        for (_, h) in &mut hashers {
            h.update(&buf[..n]);
        }
    }
    Ok(hashers
        .into_iter()
        .map(|(a, h)| (a.name().to_owned(), h.finish()))
        .collect())
}

/// [`digest_reader`] over a file.
///
/// # Errors
/// Opening or reading the file.
pub fn digest_file(
    path: &Path,
    algorithms: &[DigestAlgorithm],
) -> Result<BTreeMap<String, String>> {
    let label = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: label.clone(),
        source,
    })?;
    digest_reader(file, algorithms, &label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() -> Result<()> {
        let set = digest_reader(
            &b"abc"[..],
            &[DigestAlgorithm::Sha256, DigestAlgorithm::Sha512],
            "abc",
        )?;
        assert_eq!(
            set["sha256"],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(set["sha512"].starts_with("ddaf35a193617aba"));
        assert_eq!(set.len(), 2);
        Ok(())
    }
}

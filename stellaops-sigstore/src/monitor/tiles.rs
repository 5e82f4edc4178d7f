//! A consistency proof computed from a tlog-tiles log (C2SP tlog-tiles; Rekor v2).
//!
//! Level-L tiles hold the hashes of the tree's nodes of height 8·L, 256 to a tile; level 0 the
//! leaf hashes. A tile not yet full is served as `tile/L/N.p/W` (its first W hashes); the full
//! tile may replace it, so a missing partial tile is read from the full one. Every node the
//! proof needs (RFC 9162 §2.1.4: `SUBPROOF`) is a subtree hash of the current tree, hashed up
//! from at most 128 hashes of one tile, or split at the largest power of two on the tree's right
//! edge.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sigstore_types::Sha256Hash;

use crate::http::Service;
use crate::{Error, Result};

/// A tile holds this many hashes.
const TILE_WIDTH: u64 = 256;

/// Where tiles are read.
#[derive(Debug)]
pub(super) enum Reader<'a> {
    /// Over HTTP, under the log's base URL.
    Http(&'a Service),
    /// From a mirrored directory.
    Dir(&'a PathBuf),
}

/// The tiles of the tree of `size` leaves, read as the proof needs them.
pub(super) struct Tiles<'a> {
    reader: Reader<'a>,
    size: u64,
    cache: HashMap<(u32, u64), Vec<[u8; 32]>>,
}

impl<'a> Tiles<'a> {
    pub(super) fn new(reader: Reader<'a>, size: u64) -> Self {
        Tiles {
            reader,
            size,
            cache: HashMap::new(),
        }
    }

    /// The consistency proof from the tree of `old` leaves to this one (RFC 9162 `PROOF`).
    pub(super) fn prove(&mut self, old: u64) -> Result<Vec<[u8; 32]>> {
        let mut proof = Vec::new();
        if old == 0 || old >= self.size {
            return Ok(proof);
        }
        self.subproof(old, (0, self.size), true, &mut proof)?;
        Ok(proof)
    }

    /// RFC 9162 `SUBPROOF(m, D[start:start+n], b)`, appended to `proof`.
    fn subproof(
        &mut self,
        m: u64,
        (start, n): (u64, u64),
        complete: bool,
        proof: &mut Vec<[u8; 32]>,
    ) -> Result<()> {
        if m == n {
            if !complete {
                proof.push(self.subtree(start, n)?);
            }
            return Ok(());
        }
        let k = largest_power_of_two_below(n);
        if m <= k {
            self.subproof(m, (start, k), complete, proof)?;
            proof.push(self.subtree(start + k, n - k)?);
        } else {
            self.subproof(m - k, (start + k, n - k), false, proof)?;
            proof.push(self.subtree(start, k)?);
        }
        Ok(())
    }

    /// The hash of the `n` leaves from `start` (RFC 9162 `MTH`).
    fn subtree(&mut self, start: u64, n: u64) -> Result<[u8; 32]> {
        if n.is_power_of_two() && start % n == 0 {
            return self.node(n.trailing_zeros(), start >> n.trailing_zeros());
        }
        let k = largest_power_of_two_below(n);
        let left = self.subtree(start, k)?;
        let right = self.subtree(start + k, n - k)?;
        Ok(children(&left, &right))
    }

    /// The complete subtree of `height` at `index`: hashed up from 2^(height mod 8) hashes of one
    /// tile of level height / 8.
    fn node(&mut self, height: u32, index: u64) -> Result<[u8; 32]> {
        let (level, rest) = (height / 8, height % 8);
        let first = index << rest;
        let count = 1usize << rest;
        let tile = first / TILE_WIDTH;
        let offset = usize::try_from(first % TILE_WIDTH).unwrap_or(0);
        let hashes = self.tile(level, tile)?;
        let Some(slice) = hashes.get(offset..offset + count) else {
            return Err(tile_error(
                level,
                tile,
                "holds fewer hashes than the tree needs",
            ));
        };
        let mut row = slice.to_vec();
        while row.len() > 1 {
            row = row.chunks(2).map(|p| children(&p[0], &p[1])).collect();
        }
        Ok(row[0])
    }

    /// Tile `index` of `level`, as wide as the tree has nodes for.
    fn tile(&mut self, level: u32, index: u64) -> Result<&Vec<[u8; 32]>> {
        if !self.cache.contains_key(&(level, index)) {
            let nodes = self.size >> (8 * level);
            let width = nodes.saturating_sub(index * TILE_WIDTH).min(TILE_WIDTH);
            if width == 0 {
                return Err(tile_error(level, index, "lies beyond the tree"));
            }
            let full = format!("tile/{level}/{}", index_path(index));
            let bytes = if width == TILE_WIDTH {
                self.read(&full)?
            } else {
                // The partial tile, or (once the log grew) the full one that replaced it.
                match self.read(&format!("{full}.p/{width}")) {
                    Ok(bytes) => bytes,
                    Err(_) => self.read(&full)?,
                }
            };
            let width = usize::try_from(width).unwrap_or(0);
            if bytes.len() < width * 32 || bytes.len() % 32 != 0 {
                return Err(tile_error(
                    level,
                    index,
                    &format!("is {} bytes, not {} hashes", bytes.len(), width),
                ));
            }
            let hashes = bytes
                .chunks_exact(32)
                .take(width)
                .map(|c| {
                    let mut h = [0u8; 32];
                    h.copy_from_slice(c);
                    h
                })
                .collect();
            self.cache.insert((level, index), hashes);
        }
        self.cache
            .get(&(level, index))
            .ok_or_else(|| tile_error(level, index, "vanished"))
    }

    fn read(&self, path: &str) -> Result<Vec<u8>> {
        match &self.reader {
            Reader::Http(log) => log.get(&format!("/{path}"), "application/octet-stream"),
            Reader::Dir(dir) => read_file(&dir.join(path)),
        }
    }
}

/// A file of a mirrored log, at most 1 MiB (a tile is 8 KiB, a checkpoint a few hundred bytes).
pub(super) fn read_file(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(1 << 20)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}

/// A tile index as a path: groups of three digits, all but the last prefixed with `x`
/// (1234067 → `x001/x234/067`).
fn index_path(mut index: u64) -> String {
    let mut groups = vec![format!("{:03}", index % 1000)];
    index /= 1000;
    while index > 0 {
        groups.push(format!("x{:03}", index % 1000));
        index /= 1000;
    }
    groups.reverse();
    groups.join("/")
}

fn largest_power_of_two_below(n: u64) -> u64 {
    // n ≥ 2 here: the largest power of two strictly below n.
    1u64 << (63 - (n - 1).leading_zeros())
}

/// RFC 6962 interior node hash (the Sigstore project's, as the proof check uses it).
fn children(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    sigstore_merkle::hash_children(&Sha256Hash::new(*left), &Sha256Hash::new(*right)).into()
}

fn tile_error(level: u32, index: u64, what: &str) -> Error {
    Error::Service {
        service: "Rekor",
        message: format!("tile {level}/{}: {what}", index_path(index)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_indexes_are_written_in_groups_of_three() {
        assert_eq!(index_path(0), "000");
        assert_eq!(index_path(7), "007");
        assert_eq!(index_path(1234), "x001/234");
        assert_eq!(index_path(1_234_067), "x001/x234/067");
    }

    /// RFC 6962 `MTH` over `leaves`, directly.
    fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
        if leaves.len() == 1 {
            return leaves[0];
        }
        let k = usize::try_from(largest_power_of_two_below(leaves.len() as u64)).unwrap();
        children(&mth(&leaves[..k]), &mth(&leaves[k..]))
    }

    /// The tiles of the tree of `leaves`, as a log of that size serves them (full tiles, and the
    /// partial tile of each level).
    fn write_tiles(dir: &Path, leaves: &[[u8; 32]]) {
        let mut level = 0u32;
        let mut row = leaves.to_vec();
        while !row.is_empty() {
            for (index, tile) in row.chunks(256).enumerate() {
                let name = format!("tile/{level}/{}", index_path(index as u64));
                let path = if tile.len() == 256 {
                    dir.join(&name)
                } else {
                    dir.join(format!("{name}.p/{}", tile.len()))
                };
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, tile.concat()).unwrap();
            }
            // The next level: one hash per complete 256-node subtree.
            row = row
                .chunks(256)
                .filter(|c| c.len() == 256)
                .map(mth)
                .collect();
            level += 1;
        }
    }

    #[test]
    fn proofs_from_tiles_verify_across_tile_boundaries() {
        let leaves: Vec<[u8; 32]> = (0u32..70_000)
            .map(|i| <sha2::Sha256 as sha2::Digest>::digest(i.to_be_bytes()).into())
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let n = leaves.len();
        write_tiles(dir.path(), &leaves);
        let root = mth(&leaves);
        let dir_path = dir.path().to_path_buf();
        for m in [
            1usize, 2, 3, 255, 256, 257, 511, 4096, 65_535, 65_536, 65_537, 69_999, n,
        ] {
            let proof = Tiles::new(Reader::Dir(&dir_path), n as u64)
                .prove(m as u64)
                .unwrap();
            let proof: Vec<_> = proof.into_iter().map(Sha256Hash::new).collect();
            sigstore_merkle::verify_consistency_proof(
                m as u64,
                n as u64,
                &proof,
                &Sha256Hash::new(mth(&leaves[..m])),
                &Sha256Hash::new(root),
            )
            .unwrap_or_else(|e| panic!("{m} -> {n}: {e}"));
        }
        // A tile changed on the server: the proof no longer leads to the signed root.
        let tile = dir.path().join("tile/0/000");
        let mut bytes = std::fs::read(&tile).unwrap();
        bytes[5] ^= 1;
        std::fs::write(&tile, bytes).unwrap();
        let proof = Tiles::new(Reader::Dir(&dir_path), n as u64)
            .prove(3)
            .unwrap();
        let proof: Vec<_> = proof.into_iter().map(Sha256Hash::new).collect();
        assert!(sigstore_merkle::verify_consistency_proof(
            3,
            n as u64,
            &proof,
            &Sha256Hash::new(mth(&leaves[..3])),
            &Sha256Hash::new(root),
        )
        .is_err());
    }

    #[test]
    fn powers_of_two_below() {
        for (n, k) in [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (1025, 1024)] {
            assert_eq!(largest_power_of_two_below(n), k, "{n}");
        }
    }
}

//! Hashing an export's files on every core, in bounded memory.
//!
//! An export is many files, each hashed by streaming it through a fixed buffer; one core
//! hashes SHA-256 at about the speed a page-cached or NVMe file reads, so the files are shared
//! out to one worker per core (at most [`MAX_WORKERS`]). Each worker takes the next file from a
//! shared counter (no per-file thread, no queue of buffers), so memory is one buffer per
//! worker whatever the export's size, and results come back in the files' order: the manifest
//! and the diff are the same bytes as a one-core run's.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The most workers an export uses (more cores than this rarely have the disk to feed them).
pub(crate) const MAX_WORKERS: usize = 16;

/// `f` applied to every item, on up to one worker per core, results in the items' order.
pub(crate) fn map_ordered<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, MAX_WORKERS)
        .min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    mine.push((i, f(item)));
                }
                results
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .extend(mine);
            });
        }
    });
    let mut results = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order_whatever_the_workers_do() {
        let items: Vec<u64> = (0..1000).collect();
        let out = map_ordered(&items, |&i| {
            // Uneven work, so workers finish out of order.
            (0..(i % 7) * 1000).fold(i, |a, b| a.wrapping_add(b % 3))
        });
        let serial: Vec<u64> = items
            .iter()
            .map(|&i| (0..(i % 7) * 1000).fold(i, |a, b| a.wrapping_add(b % 3)))
            .collect();
        assert_eq!(out, serial);
        assert!(map_ordered(&[] as &[u8], |_| 1).is_empty());
    }
}

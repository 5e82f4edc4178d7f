//! The one tar layout an Offline Kit uses, written and read exactly.
//!
//! POSIX ustar, regular files only, in path order, each header canonical: mode 0644, owner and
//! group 0 with empty names, the modification time the manifest's creation time, the name split
//! into `prefix` and `name` only when longer than 100 bytes; zero padding; two zero blocks at
//! the end and nothing after them. A reader re-derives each header from the name, size and time
//! it states and compares every byte, so a kit is either byte-for-byte what [`write_entry`]
//! makes or it is refused, naming the entry: no byte of a kit can change unnoticed, the
//! file contents being checked against the signed manifest by the kit's verifier.

use std::io::{Read, Write};

/// A tar block.
pub(crate) const BLOCK: usize = 512;
/// The largest file a ustar header can state (11 octal digits).
const MAX_SIZE: u64 = 0o77_777_777_777;

/// The canonical header for a file `path` of `size` bytes modified at `mtime` (Unix seconds).
///
/// # Errors
/// A description when the path cannot be stored (over 255 bytes, or no `/` to split it at)
/// or the size exceeds what ustar can state.
pub(crate) fn header(path: &str, size: u64, mtime: u64) -> Result<[u8; BLOCK], String> {
    if size > MAX_SIZE {
        return Err(format!(
            "{path}: {size} bytes, more than a tar header can state"
        ));
    }
    let (prefix, name) = split(path)?;
    let mut h = [0u8; BLOCK];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    h[136..148].copy_from_slice(format!("{:011o}\0", mtime.min(MAX_SIZE)).as_bytes());
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    Ok(h)
}

/// `path` as ustar's (prefix, name).
fn split(path: &str) -> Result<(&str, &str), String> {
    if path.len() <= 100 {
        return Ok(("", path));
    }
    // The prefix holds up to 155 bytes and ends before a '/'; the name the rest, up to 100.
    path.char_indices()
        .filter(|&(i, c)| c == '/' && i <= 155 && path.len() - i - 1 <= 100 && i > 0)
        .map(|(i, _)| (&path[..i], &path[i + 1..]))
        .next()
        .ok_or_else(|| format!("{path}: too long a path for a tar header"))
}

/// Write one entry: its header, `content` (exactly `size` bytes), zero padding.
pub(crate) fn write_entry(
    out: &mut impl Write,
    path: &str,
    size: u64,
    mtime: u64,
    content: &mut impl Read,
) -> std::io::Result<()> {
    let h = header(path, size, mtime).map_err(std::io::Error::other)?;
    out.write_all(&h)?;
    let copied = std::io::copy(&mut content.take(size), out)?;
    if copied != size {
        return Err(std::io::Error::other(format!(
            "{path}: {copied} bytes read, {size} expected (changed while packing)"
        )));
    }
    out.write_all(&[0u8; BLOCK][..padding(size)])
}

/// The end of an archive.
pub(crate) fn write_end(out: &mut impl Write) -> std::io::Result<()> {
    out.write_all(&[0u8; 2 * BLOCK])
}

/// Zero bytes after `size` bytes of content, to the block boundary.
pub(crate) fn padding(size: u64) -> usize {
    let rest = usize::try_from(size % BLOCK as u64).unwrap_or(0);
    (BLOCK - rest) % BLOCK
}

/// What a header states: path, size, modification time. `Err` names what is wrong.
#[cfg_attr(not(feature = "sigstore"), allow(dead_code))]
pub(crate) fn parse(h: &[u8; BLOCK]) -> Result<(String, u64, u64), String> {
    let text = |range: std::ops::Range<usize>| {
        let field = &h[range];
        let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
        String::from_utf8(field[..end].to_vec())
    };
    let name = text(0..100).map_err(|_| "a name that is not UTF-8".to_owned())?;
    let prefix = text(345..500).map_err(|_| "a prefix that is not UTF-8".to_owned())?;
    let path = if prefix.is_empty() {
        name
    } else {
        format!("{prefix}/{name}")
    };
    let octal = |range: std::ops::Range<usize>, what: &str| {
        let t = text(range).map_err(|_| format!("{path}: its {what} is not text"))?;
        u64::from_str_radix(t.trim(), 8).map_err(|_| format!("{path}: its {what} is not octal"))
    };
    let size = octal(124..136, "size")?;
    let mtime = octal(136..148, "time")?;
    Ok((path, size, mtime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_and_long_names_use_the_prefix() {
        let short = header("a/b.txt", 1234, 1_700_000_000).unwrap();
        assert_eq!(
            parse(&short).unwrap(),
            ("a/b.txt".into(), 1234, 1_700_000_000)
        );
        let long = format!("{}/{}", "d".repeat(120), "f".repeat(90));
        let h = header(&long, 1, 0).unwrap();
        assert_eq!(parse(&h).unwrap().0, long);
        assert!(header(&"x".repeat(101), 1, 0).is_err());
        assert!(header("a", MAX_SIZE + 1, 0).is_err());
        let mut archive = Vec::new();
        write_entry(&mut archive, &long, 3, 0, &mut &b"abc"[..]).unwrap();
        write_end(&mut archive).unwrap();
        assert_eq!(archive.len(), 4 * BLOCK);
    }
}

//! PEM framing (RFC 7468) with one addition: an explanatory-text line naming the algorithm.
//!
//! RFC 7468 §5.2 lets text stand before the encapsulation boundary, and parsers (OpenSSL, Go's
//! `encoding/pem`, pyca/cryptography) skip it. We use one such line, `Stella-Algorithm: NAME`,
//! only where DER cannot say what the key is for: an RSA key does not record whether it signs
//! with PSS or PKCS#1 v1.5.

use zeroize::Zeroizing;

use crate::{Algorithm, Error, Result};

/// The explanatory-text prefix that names the algorithm of the following PEM block.
pub(crate) const HINT_PREFIX: &str = "Stella-Algorithm:";

/// One decoded PEM block.
pub(crate) struct PemBlock {
    pub(crate) label: String,
    pub(crate) der: Zeroizing<Vec<u8>>,
    pub(crate) hint: Option<Algorithm>,
}

/// True when `bytes` look like PEM text.
pub(crate) fn is_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Decode the first PEM block in `text`, reading an algorithm hint from the text before it.
pub(crate) fn decode(text: &[u8]) -> Result<PemBlock> {
    let begin = text
        .windows(11)
        .position(|w| w == b"-----BEGIN ")
        .ok_or(Error::UnrecognisedEncoding("no pem block"))?;
    let preamble = std::str::from_utf8(&text[..begin])
        .map_err(|_| Error::UnrecognisedEncoding("pem preamble is not utf-8"))?;
    let mut hint = None;
    for line in preamble.lines() {
        if let Some(rest) = strip_prefix_ignore_case(line.trim(), HINT_PREFIX) {
            hint = Some(rest.trim().parse::<Algorithm>()?);
        }
    }
    // Keep exactly the block: from BEGIN to the end of its END line.
    let block = &text[begin..];
    let end_marker = block
        .windows(9)
        .position(|w| w == b"-----END ")
        .ok_or(Error::UnrecognisedEncoding("pem block has no end line"))?;
    let after_end = &block[end_marker + 9..];
    let close = after_end
        .windows(5)
        .position(|w| w == b"-----")
        .ok_or(Error::UnrecognisedEncoding("pem end line is not closed"))?;
    let block = &block[..end_marker + 9 + close + 5];
    // RFC 7468 generators wrap base64 at 64 columns, but keys in the wild (npm's registry key,
    // for one) come on one long line; OpenSSL reads both, so a block that fails the strict parse
    // is read again with its base64 re-wrapped.
    let (label, der) = match der::pem::decode_vec(block) {
        Ok((label, der)) => (label.to_owned(), der),
        Err(strict) => match rewrap(block) {
            Some(rewrapped) => {
                let (label, der) = der::pem::decode_vec(&rewrapped)
                    .map_err(|_| Error::from(der::Error::from(strict)))?;
                (label.to_owned(), der)
            }
            None => return Err(Error::from(der::Error::from(strict))),
        },
    };
    Ok(PemBlock {
        label,
        der: Zeroizing::new(der),
        hint,
    })
}

/// The block with its base64 body re-wrapped at 64 columns; `None` when it has header lines
/// (legacy encrypted PEM) or is not text.
fn rewrap(block: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let text = std::str::from_utf8(block).ok()?;
    let mut lines = text.lines();
    let begin = lines.next()?;
    let mut body = Zeroizing::new(String::new());
    let mut end = None;
    for line in lines {
        let line = line.trim();
        if line.starts_with("-----END ") {
            end = Some(line);
            break;
        }
        if line.contains(':') {
            return None;
        }
        body.push_str(line);
    }
    let mut out = Zeroizing::new(Vec::with_capacity(block.len() + body.len() / 64 + 2));
    out.extend_from_slice(begin.trim().as_bytes());
    out.push(b'\n');
    for chunk in body.as_bytes().chunks(64) {
        out.extend_from_slice(chunk);
        out.push(b'\n');
    }
    out.extend_from_slice(end?.as_bytes());
    out.push(b'\n');
    Some(out)
}

/// Encode `der` as PEM with `label`, preceded by a hint line when `hint` is given.
pub(crate) fn encode(
    label: &str,
    der: &[u8],
    hint: Option<Algorithm>,
) -> Result<Zeroizing<String>> {
    let body = Zeroizing::new(
        der::pem::encode_string(label, der::pem::LineEnding::LF, der)
            .map_err(|e| Error::from(der::Error::from(e)))?,
    );
    let mut out = Zeroizing::new(String::with_capacity(body.len() + 40));
    if let Some(a) = hint {
        out.push_str(HINT_PREFIX);
        out.push(' ');
        out.push_str(a.name());
        out.push('\n');
    }
    out.push_str(&body);
    Ok(out)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_round_trips_and_text_around_is_ignored() {
        let pem = encode("PUBLIC KEY", &[0x30, 0x00], Some(Algorithm::RsaPkcs1Sha256))
            .map(|p| p.to_string());
        let pem = pem.unwrap_or_default();
        let text = format!("some tool wrote this\n{pem}trailing words\n");
        let block = decode(text.as_bytes());
        assert!(block.is_ok());
        if let Ok(block) = block {
            assert_eq!(block.label, "PUBLIC KEY");
            assert_eq!(block.der.as_slice(), &[0x30, 0x00]);
            assert_eq!(block.hint, Some(Algorithm::RsaPkcs1Sha256));
        }
    }

    #[test]
    fn bad_hint_is_an_error() {
        let text =
            "Stella-Algorithm: md5\n-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n";
        assert!(matches!(
            decode(text.as_bytes()),
            Err(Error::UnknownAlgorithm(_))
        ));
    }

    #[test]
    fn a_body_on_one_long_line_is_read_as_openssl_reads_it() -> Result<()> {
        let der: Vec<u8> = (0u8..=200).collect();
        let strict = encode("PUBLIC KEY", &der, None)?;
        let body: String = strict.lines().filter(|l| !l.starts_with("-----")).collect();
        let long = format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n");
        assert!(
            der::pem::decode_vec(long.as_bytes()).is_err(),
            "strict parse refuses"
        );
        let block = decode(long.as_bytes())?;
        assert_eq!(
            (block.label.as_str(), block.der.as_slice()),
            ("PUBLIC KEY", der.as_slice())
        );
        // Damaged base64 is still an error, not a guess.
        let broken = long.replace(&body[10..14], "!!!!");
        assert!(decode(broken.as_bytes()).is_err());
        Ok(())
    }
}

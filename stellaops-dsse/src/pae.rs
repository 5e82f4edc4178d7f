//! DSSE Pre-Authentication Encoding.

/// The PAE of DSSE v1:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII decimal without leading
/// zeros, counted in **bytes** of the UTF-8 encoding (not characters, as some peers count).
/// Written into one buffer sized exactly in advance.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = pae_prefix(payload_type, payload.len());
    out.extend_from_slice(payload);
    out
}

/// The PAE up to the body, in a buffer with room for the `body_len` bytes that follow.
pub(crate) fn pae_prefix(payload_type: &str, body_len: usize) -> Vec<u8> {
    let mut type_len = itoa::Buffer::new();
    let type_len = type_len.format(payload_type.len());
    let mut len_text = itoa::Buffer::new();
    let len_text = len_text.format(body_len);
    let size =
        PREFIX.len() + type_len.len() + 1 + payload_type.len() + 1 + len_text.len() + 1 + body_len;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(PREFIX);
    out.extend_from_slice(type_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(len_text.as_bytes());
    out.push(b' ');
    debug_assert_eq!(out.len() + body_len, size);
    out
}

const PREFIX: &[u8] = b"DSSEv1 ";

#[cfg(test)]
mod tests {
    use super::pae;

    #[test]
    fn spec_example() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn lengths_count_utf8_bytes_and_empty_parts_keep_their_spaces() {
        assert_eq!(pae("ä", b""), "DSSEv1 2 ä 0 ".as_bytes().to_vec());
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }
}

//! Everything `stella` prints for people goes through here: text from envelopes, bundles, keys
//! and requests is escaped so that it cannot drive the terminal (a payload type holding
//! `\r\e[2K` must not overwrite a line with a forged "verified"), and a closed stdout (`stella
//! verify … | head -3`) ends the output quietly instead of panicking.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write as _;

/// Characters that move the cursor, recolour, or reorder text: C0 and C1 controls, DEL, and the
/// Unicode bidirectional controls (which can make `good` render where `doog` is stored).
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every unsafe character written as a visible escape (`\u{1b}`, `\r`, `\n`).
pub(crate) fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Write `bytes` to stdout. A reader that went away (`| head`) ends the program quietly with
/// success: the command's answer was already decided, the rest was not wanted.
pub(crate) fn stdout_bytes(bytes: &[u8]) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => other,
    }
}

/// [`stdout_bytes`] for output that has no caller to return an error to: any other write
/// error (a full disk behind a redirect) ends the program with exit 2 and one line on stderr.
fn emit(bytes: &[u8]) {
    if let Err(e) = stdout_bytes(bytes) {
        error_line(&format!("stella: error: writing stdout: {e}"));
        std::process::exit(2);
    }
}

/// One line of human output on stdout, escaped (write errors as [`emit`]).
pub(crate) fn line(text: &str) {
    let mut bytes = safe(text).into_owned().into_bytes();
    bytes.push(b'\n');
    emit(&bytes);
}

/// A JSON document on stdout, pretty-printed. JSON already escapes C0 controls inside strings;
/// C1 controls and bidirectional controls, which it leaves as they are, become `\uXXXX` (the
/// same string to a JSON reader).
pub(crate) fn json(doc: &serde_json::Value) {
    let text = format!("{doc:#}");
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if c != '\n' && is_unsafe(c) {
            // Outside strings pretty JSON holds only '\n' and spaces: any other such
            // character is inside a string, where the escape means the same character.
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    emit(out.as_bytes());
}

/// One line on stderr, escaped; a closed stderr is ignored (there is nobody left to tell).
pub(crate) fn error_line(text: &str) {
    let mut bytes = safe(text).into_owned().into_bytes();
    bytes.push(b'\n');
    let _ = std::io::stderr().lock().write_all(&bytes);
}

/// One compact JSON document as a line on stderr: C1 and bidirectional controls (which JSON
/// leaves as they are) become `\uXXXX`, the same string to a JSON reader; a closed stderr is
/// ignored.
pub(crate) fn json_error_line(text: &str) {
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if is_unsafe(c) {
            // Compact JSON has no whitespace outside strings: the character is in a string.
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    let _ = std::io::stderr().lock().write_all(out.as_bytes());
}

/// `say!(...)`: a line of human output on stdout, escaped (see [`line()`]).
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::term::line(&format!($($arg)*))
    };
}

/// `note!(...)`: a line on stderr, escaped (see [`error_line()`]).
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::term::error_line(&format!($($arg)*))
    };
}

pub(crate) use {note, say};

#[cfg(test)]
mod tests {
    use super::safe;

    #[test]
    fn controls_and_bidi_are_escaped_and_the_rest_is_kept() {
        assert_eq!(safe("in-toto ✓ café"), "in-toto ✓ café");
        assert_eq!(safe("x\r\u{1b}[2Kverified\n"), "x\\r\\u{1b}[2Kverified\\n");
        assert_eq!(safe("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(safe("ab\u{202e}cd"), "ab\\u{202e}cd");
    }
}

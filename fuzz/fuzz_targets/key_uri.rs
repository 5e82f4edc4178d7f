//! Key URIs: any text parses or is refused, never a panic, and no error quotes a pin-value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stellaops_keys::KeyUri;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match KeyUri::parse(text) {
        Ok(uri) => {
            // What a URI prints (PIN masked) is text a user may paste back: it must not panic.
            let _ = KeyUri::parse(&uri.to_string());
        }
        Err(e) => {
            // A PIN is never echoed: the message is the same whatever the PIN's characters.
            if let Some((_, pin)) = text.split_once("pin-value=") {
                let pin: String = pin.chars().take_while(|c| *c != '&' && *c != ';').collect();
                let plain = pin.len() >= 4 && pin.chars().all(|c| c.is_ascii_alphanumeric());
                if plain && text.matches(pin.as_str()).count() == 1 {
                    let other: String = pin
                        .chars()
                        .map(|c| if c == 'Z' { 'Y' } else { 'Z' })
                        .collect();
                    let again = KeyUri::parse(&text.replace(pin.as_str(), &other))
                        .expect_err("the same uri with another pin fails the same way");
                    assert_eq!(
                        e.to_string(),
                        again.to_string(),
                        "the message depends on the pin"
                    );
                }
            }
        }
    }
});

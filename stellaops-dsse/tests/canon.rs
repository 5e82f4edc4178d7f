//! Canonical JSON: RFC 8785's own examples, strict-parser errors, and where `olpc-cjson` differs
//! from securesystemslib (the reason we write OLPC ourselves).

use stellaops_dsse::canon::{self, canonicalize, Limits, Mode, Number, Value};
use stellaops_dsse::Error;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Recognises the expected error.
type ErrorCheck = fn(&Error) -> bool;

fn jcs(input: &str) -> Result<String, Error> {
    canonicalize(input.as_bytes(), Mode::Jcs, &Limits::default())
        .map(|b| String::from_utf8(b).unwrap_or_default())
}

fn olpc(input: &str) -> Result<String, Error> {
    canonicalize(input.as_bytes(), Mode::Olpc, &Limits::default())
        .map(|b| String::from_utf8(b).unwrap_or_default())
}

#[test]
fn rfc8785_section_3_2_2_example() -> TestResult {
    let input = r#"{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}"#;
    let expect = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
    assert_eq!(jcs(input)?, expect);
    Ok(())
}

#[test]
fn rfc8785_section_3_2_3_sorting_by_utf16_code_units() -> TestResult {
    let input = r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#;
    let out = jcs(input)?;
    let order: Vec<&str> = [
        "\\r",
        "1",
        "\u{80}",
        "\u{f6}",
        "\u{20ac}",
        "\u{1f600}",
        "\u{fb33}",
    ]
    .to_vec();
    let mut last = 0;
    for key in order {
        let at = out.find(&format!("\"{key}\"")).unwrap_or(usize::MAX);
        assert!(
            at != usize::MAX && at >= last,
            "{key} out of order in {out}"
        );
        last = at;
    }
    Ok(())
}

#[test]
fn rfc8785_appendix_b_numbers() -> TestResult {
    let cases: &[(u64, &str)] = &[
        (0x0000000000000000, "0"),
        (0x8000000000000000, "0"),
        (0x0000000000000001, "5e-324"),
        (0x8000000000000001, "-5e-324"),
        (0x7fefffffffffffff, "1.7976931348623157e+308"),
        (0xffefffffffffffff, "-1.7976931348623157e+308"),
        (0x4340000000000000, "9007199254740992"),
        (0xc340000000000000, "-9007199254740992"),
        (0x4430000000000000, "295147905179352830000"),
        (0x44b52d02c7e14af5, "9.999999999999997e+22"),
        (0x44b52d02c7e14af6, "1e+23"),
        (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
        (0x444b1ae4d6e2ef4e, "999999999999999700000"),
        (0x444b1ae4d6e2ef4f, "999999999999999900000"),
        (0x444b1ae4d6e2ef50, "1e+21"),
        (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
        (0x3eb0c6f7a0b5ed8d, "0.000001"),
        (0x41b3de4355555553, "333333333.3333332"),
        (0x41b3de4355555554, "333333333.33333325"),
        (0x41b3de4355555555, "333333333.3333333"),
        (0x41b3de4355555556, "333333333.3333334"),
        (0x41b3de4355555557, "333333333.33333343"),
        (0xbecbf647612f3696, "-0.0000033333333333333333"),
        (0x43143ff3c1cb0959, "1424953923781206.2"),
    ];
    for (bits, expect) in cases {
        let out = canon::to_jcs(&Value::Number(Number::Float(f64::from_bits(*bits))))?;
        assert_eq!(String::from_utf8(out)?, *expect, "{bits:#018x}");
    }
    Ok(())
}

#[test]
fn integers_beyond_double_precision_are_refused_by_jcs_not_rounded() -> TestResult {
    assert_eq!(
        jcs("[9007199254740991,-9007199254740991]")?,
        "[9007199254740991,-9007199254740991]"
    );
    assert!(matches!(
        jcs("9007199254740993"),
        Err(Error::NumberOutOfRange(_))
    ));
    // OLPC keeps integers exactly.
    assert_eq!(olpc("9007199254740993")?, "9007199254740993");
    Ok(())
}

#[test]
fn strict_parser_errors() {
    let limits = Limits::default();
    let cases: &[(&[u8], ErrorCheck)] = &[
        (
            br#"{"a":1,"a":2}"#,
            |e| matches!(e, Error::DuplicateKey(k) if k == "a"),
        ),
        (br#"{"a":{"b":1,"b":1}}"#, |e| {
            matches!(e, Error::DuplicateKey(_))
        }),
        (b"\"\xff\"", |e| matches!(e, Error::InvalidUtf8)),
        (br#""\ud800""#, |e| matches!(e, Error::LoneSurrogate)),
        (br#""\udc00x""#, |e| matches!(e, Error::LoneSurrogate)),
        (b"1e400", |e| matches!(e, Error::NumberOutOfRange(_))),
        (b"-1e400", |e| matches!(e, Error::NumberOutOfRange(_))),
        (b"NaN", |e| matches!(e, Error::Syntax(_))),
        (b"Infinity", |e| matches!(e, Error::Syntax(_))),
        (b"{\"a\":1,}", |e| matches!(e, Error::Syntax(_))),
        (b"[1] [2]", |e| matches!(e, Error::Syntax(_))),
        (b"", |e| matches!(e, Error::Syntax(_))),
        (b"\xef\xbb\xbf{}", |e| matches!(e, Error::Syntax(_))),
    ];
    for (input, check) in cases {
        match canon::parse(input, &limits) {
            Err(e) => assert!(
                check(&e),
                "{:?}: unexpected {e:?}",
                String::from_utf8_lossy(input)
            ),
            Ok(v) => panic!("{:?}: parsed as {v:?}", String::from_utf8_lossy(input)),
        }
    }
    // The surrogate *pair* is fine.
    assert!(canon::parse(br#""\ud83d\ude00""#, &limits).is_ok());
}

#[test]
fn depth_and_size_limits() -> TestResult {
    let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let limits = Limits::default();
    assert!(canon::parse(nest(128).as_bytes(), &limits).is_ok());
    assert!(matches!(
        canon::parse(nest(129).as_bytes(), &limits),
        Err(Error::TooDeep { limit: 128 })
    ));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(129), "}".repeat(129));
    assert!(matches!(
        canon::parse(objects.as_bytes(), &limits),
        Err(Error::TooDeep { limit: 128 })
    ));
    // A huge nesting attempt is refused at the limit, not by overflowing the stack.
    assert!(matches!(
        canon::parse(nest(200_000).as_bytes(), &limits),
        Err(Error::TooDeep { .. })
    ));
    let small = Limits {
        max_bytes: 4,
        ..Limits::default()
    };
    assert!(matches!(
        canon::parse(b"[1,2]", &small),
        Err(Error::TooLarge {
            limit: 4,
            actual: 5
        })
    ));
    // The configurable limit is capped at the ceiling, which a 2 MiB thread stack survives.
    let deep = Limits {
        max_depth: usize::MAX,
        ..Limits::default()
    };
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let ok = canon::parse(nest(canon::MAX_DEPTH_CEILING).as_bytes(), &deep)
                .and_then(|v| canon::to_jcs(&v));
            let too_deep = canon::parse(nest(canon::MAX_DEPTH_CEILING + 1).as_bytes(), &deep);
            (ok.is_ok(), matches!(too_deep, Err(Error::TooDeep { .. })))
        })?;
    assert_eq!(handle.join().map_err(|_| "thread panicked")?, (true, true));
    Ok(())
}

#[test]
fn olpc_matches_the_securesystemslib_rules() -> TestResult {
    assert_eq!(
        olpc(r#"{"b":[1,true,null],"a":"x\"y\\z","c":-0}"#)?,
        r#"{"a":"x\"y\\z","b":[1,true,null],"c":0}"#
    );
    // Control characters are written raw; `/` and non-ASCII are not escaped.
    assert_eq!(olpc(r#"["\n\u0001/é"]"#)?, "[\"\n\u{1}/é\"]");
    assert!(matches!(olpc("[1.5]"), Err(Error::FloatInOlpc(f)) if f == 1.5));
    assert!(matches!(olpc("1.0"), Err(Error::FloatInOlpc(_))));
    Ok(())
}

/// `olpc-cjson` (used by the Rust TUF client `tough`) disagrees with securesystemslib and
/// go-securesystemslib in exactly these two ways; everything else agrees (see the corpus test).
#[test]
fn where_olpc_cjson_differs_from_securesystemslib() -> TestResult {
    use serde::Serialize;
    let by_crate = |v: &serde_json::Value| -> Result<String, Box<dyn std::error::Error>> {
        let mut buf = Vec::new();
        let mut ser =
            serde_json::Serializer::with_formatter(&mut buf, olpc_cjson::CanonicalFormatter::new());
        v.serialize(&mut ser)?;
        Ok(String::from_utf8(buf)?)
    };
    // 1. Keys sorted with their quotes: `"a!"` < `"a"` because '!' (0x21) < '"' (0x22).
    let prefix = serde_json::json!({"a": 1, "a!": 2});
    assert_eq!(by_crate(&prefix)?, r#"{"a!":2,"a":1}"#);
    assert_eq!(olpc(r#"{"a":1,"a!":2}"#)?, r#"{"a":1,"a!":2}"#);
    // 2. NFC normalization changes the signed bytes ("e" + combining acute becomes "é").
    let decomposed = serde_json::json!(["e\u{301}"]);
    assert_eq!(by_crate(&decomposed)?, "[\"\u{e9}\"]");
    assert_eq!(olpc("[\"e\\u0301\"]")?, "[\"e\u{301}\"]");
    Ok(())
}

#[test]
fn serialize_values_canonicalize_too() -> TestResult {
    let v = serde_json::json!({"z": 1.5, "a": [1, 2], "m": {"y": null, "b": "é"}});
    let out = canon::canonicalize_serialize(&v, Mode::Jcs)?;
    assert_eq!(
        String::from_utf8(out)?,
        r#"{"a":[1,2],"m":{"b":"é","y":null},"z":1.5}"#
    );
    Ok(())
}

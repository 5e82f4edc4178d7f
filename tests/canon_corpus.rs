//! Canonical JSON against other implementations on a generated corpus: RFC 8785 output byte-equal
//! to the PyPI package `rfc8785`, OLPC output byte-equal to securesystemslib's `encode_canonical`
//! on the float-free documents.
//!
//! The corpus is generated from a fixed seed (override with `STELLA_CORPUS_SEED`) and written to
//! `target/canon-corpus.jsonl` so a failure can be replayed by hand.

use std::fmt::Write as _;

use stellaops_signer::canon::{self, Limits, Mode};
use stellaops_signer::dsse::Error;

const DOCUMENTS: usize = 1500;

/// xorshift64*: small, deterministic, good enough to spread test cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

#[derive(Default)]
struct Stats {
    floats: usize,
    exponents: usize,
    astral: usize,
    escapes: usize,
    big_ints: usize,
    max_depth: usize,
}

struct Gen {
    rng: Rng,
    stats: Stats,
    float_free: bool,
    has_float: bool,
}

impl Gen {
    fn ws(&mut self, out: &mut String) {
        for _ in 0..self.rng.below(3) {
            out.push(if self.rng.chance(80) { ' ' } else { '\t' });
        }
    }

    fn char(&mut self) -> char {
        let pick = self.rng.below(100);
        let cp = match pick {
            0..=39 => 0x20 + self.rng.below(0x5f) as u32,
            40..=49 => self.rng.below(0x20) as u32,
            50..=54 => [0x22, 0x5c, 0x2f, 0x7f][self.rng.below(4) as usize],
            55..=64 => 0x80 + self.rng.below(0x780) as u32,
            65..=74 => [
                0x2028, 0x2029, 0xe000, 0xfb33, 0xfeff, 0xfffd, 0xffff, 0x20ac,
            ][self.rng.below(8) as usize],
            75..=84 => 0x4e00 + self.rng.below(0x5000) as u32,
            _ => [0x10000, 0x1f600, 0x1f9d1, 0x10ffff, 0x1d11e][self.rng.below(5) as usize],
        };
        char::from_u32(cp).unwrap_or('?')
    }

    fn string(&mut self, out: &mut String) {
        out.push('"');
        for _ in 0..self.rng.below(12) {
            let c = self.char();
            let escape = (c as u32) < 0x20 || c == '"' || c == '\\' || self.rng.chance(15);
            if (c as u32) > 0xffff {
                self.stats.astral += 1;
            }
            if !escape {
                out.push(c);
                continue;
            }
            self.stats.escapes += 1;
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '/' if self.rng.chance(50) => out.push_str("\\/"),
                '\n' if self.rng.chance(50) => out.push_str("\\n"),
                _ => {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        if self.rng.chance(50) {
                            let _ = write!(out, "\\u{u:04x}");
                        } else {
                            let _ = write!(out, "\\u{u:04X}");
                        }
                    }
                }
            }
        }
        out.push('"');
    }

    fn number(&mut self, out: &mut String) {
        let float = !self.float_free && self.rng.chance(60);
        if !float {
            let v: i128 = match self.rng.below(10) {
                0 => 0,
                1..=5 => self.rng.below(1000) as i128 - 500,
                6..=7 => (self.rng.next() >> 11) as i128 * if self.rng.chance(50) { -1 } else { 1 },
                8 if self.rng.chance(20) => {
                    self.stats.big_ints += 1;
                    // Odd values in (2^53, 2^54) are not doubles: refused by rfc8785 and by us.
                    (1i128 << 53) + 2 * self.rng.below(1 << 40) as i128 + 1
                }
                _ => (self.rng.next() >> 20) as i128,
            };
            if v == 0 && self.rng.chance(30) {
                out.push_str("-0");
            } else {
                let _ = write!(out, "{v}");
            }
            return;
        }
        self.has_float = true;
        self.stats.floats += 1;
        match self.rng.below(8) {
            0 => {
                let fixed = [
                    "1.0",
                    "4.50",
                    "2e-3",
                    "1E30",
                    "-0.0",
                    "0.000001",
                    "1e-7",
                    "1e21",
                    "1e+21",
                    "5e-324",
                    "1.7976931348623157e308",
                    "333333333.33333329",
                    "0.1",
                    "100",
                    "9007199254740993.0",
                ];
                let f = fixed[self.rng.below(fixed.len() as u64) as usize];
                if f.contains(['e', 'E']) {
                    self.stats.exponents += 1;
                }
                out.push_str(f);
            }
            1..=3 => {
                // A random finite double, written the shortest way Rust knows.
                let f = loop {
                    let f = f64::from_bits(self.rng.next());
                    if f.is_finite() {
                        break f;
                    }
                };
                self.stats.exponents += 1;
                let _ = write!(out, "{f:e}");
            }
            4..=5 => {
                let mantissa = self.rng.below(10_000_000);
                let frac = self.rng.below(1000);
                let exp = self.rng.below(60) as i64 - 30;
                self.stats.exponents += 1;
                let sign = if self.rng.chance(30) { "-" } else { "" };
                let e = if self.rng.chance(50) { "e" } else { "E" };
                let _ = write!(out, "{sign}{mantissa}.{frac:03}{e}{exp:+}");
            }
            _ => {
                let _ = write!(
                    out,
                    "{}.{}",
                    self.rng.below(100_000) as i64 - 50_000,
                    self.rng.below(100_000)
                );
            }
        }
    }

    fn value(&mut self, out: &mut String, depth: usize, max_depth: usize) {
        self.stats.max_depth = self.stats.max_depth.max(depth);
        let deep_chain = max_depth > 10;
        // Deep documents nest one child per level down to max_depth; others branch and stop early.
        let container =
            depth < max_depth && (deep_chain || self.rng.chance(if depth < 2 { 80 } else { 45 }));
        if !container {
            match self.rng.below(10) {
                0 => out.push_str("null"),
                1 => out.push_str(if self.rng.chance(50) { "true" } else { "false" }),
                2..=5 => self.number(out),
                _ => self.string(out),
            }
            return;
        }
        let n = if deep_chain { 1 } else { self.rng.below(6) };
        if self.rng.chance(50) {
            out.push('[');
            for i in 0..n {
                if i > 0 {
                    out.push(',');
                }
                self.ws(out);
                self.value(out, depth + 1, max_depth);
                self.ws(out);
            }
            out.push(']');
        } else {
            out.push('{');
            let mut keys = std::collections::HashSet::new();
            for i in 0..n {
                let mut key = String::new();
                let mut tries = 0;
                loop {
                    key.clear();
                    self.string(&mut key);
                    let decoded = canon::parse(key.as_bytes(), &Limits::default())
                        .map(|v| v.as_str().map(str::to_owned));
                    if let Ok(Some(k)) = decoded {
                        if keys.insert(k) {
                            break;
                        }
                    }
                    tries += 1;
                    if tries > 20 {
                        key = format!("\"k{i}-{}\"", self.rng.next());
                        break;
                    }
                }
                if i > 0 {
                    out.push(',');
                }
                self.ws(out);
                out.push_str(&key);
                self.ws(out);
                out.push(':');
                self.ws(out);
                self.value(out, depth + 1, max_depth);
            }
            out.push('}');
        }
    }
}

fn corpus() -> (Vec<String>, Vec<bool>, Stats) {
    let seed = std::env::var("STELLA_CORPUS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x05ee_d5e1_10f5_u64);
    let mut g = Gen {
        rng: Rng(seed | 1),
        stats: Stats::default(),
        float_free: false,
        has_float: false,
    };
    let mut docs = Vec::with_capacity(DOCUMENTS);
    let mut float_free = Vec::with_capacity(DOCUMENTS);
    for i in 0..DOCUMENTS {
        g.float_free = i % 2 == 1;
        g.has_float = false;
        let max_depth = if i % 25 == 0 { 40 } else { 6 };
        let mut doc = String::new();
        g.value(&mut doc, 0, max_depth);
        docs.push(doc);
        float_free.push(!g.has_float);
    }
    (docs, float_free, g.stats)
}

enum Outcome {
    Bytes(Vec<u8>),
    Err(String),
}

fn oracle_outcomes(mode: &str, docs: &[&String]) -> Vec<Outcome> {
    let input: String = docs.iter().map(|d| format!("{d}\n")).collect();
    let out = stellaops_tests::oracle(&[&mode], input.as_bytes());
    assert!(
        out.status.success(),
        "oracle {mode} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let outcomes: Vec<Outcome> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap_or_default();
            match (v["ok"].as_str(), v["err"].as_str()) {
                (Some(h), _) => Outcome::Bytes(hex::decode(h).unwrap_or_default()),
                (_, Some(e)) => Outcome::Err(e.to_owned()),
                _ => Outcome::Err(format!("unreadable oracle line {l}")),
            }
        })
        .collect();
    assert_eq!(outcomes.len(), docs.len(), "one oracle answer per document");
    outcomes
}

fn compare(
    mode: Mode,
    oracle_mode: &str,
    docs: &[&String],
    same_error: fn(&str, &Error) -> bool,
) -> (usize, usize) {
    let outcomes = oracle_outcomes(oracle_mode, docs);
    let mut equal = 0;
    let mut both_refused = 0;
    let mut mismatches = Vec::new();
    for (doc, theirs) in docs.iter().zip(outcomes) {
        let ours = canon::canonicalize(doc.as_bytes(), mode, &Limits::default());
        match (&ours, theirs) {
            (Ok(a), Outcome::Bytes(b)) if *a == b => equal += 1,
            (Err(e), Outcome::Err(name)) if same_error(&name, e) => both_refused += 1,
            (ours, Outcome::Bytes(b)) => mismatches.push(format!(
                "{doc}\n  ours:   {:?}\n  theirs: {}",
                ours.as_ref()
                    .map(|o| String::from_utf8_lossy(o).into_owned()),
                String::from_utf8_lossy(&b)
            )),
            (ours, Outcome::Err(name)) => {
                mismatches.push(format!("{doc}\n  ours: {ours:?}\n  theirs: error {name}"))
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} differ, first ones:\n{}",
        mismatches.len(),
        docs.len(),
        mismatches[..mismatches.len().min(5)].join("\n")
    );
    (equal, both_refused)
}

#[test]
fn jcs_matches_rfc8785_and_olpc_matches_securesystemslib() {
    let (docs, float_free, stats) = corpus();
    let _ = std::fs::create_dir_all(stellaops_tests::workspace().join("target"));
    let _ = std::fs::write(
        stellaops_tests::workspace().join("target/canon-corpus.jsonl"),
        docs.join("\n"),
    );
    // The corpus really holds what it claims to.
    assert!(docs.len() >= 1000);
    assert!(
        stats.floats > 500 && stats.exponents > 300,
        "floats {} exponents {}",
        stats.floats,
        stats.exponents
    );
    assert!(
        stats.astral > 200 && stats.escapes > 1000,
        "astral {} escapes {}",
        stats.astral,
        stats.escapes
    );
    assert!(
        stats.max_depth >= 20 && stats.big_ints > 5,
        "depth {} big ints {}",
        stats.max_depth,
        stats.big_ints
    );

    let all: Vec<&String> = docs.iter().collect();
    let (equal, refused) = compare(Mode::Jcs, "jcs", &all, |name, e| {
        name == "IntegerDomainError" && matches!(e, Error::NumberOutOfRange(_))
    });
    eprintln!("jcs: {equal} byte-equal, {refused} refused by both (integers beyond 2^53)");
    assert!(equal >= 1000);

    let ff: Vec<&String> = docs
        .iter()
        .zip(&float_free)
        .filter(|(_, f)| **f)
        .map(|(d, _)| d)
        .collect();
    let (equal, refused) = compare(Mode::Olpc, "olpc", &ff, |_, _| false);
    eprintln!(
        "olpc: {equal} byte-equal of {} float-free documents ({refused} refused)",
        ff.len()
    );
    assert!(equal >= 700);
}

/// The one known divergence, kept out of the corpus and pinned here: an integer literal too large
/// for 64 bits. Python reads it as an exact int and `rfc8785` refuses it (beyond 2^53); serde_json
/// hands it to us as the IEEE double RFC 8785 and `JSON.parse` also use, which we then format.
/// Integers that do fit 64 bits but exceed 2^53 are refused by both (see the corpus).
#[test]
fn integer_literals_beyond_64_bits_are_the_documented_divergence() {
    let doc = "[123456789012345680000]".to_owned();
    let outcome = oracle_outcomes("jcs", &[&doc]);
    assert!(matches!(&outcome[0], Outcome::Err(e) if e == "IntegerDomainError"));
    let ours = canon::canonicalize(doc.as_bytes(), Mode::Jcs, &Limits::default());
    assert_eq!(ours.ok().as_deref(), Some(&b"[123456789012345680000]"[..]));
}

/// The second documented divergence: `rfc8785` refuses to re-canonicalize its own output for a
/// large float, because Python reads the integer digits back as an int beyond 2^53. Ours is a
/// fixed point (found by the `canon` fuzz target).
#[test]
fn jcs_output_of_large_floats_is_a_fixed_point_here_but_not_in_rfc8785() {
    let float = "[800040390000040399.00]".to_owned();
    let outcome = oracle_outcomes("jcs", &[&float]);
    assert!(matches!(&outcome[0], Outcome::Bytes(b) if b == b"[800040390000040400]"));
    let digits = "[800040390000040400]".to_owned();
    let outcome = oracle_outcomes("jcs", &[&digits]);
    assert!(matches!(&outcome[0], Outcome::Err(e) if e == "IntegerDomainError"));
    let ours = canon::canonicalize(digits.as_bytes(), Mode::Jcs, &Limits::default());
    assert_eq!(ours.ok().as_deref(), Some(digits.as_bytes()));
}

#[test]
fn rfc8785_examples_also_match_the_oracle() {
    let docs = [
        r#"{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]}"#.to_owned(),
        r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#.to_owned(),
    ];
    let refs: Vec<&String> = docs.iter().collect();
    let (equal, _) = compare(Mode::Jcs, "jcs", &refs, |_, _| false);
    assert_eq!(equal, 2);
}

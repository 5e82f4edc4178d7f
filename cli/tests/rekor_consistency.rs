//! `stella rekor consistency`: a log monitor's rounds against the real Rekor v2 (rekor-tiles
//! v2.3.0; its tiles over HTTP and from its storage directory) and the real Rekor v1's proof API
//! (rekor-server v1.5.4 on Trillian),
//! with the trusted root's keys or a pinned `rekor.pub`. A checkpoint the log signed for another
//! tree (a split view), one it never signed, one from another log and one larger than the log
//! all fail with exit 1 and leave the kept state alone. And `--rekor-key` in bundle verification:
//! a pinned log key in place of the trusted root's logs, for Rekor v1 and v2 bundles.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use stellaops_tests::sigstore_local::{real, slsa_inputs, stella_attest, stella_key, RealSigstore};

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn stella() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_stella"))
}

/// The Rekor v2 tiles' URL services.env names.
fn tiles_url() -> String {
    std::env::var("STELLAOPS_TEST_REKOR_V2_TILES").unwrap_or_else(|_| {
        panic!(
            "STELLAOPS_TEST_REKOR_V2_TILES is not set: start the servers with scripts/services.sh"
        )
    })
}

/// One keyful entry in each log: Rekor v2 (from the signing config, with the TSA) and the
/// real Rekor v1.
fn log_something(s: &RealSigstore, dir: &Path) {
    let (artifact, predicate) = slsa_inputs(dir);
    let key = stella_key(
        stella(),
        "es256",
        &dir.join(format!("k{}.key", rand_suffix())),
    );
    let config = s.trust.dir.join("signing_config.json");
    for services in [
        vec!["--signing-config".as_ref(), config.as_os_str()],
        vec!["--rekor-url".as_ref(), s.rekor_v1.as_ref()],
    ] {
        let out = stella_attest(
            stella(),
            &[],
            &[
                &[
                    "--sigstore-bundle".as_ref(),
                    "--key".as_ref(),
                    key.as_os_str(),
                ][..],
                &services,
            ]
            .concat(),
            (&predicate, &dir.join("b.json"), &artifact),
        );
        assert!(out.status.success(), "{}", text(&out));
    }
}

/// Rekor v1's public key (`GET /api/v1/log/publicKey`), written into `dir`.
fn rekor_v1_key(s: &RealSigstore, dir: &Path) -> PathBuf {
    let path = dir.join("rekor-v1.pub");
    let key = ureq::get(format!("{}/api/v1/log/publicKey", s.rekor_v1))
        .call()
        .unwrap()
        .body_mut()
        .read_to_vec()
        .unwrap();
    std::fs::write(&path, key).unwrap();
    path
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

fn consistency(log: &str, version: &str, keys: [&std::ffi::OsStr; 2], state: &Path) -> Output {
    Command::new(stella())
        .args([
            "rekor",
            "consistency",
            "--log",
            log,
            "--rekor-version",
            version,
        ])
        .args(keys)
        .arg("--state")
        .arg(state)
        .output()
        .unwrap()
}

/// The size a kept checkpoint names.
fn kept_size(state: &Path) -> u64 {
    std::fs::read_to_string(state)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn every_log_is_followed_round_after_round() {
    let s = real();
    let dir = tempfile::tempdir().unwrap();
    let root = s.trust.trusted_root();
    let real_dir = s.trust.dir.clone();
    let storage = real_dir.join("rekor-log");
    let pinned_v2 = real_dir.join("rekor.pub");
    let pinned_v1 = rekor_v1_key(&s, dir.path());

    let tiles = tiles_url();
    let logs: [(&str, &str, [&std::ffi::OsStr; 2]); 4] = [
        (&tiles, "2", ["--trusted-root".as_ref(), root.as_os_str()]),
        (
            storage.to_str().unwrap(),
            "2",
            ["--rekor-key".as_ref(), pinned_v2.as_os_str()],
        ),
        (
            &s.rekor_v1,
            "1",
            ["--trusted-root".as_ref(), root.as_os_str()],
        ),
        (
            &s.rekor_v1,
            "1",
            ["--rekor-key".as_ref(), pinned_v1.as_os_str()],
        ),
    ];
    let states: Vec<PathBuf> = (0..logs.len())
        .map(|i| dir.path().join(format!("state-{i}")))
        .collect();
    for round in 0..3 {
        log_something(&s, dir.path());
        // rekor-tiles publishes a checkpoint every 200 ms.
        std::thread::sleep(std::time::Duration::from_millis(500));
        for ((log, version, keys), state) in logs.iter().zip(&states) {
            let before = state.exists().then(|| kept_size(state));
            let out = consistency(log, version, *keys, state);
            assert!(out.status.success(), "round {round}, {log}: {}", text(&out));
            let after = kept_size(state);
            match before {
                None => assert!(text(&out).contains("nothing was kept"), "{}", text(&out)),
                Some(before) => {
                    assert!(after > before, "round {round}, {log}: {before} -> {after}");
                    assert!(
                        text(&out)
                            .contains(&format!("consistent with the kept one of size {before}")),
                        "{}",
                        text(&out)
                    );
                }
            }
        }
    }
}

/// A checkpoint for `size` and `root` in `origin`'s name, signed with the Ed25519 `key` (PKCS#8
/// PEM) as a C2SP signed note: what a log shows one reader and not another.
fn signed_note(key: &Path, public: &[u8], origin: &str, size: u64, root: &[u8; 32]) -> String {
    let body = format!("{origin}\n{size}\n{}\n", STANDARD.encode(root));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("body"), &body).unwrap();
    let out = Command::new("openssl")
        .args(["pkeyutl", "-sign", "-rawin", "-inkey"])
        .arg(key)
        .arg("-in")
        .arg(dir.path().join("body"))
        .output()
        .unwrap();
    assert!(out.status.success(), "openssl: {}", text(&out));
    let mut id = Sha256::new();
    id.update(origin.as_bytes());
    id.update(b"\n\x01");
    id.update(public);
    let mut signature = id.finalize()[..4].to_vec();
    signature.extend_from_slice(&out.stdout);
    format!("{body}\n\u{2014} {origin} {}\n", STANDARD.encode(signature))
}

#[test]
fn a_split_view_a_forgery_another_log_and_a_shrunk_tree_fail() {
    let s = real();
    let dir = tempfile::tempdir().unwrap();
    log_something(&s, dir.path());
    log_something(&s, dir.path());
    std::thread::sleep(std::time::Duration::from_millis(500));
    let root = s.trust.trusted_root();
    let keys = ["--trusted-root".as_ref(), root.as_os_str()];
    let tiles = tiles_url();
    let state = dir.path().join("state");
    let out = consistency(&tiles, "2", keys, &state);
    assert!(out.status.success(), "{}", text(&out));
    let genuine = std::fs::read_to_string(&state).unwrap();
    let size = kept_size(&state);
    assert!(size >= 2);

    // The log's own key, signing a tree of a smaller size with another root: a view of the log
    // no other reader sees. Its signature verifies; the proof from the served tiles does not.
    let key = s.trust.dir.join("rekor.key");
    let public = {
        let der = std::fs::read_to_string(s.trust.dir.join("rekor.pub")).unwrap();
        let b64: String = der.lines().filter(|l| !l.starts_with("-----")).collect();
        STANDARD.decode(b64).unwrap()[12..].to_vec()
    };
    let check = |kept: &str, why: &str| {
        std::fs::write(&state, kept).unwrap();
        let out = consistency(&tiles, "2", keys, &state);
        assert_eq!(out.status.code(), Some(1), "{why}: {}", text(&out));
        assert_eq!(
            std::fs::read_to_string(&state).unwrap(),
            kept,
            "{why}: the kept state changed"
        );
        text(&out)
    };
    let fork = signed_note(&key, &public, "127.0.0.1", size - 1, &[7u8; 32]);
    let why = check(&fork, "a split view");
    assert!(why.contains("not consistent"), "{why}");

    // The genuine checkpoint with its root changed: no key signed it.
    let mut lines: Vec<String> = genuine.lines().map(str::to_owned).collect();
    lines[2] = STANDARD.encode([9u8; 32]);
    let forged = lines.join("\n") + "\n";
    let why = check(&forged, "a forgery");
    assert!(why.contains("signature"), "{why}");

    // Another log's checkpoint (Rekor v1's, whose key the root also holds).
    let other = dir.path().join("other");
    let out = consistency(&s.rekor_v1, "1", keys, &other);
    assert!(out.status.success(), "{}", text(&out));
    let why = check(&std::fs::read_to_string(&other).unwrap(), "another log");
    assert!(why.contains("two logs"), "{why}");

    // A tree larger than the log's: the log shrank (or showed us a future it then dropped).
    let larger = signed_note(&key, &public, "127.0.0.1", size + 1000, &[7u8; 32]);
    let why = check(&larger, "a shrunk tree");
    assert!(why.contains("shrank"), "{why}");

    // A state file larger than any checkpoint: refused as input (exit 2), not read whole.
    std::fs::write(&state, vec![b'x'; 100 << 10]).unwrap();
    let out = consistency(&tiles, "2", keys, &state);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("limit") || text(&out).contains("large"),
        "{}",
        text(&out)
    );

    // The genuine one again: consistent.
    std::fs::write(&state, &genuine).unwrap();
    let out = consistency(&tiles, "2", keys, &state);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_pinned_rekor_key_verifies_bundles_in_place_of_the_roots_logs() {
    let s = real();
    let dir = tempfile::tempdir().unwrap();
    let (blob, _) = slsa_inputs(dir.path());
    let key = stella_key(stella(), "es256", &dir.path().join("release.key"));
    let public = dir.path().join("release.key.pub");
    let root = s.trust.trusted_root();
    let pinned_v1 = rekor_v1_key(&s, dir.path());
    let pinned_v2 = s.trust.dir.join("rekor.pub");
    let config = s.trust.dir.join("signing_config.json");
    let sign = |bundle: &Path, services: [&std::ffi::OsStr; 2]| {
        let out = Command::new(stella())
            .args(["sign-blob", "--key"])
            .arg(&key)
            .args(services)
            .arg("--bundle")
            .arg(bundle)
            .arg(&blob)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
    };
    let verify = |args: &[&std::ffi::OsStr]| {
        Command::new(stella())
            .args(["verify-blob", "--key"])
            .arg(&public)
            .args(args)
            .arg(&blob)
            .output()
            .unwrap()
    };

    // Rekor v1: the pinned key is all the trust a keyful bundle needs (`stella verify` without a
    // trusted root).
    let v1 = dir.path().join("v1.json");
    sign(&v1, ["--rekor-url".as_ref(), s.rekor_v1.as_ref()]);
    let out = Command::new(stella())
        .args(["verify", "--bundle"])
        .arg(&v1)
        .arg("--key")
        .arg(&public)
        .arg("--rekor-key")
        .arg(&pinned_v1)
        .arg("--artifact")
        .arg(&blob)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    // Another log's key in its place: refused.
    let out = verify(&[
        "--bundle".as_ref(),
        v1.as_os_str(),
        "--trusted-root".as_ref(),
        root.as_os_str(),
        "--rekor-key".as_ref(),
        pinned_v2.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    // Rekor v2 (Ed25519 log key, named by the checkpoint's origin), with the root's timestamp
    // authority for the signing time.
    let v2 = dir.path().join("v2.json");
    sign(&v2, ["--signing-config".as_ref(), config.as_os_str()]);
    let with = |pinned: &Path| {
        verify(&[
            "--bundle".as_ref(),
            v2.as_os_str(),
            "--trusted-root".as_ref(),
            root.as_os_str(),
            "--rekor-key".as_ref(),
            pinned.as_os_str(),
        ])
    };
    let out = with(&pinned_v2);
    assert!(out.status.success(), "{}", text(&out));
    let out = with(&pinned_v1);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

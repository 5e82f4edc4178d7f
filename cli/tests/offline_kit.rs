//! The Offline Kit: an export signed keylessly against the real Sigstore servers (Fulcio,
//! Rekor v2, the timestamp authority, chosen by the signing config), packed into one
//! deterministic tar, verified by `stella verify --offline` inside a network namespace, and
//! refused — naming the entry — after a byte of it changes anywhere; and a keyful kit on Rekor
//! v1 with a bare envelope beside it, its bundle read by cosign and sigstore-js.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use stellaops_tests::sigstore_local::real;

const EMAIL: &str = "export-center@stellaops.local";

fn stella() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stella"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Where each entry of a kit lies: (path, header offset, content end with padding).
fn layout(kit: &[u8]) -> Vec<(String, usize, usize)> {
    let mut entries = Vec::new();
    let mut at = 0;
    while at + 512 <= kit.len() && kit[at..at + 512].iter().any(|&b| b != 0) {
        let h = &kit[at..at + 512];
        let field = |r: std::ops::Range<usize>| {
            let f = &h[r];
            String::from_utf8_lossy(&f[..f.iter().position(|&b| b == 0).unwrap_or(f.len())])
                .into_owned()
        };
        let (name, prefix) = (field(0..100), field(345..500));
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let size = usize::from_str_radix(field(124..136).trim(), 8).unwrap();
        let end = at + 512 + size.div_ceil(512) * 512;
        entries.push((path, at, end));
        at = end;
    }
    entries
}

#[test]
fn an_offline_kit_verifies_without_network_and_any_changed_byte_is_named() {
    let s = real();
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    std::fs::create_dir_all(export.join("sbom")).unwrap();
    std::fs::write(
        export.join("sbom/app.cdx.json"),
        br#"{"bomFormat":"CycloneDX"}"#,
    )
    .unwrap();
    std::fs::write(export.join("README.txt"), b"the mirror bundle\n").unwrap();
    std::fs::write(export.join("image.tar"), vec![7u8; 3000]).unwrap();
    let config = s.trust.dir.join("signing_config.json");
    let out = stella()
        .env("SIGSTORE_ID_TOKEN", s.trust.token(EMAIL, &[]))
        .env_remove("STELLAOPS_OIDC_TOKEN")
        .env_remove("STELLAOPS_OIDC_TOKEN_FILE")
        .args(["export", "sign", "--keyless", "--signing-config"])
        .arg(&config)
        .arg("--trusted-root")
        .arg(s.trust.trusted_root())
        .args([
            "--created-at",
            "2026-12-01T00:00:00Z",
            "--profile",
            "offline-kit",
        ])
        .arg(&export)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    for evidence in ["manifest.json", "export.sigstore.json", "trusted_root.json"] {
        assert!(
            export.join(".stellaops").join(evidence).is_file(),
            "{evidence}"
        );
    }

    // Packed twice: the same bytes. GNU tar reads it, every entry dated at the creation time.
    let kit = dir.path().join("kit.tar");
    let again = dir.path().join("again.tar");
    for out_path in [&kit, &again] {
        let out = stella()
            .args(["export", "pack"])
            .arg(&export)
            .arg(out_path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
    }
    let bytes = std::fs::read(&kit).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(&again).unwrap(),
        "packing is deterministic"
    );
    let listing = Command::new("tar").arg("-tvf").arg(&kit).output().unwrap();
    assert!(listing.status.success(), "{}", text(&listing));
    let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
    assert_eq!(listing.lines().count(), 6, "{listing}");
    assert!(
        listing.lines().all(|l| l.contains("2026-12-01 00:00")),
        "{listing}"
    );

    let verify = |kit: &Path, namespace: bool| {
        let mut c = if namespace {
            let mut c = Command::new("unshare");
            c.args(["-rn", env!("CARGO_BIN_EXE_stella")]);
            c
        } else {
            stella()
        };
        c.args(["verify", "--offline", "--bundle"])
            .arg(kit)
            .arg("--trusted-root")
            .arg(s.trust.trusted_root())
            .args(["--certificate-identity", EMAIL])
            .args(["--certificate-oidc-issuer", &s.trust.issuer()])
            .output()
            .unwrap()
    };
    // No network at all: a fresh user and network namespace (only a down loopback).
    let probe = Command::new("unshare")
        .args(["-rn", "true"])
        .output()
        .unwrap();
    assert!(
        probe.status.success(),
        "unshare -rn must work here: {}",
        text(&probe)
    );
    let out = verify(&kit, true);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("kit intact"), "{}", text(&out));
    assert!(text(&out).contains("hashedrekord 0.0.2"), "{}", text(&out));

    // Every 13th byte, and every byte of the first header and of the end, changed in turn:
    // refused (exit 1), naming the entry the byte belongs to (or, for a byte of a header's name
    // or of the end blocks, the header or the end).
    let entries = layout(&bytes);
    let end_start = entries.last().unwrap().2;
    let mut positions: Vec<usize> = (0..bytes.len()).step_by(13).collect();
    positions.extend(0..512);
    positions.extend(end_start..bytes.len());
    positions.sort_unstable();
    positions.dedup();
    let tampered = dir.path().join("tampered.tar");
    for at in positions {
        let mut changed = bytes.clone();
        changed[at] ^= 0x20;
        std::fs::write(&tampered, &changed).unwrap();
        let out = verify(&tampered, false);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "byte {at}: {said}");
        let owner = entries
            .iter()
            .find(|(_, start, end)| (*start..*end).contains(&at));
        match owner {
            Some((path, start, _)) if at >= start + 100 || said.contains(path.as_str()) => {
                assert!(said.contains(path.as_str()), "byte {at} of {path}: {said}");
            }
            Some((path, ..)) => assert!(
                said.contains("header") || said.contains("extra") || said.contains("order"),
                "byte {at} in the name of {path}: {said}"
            ),
            None => assert!(
                said.contains("end of archive") || said.contains("the entry after"),
                "byte {at}: {said}"
            ),
        }
    }
}

/// A keyful kit (one key, the real Rekor v1, an RFC 3161 timestamp) with a bare envelope beside
/// it: the kit verifies offline with the public key alone; the envelope with `export verify`;
/// and the kit's bundle, read by cosign and sigstore-js, binds each exported file (the
/// statement's subjects) to the key.
#[test]
fn a_keyful_kit_and_the_envelope_beside_it_verify_and_peers_read_the_kits_bundle() {
    use stellaops_tests::sigstore_local::{cosign, sigstore_js, stella_key, JsSigner};

    let s = real();
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    std::fs::create_dir_all(&export).unwrap();
    std::fs::write(export.join("vex.json"), br#"{"statements":[]}"#).unwrap();
    std::fs::write(export.join("image.tar"), vec![9u8; 2000]).unwrap();
    let key = stella_key(
        Path::new(env!("CARGO_BIN_EXE_stella")),
        "es256",
        &dir.path().join("release.key"),
    );
    let public = dir.path().join("release.key.pub");
    let root = s.trust.trusted_root();
    let sign = |envelope: &Path| {
        stella()
            .args(["export", "sign", "--sigstore-bundle", "--key"])
            .arg(&key)
            .args(["--rekor-url", &s.rekor_v1, "--timestamp-url", &s.tsa])
            .arg("--trusted-root")
            .arg(&root)
            .args(["--created-at", "2026-12-02T00:00:00Z", "--envelope"])
            .arg(envelope)
            .arg(&export)
            .output()
            .unwrap()
    };
    // Inside the export, an envelope would be an extra file of the kit: refused, nothing written.
    let out = sign(&export.join("export.dsse.json"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(!export.join(".stellaops/export.sigstore.json").exists());
    let envelope = dir.path().join("export.dsse.json");
    let out = sign(&envelope);
    assert!(out.status.success(), "{}", text(&out));

    let kit = dir.path().join("kit.tar");
    let out = stella()
        .args(["export", "pack"])
        .arg(&export)
        .arg(&kit)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let out = Command::new("unshare")
        .args(["-rn", env!("CARGO_BIN_EXE_stella")])
        .args(["verify", "--offline", "--bundle"])
        .arg(&kit)
        .arg("--trusted-root")
        .arg(&root)
        .arg("--key")
        .arg(&public)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("kit intact"), "{}", text(&out));

    // The envelope beside it signs the same manifest, checked against the export on disk.
    let out = stella()
        .args(["export", "verify", "--key"])
        .arg(&public)
        .arg("--manifest")
        .arg(export.join(".stellaops/manifest.json"))
        .arg("--envelope")
        .arg(&envelope)
        .arg(&export)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));

    // cosign and sigstore-js: the kit's bundle binds an exported file to the key; another file
    // is refused.
    let bundle = export.join(".stellaops/export.sigstore.json");
    let other = dir.path().join("other.bin");
    std::fs::write(&other, b"not exported\n").unwrap();
    let cosign_verify = |file: &Path| {
        Command::new(cosign())
            .args(["verify-blob-attestation", "--new-bundle-format", "--bundle"])
            .arg(&bundle)
            .arg("--trusted-root")
            .arg(&root)
            .arg("--key")
            .arg(&public)
            .args(["--type", "stella.ops/export@v1"])
            .arg(file)
            .output()
            .unwrap()
    };
    let ok = cosign_verify(&export.join("vex.json"));
    assert!(ok.status.success(), "cosign: {}", text(&ok));
    assert!(
        !cosign_verify(&other).status.success(),
        "cosign accepted another file"
    );
    let ok = sigstore_js(
        &bundle,
        &root,
        &export.join("image.tar"),
        JsSigner::Key(&public),
    );
    assert!(ok.status.success(), "sigstore-js: {}", text(&ok));
    let bad = sigstore_js(&bundle, &root, &other, JsSigner::Key(&public));
    assert!(!bad.status.success(), "sigstore-js accepted another file");
}

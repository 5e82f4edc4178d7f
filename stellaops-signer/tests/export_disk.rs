//! Export manifests: what goes in, in which order, and how a changed export is reported.

use std::fs;
use std::path::Path;

use stellaops_signer::canon::Limits;
use stellaops_signer::predicates::Error;
use stellaops_signer::{
    check_export, describe_dir, describe_files, ExportManifest, ExportOptions, SymlinkPolicy,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const TIME: &str = "2026-11-23T08:00:00Z";

fn options() -> ExportOptions {
    ExportOptions {
        created_at: Some(TIME.into()),
        ..ExportOptions::default()
    }
}

fn recording_links() -> ExportOptions {
    ExportOptions {
        symlinks: SymlinkPolicy::Record,
        ..options()
    }
}

/// An export with nested directories, a name that sorts differently by bytes than by
/// locale, and an empty directory (which is not an entry).
fn export() -> Result<tempfile::TempDir, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    fs::create_dir_all(root.join("sbom/deep"))?;
    fs::create_dir_all(root.join("empty"))?;
    fs::write(root.join("b.txt"), b"bee\n")?;
    fs::write(root.join("B.txt"), b"upper bee\n")?;
    fs::write(
        root.join("sbom/app.cdx.json"),
        br#"{"bomFormat":"CycloneDX"}"#,
    )?;
    fs::write(root.join("sbom/deep/x"), vec![7u8; 200_000])?;
    Ok(dir)
}

#[test]
fn files_are_listed_sorted_with_sizes_and_digests() -> TestResult {
    let dir = export()?;
    let m = describe_dir(dir.path(), &options())?;
    let paths: Vec<&str> = m.files().iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["B.txt", "b.txt", "sbom/app.cdx.json", "sbom/deep/x"]
    );
    let big = &m.files()[3];
    assert_eq!(big.size, 200_000);
    assert_eq!(
        big.digest["sha256"],
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(vec![7u8; 200_000]))
    );
    assert_eq!(big.digest.len(), 1);
    assert_eq!(m.created_at(), TIME);
    assert!(m.export_id().starts_with("sha256:"));
    let json = String::from_utf8(m.to_json()?)?;
    assert!(json.starts_with(r#"{"createdAt":"2026-11-23T08:00:00Z","exportId":"sha256:"#));
    assert!(!json.contains("symlinks") && !json.contains("tenant"));
    Ok(())
}

#[test]
fn the_same_content_gives_the_same_bytes_and_id_wherever_it_lies() -> TestResult {
    let (one, two) = (export()?, export()?);
    let a = describe_dir(one.path(), &options())?.to_json()?;
    let b = describe_dir(two.path(), &options())?.to_json()?;
    assert_eq!(a, b);
    fs::write(two.path().join("b.txt"), b"bee!\n")?;
    let c = describe_dir(two.path(), &options())?;
    assert_ne!(
        ExportManifest::from_json(&a, &Limits::default())?.export_id(),
        c.export_id()
    );
    Ok(())
}

#[test]
fn metadata_and_sha512_are_recorded() -> TestResult {
    let dir = export()?;
    let m = describe_dir(
        dir.path(),
        &ExportOptions {
            export_id: Some("exp-42".into()),
            tenant: Some("acme".into()),
            profile: Some("offline-kit".into()),
            created_at: Some("2026-11-23T09:00:00+01:00".into()),
            sha512: true,
            ..ExportOptions::default()
        },
    )?;
    assert_eq!(
        (m.export_id(), m.tenant(), m.profile(), m.created_at()),
        ("exp-42", Some("acme"), Some("offline-kit"), TIME)
    );
    assert!(m.files().iter().all(|f| f.digest["sha512"].len() == 128));
    let back = ExportManifest::from_json(&m.to_json()?, &Limits::default())?;
    assert_eq!(back, m);
    Ok(())
}

#[test]
fn links_are_refused_unless_recorded_and_never_followed() -> TestResult {
    let dir = export()?;
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("sbom/escape"))?;
    let refused = describe_dir(dir.path(), &options());
    assert!(
        matches!(&refused, Err(Error::ExportEntry { path, .. }) if path == "sbom/escape"),
        "{refused:?}"
    );
    let m = describe_dir(dir.path(), &recording_links())?;
    assert_eq!(m.symlinks().len(), 1);
    assert_eq!(m.symlinks()[0].target, "/etc/passwd");
    assert!(m.files().iter().all(|f| f.path != "sbom/escape"));
    Ok(())
}

#[test]
fn special_files_are_refused() -> TestResult {
    let dir = export()?;
    let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("sock"))?;
    let refused = describe_dir(dir.path(), &options());
    assert!(
        matches!(&refused, Err(Error::ExportEntry { path, problem }) if path == "sock" && problem.contains("socket")),
        "{refused:?}"
    );
    Ok(())
}

#[test]
fn names_that_are_not_utf8_are_refused() -> TestResult {
    use std::os::unix::ffi::OsStrExt;
    let dir = export()?;
    fs::write(
        dir.path().join(std::ffi::OsStr::from_bytes(b"bad\xffname")),
        b"x",
    )?;
    let refused = describe_dir(dir.path(), &options());
    assert!(
        matches!(&refused, Err(Error::ExportEntry { problem, .. }) if problem.contains("UTF-8")),
        "{refused:?}"
    );
    Ok(())
}

#[test]
fn listed_files_are_normalized_and_checked() -> TestResult {
    let dir = export()?;
    let m = describe_files(dir.path(), &["./sbom//app.cdx.json", "b.txt"], &options())?;
    let paths: Vec<&str> = m.files().iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["b.txt", "sbom/app.cdx.json"]);
    for bad in [
        &["../outside"][..],
        &["/etc/passwd"],
        &["b.txt", "./b.txt"],
        &["sbom\\app.cdx.json"],
    ] {
        let r = describe_files(dir.path(), bad, &options());
        assert!(matches!(r, Err(Error::ExportPath { .. })), "{bad:?}: {r:?}");
    }
    let r = describe_files(dir.path(), &["sbom"], &options());
    assert!(matches!(r, Err(Error::ExportEntry { .. })), "{r:?}");
    let r = describe_files(dir.path(), &["nope"], &options());
    assert!(matches!(r, Err(Error::Io { .. })), "{r:?}");
    Ok(())
}

#[test]
fn an_empty_export_is_an_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    fs::create_dir(dir.path().join("only-a-dir"))?;
    let r = describe_dir(dir.path(), &options());
    assert!(matches!(r, Err(Error::EmptyExport(_))), "{r:?}");
    // Without a time and without SOURCE_DATE_EPOCH building fails: cli/tests/export.rs runs
    // that in a child process whose environment it controls.
    Ok(())
}

#[test]
fn excluded_paths_are_left_out() -> TestResult {
    let dir = export()?;
    fs::write(dir.path().join("manifest.json"), b"{}")?;
    let m = describe_dir(
        dir.path(),
        &ExportOptions {
            exclude: vec!["./manifest.json".into()],
            ..options()
        },
    )?;
    assert!(m.files().iter().all(|f| f.path != "manifest.json"));
    assert!(check_export(&m, dir.path(), &["manifest.json".into()])?.is_empty());
    assert_eq!(check_export(&m, dir.path(), &[])?.extra, ["manifest.json"]);
    Ok(())
}

fn diff_after(
    change: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<stellaops_predicates::ExportDiff, Box<dyn std::error::Error>> {
    let dir = export()?;
    std::os::unix::fs::symlink("b.txt", dir.path().join("link"))?;
    let m = describe_dir(dir.path(), &recording_links())?;
    assert!(check_export(&m, dir.path(), &[])?.is_empty());
    change(dir.path())?;
    Ok(check_export(&m, dir.path(), &[])?)
}

#[test]
fn every_difference_is_named() -> TestResult {
    let d = diff_after(|root| fs::remove_file(root.join("sbom/deep/x")))?;
    assert_eq!(
        (d.missing.as_slice(), d.extra.len(), d.changed.len()),
        (&["sbom/deep/x".to_owned()][..], 0, 0)
    );

    let d = diff_after(|root| fs::write(root.join("sbom/new.json"), b"{}"))?;
    assert_eq!(d.extra, ["sbom/new.json"]);

    // Same size, other bytes: found by the digest, not the size.
    let d = diff_after(|root| fs::write(root.join("b.txt"), b"BEE\n"))?;
    assert_eq!(d.changed.len(), 1);
    assert_eq!(
        (d.changed[0].path.as_str(), d.changed[0].problem.as_str()),
        ("b.txt", "sha256 differs")
    );

    let d = diff_after(|root| fs::write(root.join("b.txt"), b"longer bee\n"))?;
    assert_eq!(d.changed[0].problem, "size 11, expected 4");

    let d = diff_after(|root| {
        fs::remove_file(root.join("b.txt"))?;
        std::os::unix::fs::symlink("B.txt", root.join("b.txt"))
    })?;
    assert_eq!(d.changed[0].problem, "is a symbolic link, expected a file");

    let d = diff_after(|root| {
        fs::remove_file(root.join("link"))?;
        std::os::unix::fs::symlink("B.txt", root.join("link"))
    })?;
    assert_eq!(
        d.changed[0].problem,
        r#"links to "B.txt", expected "b.txt""#
    );

    let d = diff_after(|root| {
        fs::remove_file(root.join("B.txt"))?;
        fs::create_dir(root.join("B.txt"))?;
        fs::write(root.join("B.txt/inside"), b"x")
    })?;
    assert_eq!(
        (d.missing.as_slice(), d.extra.as_slice()),
        (&["B.txt".to_owned()][..], &["B.txt/inside".to_owned()][..])
    );
    Ok(())
}

#[test]
fn malformed_manifests_are_refused() -> TestResult {
    let dir = export()?;
    let good: serde_json::Value =
        serde_json::from_slice(&describe_dir(dir.path(), &options())?.to_json()?)?;
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "unsorted",
            Box::new(|m| {
                m["files"]
                    .as_array_mut()
                    .into_iter()
                    .for_each(|f| f.swap(0, 1))
            }),
        ),
        (
            "duplicate",
            Box::new(|m| {
                let first = m["files"][0].clone();
                m["files"][1] = first;
            }),
        ),
        (
            "dot-dot",
            Box::new(|m| m["files"][0]["path"] = "../B.txt".into()),
        ),
        (
            "not normal",
            Box::new(|m| m["files"][0]["path"] = "./B.txt".into()),
        ),
        ("unknown field", Box::new(|m| m["signedBy"] = "me".into())),
        (
            "no sha256",
            Box::new(|m| {
                let d = m["files"][0]["digest"].as_object_mut();
                if let Some(d) = d {
                    d.remove("sha256");
                    d.insert("sha512".into(), "ab".repeat(64).into());
                }
            }),
        ),
        (
            "bad hex",
            Box::new(|m| m["files"][0]["digest"]["sha256"] = "XYZ".into()),
        ),
        ("bad time", Box::new(|m| m["createdAt"] = "today".into())),
        ("no files", Box::new(|m| m["files"] = serde_json::json!([]))),
        (
            "negative size",
            Box::new(|m| m["files"][0]["size"] = (-1).into()),
        ),
    ];
    for (name, edit) in edits {
        let mut m = good.clone();
        edit(&mut m);
        let r = ExportManifest::from_value(m);
        assert!(r.is_err(), "{name}: accepted");
    }
    let duplicate_key =
        br#"{"createdAt":"2026-11-23T08:00:00Z","createdAt":"2026-11-23T08:00:00Z"}"#;
    assert!(matches!(
        ExportManifest::from_json(duplicate_key, &Limits::default()),
        Err(Error::Json(_))
    ));
    Ok(())
}

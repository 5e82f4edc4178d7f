//! Issue 22: every public operation of the facade has a counterpart in each face — the C ABI
//! (and so Go), Go, the Python wheel and the Node package — named the same way in the
//! language's casing, or is listed below with the reason it does not cross.
//!
//! The operations are read from the source, so a new facade function fails this test until each
//! face has it: the root functions `stellaops-signer/src/lib.rs` re-exports (not the JSON
//! plumbing in `stellaops_signer::faces`), and the public methods of the types that carry the
//! signing flows (`Authority`, `SignerPipeline`, `KeyRegistry`). The faces' names are read from
//! what each publishes: `include/stellaops_signer.h`, the Go package's exported functions and
//! methods, the `.pyi` stubs and the committed `index.d.ts`. Names compare without case,
//! underscores, the `stellaops_` prefix and Node's `Sync` suffix.
//!
//! `cargo test -p stellaops-tests --test face_parity -- --nocapture` prints the table.

// Helpers panic on failure like the tests themselves (clippy.toml allows it only in #[test] fns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use stellaops_tests::workspace;

/// The faces, in the table's column order.
const FACES: [&str; 4] = ["c", "go", "python", "node"];

/// Operations that do not cross, and why: each entry is one decision and the operations it
/// covers. Keep it short.
const EXCLUDED: &[(&[&str], &str)] = &[
    // The authority is configured in Rust from trait objects (`&dyn SigningKey`,
    // `&dyn BundleSigner`, a pipeline) and builder steps; every face configures the same
    // authority implicitly in each signing call from its own key, bundle-signer and pipeline
    // objects and an enforcement argument.
    (
        &[
            "keys",
            "keys_with_modes",
            "opened_keys",
            "bundle",
            "pipeline",
            "allow_list",
            "reproducible",
            "require_keys",
        ],
        "Authority construction and builder steps over Rust trait objects; faces pass their \
         key/bundle-signer/pipeline objects and enforcement to each signing call",
    ),
    // The pipeline assembled in Rust from parts (authenticator, PoE source, quota store as
    // trait objects) and signing a typed Rust request; faces open it from its configuration file
    // and sign JSON requests.
    (
        &["builder", "sign"],
        "SignerPipeline::builder and sign take Rust trait objects and a typed request; faces \
         open a configuration file and call sign_json",
    ),
    // The service's face (stellaops-server): it identifies the caller from the HTTP request
    // and its TLS session, probes readiness and hands out DPoP nonces; embedding faces get the
    // caller's token, proof and certificate from their callers and call sign_json.
    (
        &[
            "sign_body_json",
            "sign_export_body_json",
            "release_verdict_json_for",
            "dpop_nonce",
            "from_config_table",
            "runs_in_memory",
        ],
        "the HTTP service's operations (caller from the request and TLS session, \
         DPoP nonces, its own [server] section taken out of the configuration, whether a call \
         may run on its async worker); embedding faces call sign_json and from_config_file",
    ),
    // A fleet's audit anchoring: the pipeline runs the rounds on its own thread (at start,
    // every interval, when dropped) in every face; the service adds one after draining and
    // probes readiness. Checking a log against a fleet's anchor store and the other logs is an
    // operator's job across machines: `stella audit verify --instance`; faces verify one
    // chain with verify_audit_chain.
    (
        &[
            "anchor_audit",
            "anchor_interval",
            "readiness",
            "verify_audit_chain_anchored",
        ],
        "fleet operations: anchoring runs by itself in every face's pipeline, the service \
         drains and probes readiness, and `stella audit verify --instance` checks a log \
         against the fleet's witnesses",
    ),
    // Rust-typed conveniences whose JSON forms the faces have.
    (
        &[
            "open_key_with_prompt",
            "bundle_policy",
            "declared_subjects",
            "open_entry",
        ],
        "take a Rust closure or Rust types; faces call open_key with the passphrase, pass the \
         bundle policy to verify_bundle, get declared subjects from sbom_statement, and open \
         entries with signing_key",
    ),
    // KeyRegistry conveniences for Rust callers; the faces' registry objects do the same
    // through entries/select/signing_key/check_not_revoked/reload.
    (
        &[
            "path",
            "reload_if_changed",
            "last_reload_error",
            "select_all",
            "signing_keys",
            "filter_trusted",
        ],
        "KeyRegistry conveniences: the caller knows the path; signing_key reloads a changed \
         file and reload returns its error; multi-signature tenants sign through the pipeline; \
         filter_trusted is a loop over check_not_revoked",
    ),
];

/// Where a face names an operation differently (its ecosystem's word), by facade name.
const ALIASES: &[(&str, &[&str])] = &[
    // C/Go: a key from its URI; Python: SigningKey.from_uri.
    ("open_key", &["key_from_uri", "from_uri"]),
    // Faces verify a parsed or unparsed envelope with one call.
    ("verify_envelope", &["verify"]),
    // C: stellaops_pipeline_open; Go: OpenPipeline; Python: Pipeline(path); Node: Pipeline.open.
    (
        "from_config_file",
        &["pipeline_open", "open_pipeline", "open", "__init__"],
    ),
    // C: stellaops_key_registry_open; Go: OpenKeyRegistry; Python: KeyRegistry(path);
    // Node: KeyRegistry.open.
    (
        "load",
        &["key_registry_open", "open_key_registry", "open", "__init__"],
    ),
    // DSSE over any payload: every face's sign.
    ("sign_payload", &["sign"]),
    // The C ABI names functions of an object type object first: stellaops_export_sign,
    // stellaops_export_verify, stellaops_pipeline_sign_json.
    ("sign_export", &["export_sign"]),
    // C: stellaops_bundle_verify (and _bytes for an artifact in memory).
    ("verify_bundle", &["bundle_verify"]),
    // C: stellaops_bundle_sign_blob (a bundle signer's operation, named object first).
    ("sign_blob", &["bundle_sign_blob"]),
    ("verify_export", &["export_verify"]),
    // Every face describes an export from a directory, or from listed files, with one function
    // (files are an option); the C ABI names it object first (stellaops_export_describe,
    // stellaops_export_check).
    ("describe_dir", &["describe_export", "export_describe"]),
    ("describe_files", &["describe_export", "export_describe"]),
    ("check_export", &["export_check"]),
    // Go: LoadTrustedRootFromPath (as sigstore-go's NewTrustedRootFromPath); Python and Node:
    // TrustedRoot.from_path / fromPath.
    (
        "trusted_root_from_path",
        &["load_trusted_root_from_path", "from_path"],
    ),
    // C: stellaops_key_from_callbacks; Go: KeyFromSigner (a crypto.Signer); Python:
    // SigningKey.from_signer (an object with sign); Node: SigningKey.fromSigner (a function).
    (
        "caller_signer",
        &["from_callbacks", "key_from_signer", "from_signer"],
    ),
    // C: stellaops_verifier_registry_new; Go: NewVerifierRegistry; Python: VerifierRegistry();
    // Node: new VerifierRegistry().
    (
        "new",
        &[
            "verifier_registry_new",
            "new_verifier_registry",
            "__init__",
            "constructor",
        ],
    ),
    // The library's log records: C stellaops_set_log_callback; Go SetLogger (a *slog.Logger);
    // Python set_logger (a logging.Logger); Node setLogger (a function).
    ("set_log_sink", &["set_log_callback", "set_logger"]),
    // Reading an envelope's statement without verifying it: inspect_attestation reports it.
    ("statement_of", &["inspect_attestation"]),
];

/// Not there yet: each is issue 22 work still to do, by face. This list only shrinks; the test
/// fails when an entry is done (so the entry is removed) or when a new gap appears.
const NOT_YET: &[(&str, &[&str])] = &[];

/// The C ABI's object types, as prefixes of their functions' names.
const C_OBJECTS: [&str; 4] = ["key_registry_", "verifier_registry_", "pipeline_", "key_"];

fn normalize(name: &str) -> String {
    let name = name.strip_prefix("stellaops_").unwrap_or(name);
    let name = name.to_ascii_lowercase().replace('_', "");
    match name.strip_suffix("sync") {
        Some(stem) if !stem.is_empty() => stem.to_owned(),
        _ => name,
    }
}

fn read(path: &str) -> String {
    std::fs::read_to_string(workspace().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Identifiers that directly follow `prefix` on lines of `text` (up to `(` or `<`).
fn names_after(text: &str, prefix: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix(prefix)?;
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let after = rest[name.len()..].chars().next();
            (!name.is_empty() && matches!(after, Some('(' | '<'))).then_some(name)
        })
        .collect()
}

/// The root functions `lib.rs` re-exports outside `pub mod faces`.
fn root_functions() -> BTreeSet<String> {
    let lib = read("stellaops-signer/src/lib.rs");
    let lib = lib.split("pub mod faces").next().unwrap_or_default();
    let modules = ["canon", "catalog"]; // modules, not operations (faces: canonicalize, catalog)
    let mut out = BTreeSet::new();
    for statement in lib.split("pub use ").skip(1) {
        let statement = statement.split(';').next().unwrap_or_default();
        if !statement.contains("::") {
            continue; // a crate re-exported as a module (`stellaops_poe as policy`)
        }
        let names = match statement.find('{') {
            Some(i) => &statement[i + 1..statement.rfind('}').unwrap_or(statement.len())],
            None => statement.rsplit("::").next().unwrap_or_default(),
        };
        for name in names.split(',').map(str::trim) {
            // An item re-exported under another name counts by that name.
            let name = name.rsplit(" as ").next().unwrap_or(name).trim();
            let is_fn = name.starts_with(|c: char| c.is_ascii_lowercase());
            if is_fn && !modules.contains(&name) {
                out.insert(name.to_owned());
            }
        }
    }
    out
}

/// Public methods in the `impl` blocks of `ty` in `file`.
fn methods(file: &str, ty: &str) -> BTreeSet<String> {
    let text = read(file);
    let mut out = BTreeSet::new();
    let mut depth = 0usize;
    let mut inside = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        if inside.is_none() && trimmed.starts_with("impl") && !trimmed.contains(" for ") {
            let header = trimmed.split('{').next().unwrap_or_default();
            if header
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .any(|w| w == ty)
            {
                inside = Some(depth);
            }
        }
        if depth == inside.map_or(usize::MAX, |d| d + 1) {
            if let Some(name) = names_after(trimmed, "pub fn ").into_iter().next() {
                out.insert(name);
            }
        }
        depth += line.matches('{').count();
        depth = depth.saturating_sub(line.matches('}').count());
        if inside.is_some_and(|d| depth <= d) && line.contains('}') {
            inside = None;
        }
    }
    out
}

/// Each face's published names, normalized.
fn face_names() -> BTreeMap<&'static str, BTreeSet<String>> {
    let header = read("include/stellaops_signer.h");
    let c: BTreeSet<String> = header
        .match_indices("stellaops_")
        .filter_map(|(i, _)| {
            let rest = &header[i..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            rest[name.len()..].starts_with('(').then_some(name)
        })
        .flat_map(|name| {
            // Functions of an object type are named object first (stellaops_key_registry_select,
            // stellaops_pipeline_sign_json): the method is the rest.
            let method = C_OBJECTS
                .iter()
                .find_map(|o| name.strip_prefix("stellaops_")?.strip_prefix(o))
                .map(normalize);
            std::iter::once(normalize(&name)).chain(method)
        })
        .collect();
    let mut go = BTreeSet::new();
    let dir = workspace().join("bindings/go/signer");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".go") || name.ends_with("_test.go") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let Some(rest) = line.strip_prefix("func ") else {
                continue;
            };
            let rest = if rest.starts_with('(') {
                rest.split_once(") ").map_or("", |(_, r)| r)
            } else {
                rest
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if name.starts_with(|c: char| c.is_ascii_uppercase()) {
                go.insert(normalize(&name));
            }
        }
    }
    let pyi = read("bindings/python/python/stellaops_signer/_native.pyi");
    let python = names_after(&pyi, "def ")
        .iter()
        .map(|n| normalize(n))
        .collect();
    let dts = read("bindings/node/index.d.ts");
    let mut node: BTreeSet<String> = names_after(&dts, "export declare function ")
        .iter()
        .map(|n| normalize(n))
        .collect();
    node.extend(names_after(&dts, "static ").iter().map(|n| normalize(n)));
    node.extend(
        dts.lines()
            .filter(|l| l.starts_with("  ") && !l.trim_start().starts_with('*'))
            .flat_map(|l| names_after(l, ""))
            .map(|n| normalize(&n)),
    );
    BTreeMap::from([("c", c), ("go", go), ("python", python), ("node", node)])
}

#[test]
fn every_facade_operation_has_a_counterpart_in_every_face() {
    let mut ops: BTreeSet<String> = root_functions();
    ops.extend(methods(
        "stellaops-signer/src/authority/mod.rs",
        "Authority",
    ));
    for file in ["mod", "json", "config", "readiness", "anchor"] {
        ops.extend(methods(
            &format!("stellaops-signer/src/pipeline/{file}.rs"),
            "SignerPipeline",
        ));
    }
    ops.extend(methods("stellaops-keys/src/registry.rs", "KeyRegistry"));
    ops.extend(methods(
        "stellaops-crypto/src/caller.rs",
        "VerifierRegistry",
    ));
    // A type, not a function, in the facade (CallerSigner::new): every face makes a key from
    // the caller's own signer.
    ops.insert("caller_signer".to_owned());
    assert!(
        ops.contains("verify_promotion") && ops.contains("sign_statement"),
        "{ops:?}"
    );

    let faces = face_names();
    let excluded: BTreeMap<&str, &str> = EXCLUDED
        .iter()
        .flat_map(|(ops, why)| ops.iter().map(move |op| (*op, *why)))
        .collect();
    let aliases: BTreeMap<&str, &[&str]> = ALIASES.iter().copied().collect();
    let not_yet: BTreeMap<&str, &[&str]> = NOT_YET.iter().copied().collect();
    let mut problems = Vec::new();
    println!("| operation | {} |", FACES.join(" | "));
    println!("|---|{}", "---|".repeat(FACES.len()));
    for op in &ops {
        if let Some(why) = excluded.get(op.as_str()) {
            println!("| `{op}` | excluded: {why} |||");
            // An exclusion every face has outgrown is stale (unless the name is another
            // operation's counterpart, as `sign` is sign_payload's).
            let another_op = aliases
                .values()
                .any(|names| names.iter().any(|n| normalize(n) == normalize(op)));
            if !another_op && FACES.iter().all(|f| faces[f].contains(&normalize(op))) {
                problems.push(format!(
                    "{op} is in every face now: remove it from EXCLUDED"
                ));
            }
            continue;
        }
        let mut row = Vec::new();
        for face in FACES {
            let names = &faces[face];
            let mut candidates = vec![normalize(op)];
            candidates.extend(
                aliases
                    .get(op.as_str())
                    .into_iter()
                    .flat_map(|a| a.iter().map(|n| normalize(n))),
            );
            let present = candidates.iter().any(|c| names.contains(c));
            let expected_missing = not_yet.get(op.as_str()).is_some_and(|f| f.contains(&face));
            match (present, expected_missing) {
                (true, false) => row.push("yes"),
                (false, true) => row.push("not yet"),
                (true, true) => {
                    row.push("yes");
                    problems.push(format!("{op} is in {face} now: remove it from NOT_YET"));
                }
                (false, false) => {
                    row.push("MISSING");
                    problems.push(format!("{op} has no counterpart in {face}"));
                }
            }
        }
        println!("| `{op}` | {} |", row.join(" | "));
    }
    for name in excluded.keys().chain(not_yet.keys()) {
        if !ops.contains(*name) {
            problems.push(format!("{name} is listed but is no facade operation"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

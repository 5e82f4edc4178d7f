//! Inputs shared by the benches, so every implementation measures the same bytes.

/// The payload type used throughout.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// `len` bytes of deterministic, JSON-ish payload.
pub fn payload(len: usize) -> Vec<u8> {
    b"{\"k\":\"0123456789abcdef\"}"
        .iter()
        .copied()
        .cycle()
        .take(len)
        .collect()
}

/// A ~7 KB in-toto statement built from the fixture predicates. With `floats = false` every
/// number is an integer, so OLPC canonical JSON accepts it.
pub fn statement(floats: bool) -> Vec<u8> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/predicates/");
    let names: &[&str] = if floats {
        &[
            "promotion",
            "sbom",
            "vex",
            "vexDecision",
            "graph",
            "replay",
            "policy",
            "evidence",
        ]
    } else {
        &["promotion", "sbom", "replay", "evidence"]
    };
    let mut predicate = serde_json::Map::new();
    for round in 0..3 {
        for n in names {
            let text = std::fs::read_to_string(format!("{dir}{n}.json")).unwrap_or_default();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            predicate.insert(format!("{n}-{round}"), v);
        }
    }
    let doc = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example/stellaops/scanner-web", "digest": {"sha256": "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99"}}],
        "predicateType": "stella.ops/evidence@v1",
        "predicate": predicate,
    });
    serde_json::to_vec_pretty(&doc).unwrap_or_default()
}

/// A CycloneDX 1.5 SBOM of about `target_bytes` (pretty-printed), shaped like a scanner's:
/// components with purls, SHA-256 and SHA-512 hashes, licenses, descriptions, external
/// references and properties; a dependency graph; vulnerabilities with CVSS scores (floats).
/// Deterministic: the same size gives the same bytes.
pub fn cyclonedx(target_bytes: usize) -> Vec<u8> {
    use serde_json::json;
    let hex = |seed: usize, len: usize| -> String {
        (0..len)
            .map(|i| char::from(b"0123456789abcdef"[(seed * 31 + i * 7 + i / 3) % 16]))
            .collect()
    };
    // Component i's ecosystem, name, version and purl.
    let package = |i: usize| {
        let ecosystem = ["pypi", "npm", "maven", "golang", "cargo"][i % 5];
        let name = format!(
            "package-{i}-{}",
            ["core", "utils", "http", "json", "crypto"][i % 5]
        );
        let version = format!("{}.{}.{}", 1 + i % 7, i % 13, i % 29);
        let purl = format!("pkg:{ecosystem}/{name}@{version}");
        (ecosystem, name, version, purl)
    };
    let mut components = Vec::new();
    let mut dependencies = Vec::new();
    let mut vulnerabilities = Vec::new();
    let mut size = 0;
    let mut i = 0;
    while size < target_bytes {
        let (ecosystem, name, version, purl) = package(i);
        let license = ["Apache-2.0", "MIT", "BSD-3-Clause", "MPL-2.0"][i % 4];
        let component = json!({
            "type": "library",
            "bom-ref": purl,
            "name": name,
            "version": version,
            "purl": purl,
            "description": format!("Component {i}: a library the application pulls in through its {ecosystem} dependencies, with \"quotes\" and unicode \u{00e9}\u{4e2d}."),
            "hashes": [
                {"alg": "SHA-256", "content": hex(i, 64)},
                {"alg": "SHA-512", "content": hex(i + 1, 128)}
            ],
            "licenses": [{"license": {"id": license}}],
            "externalReferences": [
                {"type": "vcs", "url": format!("https://git.example.org/{ecosystem}/{name}.git")},
                {"type": "website", "url": format!("https://{name}.example.org/")}
            ],
            "properties": [
                {"name": "stellaops:layer", "value": format!("sha256:{}", hex(i + 2, 64))},
                {"name": "stellaops:path", "value": format!("/usr/lib/{ecosystem}/{name}/{version}")}
            ]
        });
        size += serde_json::to_vec_pretty(&component).map_or(0, |v| v.len()) + 200;
        dependencies.push(json!({
            "ref": purl,
            "dependsOn": (1..=3).filter(|d| i >= *d).map(|d| package(i - d).3).collect::<Vec<_>>()
        }));
        if i % 20 == 0 {
            vulnerabilities.push(json!({
                "id": format!("CVE-2026-{:05}", 10000 + i),
                "ratings": [{"score": 4.3 + (i % 50) as f64 / 10.0, "severity": "high", "method": "CVSSv31",
                             "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
                "affects": [{"ref": purl}]
            }));
        }
        components.push(component);
        i += 1;
    }
    let doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {"timestamp": "2026-12-03T00:00:00Z",
                     "component": {"type": "application", "name": "scanner-web", "version": "9.1.0"}},
        "components": components,
        "dependencies": dependencies,
        "vulnerabilities": vulnerabilities
    });
    serde_json::to_vec_pretty(&doc).unwrap_or_default()
}

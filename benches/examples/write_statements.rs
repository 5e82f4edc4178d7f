//! Writes the bench statements for the Python peers, so every implementation measures the same bytes.

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/bench-peers".into());
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(
        format!("{dir}/statement-floats.json"),
        stellaops_benches::statement(true),
    );
    let _ = std::fs::write(
        format!("{dir}/statement-float-free.json"),
        stellaops_benches::statement(false),
    );
}

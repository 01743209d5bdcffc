//! Replays the kept fuzz corpus (`protocol/fuzz/corpus/<target>/`) through the same property
//! checks the fuzz targets run, so every `cargo test` on stable re-checks what the fuzzer found
//! interesting and every saved reproducer (`regression-*`), without libFuzzer. See
//! `docs/fuzzing.md`.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

/// Runs `check` on every file of the target's corpus; fails naming each input that fails.
fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the corpus {}: {e}", dir.display()));
    let mut paths: Vec<_> = entries
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("cannot list the corpus {}: {e}", dir.display()));
    paths.sort();
    assert!(!paths.is_empty(), "the corpus {} is empty", dir.display());

    let mut failed = Vec::new();
    for path in &paths {
        let data =
            std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        if panic::catch_unwind(AssertUnwindSafe(|| check(&data))).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} inputs of {target} fail (each panic message is above):\n{}",
        failed.len(),
        paths.len(),
        failed.join("\n")
    );
}

#[test]
fn splitter_corpus() {
    replay("splitter", checks::splitter);
}

#[test]
fn client_line_corpus() {
    replay("client_line", checks::client_line);
}

#[test]
fn server_line_corpus() {
    replay("server_line", checks::server_line);
}

#[test]
fn nickname_corpus() {
    replay("nickname", checks::nickname);
}

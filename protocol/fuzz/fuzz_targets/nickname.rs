//! Fuzz target `nickname`: the properties live in `checks.rs`, shared with the corpus replay test
//! (`protocol/tests/fuzz_corpus.rs`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::nickname(data));

//! `docs/client.md` lists every key of the key table and every command, so the page cannot
//! drift from the code silently.

use papo::keys::{self, BINDINGS};
use papo_protocol::COMMANDS;

#[test]
fn the_client_page_lists_every_key_and_command() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/client.md");
    let page = std::fs::read_to_string(&path).expect("docs/client.md exists");
    for b in BINDINGS {
        let keys = keys::labels(b);
        assert!(
            page.contains(&keys),
            "docs/client.md lacks {keys:?} ({})",
            b.help
        );
    }
    for c in &COMMANDS {
        assert!(page.contains(c.usage), "docs/client.md lacks {}", c.usage);
        for alias in c.aliases {
            assert!(
                page.contains(&format!("/{alias}")),
                "docs/client.md lacks /{alias}"
            );
        }
    }
}

//! Searching the history (Ctrl+F or `/BUSCAR texto`): while typing, the view jumps to the newest
//! entry that matches; Enter keeps the query and lets n/N (or ↑/↓) move to older and newer
//! matches; Esc closes the search and leaves the view where it is. Matching ignores case and is
//! done within each piece of text (a nickname, a message), so it finds what is shown.

use tui_input::{Input, InputRequest};

use super::App;

/// Most matches remembered; a query that matches more (one letter in a long history) keeps the
/// newest.
pub const MAX_MATCHES: usize = 100_000;

/// A search of the history.
#[derive(Debug, Clone, Default)]
pub struct Search {
    field: Input,
    /// Typing the query (`true`) or moving between its matches.
    editing: bool,
    /// Serials of the matching entries, oldest first.
    matches: Vec<u64>,
    /// Index of the current match in `matches`.
    current: Option<usize>,
}

impl Search {
    /// The query field.
    pub fn field(&self) -> &Input {
        &self.field
    }

    /// Whether the query is being typed.
    pub fn editing(&self) -> bool {
        self.editing
    }

    /// The query, case-folded, as matching uses it.
    pub fn folded(&self) -> Vec<char> {
        fold(self.field.value())
    }

    /// `(current, total)` with `current` counted from the newest match (1 = newest), for the
    /// search bar.
    pub fn position(&self) -> Option<(usize, usize)> {
        let total = self.matches.len();
        self.current.map(|c| (total - c, total))
    }

    /// The serial of the current match.
    pub fn current_serial(&self) -> Option<u64> {
        self.current.and_then(|c| self.matches.get(c).copied())
    }
}

/// Opens the search bar (empty, typing).
pub fn open(app: &mut App) {
    app.search = Some(Search {
        editing: true,
        ..Search::default()
    });
}

/// Opens a search for `query` and jumps to its newest match (`/BUSCAR texto`).
pub fn start(app: &mut App, query: &str) {
    let search = Search {
        field: Input::new(query.to_owned()),
        editing: false,
        ..Search::default()
    };
    app.search = Some(search);
    refresh(app);
    if app.search.as_ref().is_some_and(|s| s.matches.is_empty()) {
        app.notice(&format!("nada encontrado para \"{query}\""), true);
    }
}

/// An edit of the query: matches are found again and the view jumps to the newest.
pub fn edit(app: &mut App, request: InputRequest) {
    if let Some(s) = &mut app.search {
        s.field.handle(request);
        s.editing = true;
    }
    refresh(app);
}

/// Enter while typing: keep the query, move between matches with n/N. An empty query closes.
pub fn confirm(app: &mut App) {
    match &mut app.search {
        Some(s) if !s.field.value().is_empty() => s.editing = false,
        _ => close(app),
    }
}

/// Back to typing the query (Ctrl+F again).
pub fn edit_again(app: &mut App) {
    if let Some(s) = &mut app.search {
        s.editing = true;
    }
}

/// Closes the search; the view stays where it is (Esc again goes back to the newest lines).
pub fn close(app: &mut App) {
    app.search = None;
}

/// The next older match (`older`) or newer one.
pub fn step(app: &mut App, older: bool) {
    let Some(s) = &mut app.search else { return };
    let Some(c) = s.current else { return };
    let next = if older {
        c.checked_sub(1)
    } else {
        Some(c + 1).filter(|&n| n < s.matches.len())
    };
    if let Some(n) = next {
        s.current = Some(n);
        let serial = s.matches[n];
        app.history.show(serial);
    }
}

/// Finds the matches of the current query and shows the newest.
fn refresh(app: &mut App) {
    let Some(s) = &mut app.search else { return };
    let query = fold(s.field.value());
    s.matches.clear();
    s.current = None;
    if query.is_empty() {
        return;
    }
    let first = app.history.first_serial();
    for (i, e) in app.history.entries().iter().enumerate().rev() {
        if e.segs()
            .iter()
            .any(|seg| !find(seg.text(), &query).is_empty())
        {
            s.matches.push(first + i as u64);
            if s.matches.len() >= MAX_MATCHES {
                break;
            }
        }
    }
    s.matches.reverse();
    s.current = s.matches.len().checked_sub(1);
    if let Some(serial) = s.current_serial() {
        app.history.show(serial);
    }
}

/// `text` case-folded, one char per char of the original (so positions line up).
pub fn fold(text: &str) -> Vec<char> {
    text.chars().map(fold_char).collect()
}

fn fold_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// The byte ranges of `text` where the case-folded `query` occurs, left to right, not
/// overlapping.
pub fn find(text: &str, query: &[char]) -> Vec<(usize, usize)> {
    let Some(&first) = query.first() else {
        return Vec::new();
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i + query.len() <= chars.len() {
        if fold_char(chars[i].1) == first
            && query
                .iter()
                .zip(&chars[i..])
                .all(|(q, (_, c))| fold_char(*c) == *q)
        {
            let end = chars.get(i + query.len()).map_or(text.len(), |(at, _)| *at);
            found.push((chars[i].0, end));
            i += query.len();
        } else {
            i += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ignoring_case_with_byte_ranges() {
        let q = fold("ÉR");
        assert_eq!(find("café éramos ÉRA", &q), [(6, 9), (14, 17)]);
        assert!(find("cafe", &fold("xyz")).is_empty());
        assert!(find("abc", &[]).is_empty());
        assert_eq!(find("aaaa", &fold("aa")), [(0, 2), (2, 4)]);
    }
}

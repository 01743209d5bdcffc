//! The message line: a tui-input field plus the lines sent before (Up/Down), Tab completion and
//! paste handling.

use std::collections::VecDeque;

use tui_input::{Input, InputRequest};

/// Most bytes the message line holds; characters typed past it are not inserted. Above the
/// largest line limit a server may announce (64 KiB), and small enough that each key stays fast.
pub const MAX_TYPED_BYTES: usize = 64 * 1024;
/// Most lines kept for Up/Down.
pub const SENT_CAP: usize = 200;
/// Most characters one paste inserts; the rest is dropped (with a notice). Far above the
/// server's line limit (4096 bytes by default), so a real paste is never cut, while a huge one
/// cannot make every keystroke and frame slow.
pub const MAX_PASTE_CHARS: usize = 16 * 1024;

/// A Tab completion in progress: repeated Tabs cycle through `candidates`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Completion {
    /// Char index where the completed word starts.
    start: usize,
    /// Chars currently inserted by the completion (candidate + suffix).
    len: usize,
    candidates: Vec<String>,
    index: usize,
    suffix: &'static str,
}

/// What a paste did, for the notice it may deserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pasted {
    /// Lines in the pasted text.
    pub lines: usize,
    /// Whether the paste was cut at [`MAX_PASTE_CHARS`].
    pub cut: bool,
}

/// The message line.
#[derive(Debug, Clone, Default)]
pub struct InputLine {
    field: Input,
    sent: VecDeque<String>,
    browsing: Option<usize>,
    draft: String,
    completion: Option<Completion>,
}

impl InputLine {
    /// The text typed so far.
    pub fn value(&self) -> &str {
        self.field.value()
    }

    /// The field, for drawing (caret and scroll in display columns).
    pub fn field(&self) -> &Input {
        &self.field
    }

    /// Replaces the text, caret at the end.
    pub fn set(&mut self, text: &str) {
        self.field = Input::new(text.to_owned());
        self.completion = None;
    }

    /// Whether the caret is after the last character (always so on an empty line).
    pub fn caret_at_end(&self) -> bool {
        self.field.cursor() >= self.field.value().chars().count()
    }

    /// Applies an edit.
    pub fn edit(&mut self, request: InputRequest) {
        self.completion = None;
        if matches!(request, InputRequest::InsertChar(_))
            && self.field.value().len() >= MAX_TYPED_BYTES
        {
            // Past any server's line limit already (the status bar says so); a key more
            // would only make every later key slower.
            return;
        }
        if let InputRequest::InsertChar(c) = request
            && self.caret_at_end()
        {
            // tui-input finds the caret's byte by walking the line char by char on every
            // insert, O(line) a key: 80 % of the time a 10 KB burst takes. At the end of the
            // line, where typing and bursts go, appending is the same edit at memcpy speed;
            // GoToEnd then leaves the field as an insert would (not "after a cut").
            let mut value = self.field.value().to_owned();
            value.push(c);
            self.field = std::mem::take(&mut self.field).with_value(value);
            self.field.handle(InputRequest::GoToEnd);
            return;
        }
        self.field.handle(request);
    }

    /// Takes the text to send: clears the field and remembers the line for Up/Down.
    /// Lines sent are kept for ↑, except a typed `/SENHA` (a password is never kept).
    pub fn take(&mut self) -> String {
        let text = self.field.value_and_reset();
        self.completion = None;
        self.browsing = None;
        self.draft.clear();
        if !text.trim().is_empty() && self.sent.back() != Some(&text) && !is_password_line(&text) {
            self.sent.push_back(text.clone());
            if self.sent.len() > SENT_CAP {
                self.sent.pop_front();
            }
        }
        text
    }

    /// The previous line sent (the text being typed is kept as a draft).
    pub fn history_prev(&mut self) {
        let index = match self.browsing {
            None if self.sent.is_empty() => return,
            None => {
                self.draft = self.field.value().to_owned();
                self.sent.len() - 1
            }
            Some(0) => return,
            Some(i) => i - 1,
        };
        self.browsing = Some(index);
        let line = self.sent.get(index).cloned().unwrap_or_default();
        self.set(&line);
    }

    /// The next line sent, or back to the draft.
    pub fn history_next(&mut self) {
        let Some(i) = self.browsing else { return };
        if i + 1 < self.sent.len() {
            self.browsing = Some(i + 1);
            let line = self.sent.get(i + 1).cloned().unwrap_or_default();
            self.set(&line);
        } else {
            self.browsing = None;
            let draft = std::mem::take(&mut self.draft);
            self.set(&draft);
        }
    }

    /// Inserts pasted text at the caret. Line breaks become single spaces and tabs spaces, so a
    /// multi-line paste is one message the user sees before sending it; other control
    /// characters are dropped; at most [`MAX_PASTE_CHARS`] are inserted. The new value is built
    /// once (inserting a character at a time would be quadratic).
    pub fn paste(&mut self, text: &str) -> Pasted {
        let (clean, lines) = flatten_paste(text);
        let (clean, cut) = match clean.char_indices().nth(MAX_PASTE_CHARS) {
            Some((end, _)) => (&clean[..end], true),
            None => (clean.as_str(), false),
        };
        self.completion = None;
        insert_at_caret(&mut self.field, clean);
        Pasted { lines, cut }
    }

    /// The text before and after the caret (a paste of several lines joins them).
    pub fn around_caret(&self) -> (&str, &str) {
        let value = self.field.value();
        let at = value
            .char_indices()
            .nth(self.field.cursor())
            .map_or(value.len(), |(i, _)| i);
        value.split_at(at)
    }

    /// Empties the line and returns the text that was before and after the caret; unlike
    /// [`InputLine::take`], nothing is kept for ↑ (the text leaves as part of a paste).
    pub fn take_around_caret(&mut self) -> (String, String) {
        let (before, after) = self.around_caret();
        let taken = (before.to_owned(), after.to_owned());
        self.field.reset();
        self.completion = None;
        self.browsing = None;
        taken
    }

    /// The word before the caret and the char index where it starts.
    pub fn word_before_caret(&self) -> (usize, String) {
        let before: Vec<char> = self
            .field
            .value()
            .chars()
            .take(self.field.cursor())
            .collect();
        let start = before
            .iter()
            .rposition(|c| c.is_whitespace())
            .map_or(0, |i| i + 1);
        (start, before[start..].iter().collect())
    }

    /// Whether a completion is in progress (the last key was Tab).
    pub fn completing(&self) -> bool {
        self.completion.is_some()
    }

    /// Starts completing the word at `start` with `candidates` (first one, or last if
    /// `backwards`), each followed by `suffix`.
    pub fn start_completion(
        &mut self,
        start: usize,
        candidates: Vec<String>,
        suffix: &'static str,
        backwards: bool,
    ) {
        if candidates.is_empty() {
            return;
        }
        let index = if backwards { candidates.len() - 1 } else { 0 };
        let len = self.field.cursor().saturating_sub(start);
        self.completion = Some(Completion {
            start,
            len,
            candidates,
            index,
            suffix,
        });
        self.apply_completion();
    }

    /// The next (or previous) candidate of the completion in progress.
    pub fn cycle_completion(&mut self, backwards: bool) {
        if let Some(c) = &mut self.completion {
            let n = c.candidates.len();
            c.index = if backwards {
                (c.index + n - 1) % n
            } else {
                (c.index + 1) % n
            };
        }
        self.apply_completion();
    }

    fn apply_completion(&mut self) {
        let Some(c) = &mut self.completion else {
            return;
        };
        let Some(candidate) = c.candidates.get(c.index) else {
            return;
        };
        let chars: Vec<char> = self.field.value().chars().collect();
        let start = c.start.min(chars.len());
        let end = (c.start + c.len).min(chars.len());
        let inserted = format!("{candidate}{}", c.suffix);
        let mut value: String = chars[..start].iter().collect();
        value.push_str(&inserted);
        value.extend(&chars[end..]);
        c.len = inserted.chars().count();
        let cursor = start + c.len;
        self.field = Input::new(value).with_cursor(cursor);
    }
}

/// Inserts `text` at the caret of `field` and moves the caret after it, building the new value
/// once (a character at a time would be quadratic in a long paste). The yank buffer (Ctrl+Y)
/// is kept.
pub fn insert_at_caret(field: &mut Input, text: &str) {
    let caret = field.cursor();
    let value = field.value();
    let at = value
        .char_indices()
        .nth(caret)
        .map_or(value.len(), |(i, _)| i);
    let joined = format!("{}{text}{}", &value[..at], &value[at..]);
    let caret = caret + text.chars().count();
    *field = std::mem::take(field).with_value(joined).with_cursor(caret);
}

/// Turns pasted text into one line: each line break (LF, CRLF or CR) becomes one space, tabs
/// become spaces, other control and bidi-override characters are dropped. Returns the line and
/// how many lines the paste had.
pub fn flatten_paste(text: &str) -> (String, usize) {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let trimmed = normalised.trim_end_matches('\n');
    let lines = trimmed.split('\n').count();
    let joined = trimmed
        .chars()
        .filter_map(|c| match c {
            '\n' | '\t' => Some(' '),
            c if papo_protocol::is_forbidden_char(c) => None,
            c => Some(c),
        })
        .collect();
    (joined, lines)
}

/// Whether `line` is a `/SENHA` (or `/PASS`) command, whose argument is a password.
fn is_password_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix('/') else {
        return false;
    };
    let name = rest.split(char::is_whitespace).next().unwrap_or_default();
    papo_protocol::find_command(name)
        .is_some_and(|c| c.kind == papo_protocol::CommandKind::Password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pastes_become_one_line() {
        assert_eq!(flatten_paste("a\r\nb\nc\rd\n"), ("a b c d".to_owned(), 4));
        assert_eq!(flatten_paste("x\ty\x1b[31m"), ("x y[31m".to_owned(), 1));
        let mut line = InputLine::default();
        line.set("ab");
        line.edit(InputRequest::GoToPrevChar);
        assert_eq!(line.paste("1\n2").lines, 2);
        assert_eq!(line.value(), "a1 2b");
    }

    #[test]
    fn typing_stops_at_the_cap() {
        let mut line = InputLine::default();
        line.set(&"x".repeat(MAX_TYPED_BYTES - 1));
        line.edit(InputRequest::InsertChar('a'));
        line.edit(InputRequest::InsertChar('b'));
        assert_eq!(line.value().len(), MAX_TYPED_BYTES);
        assert!(line.value().ends_with("xa"));
        line.edit(InputRequest::DeletePrevChar);
        assert!(line.value().ends_with("xx"), "deleting still works");
    }

    #[test]
    fn up_and_down_walk_the_lines_sent_and_keep_the_draft() {
        let mut line = InputLine::default();
        for t in ["um", "dois"] {
            line.set(t);
            line.take();
        }
        line.set("rascunho");
        line.history_prev();
        assert_eq!(line.value(), "dois");
        line.history_prev();
        line.history_prev();
        assert_eq!(line.value(), "um");
        line.history_next();
        assert_eq!(line.value(), "dois");
        line.history_next();
        assert_eq!(line.value(), "rascunho");
    }
}

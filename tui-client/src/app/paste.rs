//! Multi-line pastes, sent as lines. A paste of two or more non-blank lines into the message
//! line waits for a yes: the status bar asks `colar N linhas? Enter envia · Esc edita como uma
//! linha`. Enter sends the lines in order as chat lines, paced to the server's flood allowance
//! (a burst at once, then one line per tick of [`TimerKind::Pacing`]); Esc puts them in the
//! message line as one line instead, as papo always did. Nothing is ever dropped: a paste
//! interrupted (Esc while it goes out, or a lost connection) comes back to be confirmed again.
//!
//! papo keeps its own count of the allowance, like the server's limiter: `burst` lines at once
//! (one kept in reserve, see [`allowance`]), one more back per interval. The count is a lower
//! bound (a tick never comes early), so papo's lines never wait in the server's backlog; lines
//! typed while the count is refilling spend it too.

use std::collections::VecDeque;
use std::time::Duration;

use papo_protocol::{ClientLine, Command, FloodAllowance, Limits, is_blank, is_forbidden_char};

use super::{App, Effect, Link, TimerKind, outgoing};
use crate::keys::{self, Action, Context};

/// Most lines one paste may hold; the rest is dropped, with a notice (at the default
/// allowance 1000 lines take three and a half minutes to go out).
pub const MAX_PASTE_LINES: usize = 1000;

/// How papo paces itself when the server's flood control is off: still in steps, so its own
/// send queue (256 lines) never fills.
pub const UNLIMITED: FloodAllowance = FloodAllowance {
    burst: 100,
    per_second: 100,
};

/// A paste waiting for Enter (send as lines) or Esc (edit as one line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The pasted lines, cleaned; blank ones kept (they are skipped when sending).
    lines: Vec<String>,
    /// The message line's text joins the paste at the caret (before it, the first line; after
    /// it, the last), as a terminal inserts a paste. Lines given back after an interruption
    /// do not join.
    joins_draft: bool,
    /// How many chat lines Enter sends.
    count: usize,
    /// How many pasted lines are longer than the server's limit (each goes out in pieces).
    long: usize,
}

impl Pending {
    /// How many chat lines Enter sends (blank lines skipped, long ones cut in pieces).
    pub fn count(&self) -> usize {
        self.count
    }

    /// How many pasted lines are longer than the server's limit and go out in pieces.
    pub fn long(&self) -> usize {
        self.long
    }
}

/// A paste going out, line by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sending {
    queue: VecDeque<String>,
    sent: usize,
    total: usize,
}

impl Sending {
    /// Lines sent so far.
    pub fn sent(&self) -> usize {
        self.sent
    }

    /// Lines in all.
    pub fn total(&self) -> usize {
        self.total
    }
}

/// The pastes in progress and the flood allowance they are paced by.
#[derive(Debug, Clone, Default)]
pub struct Pasting {
    pending: Option<Pending>,
    sending: Option<Sending>,
    /// Lines of the server's allowance left, by papo's count; `None` when it is whole (no
    /// pacing timer runs then).
    tokens: Option<u32>,
}

impl Pasting {
    /// The paste waiting for Enter or Esc, if any.
    pub fn pending(&self) -> Option<&Pending> {
        self.pending.as_ref()
    }

    /// The paste going out, if any.
    pub fn sending(&self) -> Option<&Sending> {
        self.sending.as_ref()
    }
}

/// The allowance papo paces itself by, and the time one line of it takes to come back: the
/// server's burst less one line, kept for a line sent just before that papo does not count
/// (the nickname sent on joining, a line typed a moment before pasting), and its rate 10 %
/// slower, so network jitter never squeezes two lines closer than the server allows. The
/// server's notice that lines are held back comes once per stretch of waiting: a client one
/// line over would get one per line, so papo stays under.
fn allowance(limits: &Limits) -> (u32, Duration) {
    let flood = limits.flood.unwrap_or(UNLIMITED);
    let per_second = flood.per_second.max(1);
    let burst = flood.burst.saturating_sub(1).max(1);
    (burst, Duration::from_millis(1100) / per_second)
}

/// Text pasted into the message line. Two or more non-blank lines wait for confirmation; one
/// is inserted at the caret as before (without the blank lines around it).
pub(super) fn pasted(app: &mut App, text: &str) {
    let (mut lines, removed) = clean_lines(text);
    let non_blank = lines.iter().filter(|l| !is_blank(l)).count();
    if non_blank < 2 {
        let one = lines.iter().find(|l| !is_blank(l)).map(String::as_str);
        let inserted = app.input.paste(one.unwrap_or(text));
        say_if_cut(app, inserted.cut);
        return;
    }
    if lines.len() > MAX_PASTE_LINES {
        let dropped = lines.len() - MAX_PASTE_LINES;
        lines.truncate(MAX_PASTE_LINES);
        app.notice(
            &format!(
                "texto colado longo demais: só as primeiras {MAX_PASTE_LINES} linhas entraram \
                 ({dropped} ficaram de fora)"
            ),
            true,
        );
    }
    if removed > 0 {
        let what = if removed == 1 {
            "1 caractere de controle removido".to_owned()
        } else {
            format!("{removed} caracteres de controle removidos")
        };
        app.notice(&format!("texto colado: {what}"), true);
    }
    let pending = match app.pasting.pending.take() {
        // A second paste before answering continues the first, as at the caret.
        Some(mut p) => {
            p.lines.extend(lines);
            p
        }
        None => Pending {
            lines,
            joins_draft: !app.input.value().is_empty(),
            count: 0,
            long: 0,
        },
    };
    set_pending(app, pending);
}

/// Keeps `pending`, counting what Enter would send.
fn set_pending(app: &mut App, mut pending: Pending) {
    let draft = pending.joins_draft.then(|| app.input.around_caret());
    let (messages, long) = messages(&pending.lines, draft, app.limits.max_line_bytes);
    pending.count = messages.len();
    pending.long = long;
    app.pasting.pending = Some(pending);
}

/// A key while a paste waits for its answer (and no dialog, help or search is open): Enter
/// sends, Esc edits as one line; the global keys and scrolling work; anything else does
/// nothing, so a stray key cannot edit the line the paste joins. Returns whether the key was
/// taken.
pub(super) fn key(app: &mut App, action: Action, fx: &mut Vec<Effect>) -> bool {
    if app.pasting.pending.is_none()
        || app.help.is_some()
        || app.dialog.is_some()
        || app.search.is_some()
    {
        return false;
    }
    match action {
        Action::Submit => confirm(app, fx),
        Action::Live => edit_as_line(app),
        Action::PageUp | Action::PageDown | Action::LineUp | Action::LineDown => return false,
        other
            if keys::BINDINGS
                .iter()
                .any(|b| b.context == Context::Global && b.action == other) =>
        {
            return false;
        }
        _ => {}
    }
    true
}

/// Enter on a waiting paste: in the room, its lines go out; elsewhere it keeps waiting.
fn confirm(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(pending) = app.pasting.pending.take() else {
        return;
    };
    if !matches!(app.link, Link::Online { .. }) {
        let why = match app.link {
            Link::Waiting { .. } | Link::Connecting { retry: true, .. } => "aguarde: reconectando",
            Link::LoggingIn { .. } => "aguarde: ainda entrando na sala",
            _ => "não conectado — use /ENTRAR (ou F2) para conectar",
        };
        let n = pending.count;
        app.error(&format!(
            "{why}; {} (Enter envia, Esc edita como uma linha)",
            lines_wait(n)
        ));
        app.pasting.pending = Some(pending);
        return;
    }
    let draft = pending.joins_draft.then(|| app.input.take_around_caret());
    let (messages, _) = messages(
        &pending.lines,
        draft.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
        app.limits.max_line_bytes,
    );
    app.history.to_live();
    let sending = app.pasting.sending.get_or_insert_with(|| Sending {
        queue: VecDeque::new(),
        sent: 0,
        total: 0,
    });
    sending.total += messages.len();
    sending.queue.extend(messages);
    send_ready(app, fx);
}

/// `as 12 linhas coladas esperam aqui`.
fn lines_wait(n: usize) -> String {
    if n == 1 {
        "a linha colada espera aqui".to_owned()
    } else {
        format!("as {n} linhas coladas esperam aqui")
    }
}

/// Esc on a waiting paste: its lines go into the message line at the caret, as one line.
fn edit_as_line(app: &mut App) {
    let Some(pending) = app.pasting.pending.take() else {
        return;
    };
    let inserted = app.input.paste(&pending.lines.join("\n"));
    say_if_cut(app, inserted.cut);
}

/// Says that a paste was cut at [`super::input::MAX_PASTE_CHARS`], if it was.
fn say_if_cut(app: &mut App, cut: bool) {
    if cut {
        app.notice(
            &format!(
                "texto colado longo demais: só os primeiros {} caracteres entraram",
                super::input::MAX_PASTE_CHARS
            ),
            true,
        );
    }
}

/// Esc while a paste goes out: the rest waits for confirmation again. Returns whether a paste
/// was going out.
pub(super) fn cancel(app: &mut App) -> bool {
    let Some(sending) = app.pasting.sending.take() else {
        return false;
    };
    app.notice(
        &format!(
            "colagem interrompida: {} de {} linhas enviadas",
            sending.sent, sending.total
        ),
        true,
    );
    give_back(app, sending.queue.into());
    true
}

/// The pacing timer ticked: one more line of allowance, and the next lines out.
pub(super) fn tick(app: &mut App, fx: &mut Vec<Effect>) {
    let (burst, _) = allowance(&app.limits);
    app.pasting.tokens = app.pasting.tokens.map(|t| t + 1).filter(|&t| t < burst);
    send_ready(app, fx);
}

/// Lines a typed Enter sent (`sent`, its effects) spend the allowance too, while papo is
/// counting it (a paste went out lately); a whole allowance has room for anyone's typing.
pub(super) fn typed(app: &mut App, sent: &[Effect]) {
    let Some(tokens) = &mut app.pasting.tokens else {
        return;
    };
    let spent = sent
        .iter()
        .filter(|e| {
            matches!(
                e,
                Effect::Send(
                    ClientLine::Text(_)
                        | ClientLine::Command(
                            Command::Me { .. } | Command::Private { .. } | Command::Nick { .. }
                        )
                )
            )
        })
        .count();
    *tokens = tokens.saturating_sub(u32::try_from(spent).unwrap_or(u32::MAX));
}

/// The connection ended (or a new one starts): the next one has a whole allowance, and a paste
/// still going out stops; its unsent lines wait to be confirmed again. Lines already handed
/// to the connection may or may not have reached the room; the replay after reconnecting
/// shows which did.
pub(super) fn end_connection(app: &mut App) {
    app.pasting.tokens = None;
    app.timers.disarm(TimerKind::Pacing);
    let Some(sending) = app.pasting.sending.take() else {
        return;
    };
    let left: Vec<String> = sending.queue.into();
    if left.is_empty() {
        return;
    }
    app.error(&format!(
        "conexão perdida no meio da colagem: {} de {} linhas enviadas; {} (Enter envia, Esc \
         edita como uma linha)",
        sending.sent,
        sending.total,
        lines_wait(left.len())
    ));
    give_back(app, left);
}

/// Unsent lines wait for confirmation again, before any paste already waiting.
fn give_back(app: &mut App, mut lines: Vec<String>) {
    if lines.is_empty() {
        return;
    }
    if let Some(mut waiting) = app.pasting.pending.take() {
        if waiting.joins_draft {
            // The draft joins the paste it was typed around, not the lines put before it.
            let (before, after) = app.input.take_around_caret();
            join_draft(&mut waiting.lines, &before, &after);
        }
        lines.extend(waiting.lines);
    }
    let pending = Pending {
        lines,
        joins_draft: false,
        count: 0,
        long: 0,
    };
    set_pending(app, pending);
}

/// Sends as many queued lines as the allowance holds, and keeps the pacing timer running while
/// the allowance is not whole.
fn send_ready(app: &mut App, fx: &mut Vec<Effect>) {
    let (burst, interval) = allowance(&app.limits);
    let mut tokens = app.pasting.tokens.unwrap_or(burst);
    if let Some(sending) = &mut app.pasting.sending {
        while tokens > 0 {
            let Some(line) = sending.queue.pop_front() else {
                break;
            };
            fx.push(Effect::Send(ClientLine::Text(line)));
            sending.sent += 1;
            tokens -= 1;
        }
        if sending.queue.is_empty() {
            app.pasting.sending = None;
        }
    }
    app.pasting.tokens = (tokens < burst).then_some(tokens);
    if app.pasting.tokens.is_some() && app.timers.pending(TimerKind::Pacing).is_none() {
        fx.push(app.timers.arm(TimerKind::Pacing, interval));
    }
}

/// Splits pasted text into lines (LF, CRLF or CR), drops the line break that ends it, and
/// removes the characters the server refuses (a tab stays: the protocol allows it). Returns
/// the lines and how many characters were removed.
fn clean_lines(text: &str) -> (Vec<String>, usize) {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let body = normalised.strip_suffix('\n').unwrap_or(&normalised);
    let mut removed = 0;
    let lines = body
        .split('\n')
        .map(|line| {
            line.chars()
                .filter(|&c| {
                    let keep = c == '\t' || !is_forbidden_char(c);
                    removed += usize::from(!keep);
                    keep
                })
                .collect()
        })
        .collect();
    (lines, removed)
}

/// Puts `before` in front of the first line and `after` behind the last.
fn join_draft(lines: &mut [String], before: &str, after: &str) {
    if let Some(first) = lines.first_mut() {
        first.insert_str(0, before);
    }
    if let Some(last) = lines.last_mut() {
        last.push_str(after);
    }
}

/// The chat lines `lines` go out as, with `draft` (the message line around the caret) joined:
/// blank lines skipped (the server ignores them), each line longer than `max_line_bytes` cut
/// in pieces. Returns them and how many lines were cut.
fn messages(
    lines: &[String],
    draft: Option<(&str, &str)>,
    max_line_bytes: usize,
) -> (Vec<String>, usize) {
    let mut lines = lines.to_vec();
    if let Some((before, after)) = draft {
        join_draft(&mut lines, before, after);
    }
    let mut out = Vec::new();
    let mut long = 0;
    for line in lines.iter().filter(|l| !is_blank(l)) {
        let pieces = outgoing::split_line(line, max_line_bytes);
        long += usize::from(pieces.len() > 1);
        out.extend(pieces.into_iter().filter(|p| !is_blank(p)));
    }
    (out, long)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_text_becomes_clean_lines() {
        let (lines, removed) = clean_lines("a\r\nb\rc\n\x1b[31md\te\n");
        assert_eq!(lines, ["a", "b", "c", "[31md\te"]);
        assert_eq!(removed, 1);
        assert_eq!(clean_lines("só uma").0, ["só uma"]);
    }

    #[test]
    fn blank_lines_are_skipped_and_long_ones_cut() {
        let lines: Vec<String> = ["um", "", "  ", &"x".repeat(100), "/etc"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let (out, long) = messages(&lines, Some(("olha: ", " fim")), 64);
        assert_eq!(out[0], "olha: um");
        assert_eq!(out[1].len(), 64);
        assert_eq!(out[2].len(), 36);
        assert_eq!(out[3], "/etc fim");
        assert_eq!((out.len(), long), (4, 1));
    }

    #[test]
    fn the_allowance_is_the_servers_a_little_slower() {
        let (burst, interval) = allowance(&Limits::default());
        assert_eq!((burst, interval), (24, Duration::from_millis(220)));
        let off = Limits {
            max_line_bytes: 4096,
            flood: None,
        };
        assert_eq!(allowance(&off), (99, Duration::from_millis(11)));
    }
}

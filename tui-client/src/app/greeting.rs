//! Whether the other side is a papo server at all: a new connection must greet with `HELLO`
//! (or a papo `ERR`/`BYE`, as a full server does) within [`GREETING_WAIT`], and its first line
//! must be one papo can read. A port that is something else (an SSH server, a web server that
//! waits for a request) is given up with a message instead of "entrando…" forever. The
//! greeting also says what the server allows each member (its line limit and flood
//! allowance), which papo keeps to warn before a line is refused and to pace pastes.

use std::time::Duration;

use papo_protocol::{FloodAllowance, Limits};

use super::{App, Effect, Field, Link, TimerKind, server};
use crate::sanitize;

/// How long a new connection may stay silent before papo gives it up.
pub const GREETING_WAIT: Duration = Duration::from_secs(10);

/// The most of a stranger's first line quoted back to the user.
const QUOTED_CHARS: usize = 60;

/// The connection is open: the greeting is awaited.
pub(super) fn connected(app: &mut App, fx: &mut Vec<Effect>) {
    app.greeted = false;
    fx.push(app.timers.arm(TimerKind::Greeting, GREETING_WAIT));
}

/// A line papo could read came (a `HELLO`, or an `ERR` of a full server): a papo server.
pub(super) fn greeted(app: &mut App) {
    if !app.greeted {
        app.greeted = true;
        app.timers.disarm(TimerKind::Greeting);
    }
}

/// Lines a papo server may greet with that this client cannot parse (a newer version, an
/// error code it does not know): papo all the same.
const PAPO_OPENINGS: [&str; 3] = ["HELLO papo ", "ERR ", "BYE "];

/// The first line could not be parsed (`raw`, already cleaned): unless it still opens like a
/// papo server's, the other side speaks something else. Returns whether the connection was
/// given up.
pub(super) fn stranger(app: &mut App, raw: &str, fx: &mut Vec<Effect>) -> bool {
    if app.greeted || !matches!(app.link, Link::LoggingIn { .. }) {
        return false;
    }
    if PAPO_OPENINGS.iter().any(|opening| raw.starts_with(opening)) {
        greeted(app);
        return false;
    }
    let mut quoted: String = raw.chars().take(QUOTED_CHARS).collect();
    if quoted.len() < raw.len() {
        quoted.push('…');
    }
    let quoted = sanitize::clean(&quoted);
    give_up(
        app,
        format!("isso não é um servidor papo (respondeu: «{quoted}») — a porta está certa?"),
        fx,
    );
    true
}

/// The first line could not even be read (`why`: not UTF-8, too long): not papo.
pub(super) fn unreadable(app: &mut App, why: &str, fx: &mut Vec<Effect>) -> bool {
    if app.greeted || !matches!(app.link, Link::LoggingIn { .. }) {
        return false;
    }
    give_up(
        app,
        format!("isso não é um servidor papo (a primeira linha: {why}) — a porta está certa?"),
        fx,
    );
    true
}

/// Smallest and largest line limit a papo server can be given (`--max-line-bytes`).
const LINE_LIMIT_RANGE: (usize, usize) = (64, 65_536);

/// Most lines papo sends at once, and per second, whatever the server allows: its own send
/// queue holds 256 lines.
const MAX_PACE: u32 = 100;

/// The limits the greeting announced (see `HELLO` in `docs/protocol.md`), or the documented
/// defaults from a server that does not announce them. Kept within what a papo server can be
/// set to, so a broken or hostile greeting cannot make papo cut pastes into crumbs or send
/// them all at once.
pub(super) fn limits(app: &mut App, announced: Option<Limits>) {
    let announced = announced.unwrap_or_default();
    let (least, most) = LINE_LIMIT_RANGE;
    app.limits = Limits {
        max_line_bytes: announced.max_line_bytes.clamp(least, most),
        flood: announced.flood.map(|f| FloodAllowance {
            burst: f.burst.clamp(1, MAX_PACE),
            per_second: f.per_second.clamp(1, MAX_PACE),
        }),
    };
}

/// The greeting's wait is over.
pub(super) fn tick(app: &mut App, fx: &mut Vec<Effect>) {
    if app.greeted || !matches!(app.link, Link::LoggingIn { .. }) {
        return;
    }
    let secs = GREETING_WAIT.as_secs();
    give_up(
        app,
        format!("o servidor não se apresentou como papo em {secs} s — a porta está certa?"),
        fx,
    );
}

/// Gives the connection up: an automatic reconnect tries again later; otherwise the dialog
/// comes back on the port.
fn give_up(app: &mut App, why: String, fx: &mut Vec<Effect>) {
    if matches!(app.link, Link::LoggingIn { retry: true, .. }) {
        fx.push(Effect::Disconnect);
        server::closed(app, why, fx);
    } else {
        app.error(&why);
        server::stop_and_ask(app, Field::Port, why, fx);
    }
}

/// The connection ended: nothing more is awaited.
pub(super) fn end_connection(app: &mut App) {
    app.timers.disarm(TimerKind::Greeting);
}

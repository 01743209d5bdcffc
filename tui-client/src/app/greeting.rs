//! Whether the other side is a papo server at all: a new connection must greet with `HELLO`
//! (or a papo `ERR`/`BYE`, as a full server does) within [`GREETING_WAIT`], and its first line
//! must be one papo can read. A port that is something else (an SSH server, a web server that
//! waits for a request) is given up with a message instead of "entrando…" forever.

use std::time::Duration;

use super::{App, Effect, Link, TimerKind, server};
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

/// The first line could not be read as papo's (`raw`, already cleaned, or why it could not be
/// read): the other side speaks something else. Returns whether the connection was given up.
pub(super) fn stranger(app: &mut App, raw: &str, fx: &mut Vec<Effect>) -> bool {
    if app.greeted || !matches!(app.link, Link::LoggingIn { .. }) {
        return false;
    }
    let quoted: String = raw.chars().take(QUOTED_CHARS).collect();
    let quoted = sanitize::clean(&quoted);
    give_up(
        app,
        format!("isto não é um servidor papo (ele disse: «{quoted}») — a porta é a certa?"),
        fx,
    );
    true
}

/// The greeting's wait is over.
pub(super) fn tick(app: &mut App, fx: &mut Vec<Effect>) {
    if app.greeted || !matches!(app.link, Link::LoggingIn { .. }) {
        return;
    }
    let secs = GREETING_WAIT.as_secs();
    give_up(
        app,
        format!("o servidor não se apresentou como papo em {secs} s — a porta é a certa?"),
        fx,
    );
}

fn give_up(app: &mut App, why: String, fx: &mut Vec<Effect>) {
    fx.push(Effect::Disconnect);
    server::closed(app, why, fx);
}

/// The connection ended: nothing more is awaited.
pub(super) fn end_connection(app: &mut App) {
    app.timers.disarm(TimerKind::Greeting);
}

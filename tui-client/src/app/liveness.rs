//! Telling a dead or hung server from a quiet room. TCP keepalive notices a network that
//! vanished, but not a server process that stopped reading or answering. So, in the room, once
//! nothing at all has arrived for [`IDLE`], papo sends `/PING` with a token of its own; if still
//! nothing arrives within [`ANSWER`], the connection is taken for lost and papo reconnects as if
//! the server had closed it. Any line counts as a sign of life, not only the `PONG`; the `PONG`
//! to papo's own ping is not shown (one to a `/PING` you typed is).
//!
//! The waits are [`TimerKind::Liveness`] timers: every line re-arms it, so its tick means that
//! much silence. No clock is read here.

use std::time::Duration;

use papo_protocol::{ClientLine, Command};

use super::{App, Effect, Link, TimerKind, server};

/// Silence in the room before papo pings the server.
pub const IDLE: Duration = Duration::from_secs(60);
/// Further silence after the ping before the connection is taken for lost.
pub const ANSWER: Duration = Duration::from_secs(20);
/// Why the connection ended, when the server stopped answering.
pub const GONE_QUIET: &str = "o servidor parou de responder";

/// The liveness state of the current connection.
#[derive(Debug, Clone, Default)]
pub struct Liveness {
    /// Counts papo's pings, to make each token different.
    pings: u64,
    /// The token of papo's latest ping, until its `PONG` arrives (that `PONG` is not shown).
    token: Option<String>,
    /// A ping was sent and nothing has arrived since.
    waiting: bool,
}

/// Something arrived from the server (any line, even one papo cannot read): the server is
/// alive, so the idle wait starts over. Only in the room; joining arms it the first time.
pub(super) fn heard(app: &mut App, fx: &mut Vec<Effect>) {
    if !matches!(app.link, Link::Online { .. }) {
        return;
    }
    app.liveness.waiting = false;
    fx.push(app.timers.arm(TimerKind::Liveness, IDLE));
}

/// The liveness timer went off: after [`IDLE`], ping; after [`ANSWER`] more, the server is gone.
pub(super) fn tick(app: &mut App, fx: &mut Vec<Effect>) {
    if !matches!(app.link, Link::Online { .. }) {
        return;
    }
    if app.liveness.waiting {
        app.liveness.waiting = false;
        fx.push(Effect::Disconnect);
        server::closed(app, GONE_QUIET.to_owned(), fx);
        return;
    }
    app.liveness.pings += 1;
    let token = format!("papo-{}", app.liveness.pings);
    app.liveness.token = Some(token.clone());
    app.liveness.waiting = true;
    fx.push(Effect::Send(ClientLine::Command(Command::Ping {
        text: token,
    })));
    fx.push(app.timers.arm(TimerKind::Liveness, ANSWER));
}

/// A `PONG` arrived: whether it answers papo's own ping (and so is not shown).
pub(super) fn own_pong(app: &mut App, text: &str) -> bool {
    if app.liveness.token.as_deref() == Some(text) {
        app.liveness.token = None;
        true
    } else {
        false
    }
}

/// The connection ended: its timer and ping no longer matter.
pub(super) fn end_connection(app: &mut App) {
    app.timers.disarm(TimerKind::Liveness);
    app.liveness.waiting = false;
    app.liveness.token = None;
}

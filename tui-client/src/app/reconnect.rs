//! Reconnecting by itself: after the link to the room is lost, papo waits, then tries again,
//! with exponential backoff and jitter (about 1 s doubling to about 30 s). The wait is
//! [`Link::Waiting`]; it counts down in [`Event::Tick`](super::Event::Tick)s that the binary
//! sends after each [`Effect::Timer`] of kind [`TimerKind::Reconnect`], so no clock is read here
//! and tests drive it with values.

use std::time::Duration;

use papo_protocol::Nickname;

use super::{App, Effect, Link, Server, TimerKind, commands};

/// The first wait, before jitter.
pub const FIRST_DELAY: Duration = Duration::from_secs(1);
/// The longest wait, before jitter.
pub const MAX_DELAY: Duration = Duration::from_secs(30);
/// Each wait is scaled by a factor in `[1 - JITTER, 1 + JITTER]`, in thousandths, so clients
/// dropped together by a restart do not all come back in the same instant.
pub const JITTER_PERMILLE: u64 = 200;

/// A small xorshift PRNG: enough to spread reconnects, and seeded so tests are deterministic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from `seed` (any value; zero, which xorshift cannot leave, is replaced).
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// How long to wait before the next attempt: counts the failures since the link was last
/// good and draws the jitter.
#[derive(Debug, Clone)]
pub struct Backoff {
    failures: u32,
    rng: XorShift,
}

impl Backoff {
    /// A backoff with nothing failed yet, its jitter drawn from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            failures: 0,
            rng: XorShift::new(seed),
        }
    }

    /// The wait before the next attempt: [`FIRST_DELAY`] doubled once per earlier wait, at most
    /// [`MAX_DELAY`], times the jitter. Counts one more wait.
    pub fn next_delay(&mut self) -> Duration {
        let base = FIRST_DELAY
            .saturating_mul(1 << self.failures.min(5))
            .min(MAX_DELAY);
        self.failures = self.failures.saturating_add(1);
        let spread = 2 * JITTER_PERMILLE + 1;
        let permille = 1000 - JITTER_PERMILLE + self.rng.next_u64() % spread;
        let millis = u64::try_from(base.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(millis.saturating_mul(permille) / 1000)
    }

    /// The link is good again (or the user took over): the next wait is the first one.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

/// The next step of a countdown from `remaining`: its fraction of a second first, then whole
/// seconds, so the status bar's seconds change on time.
pub fn step(remaining: Duration) -> Duration {
    let fraction = Duration::new(0, remaining.subsec_nanos());
    if fraction.is_zero() {
        remaining.min(Duration::from_secs(1))
    } else {
        fraction
    }
}

/// Whole seconds left, rounded up (what the status bar shows).
pub fn seconds_left(remaining: Duration) -> u64 {
    remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0)
}

/// Starts waiting to reconnect to `server` as `nick`; `reason` is why the link ended.
pub(super) fn schedule(
    app: &mut App,
    server: Server,
    nick: Nickname,
    reason: String,
    fx: &mut Vec<Effect>,
) {
    let remaining = app.backoff.next_delay();
    app.link = Link::Waiting {
        server,
        nick,
        reason,
        remaining,
    };
    fx.push(app.timers.arm(TimerKind::Reconnect, step(remaining)));
}

/// The countdown's timer went off: one step less to wait, and the attempt when none is left.
/// Ignored unless waiting (a timer outlives a wait that F2 or Esc ended).
pub(super) fn tick(app: &mut App, fx: &mut Vec<Effect>) {
    let Link::Waiting { remaining, .. } = &mut app.link else {
        return;
    };
    *remaining = remaining.saturating_sub(step(*remaining));
    let left = *remaining;
    if left.is_zero() {
        attempt(app, fx);
    } else {
        fx.push(app.timers.arm(TimerKind::Reconnect, step(left)));
    }
}

/// F2 while waiting: tries at once. Returns whether papo was waiting.
pub(super) fn now(app: &mut App, fx: &mut Vec<Effect>) -> bool {
    if !matches!(app.link, Link::Waiting { .. }) {
        return false;
    }
    attempt(app, fx);
    true
}

/// Esc while waiting: stops reconnecting; F2 then opens the dialog as usual. Returns whether
/// papo was waiting.
pub(super) fn cancel(app: &mut App) -> bool {
    let Link::Waiting { reason, .. } = &app.link else {
        return false;
    };
    app.link = Link::Offline {
        reason: Some(reason.clone()),
    };
    app.timers.disarm(TimerKind::Reconnect);
    app.backoff.reset();
    app.notice("reconexão cancelada", true);
    true
}

fn attempt(app: &mut App, fx: &mut Vec<Effect>) {
    let Link::Waiting { server, nick, .. } = &app.link else {
        return;
    };
    let (server, nick) = (server.clone(), nick.clone());
    app.timers.disarm(TimerKind::Reconnect);
    commands::open(app, server, nick, true, fx);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countdown_takes_the_fraction_first_then_whole_seconds() {
        let ms = Duration::from_millis;
        assert_eq!(step(ms(4_800)), ms(800));
        assert_eq!(step(ms(4_000)), ms(1_000));
        assert_eq!(step(ms(300)), ms(300));
        assert_eq!(step(Duration::ZERO), Duration::ZERO);
        assert_eq!(seconds_left(ms(4_800)), 5);
        assert_eq!(seconds_left(ms(4_000)), 4);
        assert_eq!(seconds_left(ms(1)), 1);
    }

    #[test]
    fn xorshift_never_sticks_at_zero() {
        let mut rng = XorShift::new(0);
        assert_ne!(rng.next_u64(), 0);
    }
}

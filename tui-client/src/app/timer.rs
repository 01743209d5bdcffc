//! Timers as values: `update` asks for a wait with [`Effect::Timer`](super::Effect::Timer) and
//! the binary answers with [`Event::Tick`](super::Event::Tick). Each kind has one slot, and each
//! timer a number, so a tick from a timer that was since replaced (an earlier countdown step,
//! the liveness check of a connection already gone) is recognised and does nothing.

use std::time::Duration;

use super::Effect;

/// What a timer is for; one pending timer per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimerKind {
    /// The next step of the reconnect countdown ([`super::reconnect`]).
    Reconnect,
    /// The check that the server still answers ([`super::liveness`]).
    Liveness,
    /// The wait for a new connection's `HELLO` ([`super::greeting`]).
    Greeting,
    /// The next line of a paste, or of the flood allowance coming back ([`super::paste`]).
    Pacing,
}

/// One timer: its kind and its number (never reused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timer {
    /// What it is for.
    pub kind: TimerKind,
    /// Which one: the latest of its kind is the only one that counts.
    pub id: u64,
}

/// The latest timer of each kind.
#[derive(Debug, Clone, Default)]
pub struct Timers {
    next: u64,
    reconnect: Option<u64>,
    liveness: Option<u64>,
    greeting: Option<u64>,
    pacing: Option<u64>,
}

impl Timers {
    /// The latest timer of `kind` still to tick, if any.
    pub fn pending(&self, kind: TimerKind) -> Option<Timer> {
        self.slot(kind).map(|id| Timer { kind, id })
    }

    /// A new timer of `kind` replacing the pending one; the effect that sets it.
    pub(super) fn arm(&mut self, kind: TimerKind, after: Duration) -> Effect {
        self.next += 1;
        let id = self.next;
        *self.slot_mut(kind) = Some(id);
        Effect::Timer {
            timer: Timer { kind, id },
            after,
        }
    }

    /// Forgets the pending timer of `kind`: its tick, if it comes, does nothing.
    pub(super) fn disarm(&mut self, kind: TimerKind) {
        *self.slot_mut(kind) = None;
    }

    /// `timer` ticked: whether it is the pending one of its kind (which it then no longer is).
    pub(super) fn fired(&mut self, timer: Timer) -> bool {
        let slot = self.slot_mut(timer.kind);
        if *slot == Some(timer.id) {
            *slot = None;
            true
        } else {
            false
        }
    }

    fn slot(&self, kind: TimerKind) -> Option<u64> {
        match kind {
            TimerKind::Reconnect => self.reconnect,
            TimerKind::Liveness => self.liveness,
            TimerKind::Greeting => self.greeting,
            TimerKind::Pacing => self.pacing,
        }
    }

    fn slot_mut(&mut self, kind: TimerKind) -> &mut Option<u64> {
        match kind {
            TimerKind::Reconnect => &mut self.reconnect,
            TimerKind::Liveness => &mut self.liveness,
            TimerKind::Greeting => &mut self.greeting,
            TimerKind::Pacing => &mut self.pacing,
        }
    }
}

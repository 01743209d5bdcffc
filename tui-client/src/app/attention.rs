//! What reaches a reader who is not looking: the bell on a mention or a private message, the
//! unread count in the terminal's title (`(3) papo`) while scrolled up or while the terminal is
//! unfocused, and the read marker above the first entry that arrived while away.

use super::{App, Clock, Effect};
use papo_protocol::Timestamp;

/// The title when nothing is unread.
pub const TITLE: &str = "papo";

/// At most one bell per this many seconds: a burst of mentions is one ring.
const BELL_GAP_SECONDS: i64 = 1;

/// The reader's attention.
#[derive(Debug, Clone)]
pub struct Attention {
    /// The terminal has the focus (assumed until it says otherwise: terminals without focus
    /// reporting never do).
    pub focused: bool,
    /// Messages that arrived while scrolled up or unfocused.
    pub unread: usize,
    /// The title last set (the binary sets [`TITLE`] at start: [`super::initial_effects`]).
    title: String,
    /// When the bell last rang (unix seconds).
    last_bell: Option<i64>,
}

impl Default for Attention {
    fn default() -> Self {
        Self {
            focused: true,
            unread: 0,
            title: TITLE.to_owned(),
            last_bell: None,
        }
    }
}

impl Attention {
    /// The title as last set.
    pub fn title(&self) -> &str {
        &self.title
    }
}

/// A live room event was added to the history. `message` if it is a message from someone
/// else; `mention` if it mentions you or is private to you.
pub(super) fn arrived(app: &mut App, message: bool, mention: bool, fx: &mut Vec<Effect>) {
    let away = !app.attention.focused;
    if away {
        app.history.mark_unread();
    }
    if message && (away || !app.history.is_live()) {
        app.attention.unread += 1;
    }
    if mention && app.config.bell {
        let now = match app.clock {
            Clock::System => Timestamp::now(),
            Clock::Fixed(t) => t,
        }
        .unix_seconds();
        if app
            .attention
            .last_bell
            .is_none_or(|t| now - t >= BELL_GAP_SECONDS || now < t)
        {
            app.attention.last_bell = Some(now);
            fx.push(Effect::Bell);
        }
    }
}

/// The terminal gained or lost the focus. Losing it moves the read marker: the next entry to
/// arrive gets it.
pub(super) fn focus(app: &mut App, focused: bool) {
    app.attention.focused = focused;
    if !focused {
        app.history.clear_marker();
    }
}

/// Sets the title to the unread count when it changed. Back in focus at the newest lines,
/// everything counts as read.
pub(super) fn refresh_title(app: &mut App, fx: &mut Vec<Effect>) {
    if app.attention.focused && app.history.is_live() {
        app.attention.unread = 0;
    }
    let title = match app.attention.unread {
        0 => TITLE.to_owned(),
        n => format!("({n}) {TITLE}"),
    };
    if app.attention.title != title {
        app.attention.title = title.clone();
        fx.push(Effect::Title(title));
    }
}

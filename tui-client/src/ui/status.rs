//! The status bar: connection state (or, instead, a paste waiting for its answer or going
//! out), head count, the new-messages and mention markers, the message line's size near the
//! server's limit, and hints for the main keys (from the key table).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::app::outgoing::{grouped, typed_bytes};
use crate::app::{App, Link, reconnect};
use crate::keys::{self, Action, Context};
use crate::theme::Look;
use crate::wrap::text_width;

/// What the status bar says about the connection.
pub fn state_text(app: &App) -> String {
    if app.quitting {
        return "saindo…".to_owned();
    }
    match &app.link {
        Link::Offline { reason: None } => "desconectado — /ENTRAR ou F2 para conectar".to_owned(),
        Link::Offline { reason: Some(r) } => format!("desconectado: {r} — F2 reconecta"),
        Link::Waiting { remaining, .. } => {
            let secs = reconnect::seconds_left(*remaining);
            let now = keys::first_label(Context::Global, Action::OpenDialog)
                .map_or_else(String::new, |k| format!(" {k} agora,"));
            let cancel = keys::first_label(Context::Room, Action::Live)
                .map_or_else(String::new, |k| format!(" {k} cancela"));
            format!("reconectando em {secs} s…{now}{cancel}")
        }
        Link::Connecting {
            server,
            retry: true,
            ..
        } => format!("reconectando a {server}…{}", cancel_hint()),
        Link::Connecting { server, .. } => format!("conectando a {server}…{}", cancel_hint()),
        Link::LoggingIn { server, nick, .. } => {
            format!("entrando em {server} como {nick}…{}", cancel_hint())
        }
        Link::Online { server, nick, .. } => {
            let n = app.users.len();
            let people = if n == 1 { "pessoa" } else { "pessoas" };
            format!("conectado a {server} como {nick} · {n} {people}")
        }
    }
}

/// While a paste waits for its answer or goes out, what the status bar says instead of the
/// connection state: `colar 12 linhas? Enter envia · Esc edita como uma linha`, or
/// `colando 12/40 linhas… (Esc cancela)`.
pub fn paste_text(app: &App) -> Option<String> {
    if let Some(pending) = app.pasting.pending() {
        let key = |action| keys::first_label(Context::Room, action).unwrap_or_default();
        let n = pending.count();
        let lines = if n == 1 {
            "1 linha".to_owned()
        } else {
            format!("{n} linhas")
        };
        let long = match pending.long() {
            0 => String::new(),
            1 => " (1 longa dividida)".to_owned(),
            k => format!(" ({k} longas divididas)"),
        };
        return Some(format!(
            "colar {lines}{long}? {} envia · {} edita como uma linha",
            key(Action::Submit),
            key(Action::Live)
        ));
    }
    let sending = app.pasting.sending()?;
    Some(format!(
        "colando {}/{} linhas…{}",
        sending.sent(),
        sending.total(),
        cancel_hint()
    ))
}

/// The message line's size as the server counts it, once it passes 90 % of the server's limit:
/// `3.900/4.096 bytes`, or `longa demais: 5.000/4.096 bytes` (Enter would keep it).
pub fn size_marker(app: &App) -> Option<String> {
    let max = app.limits.max_line_bytes;
    let typed = app.input.value();
    // On the wire a line is at most a few bytes longer than typed (`/RETOMAR` for `/RESUME`),
    // so most lines are not parsed at all.
    if (typed.len() + 8) * 10 < max * 9 {
        return None;
    }
    let bytes = typed_bytes(typed)?;
    let size = format!("{}/{} bytes", grouped(bytes), grouped(max));
    if bytes > max {
        Some(format!("longa demais: {size}"))
    } else {
        (bytes * 10 >= max * 9).then_some(size)
    }
}

/// ` (Esc cancela)`: the key that gives a connection attempt up.
fn cancel_hint() -> String {
    keys::first_label(Context::Room, Action::Live)
        .map_or_else(String::new, |k| format!(" ({k} cancela)"))
}

/// The markers shown while scrolled up: what arrived below, or, when nothing did, that the view
/// is not following new messages and how to get back.
pub fn markers(app: &App) -> Vec<String> {
    let mut out = Vec::new();
    if app.history.mention_pending() {
        out.push("menção ↓".to_owned());
    }
    if app.history.unseen() {
        out.push("novas mensagens ↓".to_owned());
    }
    if out.is_empty() && !app.history.is_live() {
        let back = keys::first_label(Context::Room, Action::Live)
            .map_or_else(String::new, |k| format!(" · {k} volta"));
        out.push(format!("rolado ↑{back}"));
    }
    // The line being typed matters most: it comes first.
    if let Some(size) = size_marker(app) {
        out.insert(0, size);
    }
    out
}

/// Draws the bar.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let theme = app.theme;
    let bar = theme.style(Look::Status);
    buf.set_style(area, bar);
    for x in area.left()..area.right() {
        buf[(x, area.y)].set_symbol(" ");
    }
    let right = area.right();
    let room = |x: u16| usize::from(right.saturating_sub(x));
    // The markers matter more than the end of the state text: it gives way to them.
    let marker_texts: Vec<String> = markers(app).iter().map(|m| format!(" {m} ")).collect();
    let markers_width: usize = marker_texts.iter().map(|m| text_width(m) + 1).sum();
    let state_room = usize::from(area.width).saturating_sub(1 + markers_width);
    // A paste waiting for its answer says so in place of the state, highlighted: the keys
    // do something else until it is answered.
    let (state, look) = match paste_text(app) {
        Some(text) if app.pasting.pending().is_some() => (text, theme.style(Look::Marker)),
        Some(text) => (text, bar),
        None => (state_text(app), bar),
    };
    let (mut x, _) = buf.set_stringn(area.x + 1, area.y, state, state_room, look);
    for marker in marker_texts {
        let start = x.saturating_add(1);
        if start >= right {
            break;
        }
        let (end, _) = buf.set_stringn(
            start,
            area.y,
            marker,
            room(start),
            theme.style(Look::Marker),
        );
        x = end;
    }
    // Hints, right-aligned, as many as fit after the state.
    let hints: Vec<(String, &str)> = keys::hints().collect();
    let width_of = |h: &[(String, &str)]| -> usize {
        h.iter()
            .map(|(k, l)| text_width(k) + 1 + text_width(l) + 2)
            .sum()
    };
    let used = usize::from(x - area.x) + 2;
    let mut count = hints.len();
    while count > 0 && used + width_of(&hints[..count]) > usize::from(area.width) {
        count -= 1;
    }
    let total = u16::try_from(width_of(&hints[..count])).unwrap_or(u16::MAX);
    let mut hx = right.saturating_sub(total);
    let key_style = bar.patch(theme.style(Look::KeyName));
    for (key, label) in &hints[..count] {
        let (after_key, _) = buf.set_stringn(hx, area.y, key, room(hx), key_style);
        let (after, _) = buf.set_stringn(after_key + 1, area.y, label, room(after_key + 1), bar);
        hx = after + 2;
    }
}

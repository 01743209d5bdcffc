//! The help overlay: the commands only the server knows (from its latest answer to `/AJUDA`,
//! if it names any this client does not), every key of the key table, by context, then every
//! command people type (the protocol's command table, less what papo sends by itself). One
//! list: a command papo knows is never listed twice.
//! Scrolls with ↑/↓/PgUp/PgDn.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, Borders, Clear, Widget};

use crate::app::{App, typed_commands};
use crate::keys::{self, Context};
use crate::theme::Look;
use crate::wrap::{Seg, rows_as_text, text_width, wrap};

/// Title of the section holding the server's `HELP` lines for commands papo does not know.
pub const SERVER_SECTION: &str = "Comandos só deste servidor";

/// One line of the help: a left column (keys or command), the description, or a section title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    /// A section title.
    Title(&'static str),
    /// Keys (or a command) and what they do.
    Item(String, String),
    /// A row of text (the server's help, wrapped).
    Text(String),
    /// A blank line.
    Blank,
}

/// Where the overlay's text goes on a screen of `area`: inside the frame, which leaves a margin
/// when there is room.
pub fn inner(area: Rect) -> Rect {
    Block::new().borders(Borders::ALL).inner(frame(area))
}

/// The overlay's frame on a screen of `area`.
fn frame(area: Rect) -> Rect {
    if area.width > 8 && area.height > 6 {
        Rect::new(area.x + 2, area.y + 1, area.width - 4, area.height - 2)
    } else {
        area
    }
}

/// The help's content for `app` on its screen, in order.
pub fn lines(app: &App) -> Vec<HelpLine> {
    let (w, h) = app.size;
    let width = usize::from(inner(Rect::new(0, 0, w, h)).width);
    let mut out = Vec::new();
    let unknown: Vec<&String> = app
        .server_help
        .iter()
        .filter(|text| names_unknown_command(text))
        .collect();
    if !unknown.is_empty() {
        out.push(HelpLine::Title(SERVER_SECTION));
        for text in unknown {
            let hang = text.len() - text.trim_start_matches(' ').len();
            let segs = [Seg::new(text, Look::Plain)];
            let rows = wrap(&segs, 0, hang, width.saturating_sub(1).max(1));
            out.extend(rows_as_text(&segs, &rows).into_iter().map(HelpLine::Text));
        }
        out.push(HelpLine::Blank);
    }
    let order = [
        Context::Global,
        Context::Room,
        Context::Edit,
        Context::SearchEdit,
        Context::SearchResults,
        Context::Dialog,
        Context::Help,
    ];
    for context in order {
        out.push(HelpLine::Title(context.title()));
        for b in keys::BINDINGS.iter().filter(|b| b.context == context) {
            out.push(HelpLine::Item(keys::labels(b), b.help.to_owned()));
        }
        if context == Context::Edit {
            out.push(HelpLine::Item(
                "letras".into(),
                "digitam no campo; colar junta as linhas em uma".into(),
            ));
        }
        out.push(HelpLine::Blank);
    }
    out.push(HelpLine::Title("Comandos (digite na linha de mensagem)"));
    for c in typed_commands() {
        let aliases: Vec<String> = c.aliases.iter().map(|a| format!("/{a}")).collect();
        let mut left = c.usage.to_owned();
        if !aliases.is_empty() {
            left.push_str(&format!(" ({})", aliases.join(", ")));
        }
        out.push(HelpLine::Item(left, c.summary.to_owned()));
    }
    for c in &crate::app::commands::LOCAL_COMMANDS {
        let aliases: Vec<String> = c.aliases.iter().map(|a| format!("/{a}")).collect();
        let left = format!("{} ({})", c.usage, aliases.join(", "));
        out.push(HelpLine::Item(left, c.summary.to_owned()));
    }
    out.push(HelpLine::Item(
        "//texto".into(),
        "envia texto que começa com /".into(),
    ));
    out
}

/// Whether a `HELP` line describes a command this client does not know (a newer server's):
/// its first word is `/NAME` and no command of papo's table has that name.
fn names_unknown_command(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or_default();
    first
        .strip_prefix('/')
        .is_some_and(|name| !name.is_empty() && papo_protocol::find_command(name).is_none())
}

/// How many lines the help has for `app`.
pub fn line_count(app: &App) -> usize {
    lines(app).len()
}

/// Draws the overlay over `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let rect = frame(area);
    Clear.render(rect, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(" Ajuda do papo — Esc fecha ")
        .border_style(theme.style(Look::Frame));
    let inner = block.inner(rect);
    block.render(rect, buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let lines = lines(app);
    let left_w = lines
        .iter()
        .map(|l| match l {
            HelpLine::Item(k, _) => text_width(k),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
        .min(usize::from(inner.width) / 2)
        + 2;
    let visible = usize::from(inner.height);
    let scroll = app
        .help
        .unwrap_or(0)
        .min(lines.len().saturating_sub(visible));
    let width = usize::from(inner.width);
    for (y, line) in (inner.y..inner.bottom()).zip(lines.iter().skip(scroll)) {
        match line {
            HelpLine::Title(t) => {
                buf.set_stringn(inner.x, y, t, width, theme.style(Look::KeyName));
            }
            HelpLine::Item(k, d) => {
                buf.set_stringn(
                    inner.x + 1,
                    y,
                    k,
                    left_w.saturating_sub(2),
                    theme.style(Look::KeyName),
                );
                let dx = inner
                    .x
                    .saturating_add(u16::try_from(left_w).unwrap_or(u16::MAX));
                if dx < inner.right() {
                    buf.set_stringn(dx, y, d, usize::from(inner.right() - dx), Style::new());
                }
            }
            HelpLine::Text(t) => {
                buf.set_stringn(inner.x + 1, y, t, width.saturating_sub(1), Style::new());
            }
            HelpLine::Blank => {}
        }
    }
}

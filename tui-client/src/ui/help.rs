//! The help overlay: every key of the key table, by context, then every command of the
//! protocol's command table. Scrolls with ↑/↓/PgUp/PgDn.

use papo_protocol::COMMANDS;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Widget};

use crate::app::App;
use crate::keys::{self, Context};
use crate::theme::Look;
use crate::wrap::text_width;

/// One line of the help: a left column (keys or command), the description, or a section title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    /// A section title.
    Title(&'static str),
    /// Keys (or a command) and what they do.
    Item(String, String),
    /// A blank line.
    Blank,
}

/// The help's content, in order.
pub fn lines() -> Vec<HelpLine> {
    let mut out = Vec::new();
    let order = [
        Context::Global,
        Context::Room,
        Context::Edit,
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
    for c in &COMMANDS {
        let aliases: Vec<String> = c.aliases.iter().map(|a| format!("/{a}")).collect();
        let mut left = c.usage.to_owned();
        if !aliases.is_empty() {
            left.push_str(&format!(" ({})", aliases.join(", ")));
        }
        out.push(HelpLine::Item(left, c.summary.to_owned()));
    }
    out.push(HelpLine::Item(
        "//texto".into(),
        "envia texto que começa com /".into(),
    ));
    out
}

/// How many lines the help has.
pub fn line_count() -> usize {
    lines().len()
}

/// Draws the overlay over `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let rect = if area.width > 8 && area.height > 6 {
        Rect::new(area.x + 2, area.y + 1, area.width - 4, area.height - 2)
    } else {
        area
    };
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
    let lines = lines();
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
                    buf.set_stringn(
                        dx,
                        y,
                        d,
                        usize::from(inner.right() - dx),
                        ratatui::style::Style::new(),
                    );
                }
            }
            HelpLine::Blank => {}
        }
    }
}

//! The users panel: a left border, a title with the count, then the nicknames sorted
//! case-insensitively, yours marked `(você)`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Widget};

use crate::app::App;
use crate::theme::{Look, nick_colour_index};

/// Draws the panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let frame = app.theme.style(Look::Frame);
    let block = Block::new().borders(Borders::LEFT).border_style(frame);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let width = usize::from(inner.width);
    let title = format!("Pessoas ({})", app.users.len());
    buf.set_stringn(
        inner.x,
        inner.y,
        &title,
        width,
        app.theme.style(Look::KeyName),
    );
    let list = app.users.list();
    let rows = usize::from(inner.height - 1);
    let me = app.my_nick();
    let overflow = list.len() > rows;
    let shown = if overflow {
        rows.saturating_sub(1)
    } else {
        list.len()
    };
    for (i, nick) in list.iter().take(shown).enumerate() {
        let y = inner.y + 1 + u16::try_from(i).unwrap_or(u16::MAX);
        let own = me.is_some_and(|m| m.same_user(nick));
        let look = Look::Nick {
            colour: nick_colour_index(nick.as_str()),
            own,
            mention: false,
        };
        let (x, _) = buf.set_stringn(inner.x, y, nick.as_str(), width, app.theme.style(look));
        if own {
            let room = usize::from(inner.right().saturating_sub(x));
            buf.set_stringn(x, y, " (você)", room, app.theme.style(Look::You));
        }
    }
    if overflow && rows > 0 {
        let y = inner.y + u16::try_from(rows).unwrap_or(u16::MAX);
        let more = format!("… +{}", list.len() - shown);
        buf.set_stringn(inner.x, y, &more, width, app.theme.style(Look::Notice));
    }
}

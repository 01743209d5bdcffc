//! Wide graphemes never shift the layout: emoji sequences that terminals draw at different
//! widths (a ZWJ family, a flag, a skin tone, VS16) reach the screen folded into what every
//! terminal draws alike, so the users panel's border stays in its column on every row.
//!
//! Two checks: ratatui's `TestBackend` (what papo believes it drew), and the same frame sent
//! through the real crossterm backend into `vt100`, a terminal that advances per code point as
//! tmux and xterm do (a ZWJ family takes 2 + 2 + 2 columns there).

mod common;

use common::*;
use papo::sanitize;
use papo::ui;
use papo_protocol::Nickname;
use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;

use ratatui::backend::CrosstermBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use unicode_segmentation::UnicodeSegmentation;

const FAMILY: &str = "👨\u{200D}👩\u{200D}👧";
const FLAG: &str = "🇧🇷";
const THUMB: &str = "👍🏽";
const HEART: &str = "❤\u{FE0F}";

/// Width and height of the test screen; the panel's border is at column 58.
const W: u16 = 80;
const H: u16 = 12;
const BORDER: u16 = 58;

/// A room where messages and an action carry the four sequences, several times per row, some
/// right at the border; before the messages (`before`) and after.
fn rooms_with_emoji() -> (papo::app::App, papo::app::App) {
    let mut app = new_app(W, H);
    let conn = online_as(&mut app, "ana", &["bob", "carla"]);
    let before = app.clone();
    let texts = [
        format!("MSG 5 2026-11-24T23:31:00Z bob :família {FAMILY}{FAMILY}{FAMILY} e mais"),
        format!("MSG 6 2026-11-24T23:31:10Z carla :{FLAG} {THUMB} {HEART} {FAMILY} {FLAG}"),
        format!("ACTION 7 2026-11-24T23:31:20Z bob :{}", FAMILY.repeat(30)),
        format!("MSG 8 2026-11-24T23:31:30Z carla :{HEART}{HEART}{HEART} texto com {THUMB}"),
    ];
    for text in &texts {
        line(&mut app, conn, text);
    }
    (before, app)
}

#[test]
fn the_screen_shows_the_folded_forms_and_the_border_stays_put() {
    let (_, mut app) = rooms_with_emoji();
    // The message line draws what was typed as typed (`ui::input`): see `wrap::shown`.
    type_text(&mut app, "digitando");
    let t = draw(&app);
    assert_screen(
        &t,
        &[
            "23:30 -- conectando a 127.0.0.1:7667…                     │Pessoas (3)          ",
            "23:30 -- você entrou na sala como ana                     │ana (você)           ",
            "23:30 --> ana entrou                                      │bob                  ",
            "23:31 bob: família 👨👩👧👨👩👧👨👩👧 e mais              │carla                ",
            "23:31 carla: [BR] 👍 ❤ 👨👩👧 [BR]                        │                     ",
            "23:31 * bob 👨👩👧👨👩👧👨👩👧👨👩👧👨👩👧👨👩👧👨👩👧👨👩│                     ",
            "            👧👨👩👧👨👩👧👨👩👧👨👩👧👨👩👧👨👩👧👨👩👧👨│                     ",
            "            👩👧👨👩👧👨👩👧👨👩👧👨👩👧👨👩👧👨👩👧👨👩👧│                     ",
            "            👨👩👧👨👩👧👨👩👧👨👩👧👨👩👧👨👩👧👨👩👧    │                     ",
            "23:31 carla: ❤❤❤ texto com 👍                             │                     ",
            " conectado a 127.0.0.1:7667 como ana · 3 pessoas            F1 ajuda  F10 sair  ",
            "> digitando                                                                     ",
        ],
    );
    let buf = t.backend().buffer();
    assert_border_column(buf);
    // Every cell papo drew in the history and the panel is a grapheme every terminal draws at
    // the width ratatui measured.
    for y in 0..H - 2 {
        for x in 0..W {
            let symbol = buf[(x, y)].symbol();
            assert!(
                symbol.graphemes(true).all(sanitize::is_measurable),
                "({x}, {y}): {symbol:?}"
            );
        }
    }
}

#[test]
fn nicknames_cannot_carry_emoji_sequences() {
    // The panel draws nicknames as they are: the protocol's rules keep these out of them.
    for bad in [
        format!("ana{FAMILY}"),
        format!("ana{FLAG}"),
        format!("ana{THUMB}"),
        format!("ana{HEART}"),
        "ana\u{200D}bia".to_owned(),
    ] {
        assert!(Nickname::parse(&bad).is_err(), "{bad:?}");
    }
}

#[test]
fn a_terminal_that_advances_per_code_point_shows_what_papo_drew() {
    // Two frames, as the binary draws them: the second sends only the cells that changed, so
    // a grapheme drawn wider than measured would spill over cells nobody redraws.
    let (before, after) = rooms_with_emoji();
    let expected = rows(draw(&after).backend().buffer());
    let screen = through_vt100(&mut [
        &mut |f: &mut ratatui::Frame| ui::view(&before, f),
        &mut |f: &mut ratatui::Frame| ui::view(&after, f),
    ]);
    for y in 0..H - 2 {
        assert_eq!(
            vt100_row(&screen, y),
            expected[usize::from(y)],
            "row {y} as the terminal shows it"
        );
        assert_eq!(
            symbol_at(&screen, y, BORDER),
            "│",
            "row {y}: the border is still at column {BORDER}"
        );
    }
}

#[test]
fn the_terminal_check_sees_an_unfolded_sequence_shift_the_border() {
    // The check above can fail: the family emoji drawn raw, bypassing the cleaning, ends four
    // columns past where ratatui measured it, over the border drawn in the frame before.
    let style = ratatui::style::Style::new();
    let screen = through_vt100(&mut [
        &mut |f: &mut ratatui::Frame| {
            f.buffer_mut().set_stringn(BORDER, 0, "│", 1, style);
        },
        &mut |f: &mut ratatui::Frame| {
            let buf = f.buffer_mut();
            buf.set_stringn(BORDER - 2, 0, FAMILY, 2, style);
            buf.set_stringn(BORDER, 0, "│", 1, style);
        },
    ]);
    assert_ne!(
        symbol_at(&screen, 0, BORDER),
        "│",
        "row 0: {:?}",
        vt100_row(&screen, 0)
    );
}

/// The text of the vt100 cell at (`y`, `x`).
fn symbol_at(screen: &vt100::Screen, y: u16, x: u16) -> String {
    screen
        .cell(y, x)
        .map(|c| c.contents().to_owned())
        .unwrap_or_default()
}

/// Asserts the users panel's border in its column on every row above the status bar.
#[track_caller]
fn assert_border_column(buf: &Buffer) {
    for y in 0..H - 2 {
        assert_eq!(buf[(BORDER, y)].symbol(), "│", "row {y}");
    }
}

/// Draws `frames` one after another with the crossterm backend (as the binary does), feeds the
/// bytes to a `vt100` terminal of the same size, and returns its screen.
fn through_vt100(frames: &mut [&mut dyn FnMut(&mut ratatui::Frame)]) -> vt100::Screen {
    let tape = Tape::default();
    let viewport = Viewport::Fixed(Rect::new(0, 0, W, H));
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(tape.clone()),
        TerminalOptions { viewport },
    )
    .expect("a terminal writing into memory");
    for frame in frames {
        terminal.draw(|f| frame(f)).expect("draw");
    }
    let mut parser = vt100::Parser::new(H, W, 0);
    parser.process(&tape.0.borrow());
    parser.screen().clone()
}

/// Where the crossterm backend writes: bytes kept in memory, readable after the draw.
#[derive(Clone, Default)]
struct Tape(Rc<RefCell<Vec<u8>>>);

impl Write for Tape {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A row of the vt100 screen as text (a wide character's second cell skipped, an empty cell a
/// space), comparable with [`rows`].
fn vt100_row(screen: &vt100::Screen, y: u16) -> String {
    let mut row = String::new();
    for x in 0..W {
        let Some(cell) = screen.cell(y, x) else {
            continue;
        };
        if cell.is_wide_continuation() {
            continue;
        }
        match cell.contents() {
            "" => row.push(' '),
            text => row.push_str(text),
        }
    }
    row
}

#[test]
fn the_message_line_draws_emoji_sequences_folded_and_the_caret_follows() {
    let mut app = new_app(40, 5);
    type_text(&mut app, "a👨\u{200D}👩\u{200D}👧🇧🇷b");
    let mut t = draw(&app);
    let input = rows(t.backend().buffer())[4].clone();
    assert!(input.starts_with("> a👨👩👧[BR]b"), "{input:?}");
    // "> " + "a" + three 2-column emoji + "[BR]" + "b" = 2 + 1 + 6 + 4 + 1.
    t.backend_mut()
        .assert_cursor_position(ratatui::layout::Position::new(14, 4));
}

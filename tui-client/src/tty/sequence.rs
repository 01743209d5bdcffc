//! What a finished escape sequence means: CSI (`ESC [`), SS3 (`ESC O`), the linux console's
//! function keys and the three mouse encodings, decoded into crossterm's events. Pure functions
//! over the bytes [`super::parser`] collected; anything not understood is [`Decoded::Unknown`]
//! and dropped, never turned into text.
//!
//! The tables follow what terminals send in their default (legacy) modes: xterm's `ctlseqs`
//! (`CSI 1;5A`, `CSI 3~`, SS3 `P`–`S`), rxvt's variants (`CSI 11~`, `CSI a`, `SS3 a`, the `$`,
//! `^` and `@` suffixes), the linux console (`CSI [A`), and crossterm 0.29's own reading of
//! them (`unix/parse.rs`) where terminals agree, so every key the key table binds arrives as it
//! did through crossterm.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

/// What a finished sequence means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Decoded {
    /// An event to deliver.
    Event(Event),
    /// `CSI 200~`: a bracketed paste starts.
    PasteStart,
    /// Nothing papo knows (a reply it never asked for, a key no terminal sends): dropped.
    Unknown,
}

impl From<Option<Event>> for Decoded {
    fn from(event: Option<Event>) -> Self {
        event.map_or(Self::Unknown, Self::Event)
    }
}

/// Most parameters a sequence may carry; more is garbage.
const MAX_PARAMS: usize = 8;

/// A sequence's parameters: the private marker (`<`, `=`, `>`, `?`) if any, then up to
/// [`MAX_PARAMS`] `;`-separated values, each with its first `:` sub-value (kitty's event type,
/// CSI u's shifted key). An empty value is `None` (the default).
#[derive(Debug, Default)]
struct Params {
    private: Option<u8>,
    values: [(Option<u32>, Option<u32>); MAX_PARAMS],
    len: usize,
}

impl Params {
    /// Parses parameter bytes (0x30–0x3F); `None` if they are not well formed.
    fn parse(bytes: &[u8]) -> Option<Self> {
        let mut params = Self::default();
        let mut rest = bytes;
        if let Some((&first, tail)) = rest.split_first()
            && matches!(first, b'<'..=b'?')
        {
            params.private = Some(first);
            rest = tail;
        }
        if rest.is_empty() {
            return Some(params);
        }
        for field in rest.split(|&b| b == b';') {
            let slot = params.values.get_mut(params.len)?;
            let mut subs = field.split(|&b| b == b':');
            let main = number(subs.next().unwrap_or_default())?;
            let sub = subs.next().map(number).unwrap_or(Some(None))?;
            *slot = (main, sub);
            params.len += 1;
        }
        Some(params)
    }

    /// The `i`th value (`None` when absent or empty).
    fn get(&self, i: usize) -> Option<u32> {
        self.values
            .get(i)
            .filter(|_| i < self.len)
            .and_then(|v| v.0)
    }

    /// The `i`th value's first sub-value.
    fn sub(&self, i: usize) -> Option<u32> {
        self.values
            .get(i)
            .filter(|_| i < self.len)
            .and_then(|v| v.1)
    }
}

/// A decimal number; `Some(None)` for an empty field, `None` for anything else that is not
/// digits. Saturates rather than overflowing (a huge value is then refused where it matters).
fn number(field: &[u8]) -> Option<Option<u32>> {
    if field.is_empty() {
        return Some(None);
    }
    let mut n: u32 = 0;
    for &b in field {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.saturating_mul(10).saturating_add(u32::from(b - b'0'));
    }
    Some(Some(n))
}

/// xterm's modifier parameter: 1 + a bit mask (Shift 1, Alt 2, Ctrl 4, Super 8, Hyper 16,
/// Meta 32); the lock bits above are ignored.
fn modifiers(param: Option<u32>) -> KeyModifiers {
    let mask = param.unwrap_or(1).saturating_sub(1);
    let mut mods = KeyModifiers::NONE;
    for (bit, m) in [
        (1, KeyModifiers::SHIFT),
        (2, KeyModifiers::ALT),
        (4, KeyModifiers::CONTROL),
        (8, KeyModifiers::SUPER),
        (16, KeyModifiers::HYPER),
        (32, KeyModifiers::META),
    ] {
        if mask & bit != 0 {
            mods |= m;
        }
    }
    mods
}

/// kitty's event type sub-parameter (only sent when asked for; press otherwise).
fn kind(sub: Option<u32>) -> KeyEventKind {
    match sub {
        Some(2) => KeyEventKind::Repeat,
        Some(3) => KeyEventKind::Release,
        _ => KeyEventKind::Press,
    }
}

fn key(code: KeyCode, mods: KeyModifiers) -> Option<Event> {
    Some(Event::Key(KeyEvent::new(code, mods)))
}

/// The key of a letter-final sequence (`CSI A`, `SS3 P`, …).
fn letter_key(final_byte: u8) -> Option<KeyCode> {
    Some(match final_byte {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'P' => KeyCode::F(1),
        b'Q' => KeyCode::F(2),
        b'R' => KeyCode::F(3),
        b'S' => KeyCode::F(4),
        _ => return None,
    })
}

/// The key of `CSI n ~` (xterm, VTE, rxvt, the linux console).
fn tilde_key(n: u32) -> Option<KeyCode> {
    let f = |base: u32, offset: u32| u8::try_from(n - base + offset).ok().map(KeyCode::F);
    match n {
        1 | 7 => Some(KeyCode::Home),
        2 => Some(KeyCode::Insert),
        3 => Some(KeyCode::Delete),
        4 | 8 => Some(KeyCode::End),
        5 => Some(KeyCode::PageUp),
        6 => Some(KeyCode::PageDown),
        11..=15 => f(11, 1),
        17..=21 => f(17, 6),
        23..=26 => f(23, 11),
        28..=29 => f(28, 15),
        31..=34 => f(31, 17),
        _ => None,
    }
}

/// The key a Unicode code point names in `CSI code ; mods u` and xterm's `CSI 27 ; mods ;
/// code ~`.
fn codepoint_key(code: u32, mods: KeyModifiers) -> Option<KeyCode> {
    Some(match code {
        13 => KeyCode::Enter,
        9 if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        9 => KeyCode::Tab,
        27 => KeyCode::Esc,
        8 | 127 => KeyCode::Backspace,
        // Other controls and kitty's private-use functional keys: never asked for.
        0..=31 | 0xE000..=0xF8FF => return None,
        _ => KeyCode::Char(char::from_u32(code)?),
    })
}

/// Decodes `CSI <params> <final>`. `params` holds the parameter bytes (0x30–0x3F) and any
/// intermediates (0x20–0x2F); rxvt's `$` arrives as `final_byte`.
pub(super) fn csi(params: &[u8], final_byte: u8) -> Decoded {
    if params.iter().any(|b| (0x20..=0x2f).contains(b)) {
        return Decoded::Unknown;
    }
    let Some(p) = Params::parse(params) else {
        return Decoded::Unknown;
    };
    match (p.private, final_byte) {
        (Some(b'<'), b'M' | b'm') => sgr_mouse(&p, final_byte == b'm').into(),
        (Some(_), _) => Decoded::Unknown,
        (None, b'~') if p.get(0) == Some(200) && p.len == 1 => Decoded::PasteStart,
        (None, b'~') => tilde(&p).into(),
        (None, b'$' | b'^' | b'@') if p.len == 1 => {
            // rxvt: Shift, Ctrl and Ctrl+Shift versions of the `~` keys.
            let mods = match final_byte {
                b'$' => KeyModifiers::SHIFT,
                b'^' => KeyModifiers::CONTROL,
                _ => KeyModifiers::CONTROL | KeyModifiers::SHIFT,
            };
            p.get(0)
                .and_then(tilde_key)
                .and_then(|code| key(code, mods))
                .into()
        }
        (None, b'I') if p.len == 0 => Decoded::Event(Event::FocusGained),
        (None, b'O') if p.len == 0 => Decoded::Event(Event::FocusLost),
        (None, b'Z') => {
            let mods = KeyModifiers::SHIFT | modifiers(p.get(1));
            key(KeyCode::BackTab, mods).into()
        }
        (None, b'a'..=b'd') if p.len == 0 => {
            // rxvt: Shift+arrows.
            let code = letter_key(final_byte - b'a' + b'A');
            code.and_then(|c| key(c, KeyModifiers::SHIFT)).into()
        }
        (None, b'u') => csi_u(&p).into(),
        (None, b'M') if p.len == 3 => rxvt_mouse(&p).into(),
        (None, f) => {
            let Some(code) = letter_key(f) else {
                return Decoded::Unknown;
            };
            // `CSI 1;5A` is xterm's form; crossterm also reads a lone `CSI 5A` as the
            // modifier, and so does papo.
            let (mods, sub) = match p.len {
                0 => (None, None),
                1 => (p.get(0), None),
                _ => (p.get(1), p.sub(1)),
            };
            let event = KeyEvent::new_with_kind(code, modifiers(mods), kind(sub));
            Decoded::Event(Event::Key(event))
        }
    }
}

/// `CSI n ; mods ~`, and xterm's modifyOtherKeys form `CSI 27 ; mods ; code ~`.
fn tilde(p: &Params) -> Option<Event> {
    let n = p.get(0)?;
    let mods = modifiers(p.get(1));
    let code = if n == 27 && p.len == 3 {
        codepoint_key(p.get(2)?, mods)?
    } else {
        tilde_key(n)?
    };
    let event = KeyEvent::new_with_kind(code, mods, kind(p.sub(1)));
    Some(Event::Key(event))
}

/// `CSI code[:shifted] ; mods[:type] u` (fixterms, kitty). A shifted key reported with its
/// shifted form becomes that character without Shift, as crossterm does.
fn csi_u(p: &Params) -> Option<Event> {
    let mut mods = modifiers(p.get(1));
    let mut code = codepoint_key(p.get(0)?, mods)?;
    if mods.contains(KeyModifiers::SHIFT)
        && let Some(shifted) = p.sub(0).and_then(char::from_u32)
    {
        code = KeyCode::Char(shifted);
        mods.remove(KeyModifiers::SHIFT);
    }
    let event = KeyEvent::new_with_kind(code, mods, kind(p.sub(1)));
    Some(Event::Key(event))
}

/// `SS3 [mods] <final>`: F1–F4 and the cursor keys in application mode, rxvt's Ctrl+arrows
/// (`SS3 a`–`d`), and the keypad in application mode.
pub(super) fn ss3(params: &[u8], final_byte: u8) -> Decoded {
    let Some(p) = Params::parse(params).filter(|p| p.private.is_none()) else {
        return Decoded::Unknown;
    };
    // Some terminals put the modifier alone (`SS3 5P`), some as xterm does (`SS3 1;5P`).
    let mods = modifiers(p.get(p.len.saturating_sub(1)));
    let code = match final_byte {
        b'a'..=b'd' => {
            let code = letter_key(final_byte - b'a' + b'A');
            return code.and_then(|c| key(c, KeyModifiers::CONTROL)).into();
        }
        b'M' => KeyCode::Enter,
        b'X' => KeyCode::Char('='),
        b'j'..=b'y' => {
            let c = b"*+,-./0123456789"[usize::from(final_byte - b'j')];
            KeyCode::Char(char::from(c))
        }
        f => match letter_key(f) {
            Some(code) => code,
            None => return Decoded::Unknown,
        },
    };
    key(code, mods).into()
}

/// `CSI [ A`–`E`: the linux console's F1–F5.
pub(super) fn linux_function(final_byte: u8) -> Decoded {
    match final_byte {
        b'A'..=b'E' => key(KeyCode::F(final_byte - b'A' + 1), KeyModifiers::NONE).into(),
        _ => Decoded::Unknown,
    }
}

/// The button, drag and modifier bits of a mouse report (xterm's `Cb`).
fn mouse_button(cb: u32) -> Option<(MouseEventKind, KeyModifiers)> {
    let button = (cb & 0b11) | ((cb & 0b1100_0000) >> 4);
    let dragging = cb & 0b10_0000 != 0;
    let kind = match (button, dragging) {
        (0, false) => MouseEventKind::Down(MouseButton::Left),
        (1, false) => MouseEventKind::Down(MouseButton::Middle),
        (2, false) => MouseEventKind::Down(MouseButton::Right),
        (0, true) => MouseEventKind::Drag(MouseButton::Left),
        (1, true) => MouseEventKind::Drag(MouseButton::Middle),
        (2, true) => MouseEventKind::Drag(MouseButton::Right),
        (3, false) => MouseEventKind::Up(MouseButton::Left),
        (3..=5, true) => MouseEventKind::Moved,
        (4, false) => MouseEventKind::ScrollUp,
        (5, false) => MouseEventKind::ScrollDown,
        (6, false) => MouseEventKind::ScrollLeft,
        (7, false) => MouseEventKind::ScrollRight,
        _ => return None,
    };
    let mut mods = KeyModifiers::NONE;
    for (bit, m) in [
        (0b100, KeyModifiers::SHIFT),
        (0b1000, KeyModifiers::ALT),
        (0b1_0000, KeyModifiers::CONTROL),
    ] {
        if cb & bit != 0 {
            mods |= m;
        }
    }
    Some((kind, mods))
}

/// A mouse event at 1-based `x`, `y` (terminals count from 1; crossterm and ratatui from 0).
fn mouse(cb: u32, x: u32, y: u32) -> Option<Event> {
    let (kind, modifiers) = mouse_button(cb)?;
    Some(Event::Mouse(MouseEvent {
        kind,
        column: u16::try_from(x.saturating_sub(1)).ok()?,
        row: u16::try_from(y.saturating_sub(1)).ok()?,
        modifiers,
    }))
}

/// `CSI < b ; x ; y M` (press) or `m` (release): xterm's SGR encoding (mode 1006).
fn sgr_mouse(p: &Params, release: bool) -> Option<Event> {
    if p.len != 3 {
        return None;
    }
    let mut event = mouse(p.get(0)?, p.get(1)?, p.get(2)?)?;
    if release
        && let Event::Mouse(m) = &mut event
        && let MouseEventKind::Down(button) = m.kind
    {
        m.kind = MouseEventKind::Up(button);
    }
    Some(event)
}

/// `CSI b ; x ; y M`: rxvt's encoding (mode 1015), `b` offset by 32.
fn rxvt_mouse(p: &Params) -> Option<Event> {
    mouse(p.get(0)?.checked_sub(32)?, p.get(1)?, p.get(2)?)
}

/// `CSI M b x y`: the X10 encoding, three raw bytes each offset by 32 (sent by a terminal that
/// ignores the SGR request).
pub(super) fn x10_mouse(bytes: [u8; 3]) -> Decoded {
    let [b, x, y] = bytes.map(|v| u32::from(v).checked_sub(32));
    match (b, x, y) {
        (Some(b), Some(x), Some(y)) => mouse(b, x, y).into(),
        _ => Decoded::Unknown,
    }
}

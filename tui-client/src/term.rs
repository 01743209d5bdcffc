//! Terminal setup and restore: raw mode, the alternate screen, bracketed paste and focus
//! reporting on the way in; all of it undone on the way out (mouse reporting too, if it was
//! turned on), whether the program ends normally, with an error or in a panic (the hook
//! restores before the panic message prints, then exits).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::Show;
use crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, EnableBracketedPaste, EnableFocusChange,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Whether the terminal is set up (so restoring twice does nothing).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// The terminal papo draws on.
pub type Tui = Terminal<CrosstermBackend<io::Stdout>>;

/// Enters raw mode, the alternate screen, bracketed paste and focus reporting (the terminal
/// then says `ESC [ I` / `ESC [ O` when its window gains or loses the focus), and installs the
/// panic hook.
///
/// crossterm's own NO_COLOR handling is switched off: it writes a bare reset instead of each
/// colour, which would also clear bold and reverse; papo's theme handles NO_COLOR itself.
pub fn setup() -> io::Result<Tui> {
    crossterm::style::force_color_output(true);
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = io::stdout();
    if let Err(e) = execute!(
        out,
        EnterAlternateScreen,
        EnableBracketedPaste,
        EnableFocusChange
    ) {
        restore();
        return Err(e);
    }
    // Keep the terminal's title (xterm's title stack), so the unread count papo sets in it
    // does not outlive papo. Terminals without the stack ignore this.
    let _ = out.write_all(TITLE_PUSH);
    Terminal::new(CrosstermBackend::new(out)).inspect_err(|_| restore())
}

/// Turns mouse reporting, focus reporting and bracketed paste off, leaves the alternate
/// screen, shows the cursor and leaves raw mode. Mouse reporting is turned off whether or not
/// it was on: a shell left with it would print garbage on every click. Safe to call more than
/// once; errors are ignored (the terminal may be gone).
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    let _ = out.write_all(MOUSE_OFF);
    let _ = execute!(
        out,
        DisableFocusChange,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        Show
    );
    let _ = out.write_all(TITLE_POP);
    let _ = out.flush();
    let _ = disable_raw_mode();
}

/// Saves the window title on xterm's title stack.
const TITLE_PUSH: &[u8] = b"\x1b[22;0t";
/// Puts the saved window title back.
const TITLE_POP: &[u8] = b"\x1b[23;0t";

/// Exit status after a panic (the one Rust gives an uncaught panic in `main`).
pub const PANIC_EXIT_CODE: i32 = 101;

/// A panic anywhere ends papo: the terminal is restored, the panic is printed by the previous
/// hook (so it lands on the normal screen), and the process exits. Without the exit, a panic in
/// a spawned task (the connection) would leave the app running on a dead connection and a
/// terminal no longer in raw mode.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
        std::process::exit(PANIC_EXIT_CODE);
    }));
}

/// Rings the terminal's bell. Errors are ignored (the terminal may be gone).
pub fn bell() {
    let mut out = io::stdout();
    let _ = out.write_all(b"\x07");
    let _ = out.flush();
}

/// Sets the window title (tmux shows it as the pane title). Errors are ignored.
pub fn set_title(title: &str) {
    let _ = execute!(io::stdout(), crossterm::terminal::SetTitle(title));
}

/// Mouse reporting on: button presses and the wheel (1000), in the SGR encoding (1006).
const MOUSE_ON: &[u8] = b"\x1b[?1000h\x1b[?1006h";
/// Mouse reporting off, in the reverse order.
const MOUSE_OFF: &[u8] = b"\x1b[?1006l\x1b[?1000l";

/// Turns mouse reporting on (button presses and the wheel, SGR encoding, no motion) or off.
/// Errors are ignored.
pub fn mouse_capture(on: bool) {
    let codes: &[u8] = if on { MOUSE_ON } else { MOUSE_OFF };
    let mut out = io::stdout();
    let _ = out.write_all(codes);
    let _ = out.flush();
}

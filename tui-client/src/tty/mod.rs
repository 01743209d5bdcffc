//! papo's own terminal input: a thread reads the terminal's bytes ([`reader`]) and a sans-IO
//! parser turns them into crossterm's events ([`parser`]); crossterm itself is left with the
//! output, raw mode and sizes.
//!
//! Why not crossterm's reader: in 0.29 it reads the terminal edge-triggered and returns after
//! the first event of a read, so a paste of a few kilobytes without bracketing stalls until the
//! next key (crossterm PR #1057), and an unterminated bracketed paste makes it buffer everything
//! after it forever (crossterm #1060). Here every read takes what the terminal has (a blocking
//! `read()` is level-triggered by nature) and the parser bounds a paste in size and time.
//!
//! One rule follows: nothing may ask the terminal a question through crossterm
//! (`cursor::position`, `supports_keyboard_enhancement`, ratatui's `Terminal::clear` or an
//! inline viewport, which ask for the cursor position). crossterm would read the answer itself,
//! racing papo's reader for the bytes, and wait up to 2 s for an answer papo's reader took.

pub mod parser;
mod paste;
pub mod reader;
mod sequence;

//! `papo`, the full-screen terminal client of the papo chat.
//!
//! The shape follows the Elm architecture: [`app::App`] is the model, [`app::update`] turns one
//! [`app::Event`] (a key, a paste, a resize, a line from the server, a timer tick) into state
//! changes and a list of [`app::Effect`]s (send a line, connect, start a timer, quit) that the
//! binary performs, and [`ui::view`]
//! draws the model without changing it. [`keys`] is the one key table behind key handling, the
//! help overlay and the status-bar hints. [`net`] owns the connection (TCP, or TLS through
//! [`tls`]), [`config`] the config file, [`sanitize`] the single place where text from the
//! network is made safe to draw, and [`tty`] reads the terminal's input (crossterm only draws).

#![warn(missing_docs)]

pub mod app;
pub mod config;
pub mod keys;
pub mod net;
pub mod private_file;
pub mod sanitize;
pub mod term;
pub mod theme;
pub mod tls;
pub mod tty;
pub mod ui;
pub mod wrap;

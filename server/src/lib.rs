//! papo-server: one chat room, relayed line by line over TCP.
//!
//! Layers, from the wire inwards: [`server`] accepts connections and owns shutdown;
//! [`connection`] runs one peer (generic over its byte stream); [`hub`] is the shared state that
//! carries out what the [`room`] decides: room events go to the [`log`] (stored, then read by
//! every connection from its own position), replies to one connection's [`mailbox`]. The room
//! itself does no I/O and reads no clock.

pub mod config;
pub mod connection;
pub mod flood;
pub mod hub;
pub mod log;
pub mod mailbox;
pub mod password;
pub mod reader;
pub mod replies;
pub mod room;
pub mod server;
pub mod sniff;
pub mod tls;
pub mod write_buffers;

pub use config::Config;
pub use server::run;

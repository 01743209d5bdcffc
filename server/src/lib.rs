//! papo-server: one chat room, relayed line by line over TCP.
//!
//! Layers, from the wire inwards: [`server`] accepts connections and owns shutdown;
//! [`connection`] runs one peer (generic over its byte stream); [`hub`] is the shared state that
//! delivers what the [`room`] decides, through each member's bounded [`outbox`]. The room itself
//! does no I/O and reads no clock.

pub mod config;
pub mod connection;
pub mod hub;
pub mod outbox;
pub mod replies;
pub mod room;
pub mod server;

pub use config::Config;
pub use server::run;

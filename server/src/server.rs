//! The accept loop and graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use socket2::{SockRef, TcpKeepalive};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::connection;
use crate::hub::Hub;
use crate::log::RoomLog;
use crate::replies;
use crate::tls::{HANDSHAKE_TIMEOUT, TlsListener};

/// Where the server listens: the plain port, and the TLS port when it has a certificate.
pub struct Listeners {
    /// Plain text lines.
    pub plain: TcpListener,
    /// The same protocol inside TLS.
    pub tls: Option<TlsListener>,
}

impl From<TcpListener> for Listeners {
    fn from(plain: TcpListener) -> Self {
        Self { plain, tls: None }
    }
}

/// Connections the kernel may hold waiting for `accept`: room for a burst of thousands (Linux
/// caps it at `net.core.somaxconn`, 4096 by default). Tokio's own default is 1024, past which
/// a burst's extra connections wait for SYN retries, seconds at a time.
const LISTEN_BACKLOG: i32 = 4096;

/// Listens on `host:port` (a name, or an IPv4 or IPv6 address), the first address that works.
pub async fn listen(host: &str, port: u16) -> std::io::Result<TcpListener> {
    let mut last_error = None;
    for addr in tokio::net::lookup_host((host, port)).await? {
        let bound = (|| {
            let socket = socket2::Socket::new(
                socket2::Domain::for_address(addr),
                socket2::Type::STREAM,
                Some(socket2::Protocol::TCP),
            )?;
            socket.set_reuse_address(true)?;
            socket.set_nonblocking(true)?;
            socket.bind(&addr.into())?;
            socket.listen(LISTEN_BACKLOG)?;
            TcpListener::from_std(std::net::TcpListener::from(socket))
        })();
        match bound {
            Ok(listener) => return Ok(listener),
            Err(err) => last_error = Some(err),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::NotFound, "no address for that host")
    }))
}

/// Pause after a failed `accept` (out of file descriptors, say), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Interval and count of keepalive probes after the idle time: a dead peer is noticed about a
/// minute after the idle time passes.
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
const KEEPALIVE_PROBES: u32 = 6;

/// Socket options of an accepted connection: no Nagle delay (chat lines are small and latency
/// matters), and TCP keepalive so a peer that vanished without closing is noticed. Linux pauses
/// keepalive while sent data is unacknowledged, so `TCP_USER_TIMEOUT` bounds that case by the
/// same time (otherwise the kernel's retransmissions take about 15 minutes).
pub fn configure(stream: &TcpStream, config: &Config) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    if let Some(idle) = config.keepalive {
        let keepalive = TcpKeepalive::new()
            .with_time(idle)
            .with_interval(KEEPALIVE_INTERVAL)
            .with_retries(KEEPALIVE_PROBES);
        let socket = SockRef::from(stream);
        socket.set_tcp_keepalive(&keepalive)?;
        socket.set_tcp_user_timeout(Some(idle + KEEPALIVE_INTERVAL * KEEPALIVE_PROBES))?;
    }
    Ok(())
}

/// Serves the room on `listener`, its events kept in `log`, until `shutdown` resolves; then
/// tells every member the server is closing, flushes what each is owed for up to
/// `config.shutdown_grace`, commits what the log holds, and returns.
pub async fn run(
    listeners: impl Into<Listeners>,
    config: Config,
    log: Arc<RoomLog>,
    shutdown: impl Future<Output = ()>,
) {
    let Listeners {
        plain: listener,
        tls,
    } = listeners.into();
    // Handshakes in progress are bounded like connections still choosing a nickname.
    let handshakes = Arc::new(Semaphore::new(config.max_unjoined));
    let grace = config.shutdown_grace;
    let hub = Arc::new(Hub::new(config, Arc::clone(&log)));
    let mut degraded = log.degraded();
    let mut told_degraded = false;
    let stop = CancellationToken::new();
    // Idle connections learn of joins and departures a moment late, a burst of them at once.
    let presence = tokio::spawn({
        let log = Arc::clone(&log);
        let hub = Arc::clone(&hub);
        async move { log.announce_presence(|| hub.connections()).await }
    });
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    if let Err(err) = configure(&stream, hub.config()) {
                        tracing::debug!(%err, "socket options not set");
                    }
                    let task = connection::serve(stream, peer.to_string(), Arc::clone(&hub), stop.clone());
                    connections.spawn(task);
                }
                Err(err) => {
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
            accepted = accept(tls.as_ref().map(|t| &t.listener)) => match (accepted, &tls) {
                (Ok((stream, peer)), Some(tls)) => {
                    if let Err(err) = configure(&stream, hub.config()) {
                        tracing::debug!(%err, "socket options not set");
                    }
                    let Ok(permit) = Arc::clone(&handshakes).try_acquire_owned() else {
                        tracing::warn!(%peer, "too many TLS handshakes at once; connection closed");
                        continue;
                    };
                    let (acceptor, hub, stop) = (tls.acceptor.clone(), Arc::clone(&hub), stop.clone());
                    connections.spawn(async move {
                        let label = format!("{peer} (TLS)");
                        let handshake = tokio::select! {
                            () = stop.cancelled() => return,
                            handshake = handshake(stream, &acceptor, &label) => handshake,
                        };
                        drop(permit);
                        if let Some(stream) = handshake {
                            connection::serve(stream, label, hub, stop).await;
                        }
                    });
                }
                (Ok(_), None) => {}
                (Err(err), _) => {
                    tracing::warn!(%err, "TLS accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
            Some(_) = connections.join_next() => {}
            Ok(()) = degraded.changed(), if !told_degraded => {
                if *degraded.borrow() {
                    told_degraded = true;
                    hub.notice_all(replies::HISTORY_NOT_KEPT);
                }
            }
        }
    }
    drop(listener);
    drop(tls);
    tracing::info!(
        connections = hub.connections(),
        "shutting down: telling everyone and flushing"
    );
    hub.shutdown();
    stop.cancel();
    let flushed = tokio::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if flushed.is_err() {
        tracing::warn!("shutdown grace passed; closing the remaining connections");
        hub.abort_all();
        while connections.join_next().await.is_some() {}
    }
    presence.abort();
    drop(hub);
    // Waits for the last commit (a few milliseconds), so nothing accepted is lost on exit.
    let closing = Arc::clone(&log);
    if tokio::task::spawn_blocking(move || closing.close())
        .await
        .is_err()
    {
        tracing::error!("closing the room log panicked");
    }
}

/// Accepts on `listener`; never resolves without one.
async fn accept(
    listener: Option<&TcpListener>,
) -> std::io::Result<(TcpStream, std::net::SocketAddr)> {
    match listener {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}

/// The first byte of a TLS record carrying a handshake (a ClientHello).
const TLS_HANDSHAKE: u8 = 0x16;

/// How long, and how many bytes, a plain-text peer on the TLS port is read after its `BYE`.
const PLAIN_LINGER: Duration = Duration::from_millis(250);
const PLAIN_LINGER_BYTES: u64 = 64 * 1024;

/// Runs the TLS handshake within [`HANDSHAKE_TIMEOUT`]. A peer that speaks plain text to the
/// TLS port is told so in one plain line, and closed.
async fn handshake(
    mut stream: TcpStream,
    acceptor: &TlsAcceptor,
    label: &str,
) -> Option<tokio_rustls::server::TlsStream<TcpStream>> {
    let attempt = async {
        let mut first = [0u8; 1];
        let read = stream.peek(&mut first).await?;
        if read == 1 && first[0] != TLS_HANDSHAKE {
            tracing::info!(peer = label, "plain text on the TLS port; closed");
            if let Ok(line) = replies::plain_on_tls_port().encode() {
                stream.write_all(line.as_bytes()).await?;
                stream.shutdown().await?;
                // Closing with the peer's line unread would reset the connection and destroy
                // the BYE in flight: read it away first, briefly.
                let mut sink = tokio::io::sink();
                let mut rest = (&mut stream).take(PLAIN_LINGER_BYTES);
                let drain = tokio::io::copy(&mut rest, &mut sink);
                let _ = tokio::time::timeout(PLAIN_LINGER, drain).await;
            }
            return Ok(None);
        }
        acceptor.accept(stream).await.map(Some)
    };
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, attempt).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(err)) => {
            tracing::info!(peer = label, %err, "TLS handshake failed");
            None
        }
        Err(_) => {
            tracing::info!(peer = label, "TLS handshake timed out");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_sockets_get_nodelay_and_keepalive() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let _client = TcpStream::connect(addr).await.expect("connect");
        let (stream, _) = listener.accept().await.expect("accept");
        let config = Config {
            keepalive: Some(Duration::from_secs(42)),
            ..Config::default()
        };
        configure(&stream, &config).expect("options set");
        let socket = SockRef::from(&stream);
        assert!(stream.nodelay().expect("nodelay"));
        assert!(socket.keepalive().expect("keepalive"));
        assert_eq!(
            socket.tcp_keepalive_time().expect("idle time"),
            Duration::from_secs(42)
        );
        assert_eq!(
            socket.tcp_user_timeout().expect("user timeout"),
            Some(Duration::from_secs(42 + 60))
        );
    }
}

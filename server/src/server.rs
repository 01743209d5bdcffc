//! The accept loop and graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::connection;
use crate::hub::Hub;

/// Pause after a failed `accept` (out of file descriptors, say), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves the room on `listener` until `shutdown` resolves; then tells every member the server
/// is closing, flushes their queues for up to `config.shutdown_grace`, and returns.
pub async fn run(listener: TcpListener, config: Config, shutdown: impl Future<Output = ()>) {
    let grace = config.shutdown_grace;
    let hub = Arc::new(Hub::new(config));
    let stop = CancellationToken::new();
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    if let Err(err) = stream.set_nodelay(true) {
                        tracing::debug!(%err, "set_nodelay failed");
                    }
                    let task = connection::serve(stream, peer.to_string(), Arc::clone(&hub), stop.clone());
                    connections.spawn(task);
                }
                Err(err) => {
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
            Some(_) = connections.join_next() => {}
        }
    }
    drop(listener);
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
}

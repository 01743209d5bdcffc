//! A sender writes its numbered lines, at most `window` of them not yet seen by the watcher,
//! batching whatever the window allows into one write.

use std::sync::Arc;

use anyhow::Context;
use tokio::io::AsyncWriteExt;

use crate::lines::push_payload;
use crate::protocol::Protocol;
use crate::receiver::{Run, Writer};

/// Sends `messages` lines as sender `index` through `writer`.
pub async fn send(
    protocol: Protocol,
    index: usize,
    messages: u64,
    writer: Writer,
    run: Arc<Run>,
) -> anyhow::Result<()> {
    let credits = &run.credits[index];
    let mut batch = Vec::new();
    let mut payload = Vec::with_capacity(48);
    let mut seq = 0;
    while seq < messages {
        credits.acquire().await.context("window closed")?.forget();
        let mut allowed = 1;
        let more = credits.available_permits().min(u32::MAX as usize) as u32;
        if more > 0
            && let Ok(permits) = credits.try_acquire_many(more)
        {
            permits.forget();
            allowed += u64::from(more);
        }
        batch.clear();
        let sent_us = run.now_us();
        for _ in 0..allowed.min(messages - seq) {
            payload.clear();
            push_payload(&mut payload, index, seq, sent_us);
            protocol.push_message(&mut batch, &payload);
            seq += 1;
        }
        writer
            .lock()
            .await
            .write_all(&batch)
            .await
            .with_context(|| format!("sender {index} write"))?;
    }
    Ok(())
}

//! The greeting announces what each member may send, so a client can stay inside it.

mod common;

use common::TestServer;
use papo_protocol::{FloodAllowance, Limits, ServerLine};
use papo_server::Config;

#[tokio::test]
async fn hello_announces_the_line_limit_and_the_flood_allowance() {
    let server = TestServer::start().await;
    let mut client = server.connect().await;
    let raw = client.recv_raw().await;
    assert!(raw.contains(" open 4096 25 5 :"), "{raw:?}");
    match ServerLine::parse(raw.trim_end()) {
        Ok(ServerLine::Hello { limits, .. }) => assert_eq!(
            limits,
            Some(Limits {
                max_line_bytes: 4096,
                flood: Some(FloodAllowance {
                    burst: 25,
                    per_second: 5
                }),
            })
        ),
        other => panic!("expected HELLO, got {other:?}"),
    }
}

#[tokio::test]
async fn hello_says_when_flood_control_is_off() {
    let config = Config {
        max_line_bytes: 512,
        flood: None,
        ..Config::default()
    };
    let server = TestServer::with_config(config).await;
    let mut client = server.connect().await;
    let raw = client.recv_raw().await;
    assert!(raw.contains(" open 512 0 0 :"), "{raw:?}");
    match ServerLine::parse(raw.trim_end()) {
        Ok(ServerLine::Hello { limits, .. }) => assert_eq!(
            limits,
            Some(Limits {
                max_line_bytes: 512,
                flood: None
            })
        ),
        other => panic!("expected HELLO, got {other:?}"),
    }
}

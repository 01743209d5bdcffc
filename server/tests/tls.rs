//! The TLS port: the same room as the plain port, over rustls; plain text on it is told where
//! to go; handshakes in progress are bounded; bad certificate files are refused with their name.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::{Client, WAIT, marker};
use papo_protocol::ServerLine;
use papo_server::Config;
use papo_server::log::RoomLog;
use papo_server::server::Listeners;
use papo_server::tls::{self, TlsListener, TlsSetupError};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;

/// A self-signed certificate for `localhost` and 127.0.0.1, written as PEM files in `dir`.
struct TestCert {
    cert: PathBuf,
    key: PathBuf,
    der: CertificateDer<'static>,
}

fn self_signed(dir: &Path) -> TestCert {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("generate a certificate");
    let paths = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&paths.0, cert.pem()).expect("write the certificate");
    std::fs::write(&paths.1, signing_key.serialize_pem()).expect("write the key");
    TestCert {
        cert: paths.0,
        key: paths.1,
        der: cert.der().clone(),
    }
}

/// A server listening in plain text and in TLS; dropped, it shuts down.
struct Both {
    plain: SocketAddr,
    tls: SocketAddr,
    _stop: oneshot::Sender<()>,
}

async fn start(cert: &TestCert, config: Config) -> Both {
    let identity = tls::load(&cert.cert, &cert.key).expect("the test certificate loads");
    let plain = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let secure = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addrs = (
        plain.local_addr().expect("address"),
        secure.local_addr().expect("address"),
    );
    let log = Arc::new(RoomLog::open(&config.history).expect("log"));
    let listeners = Listeners {
        plain,
        tls: Some(TlsListener {
            listener: secure,
            acceptor: identity.acceptor,
        }),
    };
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(papo_server::run(listeners, config, log, async move {
        let _ = stopped.await;
    }));
    Both {
        plain: addrs.0,
        tls: addrs.1,
        _stop: stop,
    }
}

/// A TLS client that trusts exactly `cert`.
async fn tls_connect(
    addr: SocketAddr,
    cert: &TestCert,
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.der.clone()).expect("a usable root");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let name = ServerName::try_from("localhost").expect("a server name");
    timeout(
        WAIT,
        TlsConnector::from(Arc::new(config)).connect(name, tcp),
    )
    .await
    .expect("handshake within the deadline")
    .expect("the handshake succeeds")
}

/// Reads one line (without its LF), bounded by [`WAIT`].
async fn line<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> String {
    let mut line = String::new();
    timeout(WAIT, reader.read_line(&mut line))
        .await
        .expect("a line within the deadline")
        .expect("read a line");
    line.trim_end_matches('\n').to_owned()
}

async fn send<W: AsyncWrite + Unpin>(writer: &mut W, line: &str) {
    writer
        .write_all(format!("{line}\n").as_bytes())
        .await
        .expect("write");
}

#[tokio::test]
async fn a_tls_member_and_a_plain_member_share_one_room() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cert = self_signed(dir.path());
    let server = start(&cert, Config::default()).await;

    let (read, mut write) = tokio::io::split(tls_connect(server.tls, &cert).await);
    let mut ana = BufReader::new(read);
    assert!(line(&mut ana).await.starts_with("HELLO papo 2 "));
    send(&mut write, "ana").await;
    let welcome = line(&mut ana).await;
    assert!(welcome.starts_with("WELCOME ana "), "{welcome}");
    assert!(line(&mut ana).await.starts_with("LIVE "));
    assert!(line(&mut ana).await.contains(" ana"), "her own JOIN");

    let mut bob = Client::join(server.plain, "bob").await;
    assert!(
        line(&mut ana).await.starts_with("JOIN "),
        "ana sees bob join"
    );
    send(&mut write, "oi do TLS").await;
    let msg = bob.recv_msg().await;
    assert_eq!((msg.nick.as_str(), msg.text.as_str()), ("ana", "oi do TLS"));
    assert!(line(&mut ana).await.ends_with(":oi do TLS"));
    marker(&mut bob, &mut [], "oi do texto puro").await;
    assert!(line(&mut ana).await.ends_with(":oi do texto puro"));
}

#[tokio::test]
async fn plain_text_on_the_tls_port_is_told_where_to_go() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cert = self_signed(dir.path());
    let server = start(&cert, Config::default()).await;
    let mut nc = TcpStream::connect(server.tls).await.expect("connect");
    send(&mut nc, "ana").await;
    let mut reply = String::new();
    timeout(WAIT, nc.read_to_string(&mut reply))
        .await
        .expect("closed within the deadline")
        .expect("read");
    let line = ServerLine::parse(reply.trim_end()).expect("a protocol line");
    assert!(
        matches!(&line, ServerLine::Bye { text } if text.contains("TLS")),
        "{reply:?}"
    );
}

#[tokio::test]
async fn handshakes_in_progress_are_bounded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cert = self_signed(dir.path());
    let config = Config {
        max_unjoined: 2,
        ..Config::default()
    };
    let server = start(&cert, config).await;
    // Two connections that never start their handshake hold the two places…
    let _idle: Vec<TcpStream> = vec![
        TcpStream::connect(server.tls).await.expect("connect"),
        TcpStream::connect(server.tls).await.expect("connect"),
    ];
    // …so a third is closed at once (bounded: the server accepts it in its own time).
    let mut third = TcpStream::connect(server.tls).await.expect("connect");
    let mut buf = [0u8; 16];
    let read = timeout(WAIT, third.read(&mut buf))
        .await
        .expect("closed within the deadline");
    assert!(
        matches!(read, Ok(0)) || read.is_err(),
        "closed without a word: {read:?}"
    );
    // The plain port is not affected.
    Client::join(server.plain, "ana").await;
}

#[test]
fn unusable_certificate_files_are_refused_with_their_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = self_signed(dir.path());
    let missing = dir.path().join("nada.pem");
    let garbage = dir.path().join("lixo.pem");
    std::fs::write(&garbage, "não é PEM").expect("write");
    let cases = [
        (missing.clone(), good.key.clone(), "nada.pem"),
        (garbage.clone(), good.key.clone(), "lixo.pem"),
        (good.cert.clone(), garbage.clone(), "lixo.pem"),
        // A certificate is no key.
        (good.cert.clone(), good.cert.clone(), "cert.pem"),
    ];
    for (cert, key, named) in cases {
        let err = tls::load(&cert, &key).err().expect("refused");
        assert!(err.to_string().contains(named), "{named}: {err}");
    }
    // A key that is not the certificate's.
    let other_dir = tempfile::tempdir().expect("temp dir");
    let other = self_signed(other_dir.path());
    let err = tls::load(&good.cert, &other.key).err().expect("refused");
    assert!(matches!(err, TlsSetupError::Pair(_)), "{err}");
}

#[test]
fn the_fingerprint_is_sha256_as_openssl_prints_it() {
    // SHA-256 of "abc" (FIPS 180-2's test vector), in `openssl x509 -fingerprint` form.
    let fingerprint = tls::fingerprint(&CertificateDer::from(b"abc".to_vec()));
    assert_eq!(
        fingerprint,
        "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:\
         B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
    );
}

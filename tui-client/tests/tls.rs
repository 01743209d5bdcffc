//! `papo::tls` against real handshakes on loopback: a tokio-rustls server with rcgen
//! certificates that writes one line once the handshake is done.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use papo::tls::{
    self, Fingerprint, FingerprintError, KnownHosts, KnownHostsError, TlsError, TlsSettings,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, date_time_ymd,
};
use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;

/// What the servers here send first, TLS or not.
const GREETING: &str = "HELLO papo 2 e1 open :oi\n";

/// A certificate and its private key.
struct Identity {
    cert: CertificateDer<'static>,
    key: KeyPair,
}

impl Identity {
    fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.cert)
    }

    fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivatePkcs8KeyDer::from(self.key.serialize_der()).into()
    }
}

const NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

fn self_signed() -> Identity {
    let key = KeyPair::generate().expect("key");
    let params = CertificateParams::new(NAMES.map(String::from)).expect("params");
    let cert = params.self_signed(&key).expect("cert").der().clone();
    Identity { cert, key }
}

/// A CA (as PEM) and a leaf for [`NAMES`] signed by it, valid until `not_after_year`.
fn ca_and_leaf(not_after_year: i32) -> (String, Identity) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "papo CA de teste");
    let ca =
        CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("key")).expect("ca");
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(NAMES.map(String::from)).expect("params");
    params.distinguished_name.push(DnType::CommonName, "papo");
    params.not_before = date_time_ymd(1999, 1, 1);
    params.not_after = date_time_ymd(not_after_year, 1, 1);
    let cert = params.signed_by(&key, &ca).expect("leaf").der().clone();
    (ca.pem(), Identity { cert, key })
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn server_config(identity: &Identity) -> Arc<ServerConfig> {
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![identity.cert.clone()], identity.key_der())
        .expect("server config");
    Arc::new(config)
}

/// Starts a server that takes one connection per config, in order, and reports for each
/// whether its handshake succeeded (and so whether it wrote [`GREETING`]).
async fn serve(configs: Vec<Arc<ServerConfig>>) -> (SocketAddr, mpsc::UnboundedReceiver<bool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (done, results) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        for config in configs {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let ok = match TlsAcceptor::from(config).accept(tcp).await {
                Ok(mut tls) => {
                    let _ = tls.write_all(GREETING.as_bytes()).await;
                    let _ = tls.shutdown().await;
                    true
                }
                Err(_) => false,
            };
            let _ = done.send(ok);
        }
    });
    (addr, results)
}

/// Connects to `addr` as `host`, returning the first line the server sent.
async fn first_line(
    addr: SocketAddr,
    host: &str,
    settings: &TlsSettings,
) -> Result<String, TlsError> {
    let tcp = TcpStream::connect(addr).await.expect("tcp connect");
    let tls = tls::connect(tcp, host, addr.port(), settings).await?;
    let mut line = String::new();
    BufReader::new(tls)
        .read_line(&mut line)
        .await
        .expect("read line");
    Ok(line)
}

/// Settings with `known_hosts` next to a config file in a fresh temporary directory.
fn settings_in(dir: &tempfile::TempDir) -> TlsSettings {
    let config = dir.path().join("papo").join("config.toml");
    TlsSettings {
        ca: None,
        known_hosts: tls::known_hosts_path(Some(&config)),
    }
}

#[tokio::test]
async fn an_unknown_self_signed_certificate_is_untrusted_until_pinned_then_a_change_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = settings_in(&dir);
    let (first, second) = (self_signed(), self_signed());
    let (addr, mut handshakes) = serve(vec![
        server_config(&first),
        server_config(&first),
        server_config(&second),
    ])
    .await;

    // (a) Unknown: refused with its fingerprint, and the server never got to write.
    let err = first_line(addr, "127.0.0.1", &settings)
        .await
        .expect_err("untrusted");
    let TlsError::Untrusted {
        ref host,
        port,
        fingerprint,
        ref reason,
    } = err
    else {
        panic!("expected Untrusted, got {err:?}");
    };
    assert_eq!((host.as_str(), port), ("127.0.0.1", addr.port()));
    assert_eq!(fingerprint, first.fingerprint());
    assert_eq!(reason, "certificado autoassinado");
    assert!(err.to_string().contains(&fingerprint.to_string()), "{err}");
    assert_eq!(handshakes.recv().await, Some(false));

    // (b) Accepted: the same server now connects and its line is read.
    tls::pin(&settings, "127.0.0.1", addr.port(), &fingerprint).expect("pinned");
    let line = first_line(addr, "127.0.0.1", &settings)
        .await
        .expect("pinned connects");
    assert_eq!(line, GREETING);
    assert_eq!(handshakes.recv().await, Some(true));

    // (c) Another certificate on the same host and port: refused loudly.
    let err = first_line(addr, "127.0.0.1", &settings)
        .await
        .expect_err("changed");
    let known_hosts = settings.known_hosts.clone().expect("known_hosts path");
    assert_eq!(
        err,
        TlsError::Changed {
            host: "127.0.0.1".to_owned(),
            port: addr.port(),
            pinned: first.fingerprint(),
            seen: second.fingerprint(),
            known_hosts: known_hosts.clone(),
        }
    );
    let text = err.to_string();
    assert!(text.starts_with("ATENÇÃO"), "{text}");
    assert!(text.contains(&known_hosts.display().to_string()), "{text}");
    assert_eq!(handshakes.recv().await, Some(false));
}

/// `openssl req -x509` makes a self-signed certificate that is also a CA (basic constraints
/// `CA:TRUE`): it must be offered for trust as self-signed too, not as merely "refused".
#[tokio::test]
async fn a_self_signed_ca_certificate_as_openssl_makes_it_is_called_self_signed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = settings_in(&dir);
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(NAMES.map(String::from)).expect("params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).expect("cert").der().clone();
    let identity = Identity { cert, key };
    let (addr, _handshakes) = serve(vec![server_config(&identity)]).await;
    let err = first_line(addr, "localhost", &settings)
        .await
        .expect_err("untrusted");
    match err {
        TlsError::Untrusted { reason, .. } => assert_eq!(reason, "certificado autoassinado"),
        other => panic!("expected Untrusted, got {other:?}"),
    }
}

#[tokio::test]
async fn a_pin_works_over_tls12_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = settings_in(&dir);
    let identity = self_signed();
    let config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS12])
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![identity.cert.clone()], identity.key_der())
        .expect("server config");
    let (addr, _) = serve(vec![Arc::new(config)]).await;
    tls::pin(&settings, "127.0.0.1", addr.port(), &identity.fingerprint()).expect("pinned");
    let line = first_line(addr, "127.0.0.1", &settings)
        .await
        .expect("connects");
    assert_eq!(line, GREETING);
}

/// Presents a certificate but signs with another key.
#[derive(Debug)]
struct Impostor(Arc<CertifiedKey>);

impl ResolvesServerCert for Impostor {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0))
    }
}

#[tokio::test]
async fn a_pinned_certificate_still_needs_the_handshake_signed_with_its_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = settings_in(&dir);
    let (genuine, other) = (self_signed(), self_signed());
    let provider = provider();
    let signer = provider
        .key_provider
        .load_private_key(other.key_der())
        .expect("signing key");
    let stolen = CertifiedKey::new(vec![genuine.cert.clone()], signer);
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Impostor(Arc::new(stolen))));
    let (addr, mut handshakes) = serve(vec![Arc::new(config)]).await;
    tls::pin(&settings, "127.0.0.1", addr.port(), &genuine.fingerprint()).expect("pinned");

    let err = first_line(addr, "127.0.0.1", &settings)
        .await
        .expect_err("impostor");
    assert!(matches!(err, TlsError::Invalid(_)), "{err:?}");
    assert_eq!(handshakes.recv().await, Some(false));
}

#[tokio::test]
async fn a_named_ca_is_the_only_trust() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (ca_pem, leaf) = ca_and_leaf(4000);
    let (_, expired) = ca_and_leaf(2000);
    let ca_path = dir.path().join("ca.pem");
    std::fs::write(&ca_path, &ca_pem).expect("write ca");
    let stranger = self_signed();
    let tofu = settings_in(&dir);
    let with_ca = TlsSettings {
        ca: Some(ca_path.clone()),
        ..tofu.clone()
    };
    let (addr, mut handshakes) = serve(vec![
        server_config(&leaf),
        server_config(&leaf),
        server_config(&leaf),
        server_config(&stranger),
        server_config(&leaf),
    ])
    .await;
    // Pinned, but a named CA turns trust on first use off.
    tls::pin(&tofu, "127.0.0.1", addr.port(), &stranger.fingerprint()).expect("pinned");

    // (d) The leaf connects with no pin, by name and by address.
    assert_eq!(
        first_line(addr, "localhost", &with_ca).await,
        Ok(GREETING.to_owned())
    );
    assert_eq!(
        first_line(addr, "127.0.0.1", &with_ca).await,
        Ok(GREETING.to_owned())
    );
    // Not for another name.
    let err = first_line(addr, "outro.exemplo", &with_ca)
        .await
        .expect_err("wrong name");
    assert!(
        matches!(&err, TlsError::Invalid(m) if m.contains("o nome não confere")),
        "{err:?}"
    );
    // A self-signed certificate is invalid even though it is pinned.
    let err = first_line(addr, "127.0.0.1", &with_ca)
        .await
        .expect_err("no tofu");
    let TlsError::Invalid(message) = &err else {
        panic!("expected Invalid, got {err:?}");
    };
    assert!(
        message.contains(&ca_path.display().to_string()),
        "{message}"
    );
    // Without the CA, the same leaf is just an unknown issuer.
    let err = first_line(addr, "localhost", &tofu)
        .await
        .expect_err("unknown issuer");
    assert!(
        matches!(&err, TlsError::Untrusted { reason, fingerprint, .. }
            if reason == "emissor desconhecido" && *fingerprint == leaf.fingerprint()),
        "{err:?}"
    );
    let results: Vec<Option<bool>> = vec![
        handshakes.recv().await,
        handshakes.recv().await,
        handshakes.recv().await,
        handshakes.recv().await,
        handshakes.recv().await,
    ];
    assert_eq!(
        results,
        [
            Some(true),
            Some(true),
            Some(false),
            Some(false),
            Some(false)
        ]
    );

    // An expired leaf from the named CA says so.
    let (addr, _) = serve(vec![server_config(&expired)]).await;
    let err = first_line(addr, "localhost", &with_ca)
        .await
        .expect_err("expired");
    assert!(
        matches!(&err, TlsError::Invalid(m) if m.contains("expirado")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_ca_file_that_cannot_be_used_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    // One accepted connection per try: the listener closes after the last.
    let identity = self_signed();
    let (addr, _) = serve(vec![server_config(&identity), server_config(&identity)]).await;
    let missing: PathBuf = dir.path().join("nao-existe.pem");
    let empty = dir.path().join("vazio.pem");
    std::fs::write(&empty, "nada aqui\n").expect("write");
    for ca in [missing, empty] {
        let settings = TlsSettings {
            ca: Some(ca.clone()),
            known_hosts: None,
        };
        let err = first_line(addr, "127.0.0.1", &settings)
            .await
            .expect_err("bad ca");
        let TlsError::Ca(message) = &err else {
            panic!("expected Ca, got {err:?}");
        };
        assert!(message.contains(&ca.display().to_string()), "{message}");
    }
}

#[tokio::test]
async fn a_plain_text_server_gets_a_hint() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        if let Ok((mut tcp, _)) = listener.accept().await {
            let _ = tcp.write_all(GREETING.as_bytes()).await;
            let mut sink = Vec::new();
            let _ = tcp.read_to_end(&mut sink).await;
        }
    });
    let err = first_line(addr, "127.0.0.1", &TlsSettings::default())
        .await
        .expect_err("not tls");
    assert_eq!(
        err,
        TlsError::Handshake(
            "o servidor não respondeu em TLS (a porta é a de texto puro?)".to_owned()
        )
    );
}

/// SHA-256("abc"), from FIPS 180-2.
const ABC: &str = "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:\
                   B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD";

/// A fingerprint that differs for each `byte`.
fn fp(byte: u8) -> Fingerprint {
    Fingerprint::of(&[byte])
}

#[test]
fn fingerprint_prints_like_openssl_and_parses_back_in_any_case() {
    let abc = Fingerprint::of(b"abc");
    assert_eq!(abc.to_string(), ABC);
    assert_eq!(ABC.parse::<Fingerprint>(), Ok(abc));
    assert_eq!(ABC.to_lowercase().parse::<Fingerprint>(), Ok(abc));
    for bad in [
        "",
        "BA:78",
        &format!("{ABC}:00"),
        &ABC.replace(':', ""),
        &ABC.replacen("BA", "+A", 1),
    ] {
        assert_eq!(bad.parse::<Fingerprint>(), Err(FingerprintError), "{bad:?}");
    }
}

#[test]
fn known_hosts_keeps_good_lines_and_reports_bad_ones() {
    let text = format!(
        "# cabeçalho\n\
         exemplo.org 7667 {a}\n\
         sem-porta {a}\n\
         Exemplo.ORG 7667 {b}\n\
         ::1 70000 {a}\n\
         [::1] 7667 {b}\n\
         host 1 AB:CD\n\
         \n",
        a = fp(0xaa),
        b = fp(0xbb)
    );
    let hosts = KnownHosts::parse(&text);
    assert_eq!(hosts.lookup("EXEMPLO.org", 7667), Some(&fp(0xaa)));
    assert_eq!(hosts.lookup("exemplo.org", 7668), None);
    assert_eq!(hosts.lookup("::1", 7667), Some(&fp(0xbb)));
    assert_eq!(hosts.lookup("[0:0::1]", 7667), Some(&fp(0xbb)));
    let lines: Vec<&str> = hosts.problems.iter().map(String::as_str).collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    for (problem, number) in lines.iter().zip([3, 4, 5, 7]) {
        assert!(problem.contains(&format!("linha {number}:")), "{problem}");
    }
    // Saving keeps what it did not understand; entries come back normalized.
    assert_eq!(hosts.to_text(), text.replace("[::1]", "::1"));
}

#[test]
fn pin_replaces_the_entry_and_save_load_round_trips() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("papo").join("config.toml");
    let path = tls::known_hosts_path(Some(&config)).expect("has a parent");
    assert_eq!(path, dir.path().join("papo").join("known_hosts"));
    assert_eq!(tls::known_hosts_path(None), None);

    let mut hosts = KnownHosts::load(&path).expect("missing is empty");
    assert!(hosts.problems.is_empty());
    hosts.pin("Exemplo.org", 7667, fp(1)).expect("pinned");
    hosts.pin("[::1]", 7667, fp(2)).expect("pinned");
    hosts.pin("exemplo.ORG", 7667, fp(3)).expect("pinned");
    assert!(matches!(
        hosts.pin("dois nomes", 7667, fp(4)),
        Err(KnownHostsError::BadHost(_))
    ));
    hosts.save(&path).expect("saved");

    let loaded = KnownHosts::load(&path).expect("loaded");
    assert_eq!(loaded, hosts);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    assert_eq!(loaded.lookup("exemplo.org", 7667), Some(&fp(3)));
    assert_eq!(loaded.lookup("::1", 7667), Some(&fp(2)));
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.starts_with('#'), "{text}");
    assert_eq!(text.lines().count(), 3, "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn errors_are_one_line() {
    let changed = TlsError::Changed {
        host: "::1".into(),
        port: 7667,
        pinned: fp(1),
        seen: fp(2),
        known_hosts: "/tmp/known_hosts".into(),
    };
    let text = changed.to_string();
    assert!(
        text.starts_with("ATENÇÃO: o certificado de [::1]:7667 mudou!"),
        "{text}"
    );
    assert!(
        text.ends_with("apague a linha em /tmp/known_hosts"),
        "{text}"
    );
    assert!(!text.contains('\n'));
}

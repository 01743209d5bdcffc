//! TLS for the client, with trust on first use like ssh's `known_hosts`.
//!
//! A server's certificate is accepted when it chains to a trusted authority (the system's roots,
//! or only the PEM file the user named as `ca`). Otherwise, and only when no `ca` was named, the
//! SHA-256 [`Fingerprint`] of the certificate is compared with the one pinned for that host and
//! port in [`KnownHosts`]: the same one connects, a different one is refused loudly
//! ([`TlsError::Changed`]) and none at all is refused with the fingerprint
//! ([`TlsError::Untrusted`]) so the app can ask the user and call [`pin`].
//!
//! rustls only returns its own error type from a handshake, so the verifier records its
//! verdict (a [`TlsError`]) on the side and [`connect`] reports that instead of rustls's error.
//! A pinned certificate skips only the authority check: the server must still prove, by the
//! handshake signatures, that it holds the certificate's key.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::{self, PemObject};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

mod known_hosts;
mod verifier;

pub use known_hosts::{
    Fingerprint, FingerprintError, KNOWN_HOSTS_FILE, KnownHosts, KnownHostsError, known_hosts_path,
};
use known_hosts::{host_port, server_name};
use verifier::{Fallback, PinningVerifier, ca_reason, pin_fallback};

/// How long the TLS handshake may take once the TCP connection is open.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// What [`connect`] trusts besides the system's roots.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// A PEM file of authorities: when set, only these are trusted, and never a pin.
    pub ca: Option<PathBuf>,
    /// The `known_hosts` file; `None` when there is nowhere to keep one.
    pub known_hosts: Option<PathBuf>,
}

/// Why a TLS connection was not made. Each message is one Portuguese line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    /// No authority vouches for the certificate and none is pinned: the user may accept it.
    #[error(
        "o certificado de {} não é confiável ({reason}); impressão digital SHA-256: {fingerprint}",
        host_port(host, *port)
    )]
    Untrusted {
        /// The server's host.
        host: String,
        /// The server's port.
        port: u16,
        /// The certificate's fingerprint, to show and to [`pin`].
        fingerprint: Fingerprint,
        /// Why the authority check failed.
        reason: String,
    },
    /// The certificate differs from the pinned one.
    #[error(
        "ATENÇÃO: o certificado de {} mudou! aceito antes: {pinned}; recebido agora: {seen} — pode ser um ataque; \
         se o servidor trocou de certificado, apague a linha em {}",
        host_port(host, *port),
        known_hosts.display()
    )]
    Changed {
        /// The server's host.
        host: String,
        /// The server's port.
        port: u16,
        /// The fingerprint in `known_hosts`.
        pinned: Fingerprint,
        /// The fingerprint the server presented.
        seen: Fingerprint,
        /// The `known_hosts` file holding the pin.
        known_hosts: PathBuf,
    },
    /// The certificate was refused and cannot be accepted by pinning it.
    #[error("{0}")]
    Invalid(String),
    /// The `ca` file could not be used.
    #[error("{0}")]
    Ca(String),
    /// The handshake failed (timeout, not TLS, no common version, …).
    #[error("{0}")]
    Handshake(String),
    /// Reading `known_hosts` or the network failed.
    #[error("{0}")]
    Io(String),
}

/// Makes a TLS connection over `stream` to `host` (a name or an IP literal) and `port`, trusting
/// what `settings` say; the handshake may take [`HANDSHAKE_TIMEOUT`].
pub async fn connect(
    stream: TcpStream,
    host: &str,
    port: u16,
    settings: &TlsSettings,
) -> Result<TlsStream<TcpStream>, TlsError> {
    connect_within(stream, host, port, settings, HANDSHAKE_TIMEOUT).await
}

async fn connect_within(
    stream: TcpStream,
    host: &str,
    port: u16,
    settings: &TlsSettings,
    timeout: Duration,
) -> Result<TlsStream<TcpStream>, TlsError> {
    let name = server_name(host)?;
    let verdict = Arc::new(Mutex::new(None));
    let config = {
        let (host, settings, verdict) = (host.to_owned(), settings.clone(), Arc::clone(&verdict));
        // Reading certificate files is blocking work.
        tokio::task::spawn_blocking(move || client_config(&host, port, &settings, verdict))
            .await
            .map_err(|e| TlsError::Io(format!("falha ao preparar o TLS: {e}")))??
    };
    let handshake = TlsConnector::from(config).connect(name, stream);
    let result = tokio::time::timeout(timeout, handshake)
        .await
        .map_err(|_| TlsError::Handshake("tempo esgotado no TLS".to_owned()))?;
    result.map_err(|e| {
        let recorded = verdict
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        recorded.unwrap_or_else(|| handshake_error(&e))
    })
}

/// Pins `fingerprint` for `host` and `port` in the `known_hosts` file of `settings`: what the app
/// does when the user accepts an untrusted certificate. The error is a Portuguese sentence.
pub fn pin(
    settings: &TlsSettings,
    host: &str,
    port: u16,
    fingerprint: &Fingerprint,
) -> Result<(), String> {
    let path = settings
        .known_hosts
        .as_deref()
        .ok_or("não há onde guardar o certificado aceito (sem pasta de configuração)")?;
    let mut hosts = KnownHosts::load(path).map_err(|e| e.to_string())?;
    hosts
        .pin(host, port, *fingerprint)
        .map_err(|e| e.to_string())?;
    hosts.save(path).map_err(|e| e.to_string())
}

/// The client config for one connection: the roots, and a verifier that knows this host's pin.
fn client_config(
    host: &str,
    port: u16,
    settings: &TlsSettings,
    verdict: Arc<Mutex<Option<TlsError>>>,
) -> Result<Arc<ClientConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let (roots, fallback) = match &settings.ca {
        Some(ca) => (Arc::new(ca_roots(ca)?), Fallback::NamedCa(ca.clone())),
        None => (system_roots(), pin_fallback(host, port, settings)),
    };
    let webpki = WebPkiServerVerifier::builder_with_provider(roots, Arc::clone(&provider))
        .build()
        .ok();
    let verifier = PinningVerifier {
        webpki,
        algorithms: provider.signature_verification_algorithms,
        host: host.to_owned(),
        port,
        fallback,
        verdict,
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Handshake(format!("configuração TLS inválida: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The certificates in the PEM file the user named; an unreadable or empty file is an error.
fn ca_roots(path: &Path) -> Result<RootCertStore, TlsError> {
    let shown = path.display();
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| match e {
            pem::Error::Io(e) => TlsError::Ca(format!("não consegui ler a CA {shown}: {e}")),
            _ => TlsError::Ca(format!("a CA {shown} não é um arquivo PEM válido")),
        })?;
    if certs.is_empty() {
        return Err(TlsError::Ca(format!(
            "a CA {shown} não tem nenhum certificado"
        )));
    }
    let mut roots = RootCertStore::empty();
    for cert in certs {
        roots
            .add(cert)
            .map_err(|_| TlsError::Ca(format!("a CA {shown} tem um certificado inválido")))?;
    }
    Ok(roots)
}

/// The system's roots, read once. Certificates that fail to load are skipped: with none at all,
/// every server goes through pinning.
fn system_roots() -> Arc<RootCertStore> {
    static ROOTS: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    let roots = ROOTS.get_or_init(|| {
        let mut roots = RootCertStore::empty();
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        Arc::new(roots)
    });
    Arc::clone(roots)
}

/// A failed handshake the verifier had nothing to say about, in Portuguese.
fn handshake_error(error: &io::Error) -> TlsError {
    if let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return match tls {
            rustls::Error::InvalidMessage(_) => TlsError::Handshake(
                "o servidor não respondeu em TLS (a porta é a de texto puro?)".to_owned(),
            ),
            rustls::Error::InvalidCertificate(_) => TlsError::Invalid(format!(
                "o servidor não provou ter a chave do certificado ({})",
                ca_reason(tls, false)
            )),
            rustls::Error::AlertReceived(alert) => {
                TlsError::Handshake(format!("o servidor recusou o TLS (alerta {alert:?})"))
            }
            rustls::Error::PeerIncompatible(_) => TlsError::Handshake(
                "o servidor não tem versão ou cifra TLS em comum com o papo".to_owned(),
            ),
            other => TlsError::Handshake(format!("falha no TLS: {other}")),
        };
    }
    match error.kind() {
        io::ErrorKind::UnexpectedEof => TlsError::Handshake(
            "o servidor fechou a conexão durante o TLS (a porta é a de texto puro?)".to_owned(),
        ),
        _ => TlsError::Io(format!("erro de rede durante o TLS: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_silent_server_times_out() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let stream = TcpStream::connect(addr).await.expect("connect");
        let (_held, _) = listener.accept().await.expect("accept");
        let settings = TlsSettings::default();
        let result = connect_within(
            stream,
            "127.0.0.1",
            addr.port(),
            &settings,
            Duration::from_millis(200),
        )
        .await;
        assert_eq!(
            result.err(),
            Some(TlsError::Handshake("tempo esgotado no TLS".to_owned()))
        );
    }
}

//! The TLS listener: the same room over TLS (rustls with the ring provider), on a port of its
//! own beside the plain one. The handshake is bounded in time and in how many run at once;
//! after it, a TLS connection is served exactly like a plain one.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// The TLS port papo-server listens on by default, when given a certificate.
pub const DEFAULT_TLS_PORT: u16 = 7668;

/// How long a TLS handshake may take; a peer that stalls in it is closed.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the certificate or key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// The certificate file is missing, unreadable or holds no certificate.
    #[error("cannot read a PEM certificate from {path}: {why}")]
    Certificate {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// The key file is missing, unreadable or holds no private key.
    #[error("cannot read a PEM private key from {path}: {why}")]
    Key {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// rustls refused the pair (the key does not match the certificate, say).
    #[error("the certificate and key cannot be used together: {0}")]
    Pair(rustls::Error),
}

/// A listener whose connections speak TLS.
pub struct TlsListener {
    /// Accepts the TCP connections.
    pub listener: TcpListener,
    /// Runs the handshake on each.
    pub acceptor: TlsAcceptor,
}

/// A TLS server identity: what the handshake needs, and the certificate's fingerprint for
/// people to check.
#[derive(Clone)]
pub struct Identity {
    /// The handshake's settings.
    pub acceptor: TlsAcceptor,
    /// SHA-256 of the certificate, as `openssl x509 -fingerprint -sha256` prints it.
    pub fingerprint: String,
}

/// Reads a PEM certificate chain (the server's certificate first) and its PEM private key.
pub fn load(cert_path: &Path, key_path: &Path) -> Result<Identity, TlsSetupError> {
    let cert_error = |why: String| TlsSetupError::Certificate {
        path: cert_path.to_owned(),
        why,
    };
    let chain = CertificateDer::pem_file_iter(cert_path)
        .map_err(|e| cert_error(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| cert_error(e.to_string()))?;
    let first = chain
        .first()
        .ok_or_else(|| cert_error("no CERTIFICATE section".to_owned()))?;
    let fingerprint = fingerprint(first);
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|e| TlsSetupError::Key {
        path: key_path.to_owned(),
        why: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsSetupError::Pair)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(TlsSetupError::Pair)?;
    Ok(Identity {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        fingerprint,
    })
}

/// SHA-256 of a certificate as colon-separated upper-case hex.
pub fn fingerprint(cert: &CertificateDer<'_>) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, cert.as_ref());
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

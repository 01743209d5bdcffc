//! The certificate check: the authorities first (system roots, or only a named CA), then,
//! without a named CA, the fingerprint pinned in `known_hosts`. rustls only returns its own
//! error from a handshake, so the verifier records why it refused (a [`TlsError`]) on the side.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use super::known_hosts::host_port;
use super::{Fingerprint, KnownHosts, TlsError, TlsSettings};

/// What the verifier falls back to, without a named CA, when no authority vouches.
pub(super) fn pin_fallback(host: &str, port: u16, settings: &TlsSettings) -> Fallback {
    let Some(path) = &settings.known_hosts else {
        return Fallback::Pin(None);
    };
    match KnownHosts::load(path) {
        Ok(hosts) => Fallback::Pin(hosts.lookup(host, port).map(|fp| (*fp, path.clone()))),
        Err(e) => Fallback::Unreadable(e.to_string()),
    }
}

/// What is trusted once the authority check fails.
#[derive(Debug)]
pub(super) enum Fallback {
    /// The user named a CA: nothing else is trusted.
    NamedCa(PathBuf),
    /// Trust on first use: the pin for this host and port, if any, and the file it is in.
    Pin(Option<(Fingerprint, PathBuf)>),
    /// `known_hosts` could not be read, so a pin cannot be checked.
    Unreadable(String),
}

/// Checks the certificate against the authorities, then against the pin; records why it refused.
#[derive(Debug)]
pub(super) struct PinningVerifier {
    /// `None` when there are no roots at all.
    pub(super) webpki: Option<Arc<WebPkiServerVerifier>>,
    pub(super) algorithms: WebPkiSupportedAlgorithms,
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) fallback: Fallback,
    pub(super) verdict: Arc<Mutex<Option<TlsError>>>,
}

impl PinningVerifier {
    fn refuse(
        &self,
        verdict: TlsError,
        error: rustls::Error,
    ) -> Result<ServerCertVerified, rustls::Error> {
        *self.verdict.lock().unwrap_or_else(PoisonError::into_inner) = Some(verdict);
        Err(error)
    }
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let ca_error = match &self.webpki {
            Some(webpki) => match webpki.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ) {
                Ok(verified) => return Ok(verified),
                Err(e) => e,
            },
            None => rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
        };
        let self_issued = intermediates.is_empty() && is_self_issued(end_entity);
        let reason = ca_reason(&ca_error, self_issued);
        let (host, port) = (self.host.clone(), self.port);
        let seen = Fingerprint::of(end_entity);
        let bad_encoding = matches!(
            ca_error,
            rustls::Error::InvalidCertificate(CertificateError::BadEncoding)
        );
        let verdict = match &self.fallback {
            _ if bad_encoding => TlsError::Invalid(format!(
                "o certificado de {} é inválido ({reason})",
                host_port(&host, port)
            )),
            Fallback::NamedCa(ca) => TlsError::Invalid(format!(
                "o certificado de {} não é aceito pela CA {} ({reason})",
                host_port(&host, port),
                ca.display()
            )),
            Fallback::Unreadable(why) => TlsError::Io(why.clone()),
            Fallback::Pin(Some((pinned, _))) if *pinned == seen => {
                return Ok(ServerCertVerified::assertion());
            }
            Fallback::Pin(Some((pinned, known_hosts))) => TlsError::Changed {
                host,
                port,
                pinned: *pinned,
                seen,
                known_hosts: known_hosts.clone(),
            },
            Fallback::Pin(None) => TlsError::Untrusted {
                host,
                port,
                fingerprint: seen,
                reason,
            },
        };
        self.refuse(verdict, ca_error)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Why the authority check failed, in Portuguese.
pub(super) fn ca_reason(error: &rustls::Error, self_issued: bool) -> String {
    use CertificateError as E;
    let reason = match error {
        rustls::Error::InvalidCertificate(e) => match e {
            // A self-signed certificate made by `openssl req -x509` is also a CA certificate,
            // which webpki refuses as an end entity before it looks for an issuer.
            E::UnknownIssuer | E::Other(_) if self_issued => "certificado autoassinado",
            E::UnknownIssuer => "emissor desconhecido",
            E::NotValidForName | E::NotValidForNameContext { .. } => {
                "o nome não confere com o certificado"
            }
            E::Expired | E::ExpiredContext { .. } => "certificado expirado",
            E::NotValidYet | E::NotValidYetContext { .. } => "certificado ainda não válido",
            E::Revoked => "certificado revogado",
            E::BadEncoding => "certificado malformado",
            E::BadSignature => "assinatura inválida no certificado",
            E::InvalidPurpose | E::InvalidPurposeContext { .. } => {
                "o certificado não serve para servidores"
            }
            _ => "certificado recusado",
        },
        _ => "certificado recusado",
    };
    reason.to_owned()
}

/// Whether the certificate names itself as its issuer (issuer equals subject), read straight
/// from the DER: `Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL,
/// serialNumber, signature, issuer, validity, subject, … }, … }`. Anything unreadable is `false`.
pub(super) fn is_self_issued(der: &[u8]) -> bool {
    let names = || {
        let (_, certificate, _) = der_element(der)?;
        let (_, tbs, _) = der_element(certificate)?;
        let (tag, _, after_version) = der_element(tbs)?;
        let rest = if tag == 0xa0 { after_version } else { tbs };
        let (_, _, rest) = der_element(rest)?; // serialNumber
        let (_, _, rest) = der_element(rest)?; // signature algorithm
        let (_, issuer, rest) = der_element(rest)?;
        let (_, _, rest) = der_element(rest)?; // validity
        let (_, subject, _) = der_element(rest)?;
        Some(issuer == subject)
    };
    names().unwrap_or(false)
}

/// Splits one DER element off `input`: its tag, its content and what follows.
fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let (bytes, rest) = rest.split_at_checked(count)?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, rest)
    };
    let (content, rest) = rest.split_at_checked(len)?;
    Some((tag, content, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_issued_is_read_from_the_der() {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
        assert!(is_self_issued(cert.cert.der()));
        assert!(!is_self_issued(b"\x30\x03\x02\x01"));
        assert!(!is_self_issued(&[]));
    }
}

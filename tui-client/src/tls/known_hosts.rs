//! Pinned certificates: the SHA-256 [`Fingerprint`] of each server trusted on first use, kept
//! per host and port in a `known_hosts` file beside the config file (like ssh's).

use std::fmt;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ring::digest::{SHA256, digest};
use rustls::pki_types::{DnsName, ServerName};

use super::TlsError;

/// The name of the pinned-fingerprints file, next to the config file.
pub const KNOWN_HOSTS_FILE: &str = "known_hosts";
/// The first line of a new `known_hosts` file.
const KNOWN_HOSTS_HEADER: &str = "# papo: certificados TLS aceitos — <host> <porta> <SHA-256>; \
                                  apague uma linha para esquecer um servidor";

/// The SHA-256 of a certificate's DER, shown as `openssl x509 -noout -fingerprint -sha256`
/// prints it: 32 uppercase hex pairs joined by `:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// The fingerprint of a DER-encoded certificate.
    pub fn of(der: &[u8]) -> Self {
        let mut bytes = [0; 32];
        bytes.copy_from_slice(digest(&SHA256, der).as_ref());
        Self(bytes)
    }

    /// The 32 bytes of the hash.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{byte:02X}")?;
        }
        Ok(())
    }
}

/// A string that is not a fingerprint in the `AB:CD:…` form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("impressão digital inválida: esperava 32 pares hexadecimais separados por ':'")]
pub struct FingerprintError;

impl FromStr for Fingerprint {
    type Err = FingerprintError;

    /// Reads the `AB:CD:…` form, in either case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut bytes = [0; 32];
        let mut pairs = s.split(':');
        for byte in &mut bytes {
            let pair = pairs.next().ok_or(FingerprintError)?;
            if pair.len() != 2 || !pair.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(FingerprintError);
            }
            *byte = u8::from_str_radix(pair, 16).map_err(|_| FingerprintError)?;
        }
        match pairs.next() {
            None => Ok(Self(bytes)),
            Some(_) => Err(FingerprintError),
        }
    }
}

/// Where `known_hosts` lives: next to the config file. `None` when there is no config path.
pub fn known_hosts_path(config_path: Option<&Path>) -> Option<PathBuf> {
    config_path?.parent().map(|dir| dir.join(KNOWN_HOSTS_FILE))
}

/// Why `known_hosts` could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum KnownHostsError {
    /// The file exists but could not be read.
    #[error("não consegui ler {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// The file could not be written.
    #[error("não consegui gravar {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// The host cannot be a server name, so it cannot be written as an entry.
    #[error("nome de servidor inválido: {0}")]
    BadHost(String),
}

/// One pinned certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// Normalized: see [`normalize_host`].
    host: String,
    port: u16,
    fingerprint: Fingerprint,
}

/// One line of the file: an entry, or text kept as it was (comments, blanks and malformed lines,
/// so saving never loses what the user wrote).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    Entry(Entry),
    Verbatim(String),
}

/// The pinned fingerprints: one `<host> <port> <fingerprint>` per line after a comment header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownHosts {
    lines: Vec<Line>,
    /// Lines that were skipped while loading, one Portuguese sentence each with its line number.
    /// A skipped line is never trusted.
    pub problems: Vec<String>,
}

impl Default for KnownHosts {
    fn default() -> Self {
        Self {
            lines: vec![Line::Verbatim(KNOWN_HOSTS_HEADER.to_owned())],
            problems: Vec::new(),
        }
    }
}

impl KnownHosts {
    /// Reads the file at `path`; a missing file is an empty list.
    pub fn load(path: &Path) -> Result<Self, KnownHostsError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Self::parse(&text)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(KnownHostsError::Read {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Reads the file's text. Malformed lines and repeated host-port pairs are reported in
    /// [`KnownHosts::problems`] and never trusted.
    pub fn parse(text: &str) -> Self {
        let mut hosts = Self {
            lines: Vec::new(),
            problems: Vec::new(),
        };
        for (index, raw) in text.lines().enumerate() {
            let number = index + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                hosts.lines.push(Line::Verbatim(raw.to_owned()));
                continue;
            }
            match parse_entry(line) {
                Ok(entry) if hosts.lookup(&entry.host, entry.port).is_some() => {
                    hosts.problems.push(format!(
                        "known_hosts, linha {number}: {} repetido; vale a primeira linha",
                        host_port(&entry.host, entry.port)
                    ));
                    hosts.lines.push(Line::Verbatim(raw.to_owned()));
                }
                Ok(entry) => hosts.lines.push(Line::Entry(entry)),
                Err(why) => {
                    hosts
                        .problems
                        .push(format!("known_hosts, linha {number}: {why}; ignorada"));
                    hosts.lines.push(Line::Verbatim(raw.to_owned()));
                }
            }
        }
        hosts
    }

    /// The fingerprint pinned for `host` and `port`, if any.
    pub fn lookup(&self, host: &str, port: u16) -> Option<&Fingerprint> {
        let host = normalize_host(host);
        self.entries()
            .find(|e| e.host == host && e.port == port)
            .map(|e| &e.fingerprint)
    }

    /// Pins `fingerprint` for `host` and `port`, replacing any earlier entry for them.
    pub fn pin(
        &mut self,
        host: &str,
        port: u16,
        fingerprint: Fingerprint,
    ) -> Result<(), KnownHostsError> {
        server_name(host).map_err(|_| KnownHostsError::BadHost(host.to_owned()))?;
        let entry = Entry {
            host: normalize_host(host),
            port,
            fingerprint,
        };
        let same =
            |line: &Line| matches!(line, Line::Entry(e) if e.host == entry.host && e.port == port);
        let mut replaced = false;
        self.lines.retain_mut(|line| {
            if !same(line) {
                return true;
            }
            if replaced {
                return false;
            }
            *line = Line::Entry(entry.clone());
            replaced = true;
            true
        });
        if !replaced {
            self.lines.push(Line::Entry(entry));
        }
        Ok(())
    }

    /// The file's text.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for line in &self.lines {
            match line {
                Line::Entry(e) => {
                    text.push_str(&format!("{} {} {}", e.host, e.port, e.fingerprint));
                }
                Line::Verbatim(raw) => text.push_str(raw),
            }
            text.push('\n');
        }
        text
    }

    /// Writes the file through a temporary file and a rename (a crash never leaves half a
    /// file), creating the directory; readable only by the user on Unix.
    pub fn save(&self, path: &Path) -> Result<(), KnownHostsError> {
        let fail = |source| KnownHostsError::Write {
            path: path.to_owned(),
            source,
        };
        crate::private_file::replace(path, self.to_text().as_bytes()).map_err(fail)
    }

    fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.lines.iter().filter_map(|line| match line {
            Line::Entry(e) => Some(e),
            Line::Verbatim(_) => None,
        })
    }
}

/// Reads `<host> <port> <fingerprint>`; the error says what is wrong, in Portuguese.
fn parse_entry(line: &str) -> Result<Entry, String> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [host, port, fingerprint] = fields.as_slice() else {
        return Err("esperava <host> <porta> <impressão digital>".to_owned());
    };
    server_name(host).map_err(|_| "nome de servidor inválido".to_owned())?;
    let port = port
        .parse::<u16>()
        .map_err(|_| format!("porta inválida: {port}"))?;
    let fingerprint = fingerprint
        .parse()
        .map_err(|e: FingerprintError| e.to_string())?;
    Ok(Entry {
        host: normalize_host(host),
        port,
        fingerprint,
    })
}

/// A host as compared and stored: an IP literal in its canonical form without brackets, a name
/// in lowercase.
pub(super) fn normalize_host(host: &str) -> String {
    let bare = strip_brackets(host);
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => bare.to_ascii_lowercase(),
    }
}

pub(super) fn strip_brackets(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// `host:port`, with an IPv6 literal in brackets.
pub(super) fn host_port(host: &str, port: u16) -> String {
    let host = normalize_host(host);
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The name TLS checks the certificate against: an IP literal or a DNS name.
pub(super) fn server_name(host: &str) -> Result<ServerName<'static>, TlsError> {
    let bare = strip_brackets(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(ServerName::IpAddress(ip.into()));
    }
    DnsName::try_from(bare.to_owned())
        .map(ServerName::DnsName)
        .map_err(|_| TlsError::Handshake(format!("nome de servidor inválido para TLS: {host}")))
}

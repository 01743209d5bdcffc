//! The config file: TOML at `dirs::config_dir()/papo/config.toml`, or wherever the environment
//! variable `PAPO_CONFIG` points. It holds the last server and nickname used (pre-filled in the
//! connect dialog), whether it spoke TLS, an optional authority file for TLS, the room's password
//! only if the user asked to remember it, and the history cap. It is written readable by its
//! owner only. A missing file means defaults; a broken one is reported
//! and defaults are used, so a bad file never stops the client.

use std::path::{Path, PathBuf};

use papo_protocol::Nickname;
use serde::{Deserialize, Serialize};

/// The environment variable that overrides the config file's path.
pub const CONFIG_ENV: &str = "PAPO_CONFIG";
/// The server's default host.
pub const DEFAULT_HOST: &str = "127.0.0.1";
/// The server's default port.
pub const DEFAULT_PORT: u16 = 7667;
/// The server's default TLS port.
pub const DEFAULT_TLS_PORT: u16 = 7668;
/// How many history entries are kept by default.
pub const DEFAULT_HISTORY_LINES: usize = 10_000;
/// The fewest history entries a config may ask for.
pub const MIN_HISTORY_LINES: usize = 100;
/// Default most MiB of history kept.
pub const DEFAULT_HISTORY_MIB: usize = 32;
/// The nickname offered when `$USER` is not a valid one.
pub const FALLBACK_NICK: &str = "visitante";

/// What the config file holds. Every field is optional in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Host (name or IP address) of the last server.
    pub host: String,
    /// Port of the last server.
    pub port: u16,
    /// Last nickname used.
    pub nick: String,
    /// How many history entries (messages, joins, notices) are kept; older ones are dropped.
    pub history_lines: usize,
    /// The last server was reached in TLS.
    pub tls: bool,
    /// A PEM file of certificate authorities: TLS servers are then verified against these only,
    /// never trusted on first use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca: Option<PathBuf>,
    /// The room's password, kept only when the user ticked "lembrar a senha".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Most MiB of history kept (at least 1); with `history_lines`, whichever is reached first
    /// drops the oldest entries.
    pub history_mib: usize,
    /// Ring the terminal's bell on a mention or a private message.
    pub bell: bool,
    /// Capture the mouse (the wheel scrolls the history; Shift+drag still selects text in most
    /// terminals); the key F7 toggles it.
    pub mouse: bool,
    /// Hide joins and leaves of people who have not spoken in the last 10 minutes
    /// (WeeChat's smart filter).
    pub smart_filter: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            host: DEFAULT_HOST.to_owned(),
            port: DEFAULT_PORT,
            nick: default_nick(),
            history_lines: DEFAULT_HISTORY_LINES,
            tls: false,
            ca: None,
            password: None,
            history_mib: DEFAULT_HISTORY_MIB,
            bell: true,
            mouse: true,
            smart_filter: false,
        }
    }
}

/// Why the config file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this config. Shown as one line: the message without the
    /// multi-line excerpt TOML errors carry.
    #[error("{path}: {}", source.message().trim())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: Box<toml::de::Error>,
    },
    /// The config could not be turned into TOML.
    #[error("{0}")]
    Serialize(#[from] toml::ser::Error),
}

/// The nickname offered by default: `$USER` (or `$USERNAME`) when it is a valid nickname.
pub fn default_nick() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .find_map(|user| Nickname::parse(&user).ok())
        .map_or_else(|| FALLBACK_NICK.to_owned(), |n| n.to_string())
}

/// Where the config file lives: `$PAPO_CONFIG` if set and non-empty, else
/// `dirs::config_dir()/papo/config.toml`; `None` if the platform has no config directory.
pub fn path() -> Option<PathBuf> {
    match std::env::var_os(CONFIG_ENV) {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => dirs::config_dir().map(|d| d.join("papo").join("config.toml")),
    }
}

impl Config {
    /// Reads the config at `path`. A missing file is the default config.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(ConfigError::Io {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        Self::parse(&text).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source: Box::new(source),
        })
    }

    /// Parses config text; missing fields take their defaults.
    pub fn parse(text: &str) -> Result<Self, toml::de::Error> {
        let mut config: Self = toml::from_str(text)?;
        config.history_lines = config.history_lines.max(MIN_HISTORY_LINES);
        config.history_mib = config.history_mib.clamp(1, 64 * 1024);
        Ok(config)
    }

    /// Writes the config to `path` (through a temporary file and a rename, so a crash never
    /// leaves half a file), creating the directory if needed.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let io = |source| ConfigError::Io {
            path: path.to_owned(),
            source,
        };
        let text = toml::to_string(self)?;
        crate::private_file::replace(path, text.as_bytes()).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_take_defaults_and_the_history_cap_has_a_floor() {
        let c = Config::parse("host = \"exemplo.org\"\nhistory_lines = 3\n").expect("valid");
        assert_eq!(c.host, "exemplo.org");
        assert_eq!(c.port, DEFAULT_PORT);
        assert_eq!(c.history_lines, MIN_HISTORY_LINES);
        assert!(Config::parse("port = 70000").is_err());
        assert!(Config::parse("cor = 1").is_err());
        let e = ConfigError::Parse {
            path: "c.toml".into(),
            source: Box::new(Config::parse("port = \"x\"").expect_err("bad port")),
        };
        assert!(!e.to_string().contains('\n'), "{e}");
    }

    #[test]
    fn save_then_load_round_trips() {
        let dir = std::env::temp_dir().join(format!("papo-config-test-{}", std::process::id()));
        let path = dir.join("sub").join("config.toml");
        let config = Config {
            host: "10.0.0.1".into(),
            port: 1234,
            nick: "ana".into(),
            history_lines: 500,
            tls: true,
            ca: Some("/etc/papo/ca.pem".into()),
            password: Some("abre-te sésamo".into()),
            history_mib: 8,
            bell: false,
            mouse: false,
            smart_filter: true,
        };
        config.save(&path).expect("saved");
        assert_eq!(Config::load(&path).expect("loaded"), config);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "only its owner reads it");
        assert_eq!(
            Config::load(&dir.join("nada.toml")).expect("default"),
            Config::default()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

//! The room's password: read from a file (never from the command line, where every user of the
//! box can read it in the process list), compared in constant time, never logged.

use std::path::{Path, PathBuf};

use papo_protocol::Secret;
use unicode_normalization::UnicodeNormalization;

/// Longest password accepted (it travels in one `/SENHA` line).
pub const MAX_PASSWORD_BYTES: usize = 256;

/// Wrong passwords one connection may send; the next closes it.
pub const MAX_PASSWORD_ATTEMPTS: u32 = 3;

/// Why a password file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PasswordFileError {
    /// The file could not be read.
    #[error("cannot read the password file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The file holds something that cannot be typed as a password.
    #[error("the password file {path} {why}")]
    Unusable {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: PasswordError,
    },
}

/// Why some text cannot be the room's password. Each reads as the end of a sentence about
/// the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Not UTF-8.
    #[error("is not UTF-8 text")]
    NotUtf8,
    /// Nothing on the first line.
    #[error("is empty: write the password on its first line")]
    Empty,
    /// Over [`MAX_PASSWORD_BYTES`].
    #[error("holds a password longer than 256 bytes")]
    TooLong,
    /// Spaces at an end, which a `/SENHA` line would lose.
    #[error("has spaces at the start or end of the password")]
    EdgeSpaces,
    /// A control character (no terminal could type it).
    #[error("holds a control character in the password")]
    Control,
}

/// The room's password.
#[derive(Clone, PartialEq, Eq)]
pub struct RoomPassword(Secret);

impl std::fmt::Debug for RoomPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RoomPassword(…)")
    }
}

impl RoomPassword {
    /// Reads the password from the first line of `path` (its line ending dropped).
    pub fn from_file(path: &Path) -> Result<Self, PasswordFileError> {
        let bytes = std::fs::read(path).map_err(|source| PasswordFileError::Io {
            path: path.to_owned(),
            source,
        })?;
        let unusable = |why| PasswordFileError::Unusable {
            path: path.to_owned(),
            why,
        };
        let text = String::from_utf8(bytes).map_err(|_| unusable(PasswordError::NotUtf8))?;
        // An editor may have put a byte order mark first; nobody types one.
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
        let first = text.lines().next().unwrap_or_default();
        Self::new(first).map_err(unusable)
    }

    /// A password from `text`: not empty, at most [`MAX_PASSWORD_BYTES`], no control
    /// characters, no spaces at either end (they could not be sent in `/SENHA`). Kept in NFC,
    /// so an "é" matches however a keyboard or editor composed it.
    pub fn new(text: &str) -> Result<Self, PasswordError> {
        if text.trim().is_empty() {
            return Err(PasswordError::Empty);
        }
        if text.len() > MAX_PASSWORD_BYTES {
            return Err(PasswordError::TooLong);
        }
        if text.trim() != text {
            return Err(PasswordError::EdgeSpaces);
        }
        if papo_protocol::check_text(text).is_err() {
            return Err(PasswordError::Control);
        }
        Ok(Self(Secret::new(text.nfc().collect::<String>())))
    }

    /// Whether `given` (in any Unicode normalisation form) is the password. Takes the same
    /// time wherever the first difference is, so timing tells an attacker nothing about how
    /// much was right.
    pub fn matches(&self, given: &Secret) -> bool {
        let given: String = given.expose().nfc().collect();
        let (a, b) = (self.0.expose().as_bytes(), given.as_bytes());
        let mut differ = a.len() ^ b.len();
        for (i, &x) in a.iter().enumerate() {
            let y = b.get(i).copied().unwrap_or(!x);
            differ |= usize::from(x ^ y);
        }
        differ == 0
    }
}

/// Whether users other than the owner may read `path` (then every user of the box can learn
/// the password: the server warns).
pub fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o044 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn only_the_exact_password_matches() {
        let password = RoomPassword::new("abre te sésamo").expect("valid");
        assert!(password.matches(&Secret::new("abre te sésamo")));
        for wrong in [
            "",
            "abre",
            "abre te sésamo!",
            "ABRE TE SÉSAMO",
            "abre te sesamo",
        ] {
            assert!(!password.matches(&Secret::new(wrong)), "{wrong:?}");
        }
        assert!(!format!("{password:?}").contains("sésamo"));
        // The same é, decomposed (e + U+0301), as some keyboards and editors write it.
        assert!(password.matches(&Secret::new("abre te se\u{301}samo")));
    }

    #[test]
    fn a_password_file_gives_its_first_line_and_bad_files_say_why() {
        let dir = tempfile::tempdir().expect("temp dir");
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            let mut file = std::fs::File::create(&path).expect("created");
            file.write_all(bytes).expect("written");
            path
        };
        let good = write("good", "\u{FEFF}segredo\r\nignored\n".as_bytes());
        let password = RoomPassword::from_file(&good).expect("read");
        assert!(password.matches(&Secret::new("segredo")));
        for (name, bytes, why) in [
            ("empty", &b"\n"[..], "is empty"),
            ("spaces", b" segredo\n", "spaces"),
            ("control", b"seg\x1bredo\n", "control"),
            ("binary", b"\xff\xfe", "UTF-8"),
            ("long", &[b'a'; 300], "longer"),
        ] {
            let err = RoomPassword::from_file(&write(name, bytes)).expect_err(name);
            assert!(err.to_string().contains(why), "{name}: {err}");
        }
        let missing = RoomPassword::from_file(&dir.path().join("nope")).expect_err("missing");
        assert!(missing.to_string().contains("nope"), "{missing}");
    }

    #[test]
    fn a_file_others_can_read_is_noticed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("senha");
        std::fs::write(&path, "x").expect("written");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert!(!readable_by_others(&path));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(readable_by_others(&path));
    }
}

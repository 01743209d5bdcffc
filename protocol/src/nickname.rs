//! Nicknames: what a valid one is, and when two are the same.

use std::fmt;
use std::str::FromStr;

use unicode_normalization::UnicodeNormalization;
use unicode_security::GeneralSecurityProfile;

use crate::limits::MAX_NICK_CHARS;

/// Names the server reserves because people would read them as the server speaking.
const RESERVED: [&str; 4] = ["papo", "servidor", "server", "sistema"];

/// A valid nickname: 1–32 characters after NFC normalisation, each a letter (any script), a
/// digit, `_`, `-` or `.`, not starting with `/`, and not a reserved name. Holding one proves
/// it is valid; it keeps the spelling its owner chose.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nickname(String);

/// The identity of a nickname for uniqueness: two nicknames with equal keys are the same user
/// ("Ana" and "ana", and "еvan" with a Cyrillic е and "evan"). The key is the confusable
/// skeleton of Unicode UTS #39 taken after NFKC and lower-casing, so a nickname that only looks
/// like another is the same nickname.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NickKey(String);

/// Why a string is not a valid nickname. The messages are for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NicknameError {
    /// Nothing but spaces, or nothing at all.
    #[error("o apelido está vazio")]
    Empty,
    /// More than [`MAX_NICK_CHARS`] characters.
    #[error("o apelido tem {0} caracteres; o máximo é {MAX_NICK_CHARS}")]
    TooLong(usize),
    /// A character that is not a letter, a digit, `_`, `-` or `.`.
    #[error("o apelido não pode conter {0:?}; use letras, dígitos, _ - .")]
    BadCharacter(char),
    /// A letter that is invisible, or not meant for names (Unicode's identifier profile).
    #[error("o apelido contém U+{:04X}, um caractere invisível ou não permitido em nomes; use letras comuns, dígitos, _ - .", u32::from(*.0))]
    Unsuitable(char),
    /// A name the server keeps for itself.
    #[error("o apelido {0:?} é reservado")]
    Reserved(String),
}

fn is_nick_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Whether a letter or digit may stand in a nickname: allowed in identifiers by UTS #39's
/// General Security Profile (which leaves out invisible fillers like U+3164, default-ignorable
/// and obsolete characters).
fn is_suitable(c: char) -> bool {
    c.is_ascii() || c.identifier_allowed()
}

/// The UTS #39 skeleton of `s` after NFKC and lower-casing: what `s` looks like.
fn look(s: &str) -> String {
    let folded: String = s.nfkc().collect::<String>().to_lowercase();
    unicode_security::skeleton(&folded).collect()
}

impl Nickname {
    /// Validates `raw` (surrounding spaces are ignored) and normalises it to NFC.
    pub fn parse(raw: &str) -> Result<Self, NicknameError> {
        let nfc: String = raw.trim().nfc().collect();
        if nfc.is_empty() {
            return Err(NicknameError::Empty);
        }
        if let Some(bad) = nfc.chars().find(|&c| !is_nick_char(c)) {
            return Err(NicknameError::BadCharacter(bad));
        }
        if let Some(bad) = nfc.chars().find(|&c| !is_suitable(c)) {
            return Err(NicknameError::Unsuitable(bad));
        }
        let count = nfc.chars().count();
        if count > MAX_NICK_CHARS {
            return Err(NicknameError::TooLong(count));
        }
        let nick = Self(nfc);
        let key = nick.key();
        if RESERVED.iter().any(|r| look(r) == key.0) {
            return Err(NicknameError::Reserved(nick.0));
        }
        Ok(nick)
    }

    /// The nickname as its owner spelled it (NFC).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key under which this nickname is unique: what it looks like.
    pub fn key(&self) -> NickKey {
        NickKey(look(&self.0))
    }

    /// Whether `self` and `other` name the same user.
    pub fn same_user(&self, other: &Nickname) -> bool {
        self.key() == other.key()
    }
}

impl NickKey {
    /// The folded form, for sorting and lookups.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Nickname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Nickname {
    type Err = NicknameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl AsRef<str> for Nickname {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_letters_of_any_script_digits_and_punctuation() {
        for ok in [
            "ana",
            "Bob_2",
            "ana.b-c",
            "José",
            "日本",
            "Ελένη",
            "x",
            "a1",
        ] {
            assert_eq!(
                Nickname::parse(ok).map(|n| n.to_string()),
                Ok(ok.to_owned())
            );
        }
    }

    #[test]
    fn normalises_to_nfc_and_trims() {
        let decomposed = "Jose\u{301}";
        let nick = Nickname::parse(&format!("  {decomposed} ")).expect("valid");
        assert_eq!(nick.as_str(), "José");
        assert_eq!(nick.as_str().chars().count(), 4);
    }

    #[test]
    fn length_counts_characters_after_nfc() {
        let max = "é".repeat(MAX_NICK_CHARS);
        assert!(Nickname::parse(&max).is_ok());
        let decomposed_max = "e\u{301}".repeat(MAX_NICK_CHARS);
        assert!(Nickname::parse(&decomposed_max).is_ok());
        let over = "a".repeat(MAX_NICK_CHARS + 1);
        assert_eq!(
            Nickname::parse(&over),
            Err(NicknameError::TooLong(MAX_NICK_CHARS + 1))
        );
    }

    #[test]
    fn rejects_empty_bad_characters_and_reserved() {
        assert_eq!(Nickname::parse("   "), Err(NicknameError::Empty));
        assert_eq!(
            Nickname::parse("/ana"),
            Err(NicknameError::BadCharacter('/'))
        );
        assert_eq!(
            Nickname::parse("ana bob"),
            Err(NicknameError::BadCharacter(' '))
        );
        assert_eq!(
            Nickname::parse("a:b"),
            Err(NicknameError::BadCharacter(':'))
        );
        assert_eq!(
            Nickname::parse("a\u{1b}b"),
            Err(NicknameError::BadCharacter('\u{1b}'))
        );
        assert_eq!(
            Nickname::parse("Servidor"),
            Err(NicknameError::Reserved("Servidor".into()))
        );
    }

    #[test]
    fn a_nickname_that_only_looks_like_another_is_the_same() {
        let nick = |s: &str| Nickname::parse(s).expect("valid");
        // A Cyrillic е in "evan" or "server".
        assert!(nick("\u{435}van").same_user(&nick("Evan")));
        for lookalike in ["s\u{435}rver", "SERVIDOR", "pap\u{43e}", "sistem\u{430}"] {
            assert!(
                matches!(Nickname::parse(lookalike), Err(NicknameError::Reserved(_))),
                "{lookalike:?} passes for a reserved name"
            );
        }
        // Fullwidth and mathematical letters are not for names at all.
        for odd in ["ｓｅｒｖｅｒ", "ｅｖａｎ", "\u{1D41E}\u{1D42F}"] {
            assert!(
                matches!(Nickname::parse(odd), Err(NicknameError::Unsuitable(_))),
                "{odd:?}"
            );
        }
        assert!(!nick("ana").same_user(&nick("anna")));
    }

    #[test]
    fn invisible_and_unsuitable_characters_are_refused() {
        for invisible in ["\u{3164}", "a\u{3164}", "\u{115F}ana", "ana\u{200B}"] {
            let refused = Nickname::parse(invisible);
            assert!(
                matches!(
                    refused,
                    Err(NicknameError::Unsuitable(_) | NicknameError::BadCharacter(_))
                ),
                "{invisible:?}: {refused:?}"
            );
        }
    }

    #[test]
    fn sameness_ignores_case() {
        let a = Nickname::parse("Ana").expect("valid");
        let b = Nickname::parse("ana").expect("valid");
        assert!(a.same_user(&b));
        assert_ne!(a, b);
        assert!(!a.same_user(&Nickname::parse("anna").expect("valid")));
    }
}

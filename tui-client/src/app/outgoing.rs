//! What Enter checks before a line leaves, and how a line too long for the server is cut: the
//! bytes the server counts (the encoded line, `//` escape included), the characters it refuses,
//! and every such problem said in Portuguese, with what to do about it.

use papo_protocol::{ClientLine, Command, ParseError, TextError};
use unicode_segmentation::UnicodeSegmentation;

/// Why Enter keeps a line in the message line instead of sending it, in Portuguese; `None` when
/// it may go. `parsed` is `typed` parsed by [`ClientLine::parse`]; `max_line_bytes` is the
/// server's limit (from its greeting).
pub fn refusal(
    typed: &str,
    parsed: &Result<Option<ClientLine>, ParseError>,
    max_line_bytes: usize,
) -> Option<String> {
    let bytes = match parsed {
        Err(ParseError::Forbidden(TextError::ForbiddenCharacter { ch, at })) => {
            return Some(forbidden(typed, *ch, *at));
        }
        // Never sent: the client answers it (see `commands::run`).
        Ok(Some(ClientLine::Command(Command::Password { .. }))) => return None,
        Ok(Some(line)) => wire_bytes(line)?,
        // Sent as typed, for a newer server to answer.
        Err(ParseError::UnknownCommand(_)) => typed.len(),
        Ok(None) | Err(_) => return None,
    };
    (bytes > max_line_bytes).then(|| too_long(bytes, max_line_bytes))
}

/// The bytes of `line` the server counts against its limit: the encoded line without its LF.
/// `None` when it cannot be encoded (the connection refuses it anyway).
pub fn wire_bytes(line: &ClientLine) -> Option<usize> {
    line.encode().ok().map(|wire| wire.len().saturating_sub(1))
}

/// The bytes the server counts for `typed` if Enter sent it, for the message line's size
/// indicator; `None` when nothing would be sent.
pub fn typed_bytes(typed: &str) -> Option<usize> {
    match ClientLine::parse(typed) {
        Ok(Some(line)) => wire_bytes(&line),
        Err(ParseError::UnknownCommand(_)) => Some(typed.len()),
        Ok(None) | Err(_) => None,
    }
}

/// `linha longa demais: 5.000 de 4.096 bytes; encurte-a`.
pub fn too_long(bytes: usize, max_line_bytes: usize) -> String {
    format!(
        "linha longa demais: {} de {} bytes; encurte-a",
        grouped(bytes),
        grouped(max_line_bytes)
    )
}

/// The error for a forbidden character `ch` at byte `at` of `typed`: which one, where (counted
/// in characters from 1, as the caret moves) and how the message line shows it.
pub fn forbidden(typed: &str, ch: char, at: usize) -> String {
    let position = typed.get(..at).map_or(0, |before| before.chars().count()) + 1;
    let name = char_name(ch).map_or_else(String::new, |n| format!(" ({n})"));
    format!(
        "caractere proibido U+{:04X}{name} na posição {position}; apague-o — aparece como {}",
        u32::from(ch),
        placeholder(ch)
    )
}

/// How the message line draws a character that would otherwise be invisible or act on the
/// terminal: `‹U+202E›`.
pub fn placeholder(c: char) -> String {
    format!("‹U+{:04X}›", u32::from(c))
}

/// Whether the message line draws `c` as its [`placeholder`]: every character the server
/// refuses ([`papo_protocol::is_forbidden_char`]), and the invisible ones that would hide in
/// a line or make it look empty (zero-width spaces, direction marks, fillers, other format
/// characters). The zero-width joiners (U+200C, U+200D), variation selectors and emoji tags are
/// left alone: they are part of how scripts and emoji are written.
pub fn is_hidden(c: char) -> bool {
    papo_protocol::is_forbidden_char(c)
        || matches!(
            c,
            '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180E}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2060}'..='\u{2064}'
                | '\u{206A}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0001}'
        )
}

/// The Unicode name of the characters the server refuses, and of the invisible ones most
/// likely met, so an error can say which it was.
pub fn char_name(c: char) -> Option<&'static str> {
    const C0: [&str; 32] = [
        "NULL",
        "START OF HEADING",
        "START OF TEXT",
        "END OF TEXT",
        "END OF TRANSMISSION",
        "ENQUIRY",
        "ACKNOWLEDGE",
        "BELL",
        "BACKSPACE",
        "CHARACTER TABULATION",
        "LINE FEED",
        "LINE TABULATION",
        "FORM FEED",
        "CARRIAGE RETURN",
        "SHIFT OUT",
        "SHIFT IN",
        "DATA LINK ESCAPE",
        "DEVICE CONTROL ONE",
        "DEVICE CONTROL TWO",
        "DEVICE CONTROL THREE",
        "DEVICE CONTROL FOUR",
        "NEGATIVE ACKNOWLEDGE",
        "SYNCHRONOUS IDLE",
        "END OF TRANSMISSION BLOCK",
        "CANCEL",
        "END OF MEDIUM",
        "SUBSTITUTE",
        "ESCAPE",
        "INFORMATION SEPARATOR FOUR",
        "INFORMATION SEPARATOR THREE",
        "INFORMATION SEPARATOR TWO",
        "INFORMATION SEPARATOR ONE",
    ];
    if let Some(name) = C0.get(usize::try_from(u32::from(c)).unwrap_or(usize::MAX)) {
        return Some(name);
    }
    Some(match c {
        '\u{7F}' => "DELETE",
        '\u{85}' => "NEXT LINE",
        '\u{9B}' => "CONTROL SEQUENCE INTRODUCER",
        '\u{9D}' => "OPERATING SYSTEM COMMAND",
        '\u{80}'..='\u{9F}' => "C1 CONTROL",
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{3164}' => "HANGUL FILLER",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        _ => return None,
    })
}

/// A parse error of a typed line, in Portuguese (the protocol crate's own texts are, except
/// the forbidden character's, which the server logs in English).
pub fn describe_parse_error(typed: &str, e: &ParseError) -> String {
    match e {
        ParseError::Forbidden(TextError::ForbiddenCharacter { ch, at }) => {
            forbidden(typed, *ch, *at)
        }
        ParseError::UnknownCommand(_) => format!("{e} — /AJUDA lista os comandos"),
        other => other.to_string(),
    }
}

/// A line the protocol crate could not encode (its own text is in English, for logs).
pub fn describe_encode_error(e: &papo_protocol::EncodeError) -> String {
    let c = e.0;
    if c == ' ' || c == ':' {
        return format!(
            "um campo de uma palavra não pode conter {c:?} (nem estar vazio); a linha não foi enviada"
        );
    }
    let name = char_name(c).map_or_else(String::new, |n| format!(" ({n})"));
    format!(
        "a linha contém o caractere proibido U+{:04X}{name}; não foi enviada",
        u32::from(c)
    )
}

/// Cuts `text` into pieces the server takes as chat lines of at most `max_line_bytes` bytes
/// each (a piece that starts with `/` costs one byte more: it goes out as `//`). Cuts after the
/// last space that fits when one is in the second half of the piece, else at the last whole
/// grapheme that fits (a character, for a grapheme longer than the limit). Nothing is dropped:
/// the pieces put together are `text`.
pub fn split_line(text: &str, max_line_bytes: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    // Room for at least one character: the server's limit is at least 64 bytes.
    let max = max_line_bytes.max(8);
    while cost(rest) > max {
        let budget = max - usize::from(rest.starts_with('/'));
        let fits = rest
            .grapheme_indices(true)
            .map(|(i, g)| i + g.len())
            .take_while(|&end| end <= budget)
            .last()
            .or_else(|| {
                rest.char_indices()
                    .map(|(i, c)| i + c.len_utf8())
                    .take_while(|&end| end <= budget)
                    .last()
            })
            .unwrap_or(rest.len());
        let cut = rest[..fits]
            .rfind(' ')
            .map(|space| space + 1)
            .filter(|&after| after > fits / 2 && after < fits)
            .unwrap_or(fits);
        pieces.push(rest[..cut].to_owned());
        rest = &rest[cut..];
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(rest.to_owned());
    }
    pieces
}

/// The bytes a chat line of `text` costs on the wire (`/x` goes out as `//x`).
fn cost(text: &str) -> usize {
    text.len() + usize::from(text.starts_with('/'))
}

/// `n` with a dot between thousands, as Brazilian Portuguese writes it: `4.096`.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forbidden_character_is_named_and_placed_in_characters() {
        let typed = "olá\u{202E}mundo";
        let parsed = ClientLine::parse(typed);
        assert_eq!(
            refusal(typed, &parsed, 4096).as_deref(),
            Some(
                "caractere proibido U+202E (RIGHT-TO-LEFT OVERRIDE) na posição 4; apague-o — \
                 aparece como ‹U+202E›"
            )
        );
        assert!(forbidden("\u{90}", '\u{90}', 0).contains("U+0090 (C1 CONTROL) na posição 1"));
    }

    #[test]
    fn the_limit_counts_what_goes_on_the_wire() {
        let at = |typed: &str, max| refusal(typed, &ClientLine::parse(typed), max);
        assert_eq!(at(&"x".repeat(64), 64), None);
        assert_eq!(
            at(&"x".repeat(65), 64).as_deref(),
            Some("linha longa demais: 65 de 64 bytes; encurte-a")
        );
        // Text starting with `/` is typed `//x` and goes out as typed.
        let slash = format!("//{}", "x".repeat(62));
        assert!(at(&slash, 64).is_none());
        assert!(at(&format!("{slash}y"), 64).is_some());
        // A command is measured as encoded: `/me` goes out as `/ME`.
        assert_eq!(typed_bytes("/me acena"), Some(9));
        assert_eq!(typed_bytes("/dança"), Some(7));
        assert_eq!(typed_bytes("   "), None);
        assert_eq!(at(&format!("/senha {}", "x".repeat(100)), 64), None);
        assert_eq!(grouped(5000), "5.000");
        assert_eq!(grouped(1_234_567), "1.234.567");
        assert_eq!(grouped(12), "12");
    }

    #[test]
    fn long_lines_are_cut_at_spaces_or_graphemes_and_nothing_is_lost() {
        let words = "palavra ".repeat(30);
        let pieces = split_line(&words, 64);
        assert!(pieces.iter().all(|p| cost(p) <= 64), "{pieces:?}");
        assert!(pieces.iter().all(|p| !p.starts_with(' ')), "{pieces:?}");
        assert_eq!(pieces.concat(), words);
        // No space: cut between graphemes, never inside "é" written as e + U+0301.
        let accents = "e\u{301}".repeat(40);
        let pieces = split_line(&accents, 64);
        assert!(pieces.iter().all(|p| cost(p) <= 64 && p.starts_with('e')));
        assert_eq!(pieces.concat(), accents);
        // A piece that starts with '/' leaves room for the escape.
        let slashes = format!("/{}", "x".repeat(100));
        let pieces = split_line(&slashes, 64);
        assert_eq!(pieces[0].len(), 63);
        assert_eq!(pieces.concat(), slashes);
        assert_eq!(split_line("curta", 64), ["curta"]);
    }

    #[test]
    fn hidden_characters() {
        for c in [
            '\u{1B}', '\u{202E}', '\u{200B}', '\u{3164}', '\u{FEFF}', '\u{200F}',
        ] {
            assert!(is_hidden(c), "U+{:04X}", u32::from(c));
        }
        for c in ['a', ' ', '\t', '\u{200D}', '\u{FE0F}', 'é', '日'] {
            assert!(!is_hidden(c), "U+{:04X}", u32::from(c));
        }
    }
}

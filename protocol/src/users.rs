//! The `USERS` reply of a room of any size, every line within the line limit.
//!
//! A room of 1 000 members lists ~33 KB of names: as one line it would be eight times the
//! 4 096-byte limit peers enforce when reading. So a list that does not fit in one line is sent
//! as parts, back to back: `USERS <count> <offset> :<names>`, where `offset` counts the names of
//! the parts before. A client puts them together and replaces its list only when `offset` plus
//! the names received reaches `count`. A list that fits keeps the one-line form
//! `USERS <count> :<names>` that every version 2 client reads; an older client shows a part
//! as a line it does not understand instead of taking it for the whole room.

use crate::nickname::Nickname;
use crate::server_line::ServerLine;

/// The `USERS` lines that list `nicks` (already in the order to show), each at most
/// `max_line_bytes` long without its LF: one line when the whole list fits, else parts. A part
/// always holds at least one name, so a limit below one name's line (64 bytes cannot hold a
/// 32-letter nickname written in 4-byte characters) bends for that name rather than loop.
pub fn users_reply(nicks: Vec<Nickname>, max_line_bytes: usize) -> Vec<ServerLine> {
    let count = nicks.len();
    let names_bytes = nicks.iter().map(|n| n.as_str().len() + 1).sum::<usize>();
    // `USERS <count> :` then the names, one space between each.
    let whole = "USERS  :".len() + digits(count) + names_bytes.saturating_sub(1);
    if whole <= max_line_bytes {
        return vec![ServerLine::Users {
            count,
            offset: 0,
            nicks,
        }];
    }
    let mut parts = Vec::new();
    let mut part: Vec<Nickname> = Vec::new();
    let mut used = 0;
    let mut offset = 0;
    for nick in nicks {
        // `USERS <count> <offset> :`; the offset only grows, so a part that fit still fits.
        let head = "USERS   :".len() + digits(count) + digits(offset);
        let extra = nick.as_str().len() + usize::from(!part.is_empty());
        if !part.is_empty() && head + used + extra > max_line_bytes {
            let taken = std::mem::take(&mut part);
            let len = taken.len();
            parts.push(ServerLine::Users {
                count,
                offset,
                nicks: taken,
            });
            offset += len;
            used = 0;
        }
        used += nick.as_str().len() + usize::from(!part.is_empty());
        part.push(nick);
    }
    if !part.is_empty() {
        parts.push(ServerLine::Users {
            count,
            offset,
            nicks: part,
        });
    }
    parts
}

/// How many decimal digits `n` takes.
fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nick(s: &str) -> Nickname {
        Nickname::parse(s).expect("valid nickname")
    }

    fn room(n: usize, name_len: usize) -> Vec<Nickname> {
        (0..n)
            .map(|i| {
                let base = format!("m{i:05}");
                nick(&format!(
                    "{base}{}",
                    "x".repeat(name_len.saturating_sub(base.len()))
                ))
            })
            .collect()
    }

    /// Encodes `lines`, checks each against `max`, and puts the list back together as a client
    /// does: parts in order, each starting where the last ended.
    fn reassemble(lines: &[ServerLine], max: usize) -> Vec<Nickname> {
        let mut all = Vec::new();
        let mut total = None;
        for line in lines {
            let wire = line.encode().expect("encodes");
            let body = wire.strip_suffix('\n').expect("one line");
            assert!(body.len() <= max, "{} bytes > {max}: {body}", body.len());
            let Ok(ServerLine::Users {
                count,
                offset,
                nicks,
            }) = ServerLine::parse(body)
            else {
                panic!("not a USERS line: {body}");
            };
            assert_eq!(offset, all.len(), "parts follow each other: {body}");
            assert!(!nicks.is_empty(), "no empty part: {body}");
            assert_eq!(
                *total.get_or_insert(count),
                count,
                "same count in every part"
            );
            all.extend(nicks);
        }
        assert_eq!(total, Some(all.len()), "the parts add up to the count");
        all
    }

    #[test]
    fn a_list_that_fits_is_one_line_in_the_version_2_form() {
        let lines = users_reply(vec![nick("ana"), nick("bob")], 4096);
        assert_eq!(
            lines.iter().map(|l| l.encode()).collect::<Vec<_>>(),
            [Ok("USERS 2 :ana bob\n".to_owned())]
        );
        assert_eq!(
            users_reply(Vec::new(), 64)[0].encode(),
            Ok("USERS 0 :\n".to_owned())
        );
        // Exactly at the limit is still one line.
        let exact = "USERS 2 :ana bob".len();
        assert_eq!(users_reply(vec![nick("ana"), nick("bob")], exact).len(), 1);
        assert_eq!(
            users_reply(vec![nick("ana"), nick("bob")], exact - 1).len(),
            2
        );
    }

    #[test]
    fn a_big_room_comes_in_parts_within_the_limit() {
        // 1 000 members with 32-letter names: ~33 KB as one line.
        let nicks = room(1000, 32);
        let lines = users_reply(nicks.clone(), 4096);
        assert_eq!(lines.len(), 9, "33 000 bytes in parts of at most 4 096");
        assert_eq!(reassemble(&lines, 4096), nicks);
    }

    #[test]
    fn every_limit_and_size_splits_without_losing_a_name() {
        for max in [64, 65, 100, 257, 1000] {
            for n in [1, 2, 3, 10, 99, 100, 101, 250] {
                let nicks = room(n, 9);
                let lines = users_reply(nicks.clone(), max);
                assert_eq!(reassemble(&lines, max), nicks, "{n} names at {max}");
            }
        }
    }

    #[test]
    fn a_name_longer_than_the_limit_still_goes_alone() {
        // 32 three-byte letters: 96 bytes, more than a 64-byte line holds.
        let long = nick(&"한".repeat(32));
        let lines = users_reply(vec![nick("ana"), long.clone(), nick("bob")], 64);
        let parts: Vec<Vec<Nickname>> = lines
            .into_iter()
            .map(|l| match l {
                ServerLine::Users { nicks, .. } => nicks,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(parts, [vec![nick("ana")], vec![long], vec![nick("bob")]]);
    }
}

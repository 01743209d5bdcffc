//! The room on values: lines in, deliveries out, with a fixed clock.

use papo_protocol::{ClientLine, Command, ErrorCode, EventId, LeaveKind, ServerLine, Timestamp};

use super::{Delivery, MemberId, Recipients, Room};

const NOW: Timestamp = Timestamp::from_unix_seconds(1_795_995_010);
const ANA: MemberId = MemberId(1);
const BOB: MemberId = MemberId(2);
const CID: MemberId = MemberId(3);

fn text(s: &str) -> ClientLine {
    ClientLine::Text(s.into())
}

fn command(c: Command) -> ClientLine {
    ClientLine::Command(c)
}

fn nick(s: &str) -> papo_protocol::Nickname {
    papo_protocol::Nickname::parse(s).expect("valid")
}

/// A room where ana, bob and cid joined in that order (events 1, 2, 3).
fn room_of_three() -> Room {
    let mut room = Room::new();
    for (id, name) in [(ANA, "ana"), (BOB, "bob"), (CID, "cid")] {
        let outcome = room.handle(id, text(name), NOW);
        assert!(room.contains(id), "{name} did not join: {outcome:?}");
    }
    room
}

fn error_code(deliveries: &[Delivery]) -> Option<(Recipients, ErrorCode)> {
    match deliveries {
        [
            Delivery {
                to,
                line: ServerLine::Error { code, .. },
            },
        ] => Some((*to, *code)),
        _ => None,
    }
}

#[test]
fn joining_welcomes_the_joiner_and_announces_to_all() {
    let mut room = Room::new();
    let outcome = room.handle(ANA, text(" ana "), NOW);
    assert!(!outcome.close);
    assert!(matches!(
        &outcome.deliveries[..],
        [
            Delivery { to: Recipients::One(ANA), line: ServerLine::Welcome { nick: n, .. } },
            Delivery { to: Recipients::All, line: ServerLine::Joined { id: EventId(1), time: NOW, nick: j } },
        ] if n.as_str() == "ana" && j.as_str() == "ana"
    ));
}

#[test]
fn nick_command_also_joins() {
    let mut room = Room::new();
    room.handle(ANA, command(Command::Nick { nick: "ana".into() }), NOW);
    assert_eq!(room.nick(ANA).map(|n| n.as_str()), Some("ana"));
}

#[test]
fn taken_and_invalid_nicknames_are_refused_and_may_be_retried() {
    let mut room = room_of_three();
    let dave = MemberId(4);
    for (wanted, code) in [
        ("ANA", ErrorCode::NickInUse),
        ("ana maria", ErrorCode::NickInvalid),
        ("servidor", ErrorCode::NickInvalid),
    ] {
        let outcome = room.handle(dave, text(wanted), NOW);
        assert_eq!(
            error_code(&outcome.deliveries),
            Some((Recipients::One(dave), code)),
            "{wanted}"
        );
        assert!(!room.contains(dave));
    }
    room.handle(dave, text("dave"), NOW);
    assert!(room.contains(dave));
}

#[test]
fn messages_go_to_everyone_with_increasing_ids() {
    let mut room = room_of_three();
    let first = room.handle(BOB, text(" oi "), NOW).deliveries;
    let second = room.handle(ANA, text("/etc"), NOW).deliveries;
    assert_eq!(
        first,
        [Delivery {
            to: Recipients::All,
            line: ServerLine::Message {
                id: EventId(4),
                time: NOW,
                nick: nick("bob"),
                text: " oi ".into()
            }
        }]
    );
    assert!(
        matches!(&second[..], [Delivery { line: ServerLine::Message { id: EventId(5), text, .. }, .. }] if text == "/etc")
    );
}

#[test]
fn users_reach_only_the_requester_sorted_case_insensitively() {
    let mut room = Room::new();
    for (id, name) in [(ANA, "bob"), (BOB, "Ana"), (CID, "carla")] {
        room.handle(id, text(name), NOW);
    }
    let outcome = room.handle(CID, command(Command::Users), NOW);
    assert_eq!(
        outcome.deliveries,
        [Delivery {
            to: Recipients::One(CID),
            line: ServerLine::Users {
                count: 3,
                offset: 0,
                nicks: vec![nick("Ana"), nick("bob"), nick("carla")]
            }
        }]
    );
}

#[test]
fn users_are_sorted_by_spelling_not_by_look() {
    // The identity key folds look-alikes ("0" reads as "o"): no order for people.
    let mut room = Room::new();
    for (id, name) in [(ANA, "paulo"), (BOB, "0tto"), (CID, "Maria")] {
        room.handle(id, text(name), NOW);
    }
    let ServerLine::Users { nicks, .. } = room.users() else {
        panic!("a USERS line");
    };
    assert_eq!(nicks, [nick("0tto"), nick("Maria"), nick("paulo")]);
}

#[test]
fn quit_announces_to_the_others_says_bye_and_closes() {
    let mut room = room_of_three();
    let outcome = room.handle(
        BOB,
        command(Command::Quit {
            reason: "fui".into(),
        }),
        NOW,
    );
    assert!(outcome.close);
    assert!(matches!(
        &outcome.deliveries[..],
        [
            Delivery { to: Recipients::All, line: ServerLine::Left { kind: LeaveKind::Quit, reason, nick: n, .. } },
            Delivery { to: Recipients::One(BOB), line: ServerLine::Bye { .. } },
        ] if reason == "fui" && n.as_str() == "bob"
    ));
    assert!(!room.contains(BOB));
    // The connection closing afterwards announces nothing more.
    assert!(
        room.leave(BOB, LeaveKind::Lost, String::new(), NOW)
            .is_empty()
    );
}

#[test]
fn a_freed_nickname_is_reusable_at_once() {
    let mut room = room_of_three();
    room.leave(ANA, LeaveKind::Lost, String::new(), NOW);
    room.handle(MemberId(9), text("Ana"), NOW);
    assert!(room.contains(MemberId(9)));
}

#[test]
fn private_messages_reach_both_ends_only() {
    let mut room = room_of_three();
    let outcome = room.handle(
        ANA,
        command(Command::Private {
            to: "BOB".into(),
            text: "psiu".into(),
        }),
        NOW,
    );
    assert!(matches!(
        &outcome.deliveries[..],
        [Delivery { to: Recipients::Pair(ANA, BOB), line: ServerLine::Private { from, to, text, .. } }]
            if from.as_str() == "ana" && to.as_str() == "bob" && text == "psiu"
    ));
    let to_self = room.handle(
        ANA,
        command(Command::Private {
            to: "ana".into(),
            text: "nota".into(),
        }),
        NOW,
    );
    assert!(matches!(
        &to_self.deliveries[..],
        [Delivery {
            to: Recipients::One(ANA),
            ..
        }]
    ));
    let nobody = room.handle(
        ANA,
        command(Command::Private {
            to: "zé".into(),
            text: "oi".into(),
        }),
        NOW,
    );
    assert_eq!(
        error_code(&nobody.deliveries),
        Some((Recipients::One(ANA), ErrorCode::NoSuchNick))
    );
}

#[test]
fn rename_announces_once_and_frees_the_old_name() {
    let mut room = room_of_three();
    let outcome = room.handle(ANA, command(Command::Nick { nick: "Ana".into() }), NOW);
    assert!(matches!(
        &outcome.deliveries[..],
        [Delivery { to: Recipients::All, line: ServerLine::Renamed { old, new, .. } }]
            if old.as_str() == "ana" && new.as_str() == "Ana"
    ));
    let taken = room.handle(ANA, command(Command::Nick { nick: "BOB".into() }), NOW);
    assert_eq!(
        error_code(&taken.deliveries),
        Some((Recipients::One(ANA), ErrorCode::NickInUse))
    );
    let same = room.handle(ANA, command(Command::Nick { nick: "Ana".into() }), NOW);
    assert_eq!(
        error_code(&same.deliveries),
        Some((Recipients::One(ANA), ErrorCode::NickInUse))
    );
    room.handle(
        ANA,
        command(Command::Nick {
            nick: "ana_".into(),
        }),
        NOW,
    );
    room.handle(MemberId(7), text("ana"), NOW);
    assert!(room.contains(MemberId(7)));
}

#[test]
fn actions_help_and_join_after_joining() {
    let mut room = room_of_three();
    let action = room.handle(
        CID,
        command(Command::Me {
            text: "acena".into(),
        }),
        NOW,
    );
    assert!(matches!(
        &action.deliveries[..],
        [Delivery { to: Recipients::All, line: ServerLine::Action { text, .. } }] if text == "acena"
    ));
    let help = room.handle(CID, command(Command::Help), NOW).deliveries;
    assert!(help.len() >= 8);
    assert!(help.iter().all(|d| d.to == Recipients::One(CID)));
    let join = room.handle(CID, command(Command::Join), NOW);
    assert_eq!(
        error_code(&join.deliveries),
        Some((Recipients::One(CID), ErrorCode::AlreadyJoined))
    );
}

#[test]
fn before_joining_only_nickname_help_users_and_quit_work() {
    let mut room = room_of_three();
    let stranger = MemberId(42);
    for line in [
        command(Command::Me { text: "x".into() }),
        command(Command::Join),
        command(Command::Private {
            to: "ana".into(),
            text: "x".into(),
        }),
    ] {
        let outcome = room.handle(stranger, line, NOW);
        assert_eq!(
            error_code(&outcome.deliveries),
            Some((Recipients::One(stranger), ErrorCode::NotJoined))
        );
    }
    let users = room.handle(stranger, command(Command::Users), NOW);
    assert!(
        matches!(&users.deliveries[..], [Delivery { line: ServerLine::Users { nicks, .. }, .. }] if nicks.len() == 3)
    );
    let quit = room.handle(
        stranger,
        command(Command::Quit {
            reason: String::new(),
        }),
        NOW,
    );
    assert!(quit.close);
    assert!(matches!(
        &quit.deliveries[..],
        [Delivery {
            to: Recipients::One(_),
            line: ServerLine::Bye { .. }
        }]
    ));
}

#[test]
fn every_event_id_is_greater_than_the_last() {
    let mut room = room_of_three();
    let mut ids = Vec::new();
    let lines = [
        (ANA, text("a")),
        (BOB, command(Command::Me { text: "b".into() })),
        (
            CID,
            command(Command::Nick {
                nick: "cid2".into(),
            }),
        ),
        (
            ANA,
            command(Command::Private {
                to: "bob".into(),
                text: "c".into(),
            }),
        ),
    ];
    for (from, line) in lines {
        for d in room.handle(from, line, NOW).deliveries {
            if let ServerLine::Message { id, .. }
            | ServerLine::Action { id, .. }
            | ServerLine::Renamed { id, .. }
            | ServerLine::Private { id, .. } = d.line
            {
                ids.push(id.0);
            }
        }
    }
    for d in room.leave(BOB, LeaveKind::Lost, String::new(), NOW) {
        if let ServerLine::Left { id, .. } = d.line {
            ids.push(id.0);
        }
    }
    assert_eq!(ids, [4, 5, 6, 7, 8]);
}

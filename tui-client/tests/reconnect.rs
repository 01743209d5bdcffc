//! `update` on values, reconnecting: the backoff, the countdown in ticks, F2 and Esc while
//! waiting, what never reconnects, the resume handshake and the replay that follows it.

mod common;

use std::time::Duration;

use common::*;
use crossterm::event::KeyCode;
use papo::app::reconnect::{Backoff, step};
use papo::app::{
    App, ConnId, Effect, Event, Field, Focus, Link, NetEvent, Timer, TimerKind, update,
};
use papo::ui::status::state_text;
use papo_protocol::{ClientLine, Command, EventId, Resume};

fn send(cmd: Command) -> Effect {
    Effect::Send(ClientLine::Command(cmd))
}

fn closed(app: &mut App, conn: ConnId) -> Vec<Effect> {
    net(
        app,
        conn,
        NetEvent::Closed("o servidor fechou a conexão".into()),
    )
}

/// The tick of the pending countdown timer (or of a stale one when none is pending).
fn tick(app: &mut App) -> Vec<Effect> {
    let stale = Timer {
        kind: TimerKind::Reconnect,
        id: 0,
    };
    let timer = app.timers().pending(TimerKind::Reconnect).unwrap_or(stale);
    update(app, Event::Tick(timer))
}

/// The countdown step just asked for: `after` on the pending countdown timer.
fn countdown(app: &App, after: Duration) -> Effect {
    let timer = app
        .timers()
        .pending(TimerKind::Reconnect)
        .expect("a countdown timer");
    Effect::Timer { timer, after }
}

fn remaining(app: &App) -> Duration {
    match &app.link {
        Link::Waiting { remaining, .. } => *remaining,
        other => panic!("not waiting: {other:?}"),
    }
}

/// Whether `d` is `base` seconds scaled by a factor in [0.8, 1.2].
fn within_jitter(d: Duration, base: u64) -> bool {
    let ms = u128::from(base) * 1000;
    (ms * 8 / 10..=ms * 12 / 10).contains(&d.as_millis())
}

/// Ticks until the attempt; returns its effects and how many ticks it took.
fn tick_until_attempt(app: &mut App) -> (Vec<Effect>, usize) {
    for n in 1..=40 {
        let fx = tick(app);
        if !matches!(app.link, Link::Waiting { .. }) {
            return (fx, n);
        }
    }
    panic!("no attempt after 40 ticks: {:?}", app.link);
}

#[test]
fn waits_double_from_about_1_s_to_about_30_s_with_seeded_jitter() {
    let mut backoff = Backoff::new(SEED);
    let delays: Vec<Duration> = (0..9).map(|_| backoff.next_delay()).collect();
    for (d, base) in delays.iter().zip([1, 2, 4, 8, 16, 30, 30, 30, 30]) {
        assert!(within_jitter(*d, base), "{d:?} for {base} s: {delays:?}");
    }
    let mut again = Backoff::new(SEED);
    let same: Vec<Duration> = (0..9).map(|_| again.next_delay()).collect();
    assert_eq!(same, delays, "the same seed gives the same waits");
    let mut other = Backoff::new(SEED + 1);
    let different: Vec<Duration> = (0..9).map(|_| other.next_delay()).collect();
    assert_ne!(different, delays, "the jitter depends on the seed");
    assert!(
        delays[5..].windows(2).any(|w| w[0] != w[1]),
        "capped waits still vary: {delays:?}"
    );
    backoff.reset();
    assert!(within_jitter(backoff.next_delay(), 1));
}

#[test]
fn a_lost_room_waits_then_reconnects_counting_down_in_ticks() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    line(&mut app, conn, "BYE :servidor encerrando");
    let fx = closed(&mut app, conn);
    let first = Backoff::new(SEED).next_delay();
    assert_eq!(remaining(&app), first);
    assert_eq!(fx, [countdown(&app, step(first))]);
    assert!(app.dialog.is_none());
    assert!(
        last_text(&app).contains("desconectado: servidor encerrando"),
        "{:?}",
        texts(&app)
    );
    // A fraction of a second first, so the whole seconds tick on time.
    let secs = first.as_secs() + u64::from(first.subsec_nanos() > 0);
    assert_eq!(
        state_text(&app),
        format!("reconectando em {secs} s… F2 agora, Esc cancela")
    );
    let fx = tick(&mut app);
    if first < Duration::from_secs(1) {
        assert!(matches!(fx[..], [Effect::Connect { .. }]), "{fx:?}");
    } else {
        assert_eq!(remaining(&app), Duration::from_secs(first.as_secs()));
        assert_eq!(fx, [countdown(&app, Duration::from_secs(1))]);
    }

    // Longer waits count down one second per tick.
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    closed(&mut app, conn);
    // Three failed attempts: the fourth wait is about 8 s.
    for _ in 0..3 {
        let (fx, _) = tick_until_attempt(&mut app);
        let c = connect_id(&fx);
        net(
            &mut app,
            c,
            NetEvent::ConnectFailed("conexão recusada".into()),
        );
    }
    let wait = remaining(&app);
    assert!(within_jitter(wait, 8), "{wait:?}");
    assert!(
        app.dialog.is_none(),
        "a failed attempt never opens the dialog"
    );
    if wait.subsec_nanos() > 0 {
        tick(&mut app);
    }
    let mut shown = Vec::new();
    while let Link::Waiting { remaining, .. } = app.link {
        shown.push(state_text(&app));
        let fx = tick(&mut app);
        if matches!(app.link, Link::Waiting { .. }) {
            assert_eq!(fx, [countdown(&app, Duration::from_secs(1))]);
        } else {
            assert_eq!(remaining, Duration::from_secs(1));
            assert!(matches!(&fx[..], [Effect::Connect { port: 7667, .. }]));
        }
    }
    let whole = usize::try_from(wait.as_secs()).expect("small");
    assert_eq!(shown.len(), whole);
    assert_eq!(
        shown.last().map(String::as_str),
        Some("reconectando em 1 s… F2 agora, Esc cancela")
    );
    assert!(shown[0].starts_with(&format!("reconectando em {whole} s…")));
    assert!(matches!(app.link, Link::Connecting { retry: true, .. }));
    assert_eq!(
        state_text(&app),
        "reconectando a 127.0.0.1:7667… (Esc cancela)"
    );
}

#[test]
fn failures_back_off_and_a_completed_join_starts_over() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    closed(&mut app, conn);
    assert!(within_jitter(remaining(&app), 1));
    // The attempt connects, then the server closes before WELCOME: the next wait is longer.
    let c = connect_id(&press(&mut app, KeyCode::F(2)));
    net(&mut app, c, NetEvent::Connected);
    let fx = closed(&mut app, c);
    assert!(matches!(fx[..], [Effect::Timer { .. }]), "{fx:?}");
    assert!(within_jitter(remaining(&app), 2));
    assert!(app.dialog.is_none());
    assert!(
        last_text(&app).contains("reconexão falhou: o servidor fechou a conexão"),
        "{:?}",
        texts(&app)
    );
    let c = connect_id(&press(&mut app, KeyCode::F(2)));
    net(
        &mut app,
        c,
        NetEvent::ConnectFailed("conexão recusada".into()),
    );
    assert!(within_jitter(remaining(&app), 4));
    // The server welcomes, then closes before the replay ends: that was no success either.
    let c = connect_id(&press(&mut app, KeyCode::F(2)));
    net(&mut app, c, NetEvent::Connected);
    line(&mut app, c, HELLO);
    line(&mut app, c, "WELCOME ana tok2 :de volta");
    closed(&mut app, c);
    assert!(within_jitter(remaining(&app), 8));
    // This time the join completes (LIVE); the next loss waits about 1 s again.
    let c = connect_id(&press(&mut app, KeyCode::F(2)));
    net(&mut app, c, NetEvent::Connected);
    line(&mut app, c, HELLO);
    line(&mut app, c, "WELCOME ana tok2 :de volta");
    line(&mut app, c, "LIVE 7 :ao vivo");
    assert!(matches!(app.link, Link::Online { .. }));
    closed(&mut app, c);
    assert!(within_jitter(remaining(&app), 1));
}

#[test]
fn esc_stops_reconnecting_and_f2_then_opens_the_dialog() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    for i in 0..40 {
        line(
            &mut app,
            conn,
            &format!("MSG {} 2026-11-24T23:31:00Z bob :{i}", 100 + i),
        );
    }
    line(&mut app, conn, "BYE :servidor encerrando");
    closed(&mut app, conn);
    // Scrolled up, Esc first brings the newest lines back, and reconnecting goes on.
    press(&mut app, KeyCode::PageUp);
    assert!(app.history.scroll() > 0);
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.history.scroll(), 0);
    assert!(matches!(app.link, Link::Waiting { .. }));
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(
        app.link,
        Link::Offline {
            reason: Some("servidor encerrando".into())
        }
    );
    assert_eq!(
        state_text(&app),
        "desconectado: servidor encerrando — F2 reconecta"
    );
    assert_eq!(last_text(&app), "23:30 -- reconexão cancelada");
    assert!(tick(&mut app).is_empty(), "the pending timer does nothing");
    assert!(press(&mut app, KeyCode::F(2)).is_empty());
    assert!(app.dialog.is_some());

    // Esc during an automatic attempt gives it up, and reconnecting with it.
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    closed(&mut app, conn);
    let c = connect_id(&press(&mut app, KeyCode::F(2)));
    assert_eq!(press(&mut app, KeyCode::Esc), [Effect::Disconnect]);
    assert!(matches!(app.link, Link::Offline { .. }));
    assert!(net(&mut app, c, NetEvent::ConnectFailed("recusada".into())).is_empty());
    assert!(matches!(app.link, Link::Offline { .. }));
}

#[test]
fn f2_and_ctrl_n_reconnect_at_once_and_a_stale_tick_is_ignored() {
    for key in [KeyCode::F(2), KeyCode::Char('n')] {
        let mut app = new_app(80, 24);
        let conn = online(&mut app);
        closed(&mut app, conn);
        let fx = if key == KeyCode::F(2) {
            press(&mut app, key)
        } else {
            ctrl(&mut app, 'n')
        };
        assert_eq!(
            fx,
            [Effect::Connect {
                conn: ConnId(conn.0 + 1),
                host: "127.0.0.1".into(),
                port: 7667,
                tls: false
            }]
        );
        assert!(app.dialog.is_none());
        assert!(matches!(app.link, Link::Connecting { retry: true, .. }));
        // The timer of the wait F2 cut short still goes off: nothing happens.
        assert!(tick(&mut app).is_empty());
        assert!(matches!(app.link, Link::Connecting { retry: true, .. }));
    }
}

#[test]
fn sair_signals_and_refused_nicknames_never_reconnect() {
    // /SAIR: the close that follows ends papo.
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    submit(&mut app, "/sair");
    line(&mut app, conn, "BYE :até logo");
    assert_eq!(
        closed(&mut app, conn),
        [Effect::Quit {
            wait_for_close: false
        }]
    );
    // SIGTERM while waiting: leaves at once.
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    closed(&mut app, conn);
    assert_eq!(
        update(&mut app, Event::Terminate),
        [Effect::Quit {
            wait_for_close: false
        }]
    );
    // A refused nickname while logging in: the dialog, no timer, then offline.
    let mut app = new_app(80, 24);
    press(&mut app, KeyCode::F(2));
    let c = connect_id(&press(&mut app, KeyCode::Enter));
    net(&mut app, c, NetEvent::Connected);
    line(&mut app, c, HELLO);
    line(&mut app, c, "ERR NICK_IN_USE :o apelido ana já está em uso");
    assert_eq!(
        app.dialog.as_ref().map(|d| d.focus()),
        Some(Focus::Field(Field::Nick))
    );
    let fx = closed(&mut app, c);
    assert!(fx.is_empty(), "{fx:?}");
    assert!(matches!(app.link, Link::Offline { .. }));
    // The same during an automatic reconnect: reconnecting stops there.
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    closed(&mut app, conn);
    let c = connect_id(&press(&mut app, KeyCode::F(2)));
    net(&mut app, c, NetEvent::Connected);
    line(&mut app, c, HELLO);
    line(&mut app, c, "ERR NICK_INVALID :o apelido é reservado");
    assert!(app.dialog.is_some());
    assert!(closed(&mut app, c).is_empty());
    assert!(matches!(app.link, Link::Offline { .. }));
}

/// Online as ana (epoch `e1`, token `tok1`) with bob's message 7 seen, then the link drops and
/// F2 reconnects at once; returns the new connection, connected, before `HELLO`.
fn dropped_and_reconnecting(app: &mut App) -> ConnId {
    let conn = online(app);
    line(app, conn, "MSG 7 2026-11-24T23:31:00Z bob :antes");
    closed(app, conn);
    let c = connect_id(&press(app, KeyCode::F(2)));
    net(app, c, NetEvent::Connected);
    c
}

#[test]
fn the_same_log_is_resumed_after_the_last_id_seen_with_the_token() {
    let mut app = new_app(80, 24);
    let c = dropped_and_reconnecting(&mut app);
    assert_eq!(
        line(&mut app, c, HELLO),
        [send(Command::Resume(Resume {
            nick: "ana".into(),
            epoch: EPOCH.into(),
            after: EventId(7),
            token: Some(TOKEN.into()),
        }))]
    );
    assert_eq!(app.history.max_seen(), Some(EventId(7)));

    // Another log: a plain /NICK, and the ids seen are forgotten.
    let mut app = new_app(80, 24);
    let c = dropped_and_reconnecting(&mut app);
    assert_eq!(
        line(&mut app, c, "HELLO papo 2 e2 :oi"),
        [send(Command::Nick { nick: "ana".into() })]
    );
    assert_eq!(app.history.max_seen(), None);

    // The token is for ana's session: asking for another nickname resumes without it.
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    line(&mut app, conn, "MSG 7 2026-11-24T23:31:00Z bob :antes");
    press(&mut app, KeyCode::F(2));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "zeca");
    let c = connect_id(&press(&mut app, KeyCode::Enter));
    net(&mut app, c, NetEvent::Connected);
    assert_eq!(
        line(&mut app, c, HELLO),
        [send(Command::Resume(Resume {
            nick: "zeca".into(),
            epoch: EPOCH.into(),
            after: EventId(7),
            token: None,
        }))]
    );

    // A server that does not take /RETOMAR gets /NICK.
    let mut app = new_app(80, 24);
    let c = dropped_and_reconnecting(&mut app);
    line(&mut app, c, HELLO);
    assert_eq!(
        line(
            &mut app,
            c,
            "ERR UNKNOWN_COMMAND :comando desconhecido: /RETOMAR"
        ),
        [send(Command::Nick { nick: "ana".into() })]
    );
    assert!(app.dialog.is_none());
}

#[test]
fn a_resume_shows_what_was_missed_once_dimmed_between_a_marker_and_a_separator() {
    let mut app = new_app(80, 24);
    let c = dropped_and_reconnecting(&mut app);
    type_text(&mut app, "rascunho");
    line(&mut app, c, HELLO);
    line(
        &mut app,
        c,
        "WELCOME ana tok2 :você entrou na sala como ana",
    );
    let before = texts(&app).len();
    // 7 was seen before the drop: the boundary of the replay.
    line(&mut app, c, "MSG 7 2026-11-24T23:31:00Z bob hist :antes");
    line(
        &mut app,
        c,
        "MSG 8 2026-11-24T23:32:00Z bob hist :enquanto isso",
    );
    line(&mut app, c, "JOIN 9 2026-11-24T23:33:00Z carla hist");
    line(
        &mut app,
        c,
        "PRIV 10 2026-11-24T23:34:00Z bob ana hist :psiu",
    );
    line(
        &mut app,
        c,
        "MSG 8 2026-11-24T23:32:00Z bob hist :enquanto isso",
    );
    assert_eq!(texts(&app).len(), before, "nothing shown before LIVE");
    assert_eq!(app.replaying(), Some(5));
    let fx = without_liveness(line(&mut app, c, "USERS 2 :ana bob"));
    assert!(fx.is_empty());
    line(&mut app, c, "LIVE 10 :ao vivo");
    assert_eq!(app.replaying(), None);
    line(&mut app, c, "JOIN 11 2026-11-24T23:35:00Z ana");
    line(&mut app, c, "MSG 12 2026-11-24T23:35:30Z bob :de volta?");
    let all = texts(&app);
    assert_eq!(
        all[before..],
        [
            "      — 3 mensagens enquanto você estava fora —",
            "23:32 bob: enquanto isso",
            "23:33 --> carla entrou",
            "23:34 [privado] bob → ana: psiu",
            "      — ao vivo —",
            "23:35 --> ana entrou",
            "23:35 bob: de volta?",
        ]
    );
    let replayed: Vec<bool> = app
        .history
        .entries()
        .iter()
        .skip(before)
        .map(|e| e.is_replayed())
        .collect();
    assert_eq!(replayed, [false, true, true, true, false, false, false]);
    assert_eq!(
        all.iter().filter(|t| t.ends_with("bob: antes")).count(),
        1,
        "the event seen before the drop is not shown twice"
    );
    // The replayed JOIN did not add carla; the live one added you.
    let names: Vec<&str> = app.users.list().map(|n| n.as_str()).collect();
    assert_eq!(names, ["ana", "bob"]);
    assert_eq!(app.input.value(), "rascunho");
}

#[test]
fn a_resume_with_nothing_new_says_so_and_gaps_are_noted() {
    let mut app = new_app(80, 24);
    let c = dropped_and_reconnecting(&mut app);
    line(&mut app, c, HELLO);
    line(&mut app, c, "WELCOME ana tok2 :entrou");
    line(&mut app, c, "LIVE 7 :ao vivo");
    assert_eq!(
        last_text(&app),
        "      — nada novo enquanto você estava fora —"
    );

    let mut app = new_app(80, 24);
    let c = dropped_and_reconnecting(&mut app);
    line(&mut app, c, HELLO);
    line(&mut app, c, "WELCOME ana tok2 :entrou");
    line(&mut app, c, "SKIPPED 2345 :2345 eventos não reenviados");
    line(
        &mut app,
        c,
        "MSG 2353 2026-11-24T23:40:00Z bob hist :recente",
    );
    line(&mut app, c, "LIVE 2353 :ao vivo");
    let all = texts(&app);
    assert_eq!(
        all[all.len() - 4..],
        [
            "      — 1 mensagem enquanto você estava fora —",
            "23:30 -- 2345 eventos antigos não puderam ser mostrados",
            "23:40 bob: recente",
            "      — ao vivo —",
        ]
    );
}

#[test]
fn a_first_join_shows_the_last_messages() {
    let mut app = new_app(80, 24);
    let fx = papo::app::connect_now(&mut app, local_server(), nick("ana"));
    let c = connect_id(&fx);
    net(&mut app, c, NetEvent::Connected);
    assert_eq!(
        line(&mut app, c, HELLO),
        [send(Command::Nick { nick: "ana".into() })],
        "nothing seen yet: nothing to resume"
    );
    line(&mut app, c, "WELCOME ana tok1 :entrou");
    line(&mut app, c, "MSG 3 2026-11-24T23:20:00Z bob hist :um");
    line(&mut app, c, "ACTION 4 2026-11-24T23:21:00Z bob hist :acena");
    line(&mut app, c, "LIVE 4 :ao vivo");
    let all = texts(&app);
    assert_eq!(
        all[all.len() - 4..],
        [
            "      — últimas 2 mensagens —",
            "23:20 bob: um",
            "23:21 * bob acena",
            "      — ao vivo —",
        ]
    );
}

#[test]
fn ids_going_backwards_at_live_start_a_new_epoch_without_showing_anything_twice() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    line(&mut app, conn, "MSG 5 2026-11-24T23:30:00Z bob :cinco");
    line(&mut app, conn, "MSG 6 2026-11-24T23:30:00Z bob :seis");
    line(&mut app, conn, "MSG 7 2026-11-24T23:31:00Z bob :sete");
    closed(&mut app, conn);
    let c = connect_id(&press(&mut app, KeyCode::F(2)));
    net(&mut app, c, NetEvent::Connected);
    // Same log name, but the server lost its newest events: it replays what it has.
    line(&mut app, c, HELLO);
    line(&mut app, c, "WELCOME ana tok2 :entrou");
    line(&mut app, c, "MSG 5 2026-11-24T23:30:00Z bob hist :cinco");
    line(&mut app, c, "MSG 6 2026-11-24T23:30:00Z bob hist :seis");
    line(&mut app, c, "LIVE 6 :ao vivo");
    for text in ["bob: cinco", "bob: seis", "bob: sete"] {
        let shown = texts(&app).iter().filter(|t| t.ends_with(text)).count();
        assert_eq!(shown, 1, "{text}: {:?}", texts(&app));
    }
    // Its next id 7 is a new event, not the old one.
    line(&mut app, c, "MSG 7 2026-11-24T23:41:00Z bob :sete de novo");
    assert!(last_text(&app).ends_with("bob: sete de novo"));
}

#[test]
fn a_replay_is_bounded_by_the_history_cap() {
    let mut config = config();
    config.history_lines = 100;
    let mut app = App::new(config, options(80, 24, false));
    let c = dropped_and_reconnecting(&mut app);
    line(&mut app, c, HELLO);
    line(&mut app, c, "WELCOME ana tok2 :entrou");
    for id in 8..308 {
        line(
            &mut app,
            c,
            &format!("MSG {id} 2026-11-24T23:40:00Z bob hist :perdida {id}"),
        );
        assert!(app.replaying().is_some_and(|n| n <= 100));
    }
    line(&mut app, c, "LIVE 307 :ao vivo");
    let all = texts(&app);
    assert_eq!(all.last().map(String::as_str), Some("      — ao vivo —"));
    assert!(all[all.len() - 2].ends_with("bob: perdida 307"));
    assert!(!all.iter().any(|t| t.ends_with("bob: perdida 207")));
}

#[test]
fn notices_and_late_replayed_events_are_shown_at_once() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    line(&mut app, conn, "NOTICE :o histórico não está sendo gravado");
    assert_eq!(
        last_text(&app),
        "23:30 -- servidor: o histórico não está sendo gravado"
    );
    line(
        &mut app,
        conn,
        "MSG 3 2026-11-24T23:20:00Z bob hist :atrasada",
    );
    assert_eq!(last_text(&app), "23:20 bob: atrasada");
    assert!(
        app.history
            .entries()
            .back()
            .is_some_and(|e| e.is_replayed())
    );
    line(&mut app, conn, "JOIN 4 2026-11-24T23:20:00Z carla hist");
    assert_eq!(app.users.len(), 2, "a replayed JOIN leaves the panel alone");
    line(&mut app, conn, "SKIPPED 1 :1 evento");
    assert_eq!(
        last_text(&app),
        "23:30 -- 1 evento antigo não pôde ser mostrado"
    );
}

#[test]
fn the_draft_the_scroll_and_the_lines_sent_survive_a_reconnect() {
    let mut app = new_app(80, 24);
    let conn = online(&mut app);
    fill(&mut app, conn, 10..60);
    submit(&mut app, "primeira");
    press(&mut app, KeyCode::PageUp);
    let scroll = app.history.scroll();
    assert!(scroll > 0);
    type_text(&mut app, "rascunho");
    closed(&mut app, conn);
    let (fx, _) = tick_until_attempt(&mut app);
    let c = connect_id(&fx);
    net(&mut app, c, NetEvent::Connected);
    line(&mut app, c, HELLO);
    line(&mut app, c, "WELCOME ana tok2 :entrou");
    line(&mut app, c, "LIVE 59 :ao vivo");
    line(&mut app, c, "JOIN 60 2026-11-24T23:40:00Z ana");
    assert!(matches!(app.link, Link::Online { .. }));
    assert_eq!(app.input.value(), "rascunho");
    let rows_added = app.history.scroll() - scroll;
    assert!(
        app.history.scroll() >= scroll && rows_added <= 6,
        "the view stayed on what was being read ({scroll} → {})",
        app.history.scroll()
    );
    press(&mut app, KeyCode::Up);
    assert_eq!(app.input.value(), "primeira");
}

//! Room events (`MSG`, `ACTION`, `PRIV`, `JOIN`, `PART`, `NICK`): the history entry each one
//! becomes, and what a live one changes besides (the users panel, your own nickname). Replayed
//! events become the same entries, dimmed, and change nothing else.

use papo_protocol::{Nickname, ServerLine};

use super::entry::{Entry, hhmm, mentions};
use super::{App, Effect, Link};

/// The entry for a room event and whether it mentions you; `None` for any other line.
pub(super) fn entry_for(app: &App, line: &ServerLine) -> Option<(Entry, bool)> {
    let me = app.my_nick();
    let is_me = |n: &Nickname| me.is_some_and(|m| m.same_user(n));
    let me_str = me.map_or("", Nickname::as_str);
    let time = |t| hhmm(t, app.zone);
    let built = match line {
        ServerLine::Message {
            id,
            time: t,
            nick,
            text,
        }
        | ServerLine::Action {
            id,
            time: t,
            nick,
            text,
        } => {
            let own = is_me(nick);
            let mention = !own && mentions(text, me_str);
            let build = if matches!(line, ServerLine::Action { .. }) {
                Entry::action
            } else {
                Entry::message
            };
            (build(*id, &time(*t), nick, text, own, mention), mention)
        }
        ServerLine::Private {
            id,
            time: t,
            from,
            to,
            text,
        } => {
            let mention = is_me(to) && !is_me(from);
            let e = Entry::private(*id, &time(*t), from, to, text, me);
            (e, mention)
        }
        ServerLine::Joined { id, time: t, nick } => {
            (Entry::joined(*id, &time(*t), nick, is_me(nick)), false)
        }
        ServerLine::Left {
            id,
            time: t,
            nick,
            kind,
            reason,
        } => (Entry::left(*id, &time(*t), nick, *kind, reason), false),
        ServerLine::Renamed {
            id,
            time: t,
            old,
            new,
        } => {
            let own = is_me(old);
            (Entry::renamed(*id, &time(*t), old, new, own), false)
        }
        _ => return None,
    };
    Some(built)
}

/// A live room event: shown once (an id seen before is dropped), and applied to the users
/// panel and to your nickname.
pub(super) fn live(app: &mut App, line: ServerLine, fx: &mut Vec<Effect>) {
    let Some(id) = line.event_id() else {
        return;
    };
    if app.history.has_seen(id) {
        return;
    }
    let Some((entry, mention)) = entry_for(app, &line) else {
        return;
    };
    // The panel follows the events themselves: the server delivers a USERS reply in order
    // with the events, so the last reply plus the events after it is the room exactly, and
    // asking again on every change (megabytes per join in a big room) is not needed.
    match &line {
        ServerLine::Joined { nick, .. } => app.users.add(nick),
        ServerLine::Left { nick, .. } => app.users.remove(nick),
        ServerLine::Renamed { old, new, .. } => {
            app.users.rename(old, new);
            let own = app.my_nick().is_some_and(|m| m.same_user(old));
            if own && let Link::Online { nick, .. } = &mut app.link {
                *nick = new.clone();
                app.session.renamed(new);
                app.config.nick = new.to_string();
                app.save_config(fx);
            }
        }
        _ => {}
    }
    app.history.push(entry, mention);
}

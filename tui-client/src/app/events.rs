//! Room events (`MSG`, `ACTION`, `PRIV`, `JOIN`, `PART`, `NICK`): the history entry each one
//! becomes, and what a live one changes besides (the users panel, your own nickname). Replayed
//! events become the same entries, dimmed, and change nothing else.

use papo_protocol::{Nickname, ServerLine};

use super::entry::{Entry, hhmm, mentions};
use super::{App, Effect, Link, attention};

/// With the smart filter on, joins and leaves of people who have not spoken for this long are
/// hidden.
pub const QUIET_SECONDS: i64 = 10 * 60;

/// Past this many nicknames remembered as having spoken, the ones quiet for longer than
/// [`QUIET_SECONDS`] are forgotten.
const SPOKE_PRUNE_AT: usize = 4096;

/// Remembers who spoke when (for the smart filter) and says whether the smart filter hides
/// `line`: a join or leave of someone else who has not spoken in the last [`QUIET_SECONDS`].
pub(super) fn hidden(app: &mut App, line: &ServerLine) -> bool {
    let key = |n: &Nickname| n.as_str().to_lowercase();
    match line {
        ServerLine::Message { nick, time, .. } | ServerLine::Action { nick, time, .. } => {
            spoke(app, key(nick), time.unix_seconds());
            false
        }
        ServerLine::Private { from, time, .. } => {
            spoke(app, key(from), time.unix_seconds());
            false
        }
        ServerLine::Renamed { old, new, .. } => {
            if let Some(t) = app.spoke.remove(&key(old)) {
                app.spoke.insert(key(new), t);
            }
            false
        }
        ServerLine::Joined { nick, time, .. } | ServerLine::Left { nick, time, .. } => {
            let mine = app.my_nick().is_some_and(|m| m.same_user(nick));
            let recent = app
                .spoke
                .get(&key(nick))
                .is_some_and(|t| time.unix_seconds() - t <= QUIET_SECONDS);
            app.config.smart_filter && !mine && !recent
        }
        _ => false,
    }
}

fn spoke(app: &mut App, who: String, at: i64) {
    app.spoke.insert(who, at);
    if app.spoke.len() > SPOKE_PRUNE_AT {
        app.spoke.retain(|_, t| at - *t <= QUIET_SECONDS);
    }
}

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
            (Entry::joined(*id, *t, &time(*t), nick, is_me(nick)), false)
        }
        ServerLine::Left {
            id,
            time: t,
            nick,
            kind,
            reason,
        } => (Entry::left(*id, *t, &time(*t), nick, *kind, reason), false),
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
    let is_hidden = hidden(app, &line);
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
    if is_hidden {
        app.history.mark_seen(id);
        return;
    }
    let message = match &line {
        ServerLine::Message { nick, .. } | ServerLine::Action { nick, .. } => {
            !app.my_nick().is_some_and(|m| m.same_user(nick))
        }
        ServerLine::Private { from, .. } => !app.my_nick().is_some_and(|m| m.same_user(from)),
        _ => false,
    };
    if app.history.push(entry, mention) {
        attention::arrived(app, message, mention, fx);
    }
}

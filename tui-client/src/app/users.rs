//! Who is in the room, as the users panel shows it: sorted case-insensitively by spelling, kept
//! in step with JOIN/PART/NICK as they arrive and replaced by each `USERS` reply.
//!
//! Each member's folded spelling (for order and completion) and identity key (for "is this the
//! same person", by how the name looks) are computed once, when it arrives; the list stays
//! sorted, so a join is a binary search, not a sort that folds every nickname again.

use papo_protocol::{NickKey, Nickname};

/// One member, with what is compared about it computed once.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    /// Lower-cased spelling: the panel's order and what Tab completes.
    fold: String,
    /// Identity: two nicknames with the same key are the same person.
    key: NickKey,
    nick: Nickname,
}

impl Member {
    fn new(nick: &Nickname) -> Self {
        Self {
            fold: nick.as_str().to_lowercase(),
            key: nick.key(),
            nick: nick.clone(),
        }
    }

    fn order(&self) -> (&str, &str) {
        (&self.fold, self.nick.as_str())
    }
}

/// The room's members.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Users {
    /// Sorted by folded spelling, then spelling; one entry per identity.
    members: Vec<Member>,
    /// The nicknames, in the same order (what the panel draws).
    list: Vec<Nickname>,
}

impl Users {
    /// The members, sorted case-insensitively.
    pub fn list(&self) -> &[Nickname] {
        &self.list
    }

    /// How many members.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether nobody is listed.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Forgets everyone (disconnected).
    pub fn clear(&mut self) {
        self.members.clear();
        self.list.clear();
    }

    /// Replaces the list with a `USERS` reply. A person listed twice (however spelled: a
    /// misbehaving server) is kept once.
    pub fn set(&mut self, nicks: Vec<Nickname>) {
        let mut members: Vec<Member> = nicks.iter().map(Member::new).collect();
        members.sort_by(|a, b| a.order().cmp(&b.order()));
        let mut seen = std::collections::HashSet::new();
        members.retain(|m| seen.insert(m.key.clone()));
        self.list = members.iter().map(|m| m.nick.clone()).collect();
        self.members = members;
    }

    /// Someone joined (replacing an entry for the same person, if any).
    pub fn add(&mut self, nick: &Nickname) {
        self.remove(nick);
        let member = Member::new(nick);
        let at = self.members.partition_point(|m| m.order() < member.order());
        self.list.insert(at, nick.clone());
        self.members.insert(at, member);
    }

    /// Someone left.
    pub fn remove(&mut self, nick: &Nickname) {
        let key = nick.key();
        if let Some(at) = self.members.iter().position(|m| m.key == key) {
            self.members.remove(at);
            self.list.remove(at);
        }
    }

    /// Someone changed nickname.
    pub fn rename(&mut self, old: &Nickname, new: &Nickname) {
        self.remove(old);
        self.add(new);
    }

    /// Nicknames starting with `prefix` (case-insensitively), except `me`, in panel order.
    pub fn completions(&self, prefix: &str, me: Option<&Nickname>) -> Vec<String> {
        let prefix = prefix.to_lowercase();
        let me = me.map(Nickname::key);
        self.members
            .iter()
            .filter(|m| me.as_ref() != Some(&m.key))
            .filter(|m| m.fold.starts_with(&prefix))
            .map(|m| m.nick.as_str().to_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nick(s: &str) -> Nickname {
        Nickname::parse(s).expect("valid nickname")
    }

    fn names(users: &Users) -> Vec<&str> {
        users.list().iter().map(Nickname::as_str).collect()
    }

    #[test]
    fn a_reply_that_lists_someone_twice_is_kept_once_and_sorted() {
        let mut users = Users::default();
        users.set(vec![
            nick("bob"),
            nick("ana"),
            nick("ANA"),
            nick("ana"),
            nick("Carla"),
        ]);
        assert_eq!(names(&users), ["ANA", "bob", "Carla"]);
    }

    #[test]
    fn the_order_and_completion_follow_the_spelling_not_the_look() {
        // The identity key folds look-alikes ("m" looks like "rn", "0" like "O"); the panel
        // must still sort and complete by what is written.
        let mut users = Users::default();
        users.set(vec![
            nick("paulo"),
            nick("maria"),
            nick("0tto"),
            nick("ana0"),
        ]);
        assert_eq!(names(&users), ["0tto", "ana0", "maria", "paulo"]);
        assert_eq!(users.completions("ma", None), ["maria"]);
        assert!(users.completions("rn", None).is_empty());
    }

    #[test]
    fn joins_departures_and_renames_keep_the_order() {
        let mut users = Users::default();
        for n in ["dora", "bob", "ana"] {
            users.add(&nick(n));
        }
        users.add(&nick("Bob"));
        assert_eq!(names(&users), ["ana", "Bob", "dora"]);
        users.rename(&nick("dora"), &nick("caio"));
        users.remove(&nick("ANA"));
        assert_eq!(names(&users), ["Bob", "caio"]);
        assert_eq!(users.completions("c", Some(&nick("bob"))), ["caio"]);
        assert_eq!(users.completions("", Some(&nick("bob"))), ["caio"]);
    }
}

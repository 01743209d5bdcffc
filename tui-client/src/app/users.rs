//! Who is in the room, as the users panel shows it: sorted case-insensitively, kept in step with
//! JOIN/PART/NICK as they arrive and replaced by each `USERS` reply.
//!
//! Each member's comparison key is computed once, when it arrives, and the list stays sorted by
//! it: a join, a departure or a rename is a binary search, not a sort that folds every
//! nickname again (a room of 100 000 members stays responsive).

use papo_protocol::{NickKey, Nickname};

/// The room's members.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Users {
    /// Sorted by key, then spelling; one entry per key.
    keys: Vec<NickKey>,
    /// The nicknames, in the same order as `keys`.
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
        self.keys.clear();
        self.list.clear();
    }

    /// Replaces the list with a `USERS` reply. A nickname listed twice (the same user however
    /// spelled: a misbehaving server) is kept once.
    pub fn set(&mut self, nicks: Vec<Nickname>) {
        let mut pairs: Vec<(NickKey, Nickname)> = nicks.into_iter().map(|n| (n.key(), n)).collect();
        pairs.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        pairs.dedup_by(|later, first| later.0 == first.0);
        (self.keys, self.list) = pairs.into_iter().unzip();
    }

    /// Someone joined (replacing an entry for the same user, if any).
    pub fn add(&mut self, nick: &Nickname) {
        let key = nick.key();
        match self.keys.binary_search(&key) {
            Ok(i) => self.list[i] = nick.clone(),
            Err(i) => {
                self.keys.insert(i, key);
                self.list.insert(i, nick.clone());
            }
        }
    }

    /// Someone left.
    pub fn remove(&mut self, nick: &Nickname) {
        if let Ok(i) = self.keys.binary_search(&nick.key()) {
            self.keys.remove(i);
            self.list.remove(i);
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
        self.keys
            .iter()
            .zip(&self.list)
            .filter(|(key, _)| me.as_ref() != Some(*key))
            .filter(|(key, _)| key.as_str().starts_with(&prefix))
            .map(|(_, nick)| nick.as_str().to_owned())
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

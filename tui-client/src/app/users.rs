//! Who is in the room, as the users panel shows it: sorted case-insensitively, kept in step with
//! JOIN/PART/NICK as they arrive and replaced by each `USERS` reply.

use papo_protocol::Nickname;

/// The room's members.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Users {
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
        self.list.clear();
    }

    /// Replaces the list with a `USERS` reply.
    pub fn set(&mut self, nicks: Vec<Nickname>) {
        self.list = nicks;
        self.sort();
    }

    /// Someone joined.
    pub fn add(&mut self, nick: &Nickname) {
        self.remove(nick);
        self.list.push(nick.clone());
        self.sort();
    }

    /// Someone left.
    pub fn remove(&mut self, nick: &Nickname) {
        self.list.retain(|n| !n.same_user(nick));
    }

    /// Someone changed nickname.
    pub fn rename(&mut self, old: &Nickname, new: &Nickname) {
        self.remove(old);
        self.add(new);
    }

    /// Nicknames starting with `prefix` (case-insensitively), except `me`, in panel order.
    pub fn completions(&self, prefix: &str, me: Option<&Nickname>) -> Vec<String> {
        let prefix = prefix.to_lowercase();
        self.list
            .iter()
            .filter(|n| !me.is_some_and(|m| m.same_user(n)))
            .filter(|n| n.key().as_str().starts_with(&prefix))
            .map(|n| n.as_str().to_owned())
            .collect()
    }

    fn sort(&mut self) {
        self.list
            .sort_by(|a, b| a.key().cmp(&b.key()).then_with(|| a.cmp(b)));
    }
}

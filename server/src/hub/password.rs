//! The room's password: before a connection gave it, only `/SENHA`, `/AJUDA`, `/PING` and
//! `/SAIR` reach anything. Wrong guesses are counted per connection and paced room-wide.

use std::time::Instant;

use papo_protocol::{ClientLine, Command, Secret, ServerLine};

use super::{Hub, Next, State};
use crate::password::MAX_PASSWORD_ATTEMPTS;
use crate::replies;
use crate::room::MemberId;

impl Hub {
    /// Whether `id` gave the room's password (or the room has none).
    pub fn admitted(&self, id: MemberId) -> bool {
        self.lock()
            .connections
            .get(&id)
            .is_some_and(|connection| connection.admitted)
    }

    /// Before a connection gave the room's password, only `/SENHA`, `/AJUDA`, `/PING` and
    /// `/SAIR` get through: no nickname, no member list, no history. Returns what to do next
    /// when the line was answered here, `None` when the room should handle it.
    pub(super) fn password_gate(
        &self,
        state: &mut State,
        from: MemberId,
        line: &ClientLine,
    ) -> Option<Next> {
        let admitted = state.connections.get(&from)?.admitted;
        match line {
            ClientLine::Command(Command::Password { password }) if !state.room.contains(from) => {
                let Some(expected) = &self.config.password else {
                    self.reply(state, from, &replies::no_password_needed());
                    return Some(Next::Continue);
                };
                let right = expected.matches(password);
                let connection = state.connections.get_mut(&from)?;
                if right {
                    connection.admitted = true;
                    self.reply(state, from, &replies::password_accepted());
                    return Some(Next::Continue);
                }
                connection.wrong_passwords += 1;
                let wrong = connection.wrong_passwords;
                tracing::warn!(member = from.0, wrong, "wrong room password");
                if wrong >= MAX_PASSWORD_ATTEMPTS {
                    let bye = ServerLine::Bye {
                        text: replies::TOO_MANY_WRONG_PASSWORDS.to_owned(),
                    };
                    self.close(state, from, Some(bye));
                    return Some(Next::Close);
                }
                let left = MAX_PASSWORD_ATTEMPTS - wrong;
                self.reply(state, from, &replies::password_incorrect(left));
                Some(Next::Continue)
            }
            _ if admitted => None,
            ClientLine::Command(Command::Help | Command::Ping { .. } | Command::Quit { .. }) => {
                None
            }
            _ => {
                self.reply(state, from, &replies::password_required());
                Some(Next::Continue)
            }
        }
    }

    /// Whether `given` would let a connection in (always, in a room without a password).
    pub fn password_matches(&self, given: &Secret) -> bool {
        self.config
            .password
            .as_ref()
            .is_none_or(|password| password.matches(given))
    }

    /// Takes a turn, at `now`, to answer a wrong password (`Ok`), or says when the next one
    /// comes (`Err(when)`). The turns are shared by every connection (`password_guesses`), so
    /// guessing costs the same time over one connection or many.
    pub fn wrong_password_turn(&self, now: Instant) -> Result<(), Instant> {
        self.lock().wrong_passwords.spend(now)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use crate::Config;
    use crate::flood::FloodConfig;
    use crate::hub::Hub;
    use crate::log::RoomLog;
    use crate::password::RoomPassword;
    use papo_protocol::Secret;

    #[test]
    fn wrong_guesses_share_one_room_wide_pace() {
        let config = Config {
            password: Some(RoomPassword::new("certa").expect("valid")),
            password_guesses: FloodConfig {
                burst: 2,
                per_second: 1,
            },
            ..Config::default()
        };
        let log = Arc::new(RoomLog::open(&config.history).expect("log"));
        let hub = Hub::new(config, log);
        assert!(hub.password_matches(&Secret::new("certa")));
        assert!(!hub.password_matches(&Secret::new("errada")));
        let now = std::time::Instant::now();
        assert_eq!(hub.wrong_password_turn(now), Ok(()));
        assert_eq!(hub.wrong_password_turn(now), Ok(()));
        let next = hub
            .wrong_password_turn(now)
            .expect_err("the burst is spent");
        assert_eq!(next, now + Duration::from_secs(1));
        assert_eq!(hub.wrong_password_turn(next), Ok(()));
    }
}

//! The room log in an SQLite file: WAL mode, `synchronous=NORMAL`, one writing connection (the
//! committer's) and a few reading ones. A file that is not papo's, or is damaged, is refused at
//! start with its name; it is never written over.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use papo_protocol::{EventId, LeaveKind, Nickname, ServerLine, Timestamp};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::event::{Audience, LoggedEvent, SessionChange, SessionId, fits};
use super::gaps::{Gaps, ID_JUMP};
use super::store::{LogStore, StoreError, Stored};

/// `PRAGMA application_id` of papo's history files ("papo" in ASCII).
const APPLICATION_ID: i64 = 0x7061_706f;
/// `PRAGMA user_version`: the schema below.
const SCHEMA_VERSION: i64 = 1;
/// Reading connections kept open for catch-up reads.
const MAX_IDLE_READERS: usize = 4;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    kind TEXT NOT NULL,
    nick TEXT NOT NULL,
    other TEXT,
    text TEXT NOT NULL,
    session_a INTEGER,
    session_b INTEGER
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    ended INTEGER
);
";

/// The SQLite store.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SqliteStore {
    /// Opens the history file at `path`, creating it (and its directory) if missing, and says
    /// what it holds. `new_epoch` names a newly created log.
    pub fn open(path: &Path, new_epoch: &str) -> Result<(Self, Stored), StoreError> {
        let unusable = |why: String| StoreError::Unusable {
            path: path.display().to_string(),
            why,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| unusable(format!("cannot create its directory: {e}")))?;
        }
        let conn = Connection::open(path).map_err(|e| unusable(e.to_string()))?;
        restrict_permissions(path);
        let stored = prepare(&conn, new_epoch).map_err(|e| match e {
            StoreError::Sqlite(e) => unusable(describe(&e)),
            other => other,
        })?;
        let stored = match stored {
            Prepared::Ready(stored) => stored,
            Prepared::Foreign(why) => return Err(unusable(why)),
        };
        let store = Self {
            path: path.to_owned(),
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
        };
        Ok((store, stored))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn reader(&self) -> Result<Connection, StoreError> {
        if let Some(conn) = lock(&self.readers).pop() {
            return Ok(conn);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(conn)
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = lock(&self.readers);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
    }
}

/// Owner-only permissions: the file holds private messages and resume tokens.
fn restrict_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Err(err) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
        tracing::warn!(path = %path.display(), %err, "cannot make the history file private");
    }
}

/// SQLite's words for a file that is not a database, or a damaged one, made plain.
fn describe(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            "not an SQLite database (not a papo history file?)".to_owned()
        }
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => "the database is damaged".to_owned(),
        _ => e.to_string(),
    }
}

enum Prepared {
    Ready(Stored),
    Foreign(String),
}

/// Sets the connection up and reads (or creates) the schema.
fn prepare(conn: &Connection, new_epoch: &str) -> Result<Prepared, StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Reading the header first: a file that is not a database fails here, before any write.
    let app_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    if app_id != APPLICATION_ID {
        if app_id != 0 || tables != 0 {
            return Ok(Prepared::Foreign(
                "not a papo history file (another program's database); choose another --history-db"
                    .to_owned(),
            ));
        }
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(SCHEMA)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('epoch', ?1)",
            [new_epoch],
        )?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
    }
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version != SCHEMA_VERSION {
        return Ok(Prepared::Foreign(format!(
            "history schema version {version}; this papo-server reads version {SCHEMA_VERSION}"
        )));
    }
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "SQLite refused WAL mode; commits will be slower");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let check: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0))?;
    if check != "ok" {
        return Ok(Prepared::Foreign(format!(
            "the database is damaged ({check})"
        )));
    }
    let meta = |key: &str| -> Result<Option<String>, StoreError> {
        Ok(conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    };
    let Some(epoch) = meta("epoch")?.filter(|e| papo_protocol::is_secret(e)) else {
        return Ok(Prepared::Foreign(
            "the file has no valid epoch (damaged?)".to_owned(),
        ));
    };
    let Some(mut gaps) = Gaps::decode(&meta("gaps")?.unwrap_or_default()) else {
        return Ok(Prepared::Foreign(
            "the file's id gaps are unreadable (damaged?)".to_owned(),
        ));
    };
    // Ranges wholly below what the file keeps no longer matter.
    let oldest_kept: Option<i64> =
        conn.query_row("SELECT min(id) FROM events", [], |r| r.get(0))?;
    if let Some(oldest) = oldest_kept {
        gaps.forget_upto(to_u64(oldest).saturating_sub(1));
    }
    // A file whose last run did not say it stopped cleanly may lack ids that run handed out.
    let clean = meta("clean")?.is_none_or(|c| c == "1");
    // The newest id handed out and stored; pruning records how far it went, so even a history
    // pruned empty never hands an id out twice.
    let stored_newest: i64 = conn.query_row(
        "SELECT max(coalesce((SELECT max(id) FROM events), 0),
                    coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned_upto'), 0))",
        [],
        |r| r.get(0),
    )?;
    // Ids in a recorded gap were never handed out, but the next id still comes after them.
    let mut newest = to_u64(stored_newest).max(gaps.last_end());
    if !clean {
        let last = newest.saturating_add(ID_JUMP);
        tracing::warn!(
            newest,
            resumes_after = last,
            "the history's last run did not stop cleanly: event ids jump ahead so none is reused"
        );
        gaps.push(newest + 1, last);
        newest = last;
    }
    let last_session: i64 = conn.query_row(
        "SELECT max(coalesce((SELECT max(id) FROM sessions), 0),
                    coalesce((SELECT max(session_a) FROM events), 0),
                    coalesce((SELECT max(session_b) FROM events), 0),
                    coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_session'), 0))",
        [],
        |r| r.get(0),
    )?;
    // From now until a clean stop, this run is unfinished; nobody is connected yet.
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('clean', '0'), ('gaps', ?1)",
        [gaps.encode()],
    )?;
    tx.execute(
        "UPDATE sessions SET ended = ?1 WHERE ended IS NULL",
        [stored_newest],
    )?;
    tx.commit()?;
    Ok(Prepared::Ready(Stored {
        epoch,
        newest: EventId(newest),
        last_session: SessionId(to_u64(last_session)),
        gaps,
    }))
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The columns of one event: kind, nick, other, text.
fn columns(line: &ServerLine) -> Option<(&'static str, &str, Option<&str>, &str)> {
    Some(match line {
        ServerLine::Message { nick, text, .. } => ("MSG", nick.as_str(), None, text.as_str()),
        ServerLine::Action { nick, text, .. } => ("ACTION", nick.as_str(), None, text.as_str()),
        ServerLine::Private { from, to, text, .. } => {
            ("PRIV", from.as_str(), Some(to.as_str()), text.as_str())
        }
        ServerLine::Joined { nick, .. } => ("JOIN", nick.as_str(), None, ""),
        ServerLine::Left {
            nick, kind, reason, ..
        } => ("PART", nick.as_str(), Some(kind.as_str()), reason.as_str()),
        ServerLine::Renamed { old, new, .. } => ("NICK", old.as_str(), Some(new.as_str()), ""),
        _ => return None,
    })
}

fn time_of(line: &ServerLine) -> i64 {
    match line {
        ServerLine::Message { time, .. }
        | ServerLine::Action { time, .. }
        | ServerLine::Private { time, .. }
        | ServerLine::Joined { time, .. }
        | ServerLine::Left { time, .. }
        | ServerLine::Renamed { time, .. } => time.unix_seconds(),
        _ => 0,
    }
}

/// Rebuilds an event from its row; `None` for a row this version cannot read (a hand-edited
/// file, say): it is skipped, and the rest of the history still reads.
fn event_from_row(row: &rusqlite::Row<'_>) -> Option<LoggedEvent> {
    let int = |i: usize| row.get_ref(i).ok()?.as_i64_or_null().ok();
    let text = |i: usize| -> Option<Option<String>> {
        match row.get_ref(i).ok()? {
            rusqlite::types::ValueRef::Null => Some(None),
            rusqlite::types::ValueRef::Text(t) => {
                std::str::from_utf8(t).ok().map(|t| Some(t.to_owned()))
            }
            _ => None,
        }
    };
    let id = EventId(to_u64(int(0)??));
    let time = Timestamp::from_unix_seconds(int(1)??);
    let kind = text(2)??;
    let nick = text(3)??;
    let other = text(4)?;
    let text_field = text(5)??;
    let (a, b) = (int(6)?, int(7)?);
    let parse = |s: &str| Nickname::parse(s).ok().filter(|n| n.as_str() == s);
    let nick = parse(&nick)?;
    let other_nick = other.as_deref().and_then(parse);
    let text = text_field;
    let line = match (kind.as_str(), other_nick) {
        ("MSG", _) => ServerLine::Message {
            id,
            time,
            nick,
            text,
        },
        ("ACTION", _) => ServerLine::Action {
            id,
            time,
            nick,
            text,
        },
        ("PRIV", Some(to)) => ServerLine::Private {
            id,
            time,
            from: nick,
            to,
            text,
        },
        ("JOIN", _) => ServerLine::Joined { id, time, nick },
        ("PART", _) => {
            let kind = match other.as_deref() {
                Some("quit") => LeaveKind::Quit,
                Some("dropped") => LeaveKind::Dropped,
                _ => LeaveKind::Lost,
            };
            ServerLine::Left {
                id,
                time,
                nick,
                kind,
                reason: text,
            }
        }
        ("NICK", Some(new)) => ServerLine::Renamed {
            id,
            time,
            old: nick,
            new,
        },
        _ => return None,
    };
    let audience = match (a, b) {
        (Some(a), Some(b)) => Audience::Pair(SessionId(to_u64(a)), SessionId(to_u64(b))),
        _ => Audience::All,
    };
    LoggedEvent::new(line, audience)
}

impl LogStore for SqliteStore {
    fn append(
        &self,
        events: &[Arc<LoggedEvent>],
        sessions: &[SessionChange],
    ) -> Result<(), StoreError> {
        let conn = lock(&self.writer);
        let tx = conn.unchecked_transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO events (id, time, kind, nick, other, text, session_a, session_b)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for e in events {
                let Some((kind, nick, other, text)) = columns(&e.line) else {
                    continue;
                };
                let (a, b) = match e.audience {
                    Audience::All => (None, None),
                    Audience::Pair(a, b) => (Some(to_i64(a.0)), Some(to_i64(b.0))),
                };
                insert.execute(params![
                    to_i64(e.id.0),
                    time_of(&e.line),
                    kind,
                    nick,
                    other,
                    text,
                    a,
                    b
                ])?;
            }
            for change in sessions {
                match change {
                    SessionChange::New(s) => {
                        tx.prepare_cached(
                            "INSERT INTO sessions (id, token, ended) VALUES (?1, ?2, NULL)",
                        )?
                        .execute(params![to_i64(s.id.0), s.token])?;
                        tx.prepare_cached(
                            "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_session', ?1)",
                        )?
                        .execute([s.id.0.to_string()])?;
                    }
                    SessionChange::Resumed(id) => {
                        tx.prepare_cached("UPDATE sessions SET ended = NULL WHERE id = ?1")?
                            .execute([to_i64(id.0)])?;
                    }
                    SessionChange::Ended(id, at) => {
                        tx.prepare_cached("UPDATE sessions SET ended = ?2 WHERE id = ?1")?
                            .execute([to_i64(id.0), to_i64(at.0)])?;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn read_after(
        &self,
        after: EventId,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<Arc<LoggedEvent>>, StoreError> {
        let conn = self.reader()?;
        let read = (|| -> Result<Vec<Arc<LoggedEvent>>, StoreError> {
            let mut query = conn.prepare_cached(
                "SELECT id, time, kind, nick, other, text, session_a, session_b
                 FROM events WHERE id > ?1 ORDER BY id LIMIT ?2",
            )?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let mut rows = query.query(params![to_i64(after.0), limit])?;
            let mut events = Vec::new();
            let mut taken = 0;
            while let Some(row) = rows.next()? {
                let Some(event) = event_from_row(row) else {
                    tracing::warn!("skipping an unreadable row of the history file");
                    continue;
                };
                if !fits(taken, event.wire.len(), max_bytes) {
                    break;
                }
                taken += event.wire.len();
                events.push(Arc::new(event));
            }
            Ok(events)
        })();
        self.give_back(conn);
        read
    }

    fn find_session(&self, token: &str) -> Result<Option<SessionId>, StoreError> {
        let conn = self.reader()?;
        let id: Option<i64> = conn
            .query_row("SELECT id FROM sessions WHERE token = ?1", [token], |r| {
                r.get(0)
            })
            .optional()?;
        self.give_back(conn);
        Ok(id.map(|id| SessionId(to_u64(id))))
    }

    fn prune(&self, upto: EventId, max_rows: usize) -> Result<Option<EventId>, StoreError> {
        let conn = lock(&self.writer);
        let tx = conn.unchecked_transaction()?;
        tx.execute(
            "DELETE FROM events WHERE id IN
               (SELECT id FROM events WHERE id <= ?1 ORDER BY id LIMIT ?2)",
            params![to_i64(upto.0), i64::try_from(max_rows).unwrap_or(i64::MAX)],
        )?;
        // A session is kept while connected, or while a kept private message is addressed to it.
        tx.execute(
            "DELETE FROM sessions WHERE ended IS NOT NULL AND ended <= ?1
               AND id NOT IN (SELECT session_a FROM events WHERE session_a IS NOT NULL)
               AND id NOT IN (SELECT session_b FROM events WHERE session_b IS NOT NULL)",
            [to_i64(upto.0)],
        )?;
        let oldest: Option<i64> = tx.query_row("SELECT min(id) FROM events", [], |r| r.get(0))?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('pruned_upto', ?1)",
            [upto.0.to_string()],
        )?;
        tx.commit()?;
        Ok(oldest.map(|id| EventId(to_u64(id))))
    }

    fn oldest(&self) -> Result<Option<EventId>, StoreError> {
        let conn = self.reader()?;
        let id: Option<i64> = conn.query_row("SELECT min(id) FROM events", [], |r| r.get(0))?;
        self.give_back(conn);
        Ok(id.map(|id| EventId(to_u64(id))))
    }

    fn close(&self, clean: bool) -> Result<(), StoreError> {
        if clean {
            lock(&self.writer).execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('clean', '1')",
                [],
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::event::test_message as event;

    fn ids(events: &[Arc<LoggedEvent>]) -> Vec<u64> {
        events.iter().map(|e| e.id.0).collect()
    }

    #[test]
    fn an_unreadable_row_is_skipped_and_the_rest_still_reads() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("h.db");
        let (store, _) = SqliteStore::open(&path, "e1").expect("opens");
        let events: Vec<_> = (1..=5).map(|i| event(i, "oi")).collect();
        store.append(&events, &[]).expect("stored");
        let raw = Connection::open(&path).expect("opens");
        raw.execute("UPDATE events SET time = 'ontem' WHERE id = 2", [])
            .expect("edited");
        raw.execute("UPDATE events SET kind = 'XYZ' WHERE id = 4", [])
            .expect("edited");
        let read = store
            .read_after(EventId(0), 100, usize::MAX)
            .expect("reads");
        assert_eq!(ids(&read), [1, 3, 5]);
    }

    #[test]
    fn a_read_stops_at_its_byte_budget_but_returns_at_least_one_event() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let (store, _) = SqliteStore::open(&dir.path().join("h.db"), "e1").expect("opens");
        let events: Vec<_> = (1..=10).map(|i| event(i, &"x".repeat(100))).collect();
        store.append(&events, &[]).expect("stored");
        let one = events[0].wire.len();
        assert_eq!(
            ids(&store.read_after(EventId(0), 100, 3 * one).expect("reads")),
            [1, 2, 3]
        );
        assert_eq!(
            ids(&store.read_after(EventId(4), 100, 1).expect("reads")),
            [5]
        );
    }

    #[test]
    fn after_an_unclean_stop_ids_resume_far_above_and_sessions_are_never_reused() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("h.db");
        let (store, stored) = SqliteStore::open(&path, "e1").expect("opens");
        assert_eq!(stored.newest, EventId(0), "a new file starts clean");
        store
            .append(
                &[event(1, "a"), event(2, "b")],
                &[SessionChange::New(super::super::event::NewSession {
                    id: SessionId(7),
                    token: "t7".into(),
                })],
            )
            .expect("stored");
        drop(store);
        // Not closed: as after kill -9, or a run whose store failed.
        let (store, stored) = SqliteStore::open(&path, "e2").expect("reopens");
        assert_eq!(stored.epoch, "e1");
        assert_eq!(stored.newest, EventId(2 + ID_JUMP));
        assert_eq!(stored.gaps.issued_between(0, stored.newest.0), 2);
        assert_eq!(stored.last_session, SessionId(7));
        // Pruning everything forgets the ended session, but its id is never handed out again.
        store.prune(EventId(2), 100).expect("pruned");
        store.close(true).expect("closed");
        drop(store);
        let (_, stored) = SqliteStore::open(&path, "e3").expect("reopens");
        assert_eq!(
            stored.newest,
            EventId(2 + ID_JUMP),
            "a clean stop: no new jump, and pruning does not bring ids back"
        );
        assert_eq!(stored.last_session, SessionId(7));
    }
}

//! What a PostgreSQL server keeps between requests (issue #11, the request path):
//! the sessions it has read and the data version, kept fresh by `LISTEN/NOTIFY`.
//!
//! Every request used to send one statement before anything else: its session, its
//! user and the data version. On PostgreSQL that round trip wakes a database backend on
//! the same cores, and the profile (docs/performance.md, "Stop 23") put about 30 % of a
//! kept read's time in that hand-off. A server that listens can skip it:
//!
//! - **Sessions.** A session read from the database is kept for at most [`KEEP_MS`] and
//!   never past its expiry; after that it is read again (which is also when a web
//!   session slides). Any change that could end or change a session — a session
//!   deleted or cut short, a user's role, place, password or state changed, an
//!   organisation or region changed — notifies every server, and each drops all the
//!   sessions it keeps.
//! - **The data version.** Every raise of `data_version` notifies its new number; a
//!   server serves kept reads (`web/src/reads.rs`) under the highest number it has
//!   heard.
//! - **This server's own changes** count at once, before the commit returns
//!   ([`Tx::commit`](crate::db::Tx::commit) raises the version it read back; account
//!   changes drop the kept sessions), so a user always sees their own change.
//! - **Other servers' changes** count when their notification arrives: PostgreSQL sends
//!   it at commit, so the window is the delivery time on the local network (well under a
//!   millisecond on one host).
//! - **Not listening** (before the first `LISTEN`, after a lost connection, until it is
//!   back and the version read again): nothing is kept, and every request reads its
//!   session and the version as before.
//!
//! The notifications come from triggers ([`TRIGGERS`]), so a change made by any
//! process — a server, the CLI, `psql` — is heard. SQLite has no other server to hear
//! from and keeps nothing here: there every request reads the database (a file read in
//! the same process, not a round trip).
use crate::users::Session;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// How long a server serves a session it has read without reading it again.
pub const KEEP_MS: i64 = 30_000;
/// How many sessions a server keeps at most (beyond: it starts again from none).
const MAX_SESSIONS: usize = 20_000;
/// The channel every notification goes on.
const CHANNEL: &str = "gongjiang";

/// PostgreSQL only: the triggers that notify `gongjiang`: `v<version>` when the data
/// version is raised, `s` when a session ends or is cut short, or an account changes
/// in a way its sessions carry. Installed by `Db::migrate` (idempotent).
pub(crate) const TRIGGERS: &[&str] = &[
    "CREATE OR REPLACE FUNCTION gj_notify_version() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN PERFORM pg_notify('gongjiang', 'v' || NEW.version); RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION gj_notify_sessions() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN PERFORM pg_notify('gongjiang', 's'); RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION gj_notify_sessions_gone() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN IF EXISTS (SELECT 1 FROM gone) THEN PERFORM pg_notify('gongjiang', 's'); END IF; \
     RETURN NULL; END $$",
    "DROP TRIGGER IF EXISTS gj_version_raised ON data_version",
    "CREATE TRIGGER gj_version_raised AFTER UPDATE ON data_version \
     FOR EACH ROW EXECUTE FUNCTION gj_notify_version()",
    "DROP TRIGGER IF EXISTS gj_sessions_ended ON sessions",
    "CREATE TRIGGER gj_sessions_ended AFTER DELETE ON sessions REFERENCING OLD TABLE AS gone \
     FOR EACH STATEMENT EXECUTE FUNCTION gj_notify_sessions_gone()",
    // Cut short (an expiry moved back); the once-a-minute slide only moves it on.
    "DROP TRIGGER IF EXISTS gj_sessions_cut ON sessions",
    "CREATE TRIGGER gj_sessions_cut AFTER UPDATE OF expires_at ON sessions \
     FOR EACH ROW WHEN (NEW.expires_at < OLD.expires_at) EXECUTE FUNCTION gj_notify_sessions()",
    // A session carries its user (all of it, down to the time of the last login).
    "DROP TRIGGER IF EXISTS gj_users_changed ON users",
    "CREATE TRIGGER gj_users_changed AFTER UPDATE OR DELETE ON users \
     FOR EACH STATEMENT EXECUTE FUNCTION gj_notify_sessions()",
];

/// What one server keeps. Owned by its [`crate::Db`]; off until [`listen`] has heard.
#[derive(Default)]
pub struct Live {
    on: AtomicBool,
    version: AtomicI64,
    /// Raised whenever what is kept is dropped: a session read before a drop is not
    /// kept after it.
    generation: AtomicU64,
    sessions: Mutex<HashMap<String, Kept>>,
    /// Dropped with this: the listener's signal to stop.
    alive: Option<tokio::sync::watch::Sender<()>>,
    started: AtomicBool,
}

struct Kept {
    session: Session,
    until: i64,
}

impl Live {
    /// Whether kept sessions may be served (the listener is connected and has read the
    /// version).
    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::Acquire)
    }

    /// The session kept for `token`, with the data version as last heard.
    pub fn session(&self, token: &str, now: i64) -> Option<Session> {
        if !self.is_on() {
            return None;
        }
        let kept = self.sessions.lock().ok()?;
        let k = kept.get(token)?;
        if now >= k.until {
            return None;
        }
        let mut s = k.session.clone();
        s.data_version = s.data_version.max(self.version.load(Ordering::Acquire));
        Some(s)
    }

    /// The generation to pass to [`Live::keep`] for a session about to be read.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps a session read from the database at `generation` (not if anything was
    /// dropped since).
    pub fn keep(&self, token: &str, session: &Session, generation: u64, now: i64) {
        if !self.is_on() {
            return;
        }
        self.version
            .fetch_max(session.data_version, Ordering::AcqRel);
        let Ok(mut kept) = self.sessions.lock() else {
            return;
        };
        if self.generation() != generation {
            return;
        }
        if kept.len() >= MAX_SESSIONS {
            kept.clear();
        }
        let until = (now + KEEP_MS).min(session.expires_at);
        kept.insert(
            token.to_string(),
            Kept {
                session: session.clone(),
                until,
            },
        );
    }

    /// Drops every kept session (an account or a session changed).
    pub fn drop_sessions(&self) {
        if let Ok(mut kept) = self.sessions.lock() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            kept.clear();
        }
    }

    /// This server committed a change that raised the data version to `version`.
    pub fn raised(&self, version: i64) {
        self.version.fetch_max(version, Ordering::AcqRel);
        // Organisations and regions raise the version, and a session carries its
        // user's place.
        self.drop_sessions();
    }

    /// A notification on the channel.
    fn heard(&self, payload: &str) {
        if let Some(v) = payload.strip_prefix('v').and_then(|v| v.parse().ok()) {
            self.raised(v);
        } else {
            self.drop_sessions();
        }
    }

    fn turn_on(&self, version: i64) {
        self.drop_sessions();
        self.version.store(version, Ordering::Release);
        self.on.store(true, Ordering::Release);
    }

    fn turn_off(&self) {
        self.on.store(false, Ordering::Release);
        self.drop_sessions();
    }
}

/// A new [`Live`], off.
pub(crate) fn new() -> Arc<Live> {
    Arc::new(Live {
        alive: Some(tokio::sync::watch::channel(()).0),
        ..Live::default()
    })
}

/// Starts listening on `url` (once; a later call does nothing). The listener stops
/// when `live` is dropped.
pub(crate) fn start(live: &Arc<Live>, url: &str) {
    if live.started.swap(true, Ordering::AcqRel) {
        return;
    }
    let Some(closed) = live.alive.as_ref().map(|a| a.subscribe()) else {
        return;
    };
    tokio::spawn(listen(url.to_string(), Arc::downgrade(live), closed));
}

/// Listens on `url` for as long as `live` exists: connects, `LISTEN`s, reads the
/// version, turns `live` on, and applies every notification; on a lost connection
/// turns it off and tries again every second.
async fn listen(url: String, weak: Weak<Live>, mut closed: tokio::sync::watch::Receiver<()>) {
    loop {
        let attempt = async {
            let mut l = sqlx::postgres::PgListener::connect(&url).await?;
            l.listen(CHANNEL).await?;
            let v: i64 = sqlx::query_scalar("SELECT version FROM data_version WHERE id = 1")
                .fetch_one(&mut l)
                .await?;
            Ok::<_, sqlx::Error>((l, v))
        };
        let connected = tokio::select! {
            r = attempt => r,
            _ = closed.changed() => return,
        };
        match connected {
            Ok((mut l, v)) => {
                let Some(live) = weak.upgrade() else { return };
                live.turn_on(v);
                drop(live);
                tracing::debug!(version = v, "listening for changes");
                loop {
                    let n = tokio::select! {
                        n = l.try_recv() => n,
                        _ = closed.changed() => return,
                    };
                    let Some(live) = weak.upgrade() else { return };
                    match n {
                        Ok(Some(n)) => live.heard(n.payload()),
                        Ok(None) | Err(_) => {
                            live.turn_off();
                            tracing::warn!(
                                "lost the change listener; reading every session until it is back"
                            );
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                if let Some(live) = weak.upgrade() {
                    live.turn_off();
                }
                tracing::warn!(error = %e, "cannot listen for changes; retrying");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = closed.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::User;

    fn session(version: i64, expires_at: i64) -> Session {
        Session {
            user: User::default(),
            csrf: String::new(),
            kind: "web".into(),
            expires_at,
            data_version: version,
        }
    }

    #[test]
    fn keeps_nothing_until_on_and_nothing_read_before_a_drop() {
        let live = new();
        let s = session(3, 1_000_000);
        live.keep("t", &s, live.generation(), 0);
        assert!(live.session("t", 1).is_none(), "off: nothing kept");
        live.turn_on(3);
        let g = live.generation();
        live.heard("s");
        live.keep("t", &s, g, 0);
        assert!(live.session("t", 1).is_none(), "read before a drop");
        live.keep("t", &s, live.generation(), 0);
        assert_eq!(live.session("t", 1).unwrap().data_version, 3);
        // Kept for KEEP_MS at most, and never past the session's expiry.
        assert!(live.session("t", KEEP_MS).is_none());
        live.keep("u", &session(3, 10), live.generation(), 0);
        assert!(live.session("u", 10).is_none());
    }

    #[test]
    fn a_raised_version_is_served_and_drops_sessions() {
        let live = new();
        live.turn_on(5);
        live.keep("t", &session(5, 1_000_000), live.generation(), 0);
        live.heard("v7");
        assert!(live.session("t", 1).is_none());
        live.keep("t", &session(5, 1_000_000), live.generation(), 0);
        assert_eq!(live.session("t", 1).unwrap().data_version, 7);
        live.raised(6); // an older number heard late changes nothing
        live.keep("t", &session(5, 1_000_000), live.generation(), 0);
        assert_eq!(live.session("t", 1).unwrap().data_version, 7);
        live.turn_off();
        assert!(live.session("t", 1).is_none());
    }
}

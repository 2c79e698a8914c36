//! Login throttling, kept in the database so that every server process on it counts
//! the same attempts (table `login_throttle`, migration 0021).
//!
//! - **Per account** (`u:<name>`): an attempt is *reserved* by one atomic upsert before
//!   the password is checked, so simultaneous guesses all count. Past the limit
//!   (5 in 15 minutes by default) the account answers 429 with `Retry-After` until the
//!   window has passed, without the password being checked. A successful login clears
//!   the account's count.
//! - **Per client address** (`ip:<addr>`): attempts are reserved the same way, and a
//!   successful login gives its reservation back, so only failures accumulate. Past
//!   the address limit (four times the account limit) each further attempt is *slowed*
//!   by a delay that grows with the failures (up to [`MAX_DELAY_MS`]) but is never
//!   refused: one person behind the city's reverse proxy cannot lock out everyone
//!   behind it, and a correct password still logs in.
//!
//! The client address is the peer's, or the one in `X-Forwarded-For` when the peer is
//! a configured trusted proxy (web/src/lib.rs).
use crate::error::Result;
use crate::service::Service;
use sqlx::Row;

/// The longest delay an address's failures add to one attempt.
pub const MAX_DELAY_MS: u64 = 5_000;
/// Delay per failure past the address limit.
pub const DELAY_STEP_MS: u64 = 250;

/// Limits of the throttle.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Attempts per account in one window.
    pub per_account: i64,
    /// Failures per address in one window before attempts are slowed.
    pub per_address: i64,
    pub window_ms: i64,
}

/// What a reservation decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password, after waiting this long (0 unless the address is over its
    /// limit).
    Proceed { delay_ms: u64 },
    /// The account is locked: do not check the password; retry after this many seconds.
    Locked { retry_after_secs: u64 },
}

pub fn account_key(username: &str) -> String {
    format!("u:{}", username.trim().to_lowercase())
}

pub fn address_key(addr: &str) -> String {
    format!("ip:{addr}")
}

impl Service {
    /// Counts one attempt at `key` in the current window, atomically; returns the
    /// attempts so far (this one included) and when the window started.
    async fn reserve_attempt(&self, key: &str, now: i64, window_ms: i64) -> Result<(i64, i64)> {
        let mut conn = self.db.pool.acquire().await?;
        let r = sqlx::query(
            "INSERT INTO login_throttle (key, attempts, window_start) VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
               attempts = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.attempts + 1 END, \
               window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END \
             RETURNING attempts, window_start",
        )
        .bind(key)
        .bind(now)
        .bind(now - window_ms)
        .fetch_one(&mut *conn)
        .await?;
        Ok((r.try_get(0)?, r.try_get(1)?))
    }

    /// Reserves a login attempt for `username` from `addr` before the password is
    /// checked (see the module header).
    pub async fn reserve_login(&self, username: &str, addr: &str, l: Limits) -> Result<Verdict> {
        let now = crate::now_ms();
        let (n, start) = self
            .reserve_attempt(&account_key(username), now, l.window_ms)
            .await?;
        if n > l.per_account {
            let left = (start + l.window_ms - now).max(1000);
            return Ok(Verdict::Locked {
                retry_after_secs: (left as u64).div_ceil(1000),
            });
        }
        let (m, _) = self
            .reserve_attempt(&address_key(addr), now, l.window_ms)
            .await?;
        let over = (m - l.per_address).max(0) as u64;
        Ok(Verdict::Proceed {
            delay_ms: (over * DELAY_STEP_MS).min(MAX_DELAY_MS),
        })
    }

    /// After a successful login: the account starts afresh and the address gets its
    /// reservation back. Windows that have passed are cleared.
    pub async fn login_succeeded(&self, username: &str, addr: &str, l: Limits) -> Result<()> {
        let mut conn = self.db.pool.acquire().await?;
        sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(account_key(username))
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "UPDATE login_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
        )
        .bind(address_key(addr))
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM login_throttle WHERE window_start <= $1")
            .bind(crate::now_ms() - l.window_ms)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

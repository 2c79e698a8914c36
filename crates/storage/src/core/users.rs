//! Accounts, password hashes (argon2id) and sessions (only a hash of a token is stored).
use crate::error::{Result, StoreError};
use crate::scope::Actor;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use gongjiang_domain::Role;
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub org_id: Option<i64>,
    pub org_name: Option<String>,
    pub disabled: bool,
    pub must_change_password: bool,
    /// Where e-mail notifications go (none: in-app only).
    pub email: Option<String>,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

impl User {
    pub fn role_enum(&self) -> Role {
        Role::from_any(&self.role).unwrap_or(Role::Worker)
    }

    /// Where the user sits, for the top bar: the organisation or else the region.
    pub fn attached_to(&self) -> String {
        self.org_name
            .clone()
            .or_else(|| self.region_name.clone())
            .unwrap_or_default()
    }

    pub fn actor(&self, ip: &str) -> Actor {
        Actor {
            user_id: Some(self.id),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role_enum(),
            region_code: self.region_code.clone(),
            org_id: self.org_id,
            ip: ip.to_string(),
        }
    }
}

const COLUMNS: &str =
    "u.id, u.username, u.display_name, u.role, u.region_code, r.name AS region_name, u.org_id, \
    o.name AS org_name, u.disabled, u.must_change_password, u.email, u.created_at, u.last_login_at";
const FROM: &str = " FROM users u LEFT JOIN regions r ON r.code = u.region_code LEFT JOIN orgs o ON o.id = u.org_id";

fn from_row(r: &sqlx::any::AnyRow) -> Result<User> {
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        role: r.try_get("role")?,
        region_code: r.try_get("region_code")?,
        region_name: r.try_get("region_name")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
        email: r.try_get("email")?,
        created_at: r.try_get("created_at")?,
        last_login_at: r.try_get("last_login_at")?,
    })
}

pub async fn list(conn: &mut AnyConnection) -> Result<Vec<User>> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS}{FROM} ORDER BY u.username"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<User>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS}{FROM} WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The user and their password hash, by user name.
pub async fn by_username(
    conn: &mut AnyConnection,
    username: &str,
) -> Result<Option<(User, String)>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, u.password_hash{FROM} WHERE u.username = $1"
    ))
    .bind(username)
    .fetch_optional(conn)
    .await?;
    match row {
        Some(r) => Ok(Some((from_row(&r)?, r.try_get("password_hash")?))),
        None => Ok(None),
    }
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub region_code: Option<&'a str>,
    pub org_id: Option<i64>,
    pub password_hash: &'a str,
    pub must_change_password: bool,
}

pub async fn insert(conn: &mut AnyConnection, u: &NewUser<'_>, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO users (username, display_name, role, region_code, org_id, password_hash, disabled, must_change_password, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $8) RETURNING id",
    )
    .bind(u.username)
    .bind(u.display_name)
    .bind(u.role.code())
    .bind(u.region_code)
    .bind(u.org_id)
    .bind(u.password_hash)
    .bind(i64::from(u.must_change_password))
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get(0)?)
}

pub async fn set_assignment(
    conn: &mut AnyConnection,
    id: i64,
    display_name: &str,
    role: Role,
    region_code: Option<&str>,
    org_id: Option<i64>,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE users SET display_name = $1, role = $2, region_code = $3, org_id = $4, updated_at = $5 WHERE id = $6")
        .bind(display_name)
        .bind(role.code())
        .bind(region_code)
        .bind(org_id)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Checks an e-mail address: empty means none; otherwise one `local@domain` with a
/// dot in the domain, no spaces, at most 254 characters. Returns it trimmed.
pub fn parse_email(s: &str) -> std::result::Result<Option<String>, gongjiang_domain::FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || {
        gongjiang_domain::FieldError::new(
            "email",
            gongjiang_domain::Rule::BadFormat,
            format!("电子邮箱“{s}”格式不正确，应形如 name@example.com"),
            format!("'{s}' is not an e-mail address (name@example.com)"),
        )
    };
    if s.chars().count() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let Some((local, domain)) = s.rsplit_once('@') else {
        return Err(bad());
    };
    if local.is_empty()
        || local.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || s.parse::<lettre::Address>().is_err()
    {
        return Err(bad());
    }
    Ok(Some(s.to_string()))
}

pub async fn set_email(
    conn: &mut AnyConnection,
    id: i64,
    email: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE users SET email = $1, updated_at = $2 WHERE id = $3")
        .bind(email)
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_disabled(
    conn: &mut AnyConnection,
    id: i64,
    disabled: bool,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(disabled))
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_password(
    conn: &mut AnyConnection,
    id: i64,
    hash: &str,
    must_change: bool,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3 WHERE id = $4")
        .bind(hash)
        .bind(i64::from(must_change))
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn touch_login(conn: &mut AnyConnection, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Hashes a password with argon2id (CPU-bound: call from a blocking thread).
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Other(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

/// A real argon2id hash of a random password, verified against when the user name is
/// unknown so that an unknown user and a wrong password take the same time.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

/// 32 random bytes, hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    pub kind: String,
    pub expires_at: i64,
    /// The data version when the session was read (`db::data_changed`): what reads
    /// kept by a server are checked against.
    pub data_version: i64,
}

/// Creates a session of `kind` (`web` or `api`); returns the token and the CSRF token.
pub async fn create_session(
    conn: &mut AnyConnection,
    user_id: i64,
    kind: &str,
    ttl_ms: i64,
    now: i64,
) -> Result<(String, String, i64)> {
    let token = random_token();
    let csrf = random_token();
    let expires = now + ttl_ms;
    sqlx::query("INSERT INTO sessions (token_hash, user_id, kind, csrf, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $5)")
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(kind)
        .bind(&csrf)
        .bind(now)
        .bind(expires)
        .execute(conn)
        .await?;
    Ok((token, csrf, expires))
}

/// The live session for a token, if it exists, has not expired and its user is enabled.
/// Web sessions slide: activity extends them by `ttl_ms` (written at most once a minute).
pub async fn session(
    conn: &mut AnyConnection,
    token: &str,
    ttl_ms: i64,
    now: i64,
) -> Result<Option<Session>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let h = token_hash(token);
    // One query for the session and its user (the request path's first read).
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, s.kind, s.csrf, s.expires_at, s.last_seen_at, \
         (SELECT version FROM data_version WHERE id = 1) AS data_version FROM sessions s \
         JOIN users u ON u.id = s.user_id LEFT JOIN regions r ON r.code = u.region_code \
         LEFT JOIN orgs o ON o.id = u.org_id WHERE s.token_hash = $1"
    ))
    .bind(&h)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let kind: String = row.try_get("kind")?;
    let csrf: String = row.try_get("csrf")?;
    let mut expires_at: i64 = row.try_get("expires_at")?;
    let last_seen: i64 = row.try_get("last_seen_at")?;
    let data_version: i64 = row.try_get("data_version")?;
    if expires_at <= now {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(&h)
            .execute(&mut *conn)
            .await?;
        return Ok(None);
    }
    let user = from_row(&row)?;
    if user.disabled {
        return Ok(None);
    }
    if kind == "web" && now - last_seen > 60_000 {
        expires_at = now + ttl_ms;
        sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
            .bind(now)
            .bind(expires_at)
            .bind(&h)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Some(Session {
        user,
        csrf,
        kind,
        expires_at,
        data_version,
    }))
}

pub async fn delete_session(conn: &mut AnyConnection, token: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session and token of a user but the one given (the one in use).
pub async fn delete_other_sessions(
    conn: &mut AnyConnection,
    user_id: i64,
    keep_token: &str,
) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(token_hash(keep_token))
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}

pub async fn delete_sessions_of(conn: &mut AnyConnection, user_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn purge_expired(conn: &mut AnyConnection, now: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected())
}

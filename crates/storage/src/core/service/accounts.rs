//! Accounts: signing in, sessions, and managing users (create, assign, e-mail,
//! disable, passwords).

use crate::access::{self, Permission};
use crate::audit::{self, action};
use crate::error::{Result, StoreError};
use crate::now_ms;
use crate::orgs;
use crate::regions;
use crate::scope::{Actor, Scope};
use crate::users::{self, User};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Role, Rule};
use serde_json::json;

use super::Service;

fn user_json(u: &User) -> serde_json::Value {
    json!({"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
        "region_code": u.region_code, "org_id": u.org_id, "disabled": u.disabled, "email": u.email})
}

impl Service {
    // ----- accounts -----

    /// Checks a user name and password. Unknown users and wrong passwords do the same
    /// work (an argon2 verification) and give the same answer. Audits both outcomes.
    pub async fn authenticate(
        &self,
        username: &str,
        password: &str,
        ip: &str,
    ) -> Result<Option<User>> {
        let name = username.trim().to_ascii_lowercase();
        let found = {
            let mut conn = self.db.pool.acquire().await?;
            users::by_username(&mut conn, &name).await?
        };
        let (hash, user) = match &found {
            Some((u, h)) => (h.clone(), Some(u.clone())),
            None => (users::dummy_hash().to_string(), None),
        };
        let pw = password.to_string();
        let ok = tokio::task::spawn_blocking(move || users::verify_password(&pw, &hash))
            .await
            .map_err(|e| StoreError::Other(e.to_string()))?;
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let result = match user {
            Some(u) if ok && !u.disabled => {
                users::touch_login(tx.conn(), u.id, now).await?;
                audit::Note::new(action::LOGIN, "user", u.id)
                    .summary(&u.username)
                    .write(tx.conn(), &u.actor(ip), now)
                    .await?;
                Some(u)
            }
            _ => {
                let mut who = Actor::system(&name);
                who.user_id = None;
                who.ip = ip.to_string();
                let uname: String = name.chars().take(64).collect();
                who.username = uname.clone();
                let reason = if found.as_ref().is_some_and(|(u, _)| u.disabled) {
                    "disabled"
                } else {
                    "bad_credentials"
                };
                audit::Note::new(action::LOGIN_FAILED, "user", &uname)
                    .summary(reason)
                    .write(tx.conn(), &who, now)
                    .await?;
                None
            }
        };
        tx.commit().await?;
        Ok(result)
    }

    pub async fn start_session(
        &self,
        user: &User,
        kind: &str,
        ttl_ms: i64,
    ) -> Result<(String, String, i64)> {
        let mut tx = self.db.begin().await?;
        let r = users::create_session(tx.conn(), user.id, kind, ttl_ms, now_ms()).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// The live session for a token: kept by this server ([`crate::live`], PostgreSQL
    /// while listening) or read from the database.
    pub async fn session(&self, token: &str, ttl_ms: i64) -> Result<Option<users::Session>> {
        let now = now_ms();
        let live = &self.db.live;
        if let Some(s) = live.session(token, now) {
            return Ok(Some(s));
        }
        let generation = live.generation();
        let mut conn = self.db.pool.acquire().await?;
        let s = users::session(&mut conn, token, ttl_ms, now).await?;
        if let Some(s) = &s {
            live.keep(token, s, generation, now);
        }
        Ok(s)
    }

    pub async fn logout(&self, actor: &Actor, token: &str) -> Result<()> {
        let mut w = self.write(actor).await?;
        users::delete_session(w.conn(), token).await?;
        w.sessions_changed();
        audit::Note::new(action::LOGOUT, "user", actor.user_id.unwrap_or_default())
            .summary(&actor.username)
            .write(w.conn(), actor, now_ms())
            .await?;
        w.commit().await?;
        Ok(())
    }

    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<User>> {
        access::check(actor, Permission::ManageAccounts)?;
        let mut conn = self.db.pool.acquire().await?;
        users::list(&mut conn).await
    }

    pub async fn get_user(&self, actor: &Actor, id: i64) -> Result<User> {
        if !access::may(actor, Permission::ManageAccounts) && actor.user_id != Some(id) {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.db.pool.acquire().await?;
        users::get(&mut conn, id).await?.ok_or(StoreError::NotFound)
    }

    /// Resolves where a user is attached: a region code, a 统一社会信用代码 or an org id.
    /// Returns (region code, org id).
    async fn resolve_attachment(
        &self,
        conn: &mut sqlx::AnyConnection,
        code: &str,
        role: Role,
    ) -> Result<(Option<String>, Option<i64>)> {
        let code = gongjiang_domain::error::normalise_code(code);
        let err = |zh: String, en: String| {
            StoreError::invalid(FieldError::new("org", Rule::UnknownValue, zh, en))
        };
        if code.is_empty() {
            return Err(StoreError::invalid(FieldError::required(
                "org",
                "所属区划或单位",
                "Region or organisation",
            )));
        }
        if let Some(r) = regions::get(conn, &Scope::All, &code).await? {
            if access::attachment(role) == access::Attachment::Organisation {
                return Err(err(
                    format!(
                        "角色“{}”须挂靠到具体单位（统一社会信用代码或单位编号），而不是区划",
                        role.label_zh()
                    ),
                    format!(
                        "role {} must be attached to an organisation, not a region",
                        role.code()
                    ),
                ));
            }
            return Ok((Some(r.code), None));
        }
        if let Some(o) = orgs::find(conn, &Scope::All, &code).await? {
            if access::attachment(role) == access::Attachment::Region {
                return Err(err(
                    format!(
                        "角色“{}”须挂靠到区划（区划代码），而不是单位",
                        role.label_zh()
                    ),
                    format!("role {} must be attached to a region code", role.code()),
                ));
            }
            return Ok((Some(o.region_code), Some(o.id)));
        }
        Err(err(
            format!("找不到区划或单位“{code}”"),
            format!("no region or organisation '{code}'"),
        ))
    }

    /// Creates an account. `password` is checked against the password rules.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_user(
        &self,
        actor: &Actor,
        username: &str,
        display_name: &str,
        role: Role,
        attach: &str,
        password: &str,
        must_change: bool,
    ) -> Result<User> {
        access::check(actor, Permission::ManageAccounts)?;
        let mut errors = Vec::new();
        let username = match gongjiang_domain::user::parse_username(username) {
            Ok(u) => u,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        if let Err(e) = gongjiang_domain::user::check_password(password, &username) {
            errors.push(e);
        }
        let display = match gongjiang_domain::error::text(
            "display_name",
            ("姓名", "Display name"),
            display_name,
            false,
            50,
        ) {
            Ok(d) => d.unwrap_or_else(|| username.clone()),
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let mut w = self.write(actor).await?;
        let attachment = match self.resolve_attachment(w.conn(), attach, role).await {
            Ok(a) => Some(a),
            Err(StoreError::Invalid(mut e)) => {
                errors.append(&mut e);
                None
            }
            Err(e) => return Err(e),
        };
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let (region, org) = attachment.unwrap_or_default();
        if users::by_username(w.conn(), &username).await?.is_some() {
            return Err(StoreError::conflict(
                Code::DuplicateUsername,
                Some("username"),
                format!("用户名“{username}”已存在"),
                format!("username '{username}' is taken"),
            ));
        }
        let pw = password.to_string();
        let hash = tokio::task::spawn_blocking(move || users::hash_password(&pw))
            .await
            .map_err(|e| StoreError::Other(e.to_string()))??;
        let now = w.now;
        let id = users::insert(
            w.conn(),
            &users::NewUser {
                username: &username,
                display_name: &display,
                role,
                region_code: region.as_deref(),
                org_id: org,
                password_hash: &hash,
                must_change_password: must_change,
            },
            now,
        )
        .await?;
        let u = users::get(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            audit::Note::new(action::CREATE, "user", id)
                .summary(&u.username)
                .after(&user_json(&u)),
        )
        .await?;
        w.commit().await?;
        Ok(u)
    }

    /// Changes a user's name, role and attachment (a role change is audited as such).
    pub async fn assign_user(
        &self,
        actor: &Actor,
        id: i64,
        display_name: &str,
        role: Role,
        attach: &str,
    ) -> Result<User> {
        access::check(actor, Permission::ManageAccounts)?;
        let mut w = self.write(actor).await?;
        let before = users::get(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let display = gongjiang_domain::error::text(
            "display_name",
            ("姓名", "Display name"),
            display_name,
            true,
            50,
        )
        .map_err(StoreError::invalid)?
        .unwrap_or_default();
        let (region, org) = self.resolve_attachment(w.conn(), attach, role).await?;
        if actor.user_id == Some(id) && !access::administers(role) {
            return Err(StoreError::conflict(
                Code::SelfDemotion,
                Some("role"),
                "不能取消自己的系统管理员角色",
                "you cannot remove your own administrator role",
            ));
        }
        let now = w.now;
        users::set_assignment(w.conn(), id, &display, role, region.as_deref(), org, now).await?;
        w.sessions_changed();
        let after = users::get(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let act = if before.role != after.role
            || before.region_code != after.region_code
            || before.org_id != after.org_id
        {
            action::ROLE_CHANGE
        } else {
            action::UPDATE
        };
        w.audit(
            audit::Note::new(act, "user", id)
                .summary(&after.username)
                .before(&user_json(&before))
                .after(&user_json(&after)),
        )
        .await?;
        users::delete_sessions_of(w.conn(), id).await?;
        w.commit().await?;
        Ok(after)
    }

    /// Sets or clears (empty) an account's e-mail address for notifications: an
    /// administrator for anyone, anyone for themselves.
    pub async fn set_user_email(&self, actor: &Actor, id: i64, email: &str) -> Result<User> {
        if !access::may(actor, Permission::ManageAccounts) && actor.user_id != Some(id) {
            return Err(StoreError::NotFound);
        }
        let email = users::parse_email(email).map_err(StoreError::invalid)?;
        let mut w = self.write(actor).await?;
        let before = users::get(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if before.email == email {
            return Ok(before);
        }
        let now = w.now;
        users::set_email(w.conn(), id, email.as_deref(), now).await?;
        w.sessions_changed();
        let after = users::get(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            audit::Note::new(action::UPDATE, "user", id)
                .summary(&after.username)
                .before(&user_json(&before))
                .after(&user_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    pub async fn set_user_disabled(&self, actor: &Actor, id: i64, disabled: bool) -> Result<User> {
        access::check(actor, Permission::ManageAccounts)?;
        if actor.user_id == Some(id) && disabled {
            return Err(StoreError::conflict(
                Code::SelfDisable,
                None,
                "不能停用自己的账号",
                "you cannot disable your own account",
            ));
        }
        let mut w = self.write(actor).await?;
        let before = users::get(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = w.now;
        users::set_disabled(w.conn(), id, disabled, now).await?;
        w.sessions_changed();
        if disabled {
            users::delete_sessions_of(w.conn(), id).await?;
        }
        let after = users::get(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let act = if disabled {
            action::DISABLE
        } else {
            action::ENABLE
        };
        w.audit(
            audit::Note::new(act, "user", id)
                .summary(&after.username)
                .before(&user_json(&before))
                .after(&user_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// An administrator sets a new password; the user must change it at next login and
    /// all their sessions end.
    pub async fn reset_password(&self, actor: &Actor, id: i64, new_password: &str) -> Result<User> {
        access::check(actor, Permission::ManageAccounts)?;
        let mut w = self.write(actor).await?;
        let u = users::get(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        gongjiang_domain::user::check_password(new_password, &u.username)
            .map_err(StoreError::invalid)?;
        let pw = new_password.to_string();
        let hash = tokio::task::spawn_blocking(move || users::hash_password(&pw))
            .await
            .map_err(|e| StoreError::Other(e.to_string()))??;
        let now = w.now;
        users::set_password(w.conn(), id, &hash, true, now).await?;
        w.sessions_changed();
        users::delete_sessions_of(w.conn(), id).await?;
        w.audit(audit::Note::new(action::PASSWORD_RESET, "user", id).summary(&u.username))
            .await?;
        w.commit().await?;
        Ok(u)
    }

    /// Anyone changes their own password, proving the current one. Every other session
    /// and API token of the account ends (someone who knew the old password is out);
    /// the one in use (`current_token`) stays.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        current_token: &str,
        current: &str,
        new_password: &str,
    ) -> Result<()> {
        let id = actor.user_id.ok_or(StoreError::Forbidden)?;
        let (user, hash) = {
            let mut conn = self.db.pool.acquire().await?;
            users::by_username(&mut conn, &actor.username)
                .await?
                .ok_or(StoreError::NotFound)?
        };
        let cur = current.to_string();
        let ok = tokio::task::spawn_blocking(move || users::verify_password(&cur, &hash))
            .await
            .map_err(|e| StoreError::Other(e.to_string()))?;
        let mut errors = Vec::new();
        if !ok {
            errors.push(FieldError::new(
                "current_password",
                Rule::Forbidden,
                "当前密码不正确",
                "the current password is wrong",
            ));
        }
        if let Err(e) = gongjiang_domain::user::check_password(new_password, &user.username) {
            errors.push(e.on("new_password"));
        } else if current == new_password {
            errors.push(FieldError::new(
                "new_password",
                Rule::Forbidden,
                "新密码不能与当前密码相同",
                "the new password must differ from the current one",
            ));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let pw = new_password.to_string();
        let new_hash = tokio::task::spawn_blocking(move || users::hash_password(&pw))
            .await
            .map_err(|e| StoreError::Other(e.to_string()))??;
        let mut w = self.write(actor).await?;
        let now = w.now;
        users::set_password(w.conn(), id, &new_hash, false, now).await?;
        w.sessions_changed();
        let ended = users::delete_other_sessions(w.conn(), id, current_token).await?;
        w.audit(
            audit::Note::new(action::PASSWORD_CHANGE, "user", id)
                .summary(&actor.username)
                .after(&serde_json::json!({ "other_sessions_ended": ended })),
        )
        .await?;
        w.commit().await?;
        Ok(())
    }
}

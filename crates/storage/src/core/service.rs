//! The service layer: every use case the web UI, the API and the command line share.
//! It owns transactions, access control (role and scope) and the audit trail.
use crate::audit::{self, action};
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::orgs::{self, Org};
use crate::regions::{self, Region};
use crate::scope::{Actor, Scope};
use crate::users::{self, User};
use crate::{now_ms, Page};
use gongjiang_domain::org::OrgInput;
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Role, Rule};
use serde::Deserialize;
use serde_json::json;

#[derive(Clone)]
pub struct Service {
    pub db: Db,
    /// Encrypts personal data at rest (from configuration, never stored in the database).
    pub key: crate::crypto::DataKey,
    /// Where uploaded files are kept (the data dir's `files/` in a server).
    pub files: crate::files::FileStore,
    /// Sends e-mail notifications, when SMTP is configured.
    pub mail: Option<std::sync::Arc<crate::mail::Mailer>>,
}

/// A partial update: absent fields keep their value; `parent_id: null` clears the parent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgPatch {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub uscc: Option<String>,
    pub region_code: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub parent_id: Option<Option<i64>>,
    pub industry: Option<String>,
    pub ownership: Option<String>,
    pub chain_leader: Option<bool>,
    pub size: Option<String>,
    pub address: Option<String>,
    pub contact: Option<String>,
    /// Optimistic locking: the version the client last saw.
    pub version: Option<i64>,
}

fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<i64>>, D::Error> {
    Ok(Some(Option::<i64>::deserialize(d)?))
}

impl OrgPatch {
    fn apply(&self, o: &Org) -> OrgInput {
        OrgInput {
            name: Some(self.name.clone().unwrap_or_else(|| o.name.clone())),
            kind: Some(self.kind.clone().unwrap_or_else(|| o.kind.clone())),
            uscc: self.uscc.clone().or_else(|| o.uscc.clone()),
            region_code: Some(
                self.region_code
                    .clone()
                    .unwrap_or_else(|| o.region_code.clone()),
            ),
            parent_id: self.parent_id.unwrap_or(o.parent_id),
            industry: self.industry.clone().or_else(|| o.industry.clone()),
            ownership: self.ownership.clone().or_else(|| o.ownership.clone()),
            chain_leader: Some(self.chain_leader.unwrap_or(o.chain_leader)),
            size: self.size.clone().or_else(|| o.size.clone()),
            address: self.address.clone().or_else(|| o.address.clone()),
            contact: self.contact.clone().or_else(|| o.contact.clone()),
        }
    }

    /// A full replacement from a form: every field is given.
    pub fn from_input(i: OrgInput, version: Option<i64>) -> OrgPatch {
        OrgPatch {
            name: Some(i.name.unwrap_or_default()),
            kind: Some(i.kind.unwrap_or_default()),
            uscc: Some(i.uscc.unwrap_or_default()),
            region_code: Some(i.region_code.unwrap_or_default()),
            parent_id: Some(i.parent_id),
            industry: Some(i.industry.unwrap_or_default()),
            ownership: Some(i.ownership.unwrap_or_default()),
            chain_leader: Some(i.chain_leader.unwrap_or(false)),
            size: Some(i.size.unwrap_or_default()),
            address: Some(i.address.unwrap_or_default()),
            contact: Some(i.contact.unwrap_or_default()),
            version,
        }
    }
}

/// Headline figures of the organisation tree for the home page.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TreeStats {
    pub by_kind: Vec<(String, i64)>,
    pub enterprises_by_district: Vec<(Region, i64)>,
    pub chain_leaders: i64,
}

fn org_json(o: &Org) -> serde_json::Value {
    json!({
        "id": o.id, "name": o.name, "kind": o.kind, "uscc": o.uscc, "region_code": o.region_code,
        "parent_id": o.parent_id, "industry": o.industry, "ownership": o.ownership,
        "chain_leader": o.chain_leader, "size": o.size, "address": o.address, "contact": o.contact,
    })
}

fn user_json(u: &User) -> serde_json::Value {
    json!({"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
        "region_code": u.region_code, "org_id": u.org_id, "disabled": u.disabled, "email": u.email})
}

impl Service {
    /// A service with a fresh random data key (tests, tools that touch no personal data).
    pub fn new(db: Db) -> Service {
        Service {
            db,
            key: crate::crypto::DataKey::random(),
            files: crate::files::FileStore::temp(),
            mail: None,
        }
    }

    pub fn with_key(db: Db, key: crate::crypto::DataKey) -> Service {
        Service {
            db,
            key,
            files: crate::files::FileStore::temp(),
            mail: None,
        }
    }

    /// Sends e-mail notifications through `mailer`.
    pub fn with_mail(mut self, mailer: crate::mail::Mailer) -> Service {
        self.mail = Some(std::sync::Arc::new(mailer));
        self
    }

    /// Keeps uploaded files in `store`.
    pub fn with_files(mut self, store: crate::files::FileStore) -> Service {
        self.files = store;
        self
    }

    // ----- regions -----

    pub async fn regions(&self, actor: &Actor) -> Result<Vec<Region>> {
        let mut conn = self.db.pool.acquire().await?;
        regions::list(&mut conn, &actor.read_scope()).await
    }

    pub async fn region(&self, actor: &Actor, code: &str) -> Result<Region> {
        let mut conn = self.db.pool.acquire().await?;
        regions::get(&mut conn, &actor.read_scope(), code)
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn region_path(&self, code: &str) -> Result<Vec<Region>> {
        let mut conn = self.db.pool.acquire().await?;
        regions::path(&mut conn, code).await
    }

    // ----- organisations -----

    fn require_org_reader(actor: &Actor) -> Result<()> {
        if actor.role.may_read_orgs() {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }

    pub async fn list_orgs(&self, actor: &Actor, f: &orgs::Filter) -> Result<Page<Org>> {
        Self::require_org_reader(actor)?;
        let mut conn = self.db.pool.acquire().await?;
        orgs::list(&mut conn, &actor.read_scope(), f).await
    }

    pub async fn get_org(&self, actor: &Actor, id: i64) -> Result<Org> {
        Self::require_org_reader(actor)?;
        let mut conn = self.db.pool.acquire().await?;
        orgs::get(&mut conn, &actor.read_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// By id or 统一社会信用代码.
    pub async fn find_org(&self, actor: &Actor, key: &str) -> Result<Org> {
        Self::require_org_reader(actor)?;
        let mut conn = self.db.pool.acquire().await?;
        orgs::find(&mut conn, &actor.read_scope(), key)
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn may_edit_org(&self, actor: &Actor, id: i64) -> Result<bool> {
        let mut conn = self.db.pool.acquire().await?;
        Ok(actor.role != Role::Unit
            && orgs::get(&mut conn, &actor.write_scope(), id)
                .await?
                .is_some())
    }

    /// (region code, kind, count) of the organisations in scope.
    pub async fn org_counts_by_region(&self, actor: &Actor) -> Result<Vec<(String, String, i64)>> {
        Self::require_org_reader(actor)?;
        let mut conn = self.db.pool.acquire().await?;
        orgs::count_by_region_kind(&mut conn, &actor.read_scope()).await
    }

    pub async fn tree_stats(&self, actor: &Actor) -> Result<TreeStats> {
        let mut conn = self.db.pool.acquire().await?;
        let scope = actor.read_scope();
        let by_kind = orgs::count_by_kind(&mut conn, &scope, None).await?;
        let per_region = orgs::count_by_region(&mut conn, &scope, "enterprise").await?;
        let regions = regions::list(&mut conn, &scope).await?;
        // Roll town counts up to their district (or the top regions in scope).
        let parent: std::collections::HashMap<&str, Option<&str>> = regions
            .iter()
            .map(|r| (r.code.as_str(), r.parent_code.as_deref()))
            .collect();
        let tops: Vec<&Region> = regions
            .iter()
            .filter(|r| r.level == "district" || r.level == "zone")
            .collect();
        let mut counts: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
        for (code, n) in &per_region {
            let mut c = Some(code.as_str());
            while let Some(cc) = c {
                if tops.iter().any(|t| t.code == cc) {
                    *counts.entry(cc).or_default() += n;
                    break;
                }
                c = parent.get(cc).copied().flatten();
            }
        }
        let enterprises_by_district = tops
            .iter()
            .map(|r| {
                (
                    (*r).clone(),
                    counts.get(r.code.as_str()).copied().unwrap_or(0),
                )
            })
            .collect();
        let mut f = orgs::Filter {
            chain_leader: Some(true),
            per_page: 1,
            ..Default::default()
        };
        f.kind = Some("enterprise".into());
        let chain_leaders = orgs::list(&mut conn, &scope, &f).await?.total;
        Ok(TreeStats {
            by_kind,
            enterprises_by_district,
            chain_leaders,
        })
    }

    /// Validates input against the rules and the caller's scope; returns the validated
    /// organisation or every field error at once.
    async fn check_org(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        input: &OrgInput,
        self_id: Option<i64>,
    ) -> Result<gongjiang_domain::org::NewOrg> {
        let mut errors = Vec::new();
        let new = match input.validate() {
            Ok(n) => Some(n),
            Err(e) => {
                errors = e;
                None
            }
        };
        let scope = actor.write_scope();
        if let Some(code) = input
            .region_code
            .as_deref()
            .map(gongjiang_domain::error::normalise_code)
        {
            if !code.is_empty() && !errors.iter().any(|e| e.field == "region_code") {
                let reachable = match &scope {
                    Scope::Org(_) => regions::get(conn, &actor.read_scope(), &code).await?,
                    s => regions::get(conn, s, &code).await?,
                };
                if reachable.is_none() {
                    errors.push(FieldError::new(
                        "region_code",
                        Rule::BadRegion,
                        format!("区划代码“{code}”不存在或不在您的管辖范围内"),
                        format!("region code '{code}' does not exist or is outside your area"),
                    ));
                }
            }
        }
        if let Some(pid) = input.parent_id {
            let parent = orgs::get(conn, &actor.read_scope(), pid).await?;
            match parent {
                None => errors.push(FieldError::new(
                    "parent_id",
                    Rule::UnknownValue,
                    format!("上级单位（编号 {pid}）不存在或不在您的管辖范围内"),
                    format!("parent organisation {pid} does not exist or is outside your area"),
                )),
                Some(p) => {
                    if let Some(me) = self_id {
                        if p.id == me || self.is_descendant(conn, p.id, me).await? {
                            errors.push(FieldError::new(
                                "parent_id",
                                Rule::Forbidden,
                                "上级单位不能是本单位或其下属单位",
                                "the parent cannot be the organisation itself or one of its own units",
                            ));
                        }
                    }
                }
            }
        }
        match new {
            Some(n) if errors.is_empty() => Ok(n),
            _ => Err(StoreError::Invalid(errors)),
        }
    }

    /// Validates an organisation row (for imports): rules and scope, not uniqueness.
    pub async fn check_org_input(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        input: &OrgInput,
    ) -> Result<gongjiang_domain::org::NewOrg> {
        if !actor.role.may_edit_orgs() {
            return Err(StoreError::Forbidden);
        }
        self.check_org(conn, actor, input, None).await
    }

    async fn is_descendant(
        &self,
        conn: &mut sqlx::AnyConnection,
        candidate: i64,
        ancestor: i64,
    ) -> Result<bool> {
        Ok(orgs::get(conn, &Scope::Org(ancestor), candidate)
            .await?
            .is_some())
    }

    async fn check_unique(
        conn: &mut sqlx::AnyConnection,
        o: &gongjiang_domain::org::NewOrg,
        self_id: Option<i64>,
    ) -> Result<()> {
        if let Some(u) = &o.uscc {
            if let Some(other) = orgs::id_by_uscc(conn, u.as_str()).await? {
                if Some(other) != self_id {
                    return Err(StoreError::conflict(
                        Code::DuplicateUscc,
                        Some("uscc"),
                        format!("统一社会信用代码“{u}”已被其他单位使用"),
                        format!("the unified social credit code {u} is already used by another organisation"),
                    ));
                }
            }
        }
        if let Some(other) = orgs::id_by_name_region(conn, &o.name, o.region_code.as_str()).await? {
            if Some(other) != self_id {
                return Err(StoreError::conflict(
                    Code::DuplicateName,
                    Some("name"),
                    format!("同一区划下已有名为“{}”的单位", o.name),
                    format!(
                        "an organisation named '{}' already exists in this region",
                        o.name
                    ),
                ));
            }
        }
        Ok(())
    }

    fn unique_race(e: StoreError) -> StoreError {
        if e.is_unique_violation() {
            StoreError::conflict(
                Code::Duplicate,
                None,
                "与已有单位重复（统一社会信用代码或名称）",
                "duplicates an existing organisation",
            )
        } else {
            e
        }
    }

    pub async fn create_org(&self, actor: &Actor, input: &OrgInput) -> Result<Org> {
        if !actor.role.may_edit_orgs() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let new = self.check_org(tx.conn(), actor, input, None).await?;
        Self::check_unique(tx.conn(), &new, None).await?;
        let now = now_ms();
        let id = orgs::insert(tx.conn(), &new, now)
            .await
            .map_err(Self::unique_race)?;
        let org = orgs::get(tx.conn(), &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::append(
            tx.conn(),
            actor,
            action::CREATE,
            "org",
            &id.to_string(),
            &org.name,
            None,
            Some(&org_json(&org)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn update_org(&self, actor: &Actor, id: i64, patch: &OrgPatch) -> Result<Org> {
        let mut tx = self.db.begin().await?;
        let before = orgs::get(tx.conn(), &actor.read_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if actor.role == Role::Unit
            || orgs::get(tx.conn(), &actor.write_scope(), id)
                .await?
                .is_none()
        {
            return Err(StoreError::Forbidden);
        }
        if let Some(v) = patch.version {
            if v != before.version {
                return Err(StoreError::conflict(
                    Code::StaleVersion,
                    None,
                    "该单位已被他人修改，请刷新后再编辑",
                    "someone else changed this organisation; reload and edit again",
                ));
            }
        }
        let input = patch.apply(&before);
        let new = self.check_org(tx.conn(), actor, &input, Some(id)).await?;
        if !actor.role.may_edit_orgs()
            && (new.region_code.as_str() != before.region_code || new.kind.code() != before.kind)
        {
            return Err(StoreError::Forbidden);
        }
        Self::check_unique(tx.conn(), &new, Some(id)).await?;
        let now = now_ms();
        // A moved organisation takes its indicator contributions (and, when its parent
        // changes, those of everything below it) to its new place in the tree.
        let mut snaps = Vec::new();
        if new.region_code.as_str() != before.region_code || new.parent_id != before.parent_id {
            let ids: Vec<i64> = if new.parent_id != before.parent_id {
                sqlx::query("SELECT descendant_id FROM org_closure WHERE ancestor_id = $1")
                    .bind(id)
                    .fetch_all(tx.conn())
                    .await?
                    .iter()
                    .map(|r| sqlx::Row::try_get(r, 0))
                    .collect::<std::result::Result<_, _>>()?
            } else {
                vec![id]
            };
            for i in ids {
                snaps.push(crate::indicators::snapshot(tx.conn(), i).await?);
            }
        }
        orgs::update(tx.conn(), id, &new, now)
            .await
            .map_err(Self::unique_race)?;
        for snap in snaps {
            crate::indicators::settle(tx.conn(), snap).await?;
        }
        let after = orgs::get(tx.conn(), &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::append(
            tx.conn(),
            actor,
            action::UPDATE,
            "org",
            &id.to_string(),
            &after.name,
            Some(&org_json(&before)),
            Some(&org_json(&after)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_org(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let before = orgs::get(tx.conn(), &actor.read_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !actor.role.may_edit_orgs()
            || orgs::get(tx.conn(), &actor.write_scope(), id)
                .await?
                .is_none()
        {
            return Err(StoreError::Forbidden);
        }
        let children = orgs::child_count(tx.conn(), id).await?;
        if children > 0 {
            return Err(StoreError::conflict(
                Code::HasChildren,
                None,
                format!("该单位下还有{children}个下属单位，不能删除"),
                format!("this organisation still has {children} units below it"),
            ));
        }
        let users: i64 = sqlx::Row::try_get(
            &sqlx::query("SELECT COUNT(*) FROM users WHERE org_id = $1")
                .bind(id)
                .fetch_one(tx.conn())
                .await?,
            0,
        )?;
        if users > 0 {
            return Err(StoreError::conflict(
                Code::HasUsers,
                None,
                format!("还有{users}个用户账号属于该单位，不能删除"),
                format!("{users} user accounts belong to this organisation"),
            ));
        }
        // Every register that refers to an organisation, so that the 409 names what is
        // still there (a delete would otherwise fail on a foreign key).
        const REFERRING: &[(&str, &str, &str)] = &[
            (
                "SELECT COUNT(*) FROM pilots WHERE org_id = $1",
                "试点",
                "pilots",
            ),
            (
                "SELECT COUNT(*) FROM designations WHERE holder_org_id = $1",
                "认定",
                "designations",
            ),
            (
                "SELECT COUNT(*) FROM reports WHERE org_id = $1",
                "统计报表",
                "yearly reports",
            ),
            (
                "SELECT COUNT(*) FROM workers WHERE org_id = $1",
                "职工",
                "workers",
            ),
            (
                "SELECT COUNT(*) FROM wf_cases WHERE org_id = $1",
                "办件",
                "cases",
            ),
            (
                "SELECT COUNT(*) FROM files WHERE org_id = $1",
                "文件",
                "files",
            ),
            (
                "SELECT COUNT(*) FROM tasks WHERE owner_org_id = $1",
                "任务",
                "tasks",
            ),
            (
                "SELECT COUNT(*) FROM meeting_members WHERE org_id = $1",
                "联席会议成员单位",
                "joint-meeting memberships",
            ),
            (
                "SELECT COUNT(*) FROM meeting_attendance WHERE org_id = $1",
                "会议出席",
                "meeting attendances",
            ),
            (
                "SELECT COUNT(*) FROM contact_points WHERE org_id = $1",
                "联系点",
                "contact points",
            ),
            (
                "SELECT COUNT(*) FROM contact_visits WHERE org_id = $1",
                "走访",
                "visits",
            ),
            (
                "SELECT COUNT(*) FROM contact_problems WHERE org_id = $1",
                "问题",
                "problems",
            ),
            (
                "SELECT COUNT(*) FROM pairs WHERE org_a = $1 OR org_b = $1",
                "结对",
                "pairs",
            ),
        ];
        let (mut zh, mut en) = (Vec::new(), Vec::new());
        for (sql, name_zh, name_en) in REFERRING {
            let n: i64 =
                sqlx::Row::try_get(&sqlx::query(sql).bind(id).fetch_one(tx.conn()).await?, 0)?;
            if n > 0 {
                zh.push(format!("{n}条{name_zh}"));
                en.push(format!("{n} {name_en}"));
            }
        }
        if !zh.is_empty() {
            return Err(StoreError::conflict(
                Code::HasRecords,
                None,
                format!("该单位还有{}，请先删除或转移这些记录", zh.join("、")),
                format!(
                    "this organisation still has {}; delete or move them first",
                    en.join(", ")
                ),
            ));
        }
        orgs::delete(tx.conn(), id).await?;
        audit::append(
            tx.conn(),
            actor,
            action::DELETE,
            "org",
            &id.to_string(),
            &before.name,
            Some(&org_json(&before)),
            None,
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

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
                audit::append(
                    tx.conn(),
                    &u.actor(ip),
                    action::LOGIN,
                    "user",
                    &u.id.to_string(),
                    &u.username,
                    None,
                    None,
                    now,
                )
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
                audit::append(
                    tx.conn(),
                    &who,
                    action::LOGIN_FAILED,
                    "user",
                    &uname,
                    reason,
                    None,
                    None,
                    now,
                )
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

    pub async fn session(&self, token: &str, ttl_ms: i64) -> Result<Option<users::Session>> {
        let mut conn = self.db.pool.acquire().await?;
        users::session(&mut conn, token, ttl_ms, now_ms()).await
    }

    pub async fn logout(&self, actor: &Actor, token: &str) -> Result<()> {
        let mut tx = self.db.begin().await?;
        users::delete_session(tx.conn(), token).await?;
        audit::append(
            tx.conn(),
            actor,
            action::LOGOUT,
            "user",
            &actor.user_id.unwrap_or_default().to_string(),
            &actor.username,
            None,
            None,
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<User>> {
        if !actor.role.may_manage_users() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        users::list(&mut conn).await
    }

    pub async fn get_user(&self, actor: &Actor, id: i64) -> Result<User> {
        if !actor.role.may_manage_users() && actor.user_id != Some(id) {
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
            if matches!(role, Role::Unit | Role::Department) {
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
            if matches!(role, Role::City | Role::District | Role::Town) {
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
        if !actor.role.may_manage_users() {
            return Err(StoreError::Forbidden);
        }
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
        let mut tx = self.db.begin().await?;
        let attachment = match self.resolve_attachment(tx.conn(), attach, role).await {
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
        if users::by_username(tx.conn(), &username).await?.is_some() {
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
        let now = now_ms();
        let id = users::insert(
            tx.conn(),
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
        let u = users::get(tx.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::append(
            tx.conn(),
            actor,
            action::CREATE,
            "user",
            &id.to_string(),
            &u.username,
            None,
            Some(&user_json(&u)),
            now,
        )
        .await?;
        tx.commit().await?;
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
        if !actor.role.may_manage_users() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let before = users::get(tx.conn(), id)
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
        let (region, org) = self.resolve_attachment(tx.conn(), attach, role).await?;
        if actor.user_id == Some(id) && role != Role::Sysadmin {
            return Err(StoreError::conflict(
                Code::SelfDemotion,
                Some("role"),
                "不能取消自己的系统管理员角色",
                "you cannot remove your own administrator role",
            ));
        }
        let now = now_ms();
        users::set_assignment(tx.conn(), id, &display, role, region.as_deref(), org, now).await?;
        let after = users::get(tx.conn(), id)
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
        audit::append(
            tx.conn(),
            actor,
            act,
            "user",
            &id.to_string(),
            &after.username,
            Some(&user_json(&before)),
            Some(&user_json(&after)),
            now,
        )
        .await?;
        users::delete_sessions_of(tx.conn(), id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets or clears (empty) an account's e-mail address for notifications: an
    /// administrator for anyone, anyone for themselves.
    pub async fn set_user_email(&self, actor: &Actor, id: i64, email: &str) -> Result<User> {
        if !actor.role.may_manage_users() && actor.user_id != Some(id) {
            return Err(StoreError::NotFound);
        }
        let email = users::parse_email(email).map_err(StoreError::invalid)?;
        let mut tx = self.db.begin().await?;
        let before = users::get(tx.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if before.email == email {
            return Ok(before);
        }
        let now = now_ms();
        users::set_email(tx.conn(), id, email.as_deref(), now).await?;
        let after = users::get(tx.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::append(
            tx.conn(),
            actor,
            action::UPDATE,
            "user",
            &id.to_string(),
            &after.username,
            Some(&user_json(&before)),
            Some(&user_json(&after)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_user_disabled(&self, actor: &Actor, id: i64, disabled: bool) -> Result<User> {
        if !actor.role.may_manage_users() {
            return Err(StoreError::Forbidden);
        }
        if actor.user_id == Some(id) && disabled {
            return Err(StoreError::conflict(
                Code::SelfDisable,
                None,
                "不能停用自己的账号",
                "you cannot disable your own account",
            ));
        }
        let mut tx = self.db.begin().await?;
        let before = users::get(tx.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = now_ms();
        users::set_disabled(tx.conn(), id, disabled, now).await?;
        if disabled {
            users::delete_sessions_of(tx.conn(), id).await?;
        }
        let after = users::get(tx.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let act = if disabled {
            action::DISABLE
        } else {
            action::ENABLE
        };
        audit::append(
            tx.conn(),
            actor,
            act,
            "user",
            &id.to_string(),
            &after.username,
            Some(&user_json(&before)),
            Some(&user_json(&after)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// An administrator sets a new password; the user must change it at next login and
    /// all their sessions end.
    pub async fn reset_password(&self, actor: &Actor, id: i64, new_password: &str) -> Result<User> {
        if !actor.role.may_manage_users() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let u = users::get(tx.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        gongjiang_domain::user::check_password(new_password, &u.username)
            .map_err(StoreError::invalid)?;
        let pw = new_password.to_string();
        let hash = tokio::task::spawn_blocking(move || users::hash_password(&pw))
            .await
            .map_err(|e| StoreError::Other(e.to_string()))??;
        let now = now_ms();
        users::set_password(tx.conn(), id, &hash, true, now).await?;
        users::delete_sessions_of(tx.conn(), id).await?;
        audit::append(
            tx.conn(),
            actor,
            action::PASSWORD_RESET,
            "user",
            &id.to_string(),
            &u.username,
            None,
            None,
            now,
        )
        .await?;
        tx.commit().await?;
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
        let mut tx = self.db.begin().await?;
        let now = now_ms();
        users::set_password(tx.conn(), id, &new_hash, false, now).await?;
        let ended = users::delete_other_sessions(tx.conn(), id, current_token).await?;
        audit::append(
            tx.conn(),
            actor,
            action::PASSWORD_CHANGE,
            "user",
            &id.to_string(),
            &actor.username,
            None,
            Some(&serde_json::json!({ "other_sessions_ended": ended })),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ----- audit -----

    pub async fn audit_log(&self, actor: &Actor, f: &audit::Filter) -> Result<Page<audit::Entry>> {
        if !actor.role.may_read_audit() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        audit::list(&mut conn, f).await
    }

    /// Account names to show beside log entries (user id → display name).
    pub async fn display_names(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, String>> {
        let mut out = std::collections::HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let mut conn = self.db.pool.acquire().await?;
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        for r in sqlx::query(&format!(
            "SELECT id, display_name FROM users WHERE id IN ({list})"
        ))
        .fetch_all(&mut *conn)
        .await?
        {
            out.insert(sqlx::Row::try_get(&r, 0)?, sqlx::Row::try_get(&r, 1)?);
        }
        Ok(out)
    }

    pub async fn verify_audit(&self) -> Result<audit::Verdict> {
        let mut conn = self.db.pool.acquire().await?;
        audit::verify(&mut conn).await
    }

    /// Records an event that is not a data change (a restore, an import).
    pub async fn record(
        &self,
        actor: &Actor,
        act: &str,
        kind: &str,
        id: &str,
        summary: &str,
    ) -> Result<()> {
        let mut tx = self.db.begin().await?;
        audit::append(
            tx.conn(),
            actor,
            act,
            kind,
            id,
            summary,
            None,
            None,
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Service {
    /// A fresh database holds the region tree of the configured city and nothing else.
    pub async fn ensure_base_regions(&self) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let n: i64 = sqlx::Row::try_get(
            &sqlx::query("SELECT COUNT(*) FROM regions")
                .fetch_one(tx.conn())
                .await?,
            0,
        )?;
        if n == 0 {
            for (i, r) in regions::changzhou().iter().enumerate() {
                regions::insert(tx.conn(), r, i as i64).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

//! Regions and organisations: reading them (in the actor's scope), the checks on an
//! organisation, creating, updating and deleting one; the base region tree.

use crate::access::{self, Permission};
use crate::audit::{action, Note};
use crate::error::{Result, StoreError};
use crate::orgs::{self, Org};
use crate::regions::{self, Region};
use crate::scope::{Actor, Scope};
use crate::Page;
use gongjiang_domain::org::OrgInput;
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use serde_json::json;

use super::types::{OrgPatch, TreeStats};
use super::Service;

fn org_json(o: &Org) -> serde_json::Value {
    json!({
        "id": o.id, "name": o.name, "kind": o.kind, "uscc": o.uscc, "region_code": o.region_code,
        "parent_id": o.parent_id, "industry": o.industry, "ownership": o.ownership,
        "chain_leader": o.chain_leader, "size": o.size, "address": o.address, "contact": o.contact,
    })
}

impl Service {
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
        if access::may(actor, Permission::ReadRegisters) {
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
        Ok(
            crate::access::may(actor, crate::access::Permission::EditOrganisation)
                && orgs::get(&mut conn, &actor.write_scope(), id)
                    .await?
                    .is_some(),
        )
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
        access::check(actor, Permission::EditRegisters)?;
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
        access::check(actor, Permission::EditRegisters)?;
        let mut w = self.write(actor).await?;
        let new = self.check_org(w.conn(), actor, input, None).await?;
        Self::check_unique(w.conn(), &new, None).await?;
        let now = w.now;
        let id = orgs::insert(w.conn(), &new, now)
            .await
            .map_err(Self::unique_race)?;
        crate::indicators::settle_new(w.conn(), id).await?;
        let org = orgs::get(w.conn(), &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            Note::new(action::CREATE, "org", id)
                .summary(&org.name)
                .after(&org_json(&org)),
        )
        .await?;
        w.commit().await?;
        Ok(org)
    }

    pub async fn update_org(&self, actor: &Actor, id: i64, patch: &OrgPatch) -> Result<Org> {
        let mut w = self.write(actor).await?;
        let before = orgs::get(w.conn(), &actor.read_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !crate::access::may(actor, crate::access::Permission::EditOrganisation)
            || orgs::get(w.conn(), &actor.write_scope(), id)
                .await?
                .is_none()
        {
            return Err(StoreError::Forbidden);
        }
        w.check_version(patch.version, before.version)?;
        let input = patch.apply(&before);
        let new = self.check_org(w.conn(), actor, &input, Some(id)).await?;
        if !access::may(actor, Permission::EditRegisters)
            && (new.region_code.as_str() != before.region_code || new.kind.code() != before.kind)
        {
            return Err(StoreError::Forbidden);
        }
        Self::check_unique(w.conn(), &new, Some(id)).await?;
        let now = w.now;
        // A moved organisation takes its indicator contributions (and, when its parent
        // changes, those of everything below it) to its new place in the tree.
        let mut snaps = Vec::new();
        let college_changed = new.college_type.map(|c| c.code()) != before.college_type.as_deref()
            || new.kind.code() != before.kind;
        if new.region_code.as_str() != before.region_code
            || new.parent_id != before.parent_id
            || college_changed
        {
            let ids: Vec<i64> = if new.parent_id != before.parent_id {
                sqlx::query("SELECT descendant_id FROM org_closure WHERE ancestor_id = $1")
                    .bind(id)
                    .fetch_all(w.conn())
                    .await?
                    .iter()
                    .map(|r| sqlx::Row::try_get(r, 0))
                    .collect::<std::result::Result<_, _>>()?
            } else {
                vec![id]
            };
            for i in ids {
                snaps.push(crate::indicators::snapshot(w.conn(), i).await?);
            }
        }
        orgs::update(w.conn(), id, &new, now)
            .await
            .map_err(Self::unique_race)?;
        for snap in snaps {
            crate::indicators::settle(w.conn(), snap).await?;
        }
        let after = orgs::get(w.conn(), &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            Note::new(action::UPDATE, "org", id)
                .summary(&after.name)
                .before(&org_json(&before))
                .after(&org_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    pub async fn delete_org(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut w = self.write(actor).await?;
        let before = orgs::get(w.conn(), &actor.read_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !access::may(actor, Permission::EditRegisters)
            || orgs::get(w.conn(), &actor.write_scope(), id)
                .await?
                .is_none()
        {
            return Err(StoreError::Forbidden);
        }
        let children = orgs::child_count(w.conn(), id).await?;
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
                .fetch_one(w.conn())
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
        let (mut zh, mut en) = (Vec::new(), Vec::new());
        for (sql, name_zh, name_en) in REFERRING {
            let n: i64 =
                sqlx::Row::try_get(&sqlx::query(sql).bind(id).fetch_one(w.conn()).await?, 0)?;
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
        orgs::delete(w.conn(), id).await?;
        w.audit(
            Note::new(action::DELETE, "org", id)
                .summary(&before.name)
                .before(&org_json(&before)),
        )
        .await?;
        w.commit().await?;
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
        (
        "SELECT COUNT(*) FROM training_classes WHERE org_id = $1 OR provider_org_id = $1 OR enterprise_org_id = $1",
        "培训班",
        "training classes",
    ),
    (
        "SELECT COUNT(*) FROM professor_engagements WHERE college_org_id = $1",
        "产业教授聘任",
        "professor engagements",
    ),
    (
        "SELECT COUNT(*) FROM contests WHERE organiser_org_id = $1",
        "竞赛",
        "contests",
    ),
    (
        "SELECT COUNT(*) FROM contest_entries WHERE org_id = $1",
        "竞赛报名",
        "contest entries",
    ),
    (
        "SELECT COUNT(*) FROM contest_results WHERE org_id = $1",
        "竞赛成绩",
        "contest results",
    ),
    (
        "SELECT COUNT(*) FROM craftsman_rounds WHERE org_id = $1",
        "工匠评选",
        "craftsman rounds",
    ),
    (
        "SELECT COUNT(*) FROM craftsman_nominations WHERE org_id = $1",
        "工匠推荐",
        "craftsman nominations",
    ),
    (
        "SELECT COUNT(*) FROM studios WHERE org_id = $1",
        "创新工作室",
        "studios",
    ),
    (
        "SELECT COUNT(*) FROM innovations WHERE org_id = $1",
        "创新成果",
        "innovation results",
    ),
    (
        "SELECT COUNT(*) FROM liuyou WHERE org_id = $1",
        "六有建设记录",
        "六有 records",
    ),
];

#[cfg(test)]
mod tests {
    use super::REFERRING;

    /// Every column of every migration that refers to `orgs(id)` is counted before a
    /// delete (a new part's table must be added to `REFERRING`).
    #[test]
    fn every_reference_to_an_organisation_is_checked_before_a_delete() {
        // The tree's own tables are the organisation; users are counted on their own
        // (409 has_users).
        let refs = crate::db::references_to("orgs");
        assert!(refs.len() > 10, "the migrations are read: {refs:?}");
        let missing: Vec<String> = refs
            .into_iter()
            .filter(|(t, _)| !matches!(t.as_str(), "orgs" | "org_closure" | "users"))
            .filter(|(t, c)| !crate::db::counts(REFERRING, t, c))
            .map(|(t, c)| format!("{t}.{c}"))
            .collect();
        assert!(missing.is_empty(), "not in REFERRING: {missing:?}");
    }
}

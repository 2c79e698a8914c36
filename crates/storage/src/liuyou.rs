//! The 六有 checklist of pilot units ([`gongjiang_domain::liuyou`]): evidence per item and
//! year (text, a link, files), submitted by the unit, reviewed item by item by region
//! staff of the unit's area (accepted, or returned with a reason), and the completion
//! figures that feed the indicator engine (`liuyou_complete`).
use crate::audit;
use crate::error::{Result, StoreError};
use crate::files::FileMeta;
use crate::indicators;
use crate::now_ms;
use crate::orgs;
use crate::scope::{Actor, Resolved};
use crate::service::Service;
use crate::sql::Sql;
use gongjiang_domain::liuyou::{Item, ItemStatus, ITEMS};
use gongjiang_domain::{FieldError, Role, Rule};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LiuyouItem {
    /// organisation, plan, tasks, guidance, skills, rights
    pub item: String,
    pub name: String,
    pub guidance: String,
    /// draft, submitted, accepted, returned
    pub status: String,
    pub status_label: String,
    pub text: Option<String>,
    pub link: Option<String>,
    pub files: Vec<FileMeta>,
    /// Why it was returned.
    pub reason: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LiuyouSheet {
    pub org_id: i64,
    pub org_name: String,
    pub year: i32,
    pub items: Vec<LiuyouItem>,
    pub accepted: usize,
    pub submitted: usize,
    /// Whether the organisation is a pilot (only pilots keep the checklist).
    pub is_pilot: bool,
}

/// One pilot's row of the completion view: its six statuses.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LiuyouRow {
    pub org_id: i64,
    pub org_name: String,
    pub region_code: String,
    /// In item order.
    pub statuses: Vec<String>,
    pub accepted: usize,
}

/// Evidence typed on the form; new files come separately.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
    /// Files already attached that should be removed.
    #[serde(default)]
    pub remove_files: Vec<i64>,
    #[serde(default)]
    pub version: Option<i64>,
}

fn item_or_404(code: &str) -> Result<&'static Item> {
    Item::find(code).ok_or(StoreError::NotFound)
}

fn check_year(year: i32) -> Result<()> {
    let now = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    if (2018..=now + 1).contains(&year) {
        Ok(())
    } else {
        Err(StoreError::Invalid(vec![FieldError::new(
            "year",
            Rule::BadFormat,
            format!("年度{year}无效,应为2018至{}之间", now + 1),
            format!("year {year} must be from 2018 to {}", now + 1),
        )]))
    }
}

struct Stored {
    id: i64,
    status: ItemStatus,
    text: Option<String>,
    link: Option<String>,
    file_ids: Vec<i64>,
    reason: Option<String>,
    submitted_by: Option<i64>,
    reviewed_by: Option<String>,
    reviewed_at: Option<i64>,
    version: i64,
}

async fn stored(
    conn: &mut AnyConnection,
    org: i64,
    year: i32,
) -> Result<std::collections::HashMap<String, Stored>> {
    let rows = sqlx::query(
        "SELECT id, item, status, text, link, file_ids, reason, submitted_by, reviewed_by, reviewed_at, version FROM liuyou WHERE org_id = $1 AND year = $2",
    )
    .bind(org)
    .bind(i64::from(year))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = std::collections::HashMap::new();
    for r in rows {
        let ids: String = r.try_get(5)?;
        out.insert(
            r.try_get::<String, _>(1)?,
            Stored {
                id: r.try_get(0)?,
                status: ItemStatus::parse(&r.try_get::<String, _>(2)?).unwrap_or(ItemStatus::Draft),
                text: r.try_get(3)?,
                link: r.try_get(4)?,
                file_ids: serde_json::from_str(&ids).unwrap_or_default(),
                reason: r.try_get(6)?,
                submitted_by: r.try_get(7)?,
                reviewed_by: r.try_get(8)?,
                reviewed_at: r.try_get(9)?,
                version: r.try_get(10)?,
            },
        );
    }
    Ok(out)
}

fn has_evidence(s: &Stored) -> bool {
    s.text.as_deref().is_some_and(|t| !t.trim().is_empty())
        || s.link.as_deref().is_some_and(|t| !t.trim().is_empty())
        || !s.file_ids.is_empty()
}

impl Service {
    async fn is_pilot(conn: &mut AnyConnection, org: i64) -> Result<bool> {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM pilots WHERE org_id = $1")
            .bind(org)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        Ok(n > 0)
    }

    /// A pilot unit's six items for a year.
    pub async fn liuyou_sheet(
        &self,
        actor: &Actor,
        org_id: i64,
        year: i32,
        en: bool,
    ) -> Result<LiuyouSheet> {
        check_year(year)?;
        let mut conn = self.db.pool.acquire().await?;
        let org = orgs::get(&mut conn, &actor.read_scope(), org_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.sheet_in(&mut conn, org.id, &org.name, year, en).await
    }

    async fn sheet_in(
        &self,
        conn: &mut AnyConnection,
        org_id: i64,
        org_name: &str,
        year: i32,
        en: bool,
    ) -> Result<LiuyouSheet> {
        let st = stored(conn, org_id, year).await?;
        let mut items = Vec::new();
        for i in &ITEMS {
            let s = st.get(i.code);
            let status = s.map(|s| s.status).unwrap_or(ItemStatus::Draft);
            let files = match s {
                Some(s) => Self::file_metas(conn, &s.file_ids).await?,
                None => Vec::new(),
            };
            items.push(LiuyouItem {
                item: i.code.to_string(),
                name: i.name(en).to_string(),
                guidance: if en {
                    String::new()
                } else {
                    i.guidance_zh.to_string()
                },
                status: status.code().to_string(),
                status_label: status.label(en).to_string(),
                text: s.and_then(|s| s.text.clone()),
                link: s.and_then(|s| s.link.clone()),
                files,
                reason: s.and_then(|s| s.reason.clone()),
                reviewed_by: s.and_then(|s| s.reviewed_by.clone()),
                reviewed_at: s.and_then(|s| s.reviewed_at),
                version: s.map(|s| s.version).unwrap_or(0),
            });
        }
        Ok(LiuyouSheet {
            org_id,
            org_name: org_name.to_string(),
            year,
            accepted: items.iter().filter(|i| i.status == "accepted").count(),
            submitted: items.iter().filter(|i| i.status == "submitted").count(),
            items,
            is_pilot: Self::is_pilot(conn, org_id).await?,
        })
    }

    /// The unit (or region staff for it) writes an item's evidence; new files are
    /// checked (type and size) and stored. Only drafts and returned items can change.
    pub async fn save_liuyou_item(
        &self,
        actor: &Actor,
        org_id: i64,
        year: i32,
        item: &str,
        input: &EvidenceInput,
        new_files: &[(String, Vec<u8>)],
    ) -> Result<LiuyouSheet> {
        check_year(year)?;
        let it = item_or_404(item)?;
        if !(actor.role == Role::Unit || actor.role.is_region_staff()) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let org = orgs::get(tx.conn(), &actor.write_scope(), org_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !Self::is_pilot(tx.conn(), org.id).await? {
            return Err(StoreError::conflict(
                "not_a_pilot",
                None,
                format!("“{}”不是试点单位,无需填报六有", org.name),
                "only pilot units keep the 六有 checklist",
            ));
        }
        let mut errors = Vec::new();
        let text = gongjiang_domain::error::text(
            "text",
            ("说明", "Text"),
            input.text.as_deref().unwrap_or(""),
            false,
            5000,
        )
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let link = gongjiang_domain::error::text(
            "link",
            ("链接", "Link"),
            input.link.as_deref().unwrap_or(""),
            false,
            500,
        )
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        if let Some(l) = &link {
            if !(l.starts_with('/') || l.starts_with("https://") || l.starts_with("http://")) {
                errors.push(FieldError::new(
                    "link",
                    Rule::BadFormat,
                    "链接应为系统内路径(如 /tasks/12)或 http(s) 网址",
                    "the link must be a path in this system (/tasks/12) or an http(s) address",
                ));
            }
        }
        for (name, bytes) in new_files {
            if let Err(e) = crate::files::check_upload(name, bytes) {
                errors.push(e);
            }
        }
        if new_files.len() > 10 {
            errors.push(FieldError::new(
                "file",
                Rule::TooLong,
                "每项一次最多上传10个文件",
                "at most 10 files per item at a time",
            ));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let st = stored(tx.conn(), org.id, year).await?;
        let cur = st.get(it.code);
        if let Some(c) = cur {
            if !c.status.editable() {
                return Err(StoreError::conflict(
                    "liuyou_locked",
                    None,
                    format!("“{}”{},不能修改", it.name_zh, c.status.label(false)),
                    format!(
                        "'{}' is {} and cannot be changed",
                        it.name_en,
                        c.status.label(true)
                    ),
                ));
            }
            if input.version.is_some_and(|v| v != c.version) {
                return Err(StoreError::conflict(
                    "stale_version",
                    None,
                    "该项刚刚已被修改,请刷新后重试",
                    "this item changed meanwhile; reload and try again",
                ));
            }
        }
        let mut ids: Vec<i64> = cur.map(|c| c.file_ids.clone()).unwrap_or_default();
        ids.retain(|i| !input.remove_files.contains(i));
        for (name, bytes) in new_files {
            let m = self
                .store_file(tx.conn(), actor, Some(org.id), name, bytes)
                .await?;
            ids.push(m.id);
        }
        let ids_json = serde_json::to_string(&ids).map_err(|e| StoreError::Other(e.to_string()))?;
        let now = now_ms();
        let status = cur.map(|c| c.status).unwrap_or(ItemStatus::Draft);
        match cur {
            Some(c) => {
                sqlx::query(
                    "UPDATE liuyou SET text = $1, link = $2, file_ids = $3, version = version + 1, updated_at = $4 WHERE id = $5",
                )
                .bind(text.as_deref())
                .bind(link.as_deref())
                .bind(&ids_json)
                .bind(now)
                .bind(c.id)
                .execute(tx.conn())
                .await?;
            }
            None => {
                sqlx::query(
                    "INSERT INTO liuyou (org_id, year, item, status, text, link, file_ids, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
                )
                .bind(org.id)
                .bind(i64::from(year))
                .bind(it.code)
                .bind(status.code())
                .bind(text.as_deref())
                .bind(link.as_deref())
                .bind(&ids_json)
                .bind(now)
                .execute(tx.conn())
                .await?;
            }
        }
        audit::append(
            tx.conn(),
            actor,
            audit::action::UPDATE,
            "liuyou",
            &format!("{}:{year}:{}", org.id, it.code),
            &format!("{} {year} {}", org.name, it.name_zh),
            None,
            None,
            now,
        )
        .await?;
        let sheet = self
            .sheet_in(tx.conn(), org.id, &org.name, year, false)
            .await?;
        tx.commit().await?;
        Ok(sheet)
    }

    /// Submits the year's items for review: every item not yet accepted or under review
    /// must carry evidence (the error names the items that do not).
    pub async fn submit_liuyou(
        &self,
        actor: &Actor,
        org_id: i64,
        year: i32,
    ) -> Result<LiuyouSheet> {
        check_year(year)?;
        if !(actor.role == Role::Unit || actor.role.is_region_staff()) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let org = orgs::get(tx.conn(), &actor.write_scope(), org_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let st = stored(tx.conn(), org.id, year).await?;
        let mut missing = Vec::new();
        let mut to_submit = Vec::new();
        for i in &ITEMS {
            match st.get(i.code) {
                Some(s) if !s.status.editable() => {}
                Some(s) if has_evidence(s) => to_submit.push(s.id),
                _ => missing.push(FieldError::new(
                    i.code,
                    Rule::Required,
                    format!("“{}”尚无佐证材料", i.name_zh),
                    format!("'{}' has no evidence yet", i.name_en),
                )),
            }
        }
        if !missing.is_empty() {
            return Err(StoreError::Invalid(missing));
        }
        if to_submit.is_empty() {
            return Err(StoreError::conflict(
                "nothing_to_submit",
                None,
                "没有需要提交的项目",
                "nothing to submit",
            ));
        }
        let now = now_ms();
        for id in &to_submit {
            sqlx::query(
                "UPDATE liuyou SET status = 'submitted', submitted_by = $1, submitted_at = $2, version = version + 1, updated_at = $2 WHERE id = $3",
            )
            .bind(actor.user_id)
            .bind(now)
            .bind(id)
            .execute(tx.conn())
            .await?;
        }
        audit::append(
            tx.conn(),
            actor,
            "liuyou_submit",
            "liuyou",
            &format!("{}:{year}", org.id),
            &format!("{} {year} 六有提交 {} 项", org.name, to_submit.len()),
            None,
            None,
            now,
        )
        .await?;
        let sheet = self
            .sheet_in(tx.conn(), org.id, &org.name, year, false)
            .await?;
        tx.commit().await?;
        Ok(sheet)
    }

    /// Region staff of the unit's area accept an item or return it with a reason.
    /// Exactly one of two simultaneous reviewers wins; nobody reviews their own
    /// submission; the indicators move in the same transaction.
    pub async fn review_liuyou(
        &self,
        actor: &Actor,
        org_id: i64,
        year: i32,
        item: &str,
        accept: bool,
        reason: Option<&str>,
    ) -> Result<LiuyouSheet> {
        check_year(year)?;
        let it = item_or_404(item)?;
        if !actor.role.is_region_staff() {
            return Err(StoreError::Forbidden);
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if !accept && reason.is_none() {
            return Err(StoreError::Invalid(vec![FieldError::required(
                "reason",
                "退回理由",
                "Reason",
            )]));
        }
        let mut tx = self.db.begin().await?;
        let org = orgs::get(tx.conn(), &actor.read_scope(), org_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let st = stored(tx.conn(), org.id, year).await?;
        let Some(cur) = st
            .get(it.code)
            .filter(|s| s.status == ItemStatus::Submitted)
        else {
            return Err(StoreError::conflict(
                "liuyou_not_submitted",
                None,
                format!("“{}”不在待审核状态", it.name_zh),
                format!("'{}' is not awaiting review", it.name_en),
            ));
        };
        if actor.user_id.is_some() && cur.submitted_by == actor.user_id {
            return Err(StoreError::Denied {
                code: "review_own_submission",
                zh: "不能审核自己提交的材料".into(),
                en: "you cannot review what you submitted".into(),
            });
        }
        let snap = indicators::snapshot(tx.conn(), org.id).await?;
        let now = now_ms();
        let n = sqlx::query(
            "UPDATE liuyou SET status = $1, reason = $2, reviewed_by = $3, reviewed_at = $4, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND status = 'submitted' AND version = $6",
        )
        .bind(if accept { "accepted" } else { "returned" })
        .bind(if accept { None } else { reason })
        .bind(&actor.display_name)
        .bind(now)
        .bind(cur.id)
        .bind(cur.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::conflict(
                "liuyou_changed",
                None,
                "该项刚刚已被他人审核",
                "someone else reviewed this item a moment ago",
            ));
        }
        indicators::settle(tx.conn(), snap).await?;
        audit::append(
            tx.conn(),
            actor,
            if accept {
                "liuyou_accept"
            } else {
                "liuyou_return"
            },
            "liuyou",
            &format!("{}:{year}:{}", org.id, it.code),
            &format!(
                "{} {year} {}{}",
                org.name,
                it.name_zh,
                reason.map(|r| format!(":{r}")).unwrap_or_default()
            ),
            None,
            None,
            now,
        )
        .await?;
        if !accept {
            let users = crate::notify::unit_contacts(tx.conn(), org.id).await?;
            crate::notify::notify(
                tx.conn(),
                &users,
                &format!("六有“{}”被退回:{}", it.name_zh, reason.unwrap_or("")),
                &format!("/liuyou/{}/{year}", org.id),
                now,
            )
            .await?;
        }
        let sheet = self
            .sheet_in(tx.conn(), org.id, &org.name, year, false)
            .await?;
        tx.commit().await?;
        Ok(sheet)
    }

    /// Every pilot unit of a region with its six statuses for a year (the completion view).
    pub async fn liuyou_rows(
        &self,
        actor: &Actor,
        region: Option<&str>,
        year: i32,
        only_pending: bool,
    ) -> Result<Vec<LiuyouRow>> {
        check_year(year)?;
        if !actor.role.may_read_orgs() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        let mut sql = Sql::new(
            "SELECT o.id, o.name, o.region_code FROM orgs o WHERE o.id IN (SELECT org_id FROM pilots WHERE year <= ",
        );
        sql.bind_int(i64::from(year)).push(")");
        actor
            .read_scope()
            .resolve(&mut conn)
            .await?
            .org_filter(&mut sql, "o");
        if let Some(r) = region.filter(|r| !r.is_empty()) {
            Resolved::region(&mut conn, r)
                .await?
                .org_filter(&mut sql, "o");
        }
        if only_pending {
            sql.push(
                " AND o.id IN (SELECT org_id FROM liuyou WHERE status = 'submitted' AND year = ",
            )
            .bind_int(i64::from(year))
            .push(")");
        }
        sql.push(" ORDER BY o.region_code, o.name LIMIT 2000");
        let orgs = sql.query().fetch_all(&mut *conn).await?;
        let rows = sqlx::query("SELECT org_id, item, status FROM liuyou WHERE year = $1")
            .bind(i64::from(year))
            .fetch_all(&mut *conn)
            .await?;
        let mut status: std::collections::HashMap<(i64, String), String> = Default::default();
        for r in rows {
            status.insert((r.try_get(0)?, r.try_get(1)?), r.try_get(2)?);
        }
        orgs.iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let statuses: Vec<String> = ITEMS
                    .iter()
                    .map(|i| {
                        status
                            .get(&(id, i.code.to_string()))
                            .cloned()
                            .unwrap_or_else(|| "draft".into())
                    })
                    .collect();
                Ok(LiuyouRow {
                    org_id: id,
                    org_name: r.try_get(1)?,
                    region_code: r.try_get(2)?,
                    accepted: statuses.iter().filter(|s| *s == "accepted").count(),
                    statuses,
                })
            })
            .collect()
    }
}

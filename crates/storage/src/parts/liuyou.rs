//! The 六有 checklist of pilot units ([`gongjiang_domain::liuyou`]): evidence per item and
//! year (text, a link, files), submitted by the unit, reviewed item by item by region
//! staff of the unit's area (accepted, or returned with a reason), and the completion
//! figures that feed the indicator engine (`liuyou_complete`).
use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::files::FileMeta;
use crate::indicators;
use crate::now_ms;
use crate::orgs;
use crate::scope::{Actor, Resolved};
use crate::service::Service;
use crate::sql::{like_escape, Sql};
use crate::workflow::ActInput;
use crate::Page;
use gongjiang_domain::liuyou::{find_item, Item, ItemStatus, ITEMS};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
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
    /// The workflow case that carries the year's review, once submitted.
    pub case_id: Option<i64>,
    /// Its status (draft, in_review, returned, approved …).
    pub case_status: Option<String>,
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
    find_item(code).ok_or(StoreError::NotFound)
}

fn check_year(year: i32) -> Result<()> {
    let now = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    if (2018..=now + 1).contains(&year) {
        Ok(())
    } else {
        Err(StoreError::Invalid(vec![FieldError::new(
            "year",
            Rule::BadFormat,
            format!("年度{year}无效，应为2018至{}之间", now + 1),
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
        let case = sqlx::query(
            "SELECT id, status FROM wf_cases WHERE process = 'liuyou' AND subject = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(format!("liuyou:{org_id}:{year}"))
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| Ok::<_, sqlx::Error>((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?)))
        .transpose()?;
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
            case_id: case.as_ref().map(|c| c.0),
            case_status: case.map(|c| c.1),
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
        access::check(actor, Permission::WorkOnLiuyou)?;
        let mut w = self.write(actor).await?;
        let org = orgs::get(w.conn(), &actor.write_scope(), org_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        Self::check_keeps_liuyou(w.conn(), actor, org.id).await?;
        if !Self::is_pilot(w.conn(), org.id).await? {
            return Err(StoreError::conflict(
                Code::NotAPilot,
                None,
                format!("“{}”不是试点单位，无需填报六有", org.name),
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
                    "链接应为系统内路径（如 /tasks/12）或 http(s) 网址",
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
        let st = stored(w.conn(), org.id, year).await?;
        let cur = st.get(it.code);
        if let Some(c) = cur {
            if !c.status.editable() {
                return Err(StoreError::conflict(
                    Code::LiuyouLocked,
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
                    Code::StaleVersion,
                    None,
                    "该项刚刚已被修改，请刷新后重试",
                    "this item changed meanwhile; reload and try again",
                ));
            }
        }
        let mut ids: Vec<i64> = cur.map(|c| c.file_ids.clone()).unwrap_or_default();
        ids.retain(|i| !input.remove_files.contains(i));
        for (name, bytes) in new_files {
            let m = self
                .store_file(w.conn(), actor, Some(org.id), name, bytes)
                .await?;
            ids.push(m.id);
        }
        let ids_json = serde_json::to_string(&ids).map_err(|e| StoreError::Other(e.to_string()))?;
        let now = w.now;
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
                .execute(w.conn())
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
                .execute(w.conn())
                .await?;
            }
        }
        w.audit(
            audit::Note::new(
                audit::action::UPDATE,
                "liuyou",
                format!("{}:{year}:{}", org.id, it.code),
            )
            .summary(format!("{} {year} {}", org.name, it.name_zh)),
        )
        .await?;
        let sheet = self
            .sheet_in(w.conn(), org.id, &org.name, year, false)
            .await?;
        w.commit().await?;
        Ok(sheet)
    }

    /// Submits the year's items for review through the workflow engine (process
    /// `liuyou`, one case per unit and year): every item not yet accepted must carry
    /// evidence (the error names the items that do not). The case then waits in the
    /// district's inbox, with a deadline, reminders and its history.
    /// May the actor fill in and submit this unit's 六有 (see
    /// [`crate::access::Permission::KeepLiuyou`])?
    async fn check_keeps_liuyou(
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        org_id: i64,
    ) -> Result<()> {
        let unit_has_account = !crate::notify::unit_contacts(&mut *conn, org_id)
            .await?
            .is_empty();
        match crate::access::decide(
            actor,
            crate::access::Permission::KeepLiuyou {
                own_org: actor.org_id == Some(org_id),
                unit_has_account,
            },
        ) {
            crate::access::Decision::Allow => Ok(()),
            _ if access::may(actor, Permission::Coordinate) => Err(StoreError::denied(
                Code::UnitKeepsOwn,
                "该单位有自己的账号，六有由单位自行填报；您可以审核其提交的内容",
                "this unit has its own account and keeps its 六有 itself; you review what it submits",
            )),
            _ => Err(StoreError::Forbidden),
        }
    }

    /// For the console: whether the actor fills in this unit's 六有.
    pub async fn keeps_liuyou(&self, actor: &Actor, org_id: i64) -> Result<bool> {
        let mut conn = self.db.pool.acquire().await?;
        Ok(Self::check_keeps_liuyou(&mut conn, actor, org_id)
            .await
            .is_ok())
    }

    pub async fn submit_liuyou(
        &self,
        actor: &Actor,
        org_id: i64,
        year: i32,
    ) -> Result<LiuyouSheet> {
        check_year(year)?;
        access::check(actor, Permission::WorkOnLiuyou)?;
        let mut w = self.write(actor).await?;
        let org = orgs::get(w.conn(), &actor.write_scope(), org_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        Self::check_keeps_liuyou(w.conn(), actor, org.id).await?;
        let case = self
            .liuyou_case(w.conn(), actor, org.id, &org.name, year, true)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.act_in(
            w.conn(),
            actor,
            case,
            &ActInput {
                action: "submit".into(),
                comment: None,
                version: None,
                changes: Default::default(),
            },
        )
        .await?;
        let sheet = self
            .sheet_in(w.conn(), org.id, &org.name, year, false)
            .await?;
        w.commit().await?;
        Ok(sheet)
    }

    /// The reviewer of the unit's 六有 case (district staff of its district; the city
    /// for a unit directly under the city) accepts an item or returns it with a reason.
    /// Exactly one of two simultaneous reviewers wins; nobody reviews their own
    /// submission; the indicators move in the same transaction; when no item waits any
    /// more the case is accepted or returned as a whole.
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
        access::check(actor, Permission::Coordinate)?;
        let mut w = self.write(actor).await?;
        let org = orgs::get(w.conn(), &actor.read_scope(), org_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let Some(case) = self
            .liuyou_case(w.conn(), actor, org.id, &org.name, year, false)
            .await?
        else {
            return Err(StoreError::conflict(
                Code::ItemNotSubmitted,
                None,
                format!("“{}”不在待审核状态", it.name_zh),
                format!("'{}' is not awaiting review", it.name_en),
            ));
        };
        self.decide_item_in(w.conn(), actor, case, it.code, accept, reason)
            .await?;
        let sheet = self
            .sheet_in(w.conn(), org.id, &org.name, year, false)
            .await?;
        w.commit().await?;
        Ok(sheet)
    }

    /// The unit's 六有 case for a year: the latest one that is not withdrawn or
    /// rejected. With `create`, a missing one is opened, its state taken from the
    /// items (so sheets kept before the engine ran them carry on where they stood).
    async fn liuyou_case(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        org_id: i64,
        org_name: &str,
        year: i32,
        create: bool,
    ) -> Result<Option<i64>> {
        let subject = format!("liuyou:{org_id}:{year}");
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM wf_cases WHERE process = 'liuyou' AND subject = $1 AND status NOT IN ('withdrawn', 'rejected') ORDER BY id DESC LIMIT 1",
        )
        .bind(&subject)
        .fetch_optional(&mut *conn)
        .await?;
        if found.is_some() {
            return Ok(found);
        }
        let st = stored(conn, org_id, year).await?;
        let statuses: Vec<ItemStatus> = ITEMS
            .iter()
            .map(|i| {
                st.get(i.code)
                    .map(|s| s.status)
                    .unwrap_or(ItemStatus::Draft)
            })
            .collect();
        let in_review = statuses.contains(&ItemStatus::Submitted);
        if !create && !in_review {
            return Ok(None);
        }
        let status = if in_review {
            "in_review"
        } else if statuses.contains(&ItemStatus::Returned) {
            "returned"
        } else if statuses.iter().all(|s| *s == ItemStatus::Accepted) {
            "approved"
        } else {
            "draft"
        };
        let now = now_ms();
        let submitted_by = st.values().filter_map(|s| s.submitted_by).max();
        let id: i64 = sqlx::query(
            "INSERT INTO wf_cases (process, org_id, title, status, step, data, due_at, submitted_by, created_by, subject, version, created_at, updated_at) \
             VALUES ('liuyou', $1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10) RETURNING id",
        )
        .bind(org_id)
        .bind(format!("{org_name} {year}年六有佐证"))
        .bind(status)
        .bind(in_review.then_some(0i64))
        .bind(format!("{{\"year\":\"{year}\"}}"))
        .bind(in_review.then_some(now + 15 * 86_400_000))
        .bind(submitted_by)
        .bind(actor.user_id.filter(|_| access::may(actor, Permission::Coordinate) && create))
        .bind(&subject)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
        for (i, s) in ITEMS.iter().zip(&statuses) {
            let row = st.get(i.code);
            sqlx::query(
                "INSERT INTO wf_items (case_id, item, status, reason, decided_name, decided_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(i.code)
            .bind(s.code())
            .bind(row.and_then(|r| r.reason.clone()))
            .bind(row.and_then(|r| r.reviewed_by.clone()))
            .bind(row.and_then(|r| r.reviewed_at))
            .execute(&mut *conn)
            .await?;
        }
        audit::Note::new(audit::action::CREATE, "case", id)
            .summary(format!("{org_name} {year}年六有佐证"))
            .write(conn, actor, now)
            .await?;
        Ok(Some(id))
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
        access::check(actor, Permission::ReadRegisters)?;
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
                Ok(liuyou_row(
                    &status,
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                ))
            })
            .collect()
    }
}

/// Which pilots the completion view lists (filters combine; empty means any).
#[derive(Debug, Clone, Default)]
pub struct RowFilter {
    pub year: i32,
    /// A region code: the whole subtree (a district, a town).
    pub region: Option<String>,
    /// Part of the unit's name.
    pub q: Option<String>,
    /// `complete` (all six accepted), `submitted` (an item waits for review),
    /// `returned` (an item was returned), `draft` (nothing submitted yet).
    pub status: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// The unit statuses of [`RowFilter::status`].
pub const ROW_STATUSES: [&str; 4] = ["complete", "submitted", "returned", "draft"];

impl Service {
    /// The completion view, one page at a time: the pilots in scope (pilots of the year
    /// or earlier), filtered, ordered by region and name, with their six statuses.
    pub async fn liuyou_page(&self, actor: &Actor, f: &RowFilter) -> Result<Page<LiuyouRow>> {
        check_year(f.year)?;
        access::check(actor, Permission::ReadRegisters)?;
        let year = i64::from(f.year);
        let mut conn = self.db.pool.acquire().await?;
        let mut w = Sql::new(" WHERE o.id IN (SELECT org_id FROM pilots WHERE year <= ");
        w.bind_int(year).push(")");
        actor
            .read_scope()
            .org_filter_in(&mut conn, f.region.as_deref(), &mut w, "o")
            .await?;
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            w.push(" AND o.name LIKE ")
                .bind_text(format!("%{}%", like_escape(q)))
                .push(" ESCAPE '\\'");
        }
        match f.status.as_deref().unwrap_or("") {
            "" => {}
            "complete" => {
                w.push(
                    " AND o.id IN (SELECT org_id FROM liuyou WHERE status = 'accepted' AND year = ",
                )
                .bind_int(year)
                .push(" GROUP BY org_id HAVING COUNT(*) >= ")
                .bind_int(ITEMS.len() as i64)
                .push(")");
            }
            s @ ("submitted" | "returned") => {
                w.push(" AND o.id IN (SELECT org_id FROM liuyou WHERE status = ")
                    .bind_text(s)
                    .push(" AND year = ")
                    .bind_int(year)
                    .push(")");
            }
            "draft" => {
                w.push(" AND o.id NOT IN (SELECT org_id FROM liuyou WHERE status <> 'draft' AND year = ")
                    .bind_int(year)
                    .push(")");
            }
            other => {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "status",
                    Rule::UnknownValue,
                    format!("未知的状态“{other}”"),
                    format!("unknown status '{other}'"),
                )]))
            }
        }
        let orgs = crate::sql::page_of(
            &mut conn,
            (
                "SELECT COUNT(*) FROM orgs o",
                "SELECT o.id, o.name, o.region_code FROM orgs o",
            ),
            &w,
            " ORDER BY o.region_code, o.name, o.id",
            (f.page, f.per_page),
            |r| {
                Ok((
                    r.try_get::<i64, _>(0)?,
                    r.try_get::<String, _>(1)?,
                    r.try_get::<String, _>(2)?,
                ))
            },
        )
        .await?;
        let ids: Vec<i64> = orgs.items.iter().map(|o| o.0).collect();
        let mut status: std::collections::HashMap<(i64, String), String> = Default::default();
        if !ids.is_empty() {
            let mut q = Sql::new("SELECT org_id, item, status FROM liuyou WHERE year = ");
            q.bind_int(year).push(" AND org_id IN (");
            for (n, id) in ids.iter().enumerate() {
                if n > 0 {
                    q.push(", ");
                }
                q.bind_int(*id);
            }
            q.push(")");
            for r in q.query().fetch_all(&mut *conn).await? {
                status.insert((r.try_get(0)?, r.try_get(1)?), r.try_get(2)?);
            }
        }
        Ok(orgs.map(|(id, org_name, region_code)| liuyou_row(&status, id, org_name, region_code)))
    }
}

/// A pilot's row: the status of each of the six items (a draft where none is stored).
fn liuyou_row(
    status: &std::collections::HashMap<(i64, String), String>,
    org_id: i64,
    org_name: String,
    region_code: String,
) -> LiuyouRow {
    let statuses: Vec<String> = ITEMS
        .iter()
        .map(|i| {
            status
                .get(&(org_id, i.code.to_string()))
                .cloned()
                .unwrap_or_else(|| "draft".into())
        })
        .collect();
    LiuyouRow {
        org_id,
        org_name,
        region_code,
        accepted: statuses.iter().filter(|s| *s == "accepted").count(),
        statuses,
    }
}

/// Splits `liuyou:<org>:<year>`.
fn parse_subject(subject: &str) -> Result<(i64, i64)> {
    let bad = || StoreError::Other(format!("bad 六有 case subject {subject}"));
    let mut parts = subject.strip_prefix("liuyou:").ok_or_else(bad)?.split(':');
    let org = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let year = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    Ok((org, year))
}

/// Before a 六有 case is submitted: every item that goes to review (not accepted yet)
/// has evidence. The errors name the items.
pub(crate) async fn check_submit(
    conn: &mut AnyConnection,
    case_id: i64,
    subject: &str,
) -> Result<()> {
    let (org, year) = parse_subject(subject)?;
    let year = i32::try_from(year).map_err(|e| StoreError::Other(e.to_string()))?;
    let st = stored(conn, org, year).await?;
    let decided = crate::workflow::item_rows(conn, case_id).await?;
    let mut missing = Vec::new();
    for i in &ITEMS {
        let accepted = decided
            .iter()
            .any(|(c, s, _)| c == i.code && *s == ItemStatus::Accepted);
        if accepted {
            continue;
        }
        if !st.get(i.code).is_some_and(has_evidence) {
            missing.push(FieldError::new(
                i.code,
                Rule::Required,
                format!("“{}”尚无佐证材料", i.name_zh),
                format!("'{}' has no evidence yet", i.name_en),
            ));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(missing))
    }
}

/// Mirrors the engine's item decisions of a 六有 case onto the unit's items (status,
/// reason, reviewer), and the completion indicators with them, in the same transaction.
pub(crate) async fn sync_from_case(
    conn: &mut AnyConnection,
    case_id: i64,
    subject: &str,
    actor: &Actor,
    now: i64,
) -> Result<()> {
    let (org, year) = parse_subject(subject)?;
    let snap = indicators::snapshot(conn, org).await?;
    let rows = sqlx::query(
        "SELECT item, status, reason, decided_name, decided_at FROM wf_items WHERE case_id = $1",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let item: String = r.try_get(0)?;
        let status: String = r.try_get(1)?;
        let reason: Option<String> = r.try_get(2)?;
        let by: Option<String> = r.try_get(3)?;
        let at: Option<i64> = r.try_get(4)?;
        let submitted = status == ItemStatus::Submitted.code();
        sqlx::query(
            "UPDATE liuyou SET status = $1, reason = $2, reviewed_by = CASE WHEN $3 THEN reviewed_by ELSE $4 END, \
             reviewed_at = CASE WHEN $3 THEN reviewed_at ELSE $5 END, \
             submitted_by = CASE WHEN $3 AND status <> 'submitted' THEN $6 ELSE submitted_by END, \
             submitted_at = CASE WHEN $3 AND status <> 'submitted' THEN $7 ELSE submitted_at END, \
             version = version + 1, updated_at = $7 \
             WHERE org_id = $8 AND year = $9 AND item = $10 AND (status <> $1 OR COALESCE(reason, '') <> COALESCE($2, ''))",
        )
        .bind(&status)
        .bind(reason.filter(|_| status == ItemStatus::Returned.code()))
        .bind(submitted)
        .bind(by)
        .bind(at)
        .bind(actor.user_id)
        .bind(now)
        .bind(org)
        .bind(year)
        .bind(&item)
        .execute(&mut *conn)
        .await?;
    }
    indicators::settle(conn, snap).await
}

/// The indicator facts of the 六有: a pilot unit whose six items are all accepted for a
/// year counts once then.
pub async fn facts(
    conn: &mut AnyConnection,
    org_id: i64,
    f: &mut crate::indicators::Facts,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT year, COUNT(*) FROM liuyou WHERE org_id = $1 AND status = 'accepted' GROUP BY year",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let (year, n): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
        if n >= gongjiang_domain::liuyou::ITEMS.len() as i64 {
            f.insert(("liuyou_complete".into(), year.to_string()), 1);
        }
    }
    Ok(())
}

/// The page of a 六有 record: `/liuyou/<org>/<year>` for the subject `liuyou:<org>:<year>`
/// (given the key after `liuyou:`).
pub(crate) fn subject_page(rest: &str) -> Option<String> {
    Some(format!("/liuyou/{}", rest.replace(':', "/")))
}

//! Use cases: list, read, plan and change a contest; submit its plan to the engine, and
//! the plan case's hooks (approval opens the contest).
use super::sql::{self, contest_row, CONTEST};
use super::{Contest, ContestInput, Filter, PLAN_CITY_PROCESS, PLAN_PROCESS};
use crate::access::{self, Permission};
use crate::audit::{action, Note};
use crate::engines::workflow::{ActInput, Case, SubjectCase};
use crate::error::{Result, StoreError};
use crate::orgs;
use crate::scope::{Actor, Resolved};
use crate::service::Service;
use crate::sql::Sql;
use crate::Page;
use gongjiang_domain::contests::{
    check_contest, ContestDraft, ContestFields, ContestLevel, Prizes,
};
use gongjiang_domain::{FieldError, OrgKind, Rule};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

fn draft(i: &ContestInput) -> ContestDraft {
    ContestDraft {
        code: i.code.clone(),
        name: i.name.clone(),
        level: i.level.clone(),
        year: i.year,
        occupation: i.occupation.clone(),
        min_level: i.min_level.clone(),
        max_level: i.max_level.clone(),
        starts_on: i.starts_on.clone(),
        ends_on: i.ends_on.clone(),
        prizes: Prizes {
            first: i.first_prizes.unwrap_or(1),
            second: i.second_prizes.unwrap_or(2),
            third: i.third_prizes.unwrap_or(3),
            merit: i.merit_prizes.unwrap_or(0),
            honour_top: i.honour_top.unwrap_or(0),
            medal_top: i.medal_top.unwrap_or(0),
            promote_top: i.promote_top.unwrap_or(0),
        },
    }
}

/// The organiser (主办单位) and the owning region: a unit organises as itself; staff
/// name an organisation of their area. An enterprise-level contest is owned by the
/// enterprise's region, the others by the actor's own region.
async fn owner(
    conn: &mut AnyConnection,
    actor: &Actor,
    level: ContestLevel,
    given: Option<&str>,
) -> Result<(i64, String)> {
    let given = given.map(str::trim).filter(|k| !k.is_empty());
    let org = if access::bound_to_own_org(actor) {
        orgs::unit_own(conn, actor, given)
            .await
            .map_err(|e| match e {
                StoreError::Invalid(mut v) => {
                    for f in &mut v {
                        f.field = "organiser".into();
                    }
                    StoreError::Invalid(v)
                }
                other => other,
            })?
    } else {
        let Some(k) = given else {
            return Err(StoreError::invalid(FieldError::required(
                "organiser",
                "主办单位",
                "Organiser",
            )));
        };
        orgs::find(conn, &actor.write_scope(), k)
            .await?
            .ok_or_else(|| {
                StoreError::invalid(FieldError::new(
                    "organiser",
                    Rule::UnknownValue,
                    format!("主办单位“{k}”不存在或不在您的管辖范围内"),
                    format!("organiser '{k}' not found or outside your area"),
                ))
            })?
    };
    if level == ContestLevel::Enterprise {
        if org.kind_enum() != Some(OrgKind::Enterprise) {
            return Err(StoreError::invalid(FieldError::new(
                "organiser",
                Rule::Forbidden,
                format!("企业级竞赛的主办单位须为企业，“{}”不是", org.name),
                format!(
                    "an enterprise-level contest is organised by an enterprise; '{}' is not",
                    org.name
                ),
            )));
        }
        return Ok((org.id, org.region_code.clone()));
    }
    let region = match &actor.region_code {
        Some(r) => r.clone(),
        None => crate::regions::path(conn, &org.region_code)
            .await?
            .last()
            .map(|r| r.code.clone())
            .unwrap_or_else(|| org.region_code.clone()),
    };
    Ok((org.id, region))
}

fn duplicate_code(code: &str) -> StoreError {
    StoreError::invalid(FieldError::new(
        "code",
        Rule::Duplicate,
        format!("赛事编号“{code}”已存在"),
        format!("contest code '{code}' exists already"),
    ))
}

fn plan_data(f: &ContestFields, organiser: &str) -> BTreeMap<String, String> {
    let mut data = BTreeMap::new();
    data.insert("year".to_string(), f.year.to_string());
    let band = match (f.min_level, f.max_level) {
        (None, None) => "不限".to_string(),
        (lo, hi) => format!(
            "{}–{}",
            lo.map_or("不限", |l| l.label_zh()),
            hi.map_or("不限", |l| l.label_zh())
        ),
    };
    data.insert(
        "plan".to_string(),
        format!(
            "赛事名称：{}\n级别：{}\n工种：{}\n参赛等级：{band}\n主办单位：{organiser}\n日期：{} 至 {}\n奖项：一等奖 {} 名、二等奖 {} 名、三等奖 {} 名、优秀奖 {} 名\n授予技术能手 {} 名，推荐五一劳动奖章 {} 名，以赛促评晋升 {} 名",
            f.name,
            f.level.label_zh(),
            f.occupation,
            f.starts_on.as_deref().unwrap_or("待定"),
            f.ends_on.as_deref().unwrap_or("待定"),
            f.prizes.first,
            f.prizes.second,
            f.prizes.third,
            f.prizes.merit,
            f.prizes.honour_top,
            f.prizes.medal_top,
            f.prizes.promote_top,
        ),
    );
    data
}

impl Service {
    /// Contests, newest first (every register reader sees them all; a judge the ones on
    /// whose panel they sit).
    pub async fn list_contests(&self, actor: &Actor, f: &Filter) -> Result<Page<Contest>> {
        let mut conn = self.db.pool.acquire().await?;
        let mut w = Sql::new(" WHERE 1 = 1");
        if !access::may(actor, Permission::ReadRegisters) {
            access::check(actor, Permission::ScoreAsExpert)?;
            w.push(" AND c.id IN (SELECT contest_id FROM contest_judges WHERE user_id = ")
                .bind_int(actor.user_id.unwrap_or(0))
                .push(")");
        }
        if let Some(r) = f.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Resolved::region(&mut conn, r)
                .await?
                .region_filter(&mut w, "r");
        }
        if let Some(l) = f.level.as_deref().filter(|l| !l.is_empty()) {
            let l = ContestLevel::from_any(l).map_or(l.to_string(), |l| l.code().into());
            w.push(" AND c.level = ").bind_text(l);
        }
        if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
            w.push(" AND c.status = ").bind_text(s.to_string());
        }
        if let Some(y) = f.year {
            w.push(" AND c.year = ").bind_int(y);
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            w.contains_any(&["c.code", "c.name", "c.occupation"], q);
        }
        let (page, per_page) = crate::sql::paging(f.page, f.per_page);
        crate::sql::page_of(
            &mut conn,
            (
                "SELECT COUNT(*) FROM contests c LEFT JOIN regions r ON r.code = c.region_code",
                CONTEST,
            ),
            &w,
            " ORDER BY c.year DESC, c.id DESC",
            (page, per_page),
            contest_row,
        )
        .await
    }

    /// One contest (404 when the actor cannot see it).
    pub async fn get_contest(&self, actor: &Actor, id: i64) -> Result<Contest> {
        let mut conn = self.db.pool.acquire().await?;
        sql::visible(&mut conn, actor, id).await
    }

    /// Whether the actor runs the contest (for the console's buttons).
    pub async fn runs_contest(&self, actor: &Actor, c: &Contest) -> Result<bool> {
        let mut conn = self.db.pool.acquire().await?;
        sql::runs(&mut conn, actor, c).await
    }

    /// Plans a contest (a draft, until its plan is submitted).
    pub async fn create_contest(&self, actor: &Actor, i: &ContestInput) -> Result<Contest> {
        let f = check_contest(&draft(i)).map_err(StoreError::Invalid)?;
        access::check(
            actor,
            Permission::PlanContest {
                level: f.level.code(),
            },
        )?;
        let mut w = self.write(actor).await?;
        let (organiser, region) = owner(w.conn(), actor, f.level, i.organiser.as_deref()).await?;
        if sqlx::query("SELECT 1 FROM contests WHERE code = $1")
            .bind(&f.code)
            .fetch_optional(w.conn())
            .await?
            .is_some()
        {
            return Err(duplicate_code(&f.code));
        }
        let now = w.now;
        let id = insert(
            w.conn(),
            &f,
            &region,
            Some(organiser),
            "draft",
            actor.user_id,
            now,
        )
        .await?;
        let c = sql::contest(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            Note::new(action::CREATE, "contest", id)
                .summary(format!("{} {}", c.code, c.name))
                .after(&c),
        )
        .await?;
        w.commit().await?;
        Ok(c)
    }

    /// Changes a draft plan at the version read.
    pub async fn update_contest(
        &self,
        actor: &Actor,
        id: i64,
        i: &ContestInput,
    ) -> Result<Contest> {
        let mut w = self.write(actor).await?;
        let before = sql::run(w.conn(), actor, id).await?;
        w.check_version(i.version, before.version)?;
        sql::expect_status(
            &before,
            &["draft"],
            "只有计划草稿（或被退回的计划）可以修改",
            "only a draft (or returned) plan can be changed",
        )?;
        let f = check_contest(&draft(i)).map_err(StoreError::Invalid)?;
        access::check(
            actor,
            Permission::PlanContest {
                level: f.level.code(),
            },
        )?;
        let (organiser, region) = owner(
            w.conn(),
            actor,
            f.level,
            i.organiser
                .as_deref()
                .or(before.organiser_org_id.map(|o| o.to_string()).as_deref()),
        )
        .await?;
        if f.code != before.code
            && sqlx::query("SELECT 1 FROM contests WHERE code = $1")
                .bind(&f.code)
                .fetch_optional(w.conn())
                .await?
                .is_some()
        {
            return Err(duplicate_code(&f.code));
        }
        let now = w.now;
        let n = sqlx::query(
            "UPDATE contests SET code = $1, name = $2, level = $3, year = $4, occupation = $5, min_level = $6, max_level = $7, \
             region_code = $8, organiser_org_id = $9, starts_on = $10, ends_on = $11, first_prizes = $12, second_prizes = $13, \
             third_prizes = $14, merit_prizes = $15, honour_top = $16, medal_top = $17, promote_top = $18, \
             version = version + 1, updated_at = $19 WHERE id = $20 AND version = $21",
        )
        .bind(&f.code)
        .bind(&f.name)
        .bind(f.level.code())
        .bind(f.year)
        .bind(&f.occupation)
        .bind(f.min_level.map(|l| l.code()))
        .bind(f.max_level.map(|l| l.code()))
        .bind(&region)
        .bind(organiser)
        .bind(f.starts_on.as_deref())
        .bind(f.ends_on.as_deref())
        .bind(f.prizes.first)
        .bind(f.prizes.second)
        .bind(f.prizes.third)
        .bind(f.prizes.merit)
        .bind(f.prizes.honour_top)
        .bind(f.prizes.medal_top)
        .bind(f.prizes.promote_top)
        .bind(now)
        .bind(id)
        .bind(before.version)
        .execute(w.conn())
        .await?
        .rows_affected();
        w.expect_one(n)?;
        let after = sql::contest(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            Note::new(action::UPDATE, "contest", id)
                .summary(format!("{} {}", after.code, after.name))
                .before(&before)
                .after(&after),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Submits the plan for approval on the workflow engine (a `contest_plan` case about
    /// the organiser, reviewed by its area). A plan returned earlier goes back on its
    /// own case.
    pub async fn submit_contest(&self, actor: &Actor, id: i64) -> Result<Contest> {
        let mut w = self.write(actor).await?;
        let c = sql::run(w.conn(), actor, id).await?;
        sql::expect_status(
            &c,
            &["draft"],
            "只有计划草稿可以报批",
            "only a draft plan is submitted",
        )?;
        let organiser = c.organiser_org_id.ok_or_else(|| {
            StoreError::invalid(FieldError::required("organiser", "主办单位", "Organiser"))
        })?;
        let f = check_contest(&ContestDraft {
            code: c.code.clone(),
            name: c.name.clone(),
            level: c.level.clone(),
            year: Some(c.year),
            occupation: c.occupation.clone(),
            min_level: c.min_level.clone().unwrap_or_default(),
            max_level: c.max_level.clone().unwrap_or_default(),
            starts_on: c.starts_on.clone().unwrap_or_default(),
            ends_on: c.ends_on.clone().unwrap_or_default(),
            prizes: c.prizes(),
        })
        .map_err(StoreError::Invalid)?;
        let data = plan_data(&f, c.organiser_name.as_deref().unwrap_or(""));
        let now = w.now;
        let reuse = match c.plan_case_id {
            Some(case) => sqlx::query("SELECT status FROM wf_cases WHERE id = $1")
                .bind(case)
                .fetch_optional(w.conn())
                .await?
                .and_then(|r| r.try_get::<String, _>(0).ok())
                .filter(|s| s == "returned" || s == "draft")
                .map(|_| case),
            None => None,
        };
        let case = match reuse {
            Some(case) => {
                sqlx::query("UPDATE wf_cases SET data = $1 WHERE id = $2")
                    .bind(
                        serde_json::to_string(&data)
                            .map_err(|e| StoreError::Other(e.to_string()))?,
                    )
                    .bind(case)
                    .execute(w.conn())
                    .await?;
                case
            }
            None => {
                let title = format!("竞赛计划：{}（{}）", c.name, c.code);
                let subject = format!("contest:{id}");
                self.open_subject_case(
                    w.conn(),
                    actor,
                    &SubjectCase {
                        process: if matches!(c.level.as_str(), "city" | "district") {
                            PLAN_CITY_PROCESS
                        } else {
                            PLAN_PROCESS
                        },
                        org_id: organiser,
                        title: &title,
                        data: &data,
                        subject: &subject,
                    },
                    now,
                )
                .await?
            }
        };
        sqlx::query("UPDATE contests SET plan_case_id = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(case)
            .bind(now)
            .bind(id)
            .execute(w.conn())
            .await?;
        self.act_in(
            w.conn(),
            actor,
            case,
            &ActInput {
                action: "submit".into(),
                comment: None,
                version: None,
                changes: BTreeMap::new(),
            },
        )
        .await?;
        let after = sql::contest(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
        Ok(after)
    }
}

/// Inserts a contest row.
pub(super) async fn insert(
    conn: &mut AnyConnection,
    f: &ContestFields,
    region: &str,
    organiser: Option<i64>,
    status: &str,
    by: Option<i64>,
    now: i64,
) -> Result<i64> {
    Ok(sqlx::query(
        "INSERT INTO contests (code, name, level, year, occupation, min_level, max_level, region_code, organiser_org_id, \
         starts_on, ends_on, first_prizes, second_prizes, third_prizes, merit_prizes, honour_top, medal_top, promote_top, \
         status, created_by, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 1, $21, $21) RETURNING id",
    )
    .bind(&f.code)
    .bind(&f.name)
    .bind(f.level.code())
    .bind(f.year)
    .bind(&f.occupation)
    .bind(f.min_level.map(|l| l.code()))
    .bind(f.max_level.map(|l| l.code()))
    .bind(region)
    .bind(organiser)
    .bind(f.starts_on.as_deref())
    .bind(f.ends_on.as_deref())
    .bind(f.prizes.first)
    .bind(f.prizes.second)
    .bind(f.prizes.third)
    .bind(f.prizes.merit)
    .bind(f.prizes.honour_top)
    .bind(f.prizes.medal_top)
    .bind(f.prizes.promote_top)
    .bind(status)
    .bind(by)
    .bind(now)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// The page of a contest's record, given the subject key after `contest:`.
pub fn subject_page(key: &str) -> Option<String> {
    let id: i64 = key.parse().ok()?;
    Some(format!("/contests/{id}"))
}

fn subject_id(subject: &str) -> Option<i64> {
    subject.rsplit(':').next()?.parse().ok()
}

/// Keeps the contest in step with its plan case: in review, back to a draft (returned,
/// withdrawn, rejected), or open once approved.
pub(crate) async fn sync_plan(
    conn: &mut AnyConnection,
    case: &Case,
    subject: &str,
    actor: &Actor,
    now: i64,
) -> Result<()> {
    let Some(id) = subject_id(subject) else {
        return Ok(());
    };
    let status = match case.status.as_str() {
        "in_review" => "in_review",
        "approved" => "open",
        "returned" | "withdrawn" | "rejected" | "draft" => "draft",
        _ => return Ok(()),
    };
    let organiser: Option<i64> = sqlx::query("SELECT organiser_org_id FROM contests WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?
        .flatten();
    let snap = match organiser {
        Some(o) if status == "open" => Some(crate::indicators::snapshot(conn, o).await?),
        _ => None,
    };
    let n = sqlx::query(
        "UPDATE contests SET status = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND status IN ('draft', 'in_review') AND status <> $1",
    )
    .bind(status)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if let Some(snap) = snap {
        crate::indicators::settle(conn, snap).await?;
    }
    if n == 1 && status == "open" {
        Note::new(action::UPDATE, "contest", id)
            .summary(format!("竞赛计划经审批通过（事项 {}），开始报名", case.id))
            .write(conn, actor, now)
            .await?;
    }
    Ok(())
}

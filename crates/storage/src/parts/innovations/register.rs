//! Use cases: list and read results, file one (a case on the engine), correct it while
//! returned, and showcase it.
use super::{
    Innovation, InnovationAuthor, InnovationFilter, InnovationInput, ShowcaseInput, PROCESS,
};
use crate::access::{self, Permission};
use crate::audit::{action, Note};
use crate::engines::workflow::SubjectCase;
use crate::error::{Result, StoreError};
use crate::orgs;
use crate::scope::{Actor, Resolved};
use crate::service::Service;
use crate::sql::{fetch_page, Sql};
use crate::Page;
use gongjiang_domain::innovations::{check_innovation, InnovationDraft, InnovationFields};
use gongjiang_domain::{Code, FieldError, Rule};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

const SELECT: &str =
    "SELECT i.id, i.code, i.title, i.itype, i.org_id, o.name, i.studio_id, s.name, i.year, \
     i.patent_no, i.benefit_x100, i.summary, i.case_id, i.status, i.featured, i.version";
const FROM: &str =
    " FROM innovations i JOIN orgs o ON o.id = i.org_id LEFT JOIN studios s ON s.id = i.studio_id";

/// Statuses that count (an approved case, or an imported record).
pub(super) const COUNTED: &str = "('approved', 'recorded')";

fn row(r: &sqlx::any::AnyRow) -> Result<Innovation> {
    let status: String = r.try_get(13)?;
    Ok(Innovation {
        id: r.try_get(0)?,
        code: r.try_get(1)?,
        title: r.try_get(2)?,
        itype: r.try_get(3)?,
        org_id: r.try_get(4)?,
        org_name: r.try_get(5)?,
        studio_id: r.try_get(6)?,
        studio_name: r.try_get(7)?,
        year: r.try_get(8)?,
        patent_no: r.try_get(9)?,
        benefit_wan: r.try_get::<Option<i64>, _>(10)?.map(|b| b as f64 / 100.0),
        summary: r.try_get(11)?,
        case_id: r.try_get(12)?,
        counted: matches!(status.as_str(), "approved" | "recorded"),
        status,
        featured: r.try_get::<i64, _>(14)? != 0,
        authors: Vec::new(),
        version: r.try_get(15)?,
    })
}

/// Every register reader sees counted results; results still in review only inside the
/// reader's scope.
fn visible(w: &mut Sql, scope: &Resolved) {
    w.push(&format!(
        " AND (i.status IN {COUNTED} OR i.org_id IN (SELECT so.id FROM orgs so WHERE 1 = 1"
    ));
    scope.org_filter(w, "so");
    w.push("))");
}

async fn with_authors(conn: &mut AnyConnection, items: &mut [Innovation]) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = items.iter().map(|i| i.id.to_string()).collect();
    let rows = sqlx::query(&format!(
        "SELECT a.innovation_id, w.id, w.name FROM innovation_authors a JOIN workers w ON w.id = a.worker_id \
         WHERE a.innovation_id IN ({}) ORDER BY a.innovation_id, a.position",
        ids.join(", ")
    ))
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let id: i64 = r.try_get(0)?;
        if let Some(i) = items.iter_mut().find(|i| i.id == id) {
            i.authors.push(InnovationAuthor {
                worker_id: r.try_get(1)?,
                name: r.try_get(2)?,
            });
        }
    }
    Ok(())
}

/// Who reads results: every register reader, and the experts (who score the studios'
/// reviews); results in review only inside the reader's scope.
fn check_read(actor: &Actor) -> Result<()> {
    if access::may(actor, Permission::ReadRegisters) {
        return Ok(());
    }
    access::check(actor, Permission::ScoreAsExpert)
}

/// A result the actor may read (404 otherwise).
pub(super) async fn read(conn: &mut AnyConnection, actor: &Actor, id: i64) -> Result<Innovation> {
    check_read(actor).map_err(|_| StoreError::NotFound)?;
    let scope = actor.read_scope().resolve(&mut *conn).await?;
    let mut w = Sql::new(&format!("{FROM} WHERE i.id = "));
    w.bind_int(id);
    visible(&mut w, &scope);
    let mut q = Sql::new(&format!("{SELECT}{}", w.text()));
    q.set_args(w.args().to_vec());
    let r = q
        .query()
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut items = [row(&r)?];
    with_authors(conn, &mut items).await?;
    let [i] = items;
    Ok(i)
}

fn invalid(field: &str, rule: Rule, zh: String, en: String) -> StoreError {
    StoreError::invalid(FieldError::new(field, rule, zh, en))
}

/// What a filing or a correction names besides its own fields: the workers who made it
/// and the studio it came from.
struct Links {
    authors: Vec<(i64, String)>,
    studio: Option<i64>,
}

impl Service {
    /// Checks the code and patent number are free (but for result `own`), the authors
    /// are registered workers (each once) and the studio is one of the enterprise's.
    async fn innovation_links(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        org: &orgs::Org,
        f: &InnovationFields,
        i: &InnovationInput,
        own: Option<i64>,
    ) -> Result<Links> {
        let own = own.unwrap_or(0);
        if sqlx::query("SELECT 1 FROM innovations WHERE code = $1 AND id <> $2")
            .bind(&f.code)
            .bind(own)
            .fetch_optional(&mut *conn)
            .await?
            .is_some()
        {
            return Err(invalid(
                "code",
                Rule::Duplicate,
                format!("成果编号“{}”已被使用", f.code),
                format!("result code '{}' is taken", f.code),
            ));
        }
        if let Some(p) = &f.patent_no {
            if sqlx::query("SELECT 1 FROM innovations WHERE patent_no = $1 AND id <> $2")
                .bind(p.as_str())
                .bind(own)
                .fetch_optional(&mut *conn)
                .await?
                .is_some()
            {
                return Err(invalid(
                    "patent_no",
                    Rule::Duplicate,
                    format!("专利号{p}已登记为另一项成果"),
                    format!("patent {p} is recorded as another result already"),
                ));
            }
        }
        let keys: Vec<&str> = i
            .authors
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
            .collect();
        if keys.is_empty() {
            return Err(StoreError::invalid(FieldError::required(
                "authors",
                "完成人",
                "Workers who made it",
            )));
        }
        let mut authors: Vec<(i64, String)> = Vec::new();
        for k in keys {
            let w = self
                .find_worker(&mut *conn, &actor.write_scope(), k)
                .await?
                .ok_or_else(|| {
                    invalid(
                        "authors",
                        Rule::UnknownValue,
                        format!("完成人“{k}”不是您管辖范围内的在册职工"),
                        format!("'{k}' is not a registered worker in your area"),
                    )
                })?;
            if authors.iter().any(|(id, _)| *id == w.id) {
                return Err(invalid(
                    "authors",
                    Rule::Duplicate,
                    format!("完成人{}填写了两次", w.name),
                    format!("{} is named twice", w.name),
                ));
            }
            authors.push((w.id, w.name));
        }
        let studio = match i.studio.filter(|s| *s > 0) {
            None => None,
            Some(s) => {
                let ok = sqlx::query(
                    "SELECT 1 FROM studios WHERE id = $1 AND org_id = $2 AND status = 'active'",
                )
                .bind(s)
                .bind(org.id)
                .fetch_optional(&mut *conn)
                .await?
                .is_some();
                if !ok {
                    return Err(invalid(
                        "studio",
                        Rule::UnknownValue,
                        format!("所选工作室不是{}的在册创新工作室", org.name),
                        format!("the studio is not an active studio of {}", org.name),
                    ));
                }
                Some(s)
            }
        };
        Ok(Links { authors, studio })
    }

    /// Results, newest first: filters by type, year, status, showcase, studio and text.
    pub async fn list_innovations(
        &self,
        actor: &Actor,
        f: &InnovationFilter,
    ) -> Result<Page<Innovation>> {
        check_read(actor)?;
        let mut conn = self.db.pool.acquire().await?;
        let scope = actor.read_scope().resolve(&mut conn).await?;
        let mut w = Sql::new(&format!("{FROM} WHERE 1 = 1"));
        visible(&mut w, &scope);
        if let Some(t) = f.itype.as_deref().filter(|t| !t.is_empty()) {
            let code =
                gongjiang_domain::innovations::InnovationType::from_any(t).map_or(t, |t| t.code());
            w.push(" AND i.itype = ").bind_text(code);
        }
        if let Some(y) = f.year {
            w.push(" AND i.year = ").bind_int(y);
        }
        match f.status.as_deref().unwrap_or("") {
            "" => {}
            "counted" => {
                w.push(&format!(" AND i.status IN {COUNTED}"));
            }
            "pending" => {
                w.push(" AND i.status IN ('in_review', 'returned')");
            }
            s => {
                w.push(" AND i.status = ").bind_text(s);
            }
        }
        if f.featured == Some(true) {
            w.push(" AND i.featured = 1");
        }
        if let Some(s) = f.studio {
            w.push(" AND i.studio_id = ").bind_int(s);
        }
        if let Some(worker) = f.worker {
            w.push(" AND i.id IN (SELECT innovation_id FROM innovation_authors WHERE worker_id = ")
                .bind_int(worker)
                .push(")");
        }
        if let Some(r) = f.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Resolved::region(&mut conn, r)
                .await?
                .org_filter(&mut w, "o");
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            w.contains_any(&["i.title", "i.code", "i.patent_no", "o.name"], q);
        }
        let mut page = fetch_page(
            &mut conn,
            SELECT,
            &w,
            " ORDER BY i.year DESC, i.id DESC",
            (f.page, f.per_page),
            row,
        )
        .await?;
        with_authors(&mut conn, &mut page.items).await?;
        Ok(page)
    }

    /// One result.
    pub async fn get_innovation(&self, actor: &Actor, id: i64) -> Result<Innovation> {
        let mut conn = self.db.pool.acquire().await?;
        read(&mut conn, actor, id).await
    }

    /// Whether the actor may correct the result now (for the console).
    pub async fn may_correct_innovation(&self, actor: &Actor, i: &Innovation) -> Result<bool> {
        let mut conn = self.db.pool.acquire().await?;
        let in_scope = orgs::get(&mut conn, &actor.write_scope(), i.org_id)
            .await?
            .is_some();
        Ok(in_scope
            && access::may(actor, Permission::FileInnovation { org_id: i.org_id })
            && matches!(i.status.as_str(), "returned" | "recorded"))
    }

    /// Files a result: checked, kept, and submitted at once as an `innovation_result`
    /// case (the union's certification), reviewed by the enterprise's district.
    pub async fn file_innovation(&self, actor: &Actor, i: &InnovationInput) -> Result<Innovation> {
        let f = checked(i)?;
        let summary = f.summary.clone().ok_or_else(|| {
            StoreError::invalid(FieldError::required("summary", "成果简介", "Summary"))
        })?;
        let mut w = self.write(actor).await?;
        let org = orgs::acting_for(w.conn(), actor, i.org.as_deref()).await?;
        access::check(actor, Permission::FileInnovation { org_id: org.id })?;
        let links = self
            .innovation_links(w.conn(), actor, &org, &f, i, None)
            .await?;
        let now = w.now;
        let id: i64 = sqlx::query(
            "INSERT INTO innovations (code, title, itype, org_id, studio_id, year, patent_no, benefit_x100, summary, status, \
             featured, created_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', 0, $10, 1, $11, $11) RETURNING id",
        )
        .bind(&f.code)
        .bind(&f.title)
        .bind(f.itype.code())
        .bind(org.id)
        .bind(links.studio)
        .bind(f.year)
        .bind(f.patent_no.as_ref().map(|p| p.as_str().to_string()))
        .bind(f.benefit_x100)
        .bind(&summary)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        write_authors(w.conn(), id, &links.authors).await?;
        let mut data = BTreeMap::new();
        data.insert("year".to_string(), f.year.to_string());
        data.insert("summary".to_string(), summary);
        let title = format!("创新成果认定：{}（{}）", f.title, org.name);
        let subject = format!("innovation:{id}");
        let case = self
            .start_subject_case(
                w.conn(),
                actor,
                &SubjectCase {
                    process: PROCESS,
                    org_id: org.id,
                    title: &title,
                    data: &data,
                    subject: &subject,
                },
                now,
            )
            .await?;
        sqlx::query("UPDATE innovations SET case_id = $1 WHERE id = $2")
            .bind(case)
            .bind(id)
            .execute(w.conn())
            .await?;
        let out = read(w.conn(), actor, id).await?;
        w.audit(
            Note::new(action::CREATE, "innovation", id)
                .summary(format!("{} {}（{}）", out.code, out.title, out.org_name))
                .after(&out),
        )
        .await?;
        w.commit().await?;
        Ok(out)
    }

    /// Corrects a result while its case is returned, or a recorded (imported) one; the
    /// version the caller saw is checked. The enterprise does not change.
    pub async fn correct_innovation(
        &self,
        actor: &Actor,
        id: i64,
        i: &InnovationInput,
    ) -> Result<Innovation> {
        let f = checked(i)?;
        let mut w = self.write(actor).await?;
        let before = read(w.conn(), actor, id).await?;
        let org = orgs::get(w.conn(), &actor.write_scope(), before.org_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        access::check(actor, Permission::FileInnovation { org_id: org.id })?;
        if !matches!(before.status.as_str(), "returned" | "recorded") {
            return Err(StoreError::of(Code::InnovationFinal));
        }
        w.check_version(i.version, before.version)?;
        let links = self
            .innovation_links(w.conn(), actor, &org, &f, i, Some(id))
            .await?;
        let now = w.now;
        let counted = before.status == "recorded";
        let snap = if counted {
            Some(crate::indicators::snapshot(w.conn(), org.id).await?)
        } else {
            None
        };
        let n = sqlx::query(
            "UPDATE innovations SET code = $1, title = $2, itype = $3, studio_id = $4, year = $5, patent_no = $6, \
             benefit_x100 = $7, summary = COALESCE($8, summary), version = version + 1, updated_at = $9 \
             WHERE id = $10 AND version = $11",
        )
        .bind(&f.code)
        .bind(&f.title)
        .bind(f.itype.code())
        .bind(links.studio)
        .bind(f.year)
        .bind(f.patent_no.as_ref().map(|p| p.as_str().to_string()))
        .bind(f.benefit_x100)
        .bind(&f.summary)
        .bind(now)
        .bind(id)
        .bind(before.version)
        .execute(w.conn())
        .await?
        .rows_affected();
        w.expect_one(n)?;
        sqlx::query("DELETE FROM innovation_authors WHERE innovation_id = $1")
            .bind(id)
            .execute(w.conn())
            .await?;
        write_authors(w.conn(), id, &links.authors).await?;
        if let Some(case) = before.case_id {
            // The returned case carries the corrected year and summary when resubmitted.
            let mut data = BTreeMap::new();
            data.insert("year".to_string(), f.year.to_string());
            data.insert(
                "summary".to_string(),
                f.summary
                    .clone()
                    .or(before.summary.clone())
                    .unwrap_or_default(),
            );
            self.set_case_data(w.conn(), case, &data).await?;
        }
        if let Some(snap) = snap {
            crate::indicators::settle(w.conn(), snap).await?;
        }
        let after = read(w.conn(), actor, id).await?;
        w.audit(
            Note::new(action::UPDATE, "innovation", id)
                .summary(format!("{} {}", after.code, after.title))
                .before(&before)
                .after(&after),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Puts a counted result in the showcase (职工科技创新周) or takes it off.
    pub async fn showcase_innovation(
        &self,
        actor: &Actor,
        id: i64,
        s: &ShowcaseInput,
    ) -> Result<Innovation> {
        access::check(actor, Permission::ShowcaseInnovation)?;
        let mut w = self.write(actor).await?;
        let before = read(w.conn(), actor, id).await?;
        if !before.counted {
            return Err(invalid(
                "featured",
                Rule::Forbidden,
                "只有已认定的成果可以展示".into(),
                "only approved results can be showcased".into(),
            ));
        }
        let now = w.now;
        sqlx::query(
            "UPDATE innovations SET featured = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(i64::from(s.featured))
        .bind(now)
        .bind(id)
        .execute(w.conn())
        .await?;
        let after = read(w.conn(), actor, id).await?;
        let what = if s.featured {
            "入选展示"
        } else {
            "撤下展示"
        };
        w.audit(
            Note::new(action::UPDATE, "innovation", id)
                .summary(format!("{} {}：{what}", after.code, after.title)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }
}

fn checked(i: &InnovationInput) -> Result<InnovationFields> {
    check_innovation(&InnovationDraft {
        code: i.code.clone(),
        title: i.title.clone(),
        itype: i.itype.clone(),
        year: i.year,
        patent_no: i.patent_no.clone(),
        benefit_wan: i.benefit_wan.clone().unwrap_or_default(),
        summary: i.summary.clone(),
    })
    .map_err(StoreError::Invalid)
}

pub(super) async fn write_authors(
    conn: &mut AnyConnection,
    id: i64,
    authors: &[(i64, String)],
) -> Result<()> {
    for (pos, (worker, _)) in authors.iter().enumerate() {
        sqlx::query(
            "INSERT INTO innovation_authors (innovation_id, worker_id, position) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(worker)
        .bind(pos as i64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

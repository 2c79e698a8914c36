//! The `innovations` template (contracts.md): results already recognised, imported as
//! `recorded`, and every counted result exported in the same columns.
//!
//! 成果编号* (key), 成果名称*, 成果类型* (五小/合理化建议/技术革新/专利/其他), 单位信用代码*,
//! 完成人身份证号 (several, separated by ；or ;: registered workers in the importer's
//! area), 年份*, 专利号 (check digit; required for 专利; one result per patent),
//! 经济效益万元. A code filed on the platform is refused: its case decides it.
use super::register::write_authors;
use super::InnovationFilter;
use crate::access::{self, Permission};
use crate::audit::{action, Note};
use crate::engines::templates::{Checked, Fields, Written};
use crate::error::{Result, StoreError};
use crate::orgs;
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::innovations::{
    check_innovation, split_people, InnovationDraft, InnovationType,
};
use gongjiang_domain::{FieldError, Rule};
use serde_json::json;
use sqlx::{AnyConnection, Row};

fn get(f: &Fields, k: &str) -> String {
    f.get(k).cloned().unwrap_or_default()
}

fn draft(f: impl Fn(&str) -> String, year: Option<i64>) -> InnovationDraft {
    InnovationDraft {
        code: f("code"),
        title: f("title"),
        itype: f("type"),
        year,
        patent_no: f("patent_no"),
        benefit_wan: f("benefit_wan"),
        summary: String::new(),
    }
}

/// Checks an `innovations` row.
pub async fn check(
    svc: &Service,
    conn: &mut AnyConnection,
    actor: &Actor,
    f: &Fields,
) -> Result<Checked> {
    let mut errs = Vec::new();
    let year = get(f, "year").trim().parse().ok();
    let fields = check_innovation(&draft(|k| get(f, k), year))
        .map_err(|e| errs.extend(e))
        .ok();
    let key = get(f, "uscc");
    let org = orgs::find(conn, &actor.write_scope(), key.trim()).await?;
    if org.is_none() {
        errs.push(FieldError::new(
            "uscc",
            Rule::UnknownValue,
            format!("单位“{}”不存在或不在您的管辖范围内", key.trim()),
            format!(
                "organisation '{}' not found or outside your area",
                key.trim()
            ),
        ));
    }
    let mut authors = Vec::new();
    for k in split_people(&get(f, "id_numbers")) {
        match svc.find_worker(conn, &actor.write_scope(), &k).await? {
            Some(w) if !authors.contains(&w.id) => authors.push(w.id),
            Some(w) => errs.push(FieldError::new(
                "id_numbers",
                Rule::Duplicate,
                format!("完成人{}填写了两次", w.name),
                format!("{} is named twice", w.name),
            )),
            None => errs.push(FieldError::new(
                "id_numbers",
                Rule::UnknownValue,
                "完成人身份证号不在职工库中（或不在您的管辖范围内）",
                "a worker's 身份证号 is not in the registry (or outside your area)",
            )),
        }
    }
    let (Some(fields), Some(org), true) = (fields, org, errs.is_empty()) else {
        return Err(StoreError::Invalid(errs));
    };
    if !access::may(actor, Permission::FileInnovation { org_id: org.id }) {
        return Err(StoreError::Forbidden);
    }
    let existing = sqlx::query("SELECT id, status FROM innovations WHERE code = $1")
        .bind(&fields.code)
        .fetch_optional(&mut *conn)
        .await?;
    let existing = match existing {
        Some(r) if r.try_get::<String, _>(1)? == "recorded" => Some(r.try_get::<i64, _>(0)?),
        Some(_) => {
            return Err(StoreError::invalid(FieldError::new(
                "code",
                Rule::Forbidden,
                format!("成果编号“{}”已在平台上申报认定，不能导入覆盖", fields.code),
                format!("result code '{}' was filed on the platform", fields.code),
            )))
        }
        None => None,
    };
    if let Some(p) = &fields.patent_no {
        let other = sqlx::query("SELECT id FROM innovations WHERE patent_no = $1 AND code <> $2")
            .bind(p.as_str())
            .bind(&fields.code)
            .fetch_optional(&mut *conn)
            .await?;
        if other.is_some() {
            return Err(StoreError::invalid(FieldError::new(
                "patent_no",
                Rule::Duplicate,
                format!("专利号{p}已登记为另一项成果"),
                format!("patent {p} is recorded as another result already"),
            )));
        }
    }
    Ok(Checked {
        key: fields.code.clone(),
        key_field: "code",
        orgs: vec![org.id],
        existing,
        row: json!({
            "code": fields.code,
            "title": fields.title,
            "type": fields.itype.code(),
            "year": fields.year,
            "patent_no": fields.patent_no.as_ref().map(|p| p.as_str().to_string()).unwrap_or_default(),
            "benefit_wan": fields.benefit_x100.map(|b| format!("{}.{:02}", b / 100, b % 100)).unwrap_or_default(),
            "org": org.id,
            "authors": authors,
        }),
    })
}

/// Writes a checked `innovations` row (a recorded result).
pub async fn write(
    conn: &mut AnyConnection,
    actor: &Actor,
    c: &Checked,
    now: i64,
) -> Result<Written> {
    let r = &c.row;
    let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
    let f = check_innovation(&draft(s, r["year"].as_i64())).map_err(StoreError::Invalid)?;
    let org = r["org"].as_i64().unwrap_or_default();
    let authors: Vec<(i64, String)> = r["authors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_i64())
                .map(|i| (i, String::new()))
                .collect()
        })
        .unwrap_or_default();
    let patent = f.patent_no.as_ref().map(|p| p.as_str().to_string());
    let id = match c.existing {
        None => sqlx::query(
            "INSERT INTO innovations (code, title, itype, org_id, year, patent_no, benefit_x100, status, featured, created_by, \
             version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'recorded', 0, $8, 1, $9, $9) RETURNING id",
        )
        .bind(&f.code)
        .bind(&f.title)
        .bind(f.itype.code())
        .bind(org)
        .bind(f.year)
        .bind(&patent)
        .bind(f.benefit_x100)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
        .try_get::<i64, _>(0)?,
        Some(id) => {
            let same_authors: Vec<i64> = sqlx::query(
                "SELECT worker_id FROM innovation_authors WHERE innovation_id = $1 ORDER BY position",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?;
            let n = sqlx::query(
                "UPDATE innovations SET title = $1, itype = $2, org_id = $3, year = $4, patent_no = $5, benefit_x100 = $6, \
                 version = version + 1, updated_at = $7 WHERE id = $8 AND NOT (title = $1 AND itype = $2 AND org_id = $3 \
                 AND year = $4 AND COALESCE(patent_no, '') = COALESCE($5, '') AND COALESCE(benefit_x100, -1) = COALESCE($6, -1))",
            )
            .bind(&f.title)
            .bind(f.itype.code())
            .bind(org)
            .bind(f.year)
            .bind(&patent)
            .bind(f.benefit_x100)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            let wanted: Vec<i64> = authors.iter().map(|(i, _)| *i).collect();
            if n == 0 && same_authors == wanted {
                return Ok(Written::Unchanged);
            }
            sqlx::query("DELETE FROM innovation_authors WHERE innovation_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            write_authors(conn, id, &authors).await?;
            Note::new(action::UPDATE, "innovation", id)
                .summary(format!("{} {}（导入）", f.code, f.title))
                .write(conn, actor, now)
                .await?;
            return Ok(Written::Updated);
        }
    };
    write_authors(conn, id, &authors).await?;
    Note::new(action::CREATE, "innovation", id)
        .summary(format!("{} {}（导入）", f.code, f.title))
        .write(conn, actor, now)
        .await?;
    Ok(Written::Created)
}

/// Every counted result in the template's columns (within `region`). 身份证号 in full
/// for region staff (each full view audited by the registry), masked otherwise.
pub async fn export(
    svc: &Service,
    actor: &Actor,
    region: Option<&str>,
) -> Result<Vec<Vec<String>>> {
    let full = access::may(actor, Permission::Coordinate);
    let results = crate::sql::every_page(|page| async move {
        svc.list_innovations(
            actor,
            &InnovationFilter {
                status: Some("counted".into()),
                region: region.map(str::to_string),
                page,
                per_page: 500,
                ..Default::default()
            },
        )
        .await
    })
    .await?;
    let mut conn = svc.db.pool.acquire().await?;
    let codes = orgs::template_codes(&mut conn, results.iter().map(|i| i.org_id)).await?;
    let mut out = Vec::with_capacity(results.len());
    for i in results {
        let mut people = Vec::new();
        for a in &i.authors {
            people.push(if full {
                svc.reveal_worker(actor, a.worker_id)
                    .await
                    .map(|(n, _)| n)
                    .unwrap_or_default()
            } else {
                sqlx::query("SELECT id_masked FROM workers WHERE id = $1")
                    .bind(a.worker_id)
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get(0)?
            });
        }
        out.push(vec![
            i.code,
            i.title,
            InnovationType::from_any(&i.itype)
                .map_or(i.itype.clone(), |t| t.label_zh().to_string()),
            codes.get(&i.org_id).cloned().unwrap_or_default(),
            people.join("；"),
            i.year.to_string(),
            i.patent_no.unwrap_or_default(),
            i.benefit_wan.map(|b| format!("{b:.2}")).unwrap_or_default(),
        ]);
    }
    Ok(out)
}

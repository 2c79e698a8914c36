//! The `classes` template (contracts.md): 班级编号* [code], 班级名称* [name], 班级类型*
//! [type], 培训机构信用代码* [provider_uscc], 企业信用代码 [enterprise_uscc], 开班年份*
//! [year], 学员数* [trainees], 结业数 [completed] (≤ 学员数). Keyed by 班级编号; a row
//! of an existing class changes only these columns (its occupation, level and dates
//! stay), and the figures of a class with a roster stay the roster's.
use super::sql::{self, Place};
use super::{ClassInput, Filter};
use crate::audit::{action, Note};
use crate::engines::templates::{Checked, Fields, Written};
use crate::error::{Result, StoreError};
use crate::scope::{Actor, Resolved};
use crate::service::Service;
use gongjiang_domain::training::{check_class, ClassDraft, ClassType};
use gongjiang_domain::{FieldError, Rule};
use serde_json::json;
use sqlx::AnyConnection;

fn int(f: &Fields, k: &str) -> Option<i64> {
    f.get(k).and_then(|v| v.parse().ok())
}

/// Checks one row (the template's column names are the fields of its problems).
pub async fn check(
    svc: &Service,
    conn: &mut AnyConnection,
    actor: &Actor,
    f: &Fields,
) -> Result<Checked> {
    let _ = svc;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let code = gongjiang_domain::error::normalise_code(&get("code"));
    let existing = match sql::id_by_code(conn, &code).await? {
        Some(id) => {
            let scope = actor.write_scope().resolve(conn).await?;
            match sql::get(conn, &scope, id).await? {
                Some(c) => Some(c),
                None => {
                    return Err(StoreError::invalid(FieldError::new(
                        "code",
                        Rule::Forbidden,
                        format!("班级编号“{code}”已被您管辖范围以外的培训班使用"),
                        format!("class code '{code}' belongs to a class outside your area"),
                    )))
                }
            }
        }
        None => None,
    };
    // The template has no occupation, level or dates: an existing class keeps its own.
    let keep = |v: Option<String>| v.unwrap_or_default();
    let input = ClassInput {
        code: code.clone(),
        name: get("name"),
        ctype: get("type"),
        provider: get("provider_uscc"),
        enterprise: f.get("enterprise_uscc").cloned(),
        occupation: keep(existing.as_ref().and_then(|c| c.occupation.clone())),
        target_level: keep(existing.as_ref().and_then(|c| c.target_level.clone())),
        year: int(f, "year"),
        starts_on: keep(existing.as_ref().and_then(|c| c.starts_on.clone())),
        ends_on: keep(existing.as_ref().and_then(|c| c.ends_on.clone())),
        trainees: int(f, "trainees"),
        completed: int(f, "completed").or(Some(0)),
        version: None,
    };
    let (fields, at) = Service::check_class_input(conn, actor, &input)
        .await
        .map_err(|e| match e {
            StoreError::Invalid(mut v) => {
                for x in &mut v {
                    x.field = match x.field.as_str() {
                        "provider" => "provider_uscc".into(),
                        "enterprise" => "enterprise_uscc".into(),
                        other => other.into(),
                    };
                }
                StoreError::Invalid(v)
            }
            other => other,
        })?;
    let mut orgs = vec![at.org()];
    if let Some(c) = &existing {
        if c.org_id != at.org() {
            orgs.push(c.org_id);
        }
    }
    Ok(Checked {
        key: fields.code.clone(),
        key_field: "code",
        orgs,
        existing: existing.map(|c| c.id),
        row: json!({
            "code": fields.code,
            "name": fields.name,
            "type": fields.ctype.code(),
            "occupation": fields.occupation,
            "target_level": fields.target_level.map(|l| l.code()),
            "year": fields.year,
            "starts_on": fields.starts_on,
            "ends_on": fields.ends_on,
            "trainees": fields.trainees,
            "completed": fields.completed,
            "provider": at.provider,
            "enterprise": at.enterprise,
        }),
    })
}

/// Writes a checked row: inserts, updates or leaves the class as it is.
pub async fn write(
    conn: &mut AnyConnection,
    actor: &Actor,
    c: &Checked,
    now: i64,
) -> Result<Written> {
    let r = &c.row;
    let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
    let fields = check_class(&ClassDraft {
        code: s("code"),
        name: s("name"),
        ctype: s("type"),
        occupation: s("occupation"),
        target_level: s("target_level"),
        year: r["year"].as_i64(),
        starts_on: s("starts_on"),
        ends_on: s("ends_on"),
        trainees: r["trainees"].as_i64(),
        completed: r["completed"].as_i64(),
    })
    .map_err(StoreError::Invalid)?;
    let at = Place {
        provider: r["provider"].as_i64().unwrap_or_default(),
        enterprise: r["enterprise"].as_i64(),
    };
    match c.existing {
        None => {
            let id = sql::insert(conn, &fields, at, actor.user_id, now).await?;
            Note::new(action::CREATE, "class", id)
                .summary(format!("{} {}", fields.code, fields.name))
                .write(conn, actor, now)
                .await?;
            Ok(Written::Created)
        }
        Some(id) => {
            let before = sql::get(conn, &Resolved::All, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            let same = before.name == fields.name
                && before.ctype == fields.ctype.code()
                && before.provider_org_id == at.provider
                && before.enterprise_org_id == at.enterprise
                && before.year == fields.year
                && (before.roster > 0
                    || (before.trainees == fields.trainees
                        && before.completed == fields.completed));
            if same {
                return Ok(Written::Unchanged);
            }
            let n = sql::update(conn, id, before.version, &fields, at, now).await?;
            if n == 0 {
                return Err(StoreError::of(gongjiang_domain::Code::StaleVersion));
            }
            Note::new(action::UPDATE, "class", id)
                .summary(format!("{} {}", fields.code, fields.name))
                .before(&before)
                .write(conn, actor, now)
                .await?;
            Ok(Written::Updated)
        }
    }
}

/// Every class in the actor's area (within `region`), in the template's columns.
pub async fn export(
    svc: &Service,
    actor: &Actor,
    region: Option<&str>,
) -> Result<Vec<Vec<String>>> {
    let classes = crate::sql::every_page(|page| async move {
        svc.list_classes(
            actor,
            &Filter {
                region: region.map(str::to_string),
                page,
                per_page: 500,
                ..Default::default()
            },
        )
        .await
    })
    .await?;
    Ok(classes
        .into_iter()
        .map(|c| {
            vec![
                c.code,
                c.name,
                ClassType::from_any(&c.ctype)
                    .map(|t| t.label_zh().to_string())
                    .unwrap_or(c.ctype),
                c.provider_uscc
                    .unwrap_or_else(|| c.provider_org_id.to_string()),
                c.enterprise_uscc
                    .or(c.enterprise_org_id.map(|i| i.to_string()))
                    .unwrap_or_default(),
                c.year.to_string(),
                c.trainees.to_string(),
                c.completed.to_string(),
            ]
        })
        .collect())
}

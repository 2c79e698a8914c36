//! The `contests` and `contest_results` templates (contracts.md): records of contests
//! already held and their results, imported as history, and every contest exported in
//! the same columns.
//!
//! - `contests` (key 赛事编号): 赛事编号*, 赛事名称*, 级别*, 年份*, 工种*, 主办单位信用代码.
//!   An imported contest is closed history. Its 主办单位 is where it counts in
//!   `contests_held`: a unit's rows default to the unit itself; region staff name it
//!   (422 on `organiser_uscc` otherwise). A code used by a contest run on the platform is
//!   refused.
//! - `contest_results` (key 赛事编号+身份证号): 赛事编号*, 身份证号*, 名次*, 奖项, 授予荣誉,
//!   晋升等级. The contest is an imported one (a contest run here has its results from its
//!   ranking); the worker is in the registry, in the importer's area; 晋升等级 is above the
//!   worker's level. An honour is written into the designation registry; the result is
//!   a record of a decision taken, so the worker's level is not changed by it.
use super::plan::insert;
use super::{Filter, ResultRow};
use crate::access::{self, Permission};
use crate::audit::{action, Note};
use crate::designations::{self, NewDesignation};
use crate::engines::templates::{Checked, Fields, Written};
use crate::error::{Result, StoreError};
use crate::orgs;
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::contests::{
    check_code, check_contest, Award, ContestDraft, ContestLevel, Honour,
};
use gongjiang_domain::{FieldError, Rule, SkillLevel};
use serde_json::json;
use sqlx::{AnyConnection, Row};

fn get(f: &Fields, k: &str) -> String {
    f.get(k).cloned().unwrap_or_default()
}

async fn contest_by_code(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<(i64, String, Option<i64>, String, i64, String)>> {
    let r = sqlx::query(
        "SELECT id, status, plan_case_id, region_code, year, level FROM contests WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(conn)
    .await?;
    r.map(|r| {
        Ok((
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
            r.try_get(5)?,
        ))
    })
    .transpose()
}

/// Checks a `contests` row.
pub async fn check_contest_row(
    _svc: &Service,
    conn: &mut AnyConnection,
    actor: &Actor,
    f: &Fields,
) -> Result<Checked> {
    let mut errs = Vec::new();
    let fields = check_contest(&ContestDraft {
        code: get(f, "code"),
        name: get(f, "name"),
        level: get(f, "level"),
        year: f.get("year").and_then(|y| y.parse().ok()),
        occupation: get(f, "occupation"),
        ..ContestDraft::default()
    })
    .map_err(|e| errs.extend(e))
    .ok();
    let key = get(f, "organiser_uscc");
    let organiser = if key.trim().is_empty() {
        match access::own_org(actor) {
            Some(o) => orgs::get(conn, &actor.write_scope(), o).await?,
            None => {
                errs.push(FieldError::new(
                    "organiser_uscc",
                    Rule::Required,
                    "请填写主办单位信用代码（竞赛场次按主办单位统计）",
                    "name the organiser: contests are counted where they are organised",
                ));
                None
            }
        }
    } else {
        let o = orgs::find(conn, &actor.write_scope(), key.trim()).await?;
        if o.is_none() {
            errs.push(FieldError::new(
                "organiser_uscc",
                Rule::UnknownValue,
                format!("主办单位“{}”不存在或不在您的管辖范围内", key.trim()),
                format!("organiser '{}' not found or outside your area", key.trim()),
            ));
        }
        o
    };
    let (Some(fields), Some(organiser), true) = (fields, organiser, errs.is_empty()) else {
        return Err(StoreError::Invalid(errs));
    };
    let existing = match contest_by_code(conn, &fields.code).await? {
        Some((id, status, plan, ..)) if status == "closed" && plan.is_none() => Some(id),
        Some(_) => {
            return Err(StoreError::invalid(FieldError::new(
                "code",
                Rule::Forbidden,
                format!(
                    "赛事编号“{}”已用于在平台上组织的竞赛，不能导入覆盖",
                    fields.code
                ),
                format!(
                    "contest code '{}' belongs to a contest run on the platform",
                    fields.code
                ),
            )))
        }
        None => None,
    };
    // An enterprise-level contest is owned by the enterprise's region; the others by the
    // importer's region (the organiser's, for the operator).
    let region = match (fields.level, &actor.region_code) {
        (ContestLevel::Enterprise, _) | (_, None) => organiser.region_code.clone(),
        (_, Some(r)) => r.clone(),
    };
    Ok(Checked {
        key: fields.code.clone(),
        key_field: "code",
        orgs: vec![organiser.id],
        existing,
        row: json!({
            "code": fields.code,
            "name": fields.name,
            "level": fields.level.code(),
            "year": fields.year,
            "occupation": fields.occupation,
            "organiser": organiser.id,
            "region": region,
        }),
    })
}

/// Writes a checked `contests` row.
pub async fn write_contest_row(
    conn: &mut AnyConnection,
    actor: &Actor,
    c: &Checked,
    now: i64,
) -> Result<Written> {
    let r = &c.row;
    let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
    let fields = check_contest(&ContestDraft {
        code: s("code"),
        name: s("name"),
        level: s("level"),
        year: r["year"].as_i64(),
        occupation: s("occupation"),
        ..ContestDraft::default()
    })
    .map_err(StoreError::Invalid)?;
    let organiser = r["organiser"].as_i64();
    match c.existing {
        None => {
            let id = insert(
                conn,
                &fields,
                &s("region"),
                organiser,
                "closed",
                actor.user_id,
                now,
            )
            .await?;
            Note::new(action::CREATE, "contest", id)
                .summary(format!("{} {}（导入）", fields.code, fields.name))
                .write(conn, actor, now)
                .await?;
            Ok(Written::Created)
        }
        Some(id) => {
            let n = sqlx::query(
                "UPDATE contests SET name = $1, level = $2, year = $3, occupation = $4, organiser_org_id = $5, region_code = $6, \
                 version = version + 1, updated_at = $7 WHERE id = $8 AND NOT (name = $1 AND level = $2 AND year = $3 \
                 AND occupation = $4 AND organiser_org_id = $5 AND region_code = $6)",
            )
            .bind(&fields.name)
            .bind(fields.level.code())
            .bind(fields.year)
            .bind(&fields.occupation)
            .bind(organiser)
            .bind(s("region"))
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Ok(Written::Unchanged);
            }
            Note::new(action::UPDATE, "contest", id)
                .summary(format!("{} {}（导入）", fields.code, fields.name))
                .write(conn, actor, now)
                .await?;
            Ok(Written::Updated)
        }
    }
}

/// Every contest in the template's columns (within `region`: those owned there).
pub async fn export_contests(
    svc: &Service,
    actor: &Actor,
    region: Option<&str>,
) -> Result<Vec<Vec<String>>> {
    let contests = crate::sql::every_page(|page| async move {
        svc.list_contests(
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
    let mut conn = svc.db.pool.acquire().await?;
    let codes = orgs::template_codes(
        &mut conn,
        contests.iter().filter_map(|c| c.organiser_org_id),
    )
    .await?;
    let mut out = Vec::with_capacity(contests.len());
    for c in contests {
        let uscc = c
            .organiser_org_id
            .and_then(|o| codes.get(&o).cloned())
            .unwrap_or_default();
        out.push(vec![
            c.code,
            c.name,
            ContestLevel::from_any(&c.level).map_or(c.level.clone(), |l| l.label_zh().to_string()),
            c.year.to_string(),
            c.occupation,
            uscc,
        ]);
    }
    Ok(out)
}

fn choice<T>(
    f: &Fields,
    k: &str,
    label: (&str, &str),
    parse: fn(&str) -> Option<T>,
    allowed: &str,
    errs: &mut Vec<FieldError>,
) -> Option<T> {
    let v = get(f, k);
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let p = parse(v);
    if p.is_none() {
        errs.push(FieldError::new(
            k,
            Rule::UnknownValue,
            format!("{}“{v}”无效，应为：{allowed}", label.0),
            format!("unknown {} '{v}'", label.1),
        ));
    }
    p
}

/// Checks a `contest_results` row.
pub async fn check_result_row(
    svc: &Service,
    conn: &mut AnyConnection,
    actor: &Actor,
    f: &Fields,
) -> Result<Checked> {
    let mut errs = Vec::new();
    let code = check_code("contest_code", &get(f, "contest_code"), &mut errs);
    let place = match get(f, "rank").trim().parse::<i64>() {
        Ok(n) if (1..=100_000).contains(&n) => Some(n),
        _ => {
            errs.push(FieldError::new(
                "rank",
                Rule::BadFormat,
                "名次须为正整数",
                "the rank is a positive whole number",
            ));
            None
        }
    };
    let award = choice(
        f,
        "award",
        ("奖项", "award"),
        Award::from_any,
        "一等奖、二等奖、三等奖、优秀奖",
        &mut errs,
    );
    let honour = choice(
        f,
        "honour",
        ("授予荣誉", "honour"),
        Honour::from_any,
        "技术能手、五一劳动奖章、无",
        &mut errs,
    )
    .filter(|h| *h != Honour::NoHonour);
    let promoted = choice(
        f,
        "promoted_to",
        ("晋升等级", "level"),
        SkillLevel::parse,
        "八级工等级",
        &mut errs,
    );
    let contest = if code.is_empty() {
        None
    } else {
        match contest_by_code(conn, &code).await? {
            Some((id, status, plan, region, year, level))
                if status == "closed" && plan.is_none() =>
            {
                Some((id, region, year, level))
            }
            Some(_) => {
                errs.push(FieldError::new(
                    "contest_code",
                    Rule::Forbidden,
                    format!("竞赛“{code}”在平台上评分，结果由锁定后的排名经公示生成，不能导入"),
                    format!("contest '{code}' is run on the platform: its results come from its ranking"),
                ));
                None
            }
            None => {
                errs.push(FieldError::new(
                    "contest_code",
                    Rule::UnknownValue,
                    format!("赛事编号“{code}”不存在，请先导入竞赛"),
                    format!("no contest '{code}': import the contests first"),
                ));
                None
            }
        }
    };
    let id_key = gongjiang_domain::error::normalise_code(&get(f, "id_number")).to_ascii_uppercase();
    let worker = if id_key.is_empty() {
        errs.push(FieldError::required("id_number", "身份证号", "ID number"));
        None
    } else {
        let w = svc.find_worker(conn, &actor.read_scope(), &id_key).await?;
        if w.is_none() {
            errs.push(FieldError::new(
                "id_number",
                Rule::UnknownValue,
                "该身份证号未在职工库登记，或不在您的管辖范围内",
                "this ID number is not in the worker registry, or is outside your area",
            ));
        }
        w
    };
    if let (Some(w), Some(to)) = (&worker, promoted) {
        if w.level.is_some_and(|l| to.rank() <= l.rank()) {
            errs.push(FieldError::new(
                "promoted_to",
                Rule::Forbidden,
                format!("晋升等级{}须高于该职工现有等级", to.label_zh()),
                format!(
                    "the level promoted to ({}) must be above the worker's own",
                    to.code()
                ),
            ));
        }
    }
    let (Some((contest, _, year, level)), Some(w), Some(place), true) =
        (contest, worker, place, errs.is_empty())
    else {
        return Err(StoreError::Invalid(errs));
    };
    let existing: Option<i64> =
        sqlx::query("SELECT id FROM contest_results WHERE contest_id = $1 AND worker_id = $2")
            .bind(contest)
            .bind(w.id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
    Ok(Checked {
        key: format!("{code}+{id_key}"),
        key_field: "id_number",
        orgs: vec![w.org_id],
        existing,
        row: json!({
            "contest": contest,
            "contest_code": code,
            "year": year,
            "level": level,
            "worker": w.id,
            "worker_name": w.name,
            "org": w.org_id,
            "place": place,
            "award": award.map(Award::code),
            "honour": honour.map(Honour::code),
            "promoted_to": promoted.map(SkillLevel::code),
        }),
    })
}

/// Writes a checked `contest_results` row (and its honour into the registry).
pub async fn write_result_row(
    conn: &mut AnyConnection,
    actor: &Actor,
    c: &Checked,
    now: i64,
) -> Result<Written> {
    let r = &c.row;
    let int = |k: &str| r[k].as_i64().unwrap_or_default();
    let opt = |k: &str| r[k].as_str().map(str::to_string);
    let designation = match opt("honour") {
        Some(h) => {
            let d = NewDesignation {
                dtype: h,
                level: r["level"].as_str().unwrap_or("city").to_string(),
                year: int("year"),
                holder_org_id: int("org"),
                holder_worker_id: int("worker"),
                holder_name: opt("worker_name"),
                document_no: opt("contest_code"),
            };
            Some(match designations::id_by_key(conn, &d).await? {
                Some(id) => id,
                None => designations::insert(conn, &d, now).await?,
            })
        }
        None => None,
    };
    let written = match c.existing {
        None => {
            sqlx::query(
                "INSERT INTO contest_results (contest_id, worker_id, org_id, place, award, honour, promoted_to, is_final, designation_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $9)",
            )
            .bind(int("contest"))
            .bind(int("worker"))
            .bind(int("org"))
            .bind(int("place"))
            .bind(opt("award"))
            .bind(opt("honour"))
            .bind(opt("promoted_to"))
            .bind(designation)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Written::Created
        }
        Some(id) => {
            let n = sqlx::query(
                "UPDATE contest_results SET place = $1, award = $2, honour = $3, promoted_to = $4, designation_id = COALESCE($5, designation_id), \
                 updated_at = $6 WHERE id = $7 AND NOT (place = $1 AND COALESCE(award, '') = COALESCE($2, '') \
                 AND COALESCE(honour, '') = COALESCE($3, '') AND COALESCE(promoted_to, '') = COALESCE($4, ''))",
            )
            .bind(int("place"))
            .bind(opt("award"))
            .bind(opt("honour"))
            .bind(opt("promoted_to"))
            .bind(designation)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Ok(Written::Unchanged);
            }
            Written::Updated
        }
    };
    Note::new(
        if written == Written::Created {
            action::CREATE
        } else {
            action::UPDATE
        },
        "contest_result",
        int("contest"),
    )
    .summary(format!(
        "{} · {} 第{}名（导入）",
        r["contest_code"].as_str().unwrap_or(""),
        r["worker_name"].as_str().unwrap_or(""),
        int("place")
    ))
    .write(conn, actor, now)
    .await?;
    Ok(written)
}

/// Every final result of the contests in the actor's view (within `region`), in the
/// template's columns; the full 身份证号 only where the role may see it (each view
/// audited), otherwise masked.
pub async fn export_results(
    svc: &Service,
    actor: &Actor,
    region: Option<&str>,
) -> Result<Vec<Vec<String>>> {
    let mut out = Vec::new();
    let contests = export_contests(svc, actor, region).await?;
    let full = access::may(actor, Permission::Coordinate);
    for c in contests {
        let mut conn = svc.db.pool.acquire().await?;
        let Some((id, ..)) = contest_by_code(&mut conn, &c[0]).await? else {
            continue;
        };
        let rows: Vec<ResultRow> = super::results::results(&mut conn, id).await?;
        drop(conn);
        for r in rows.into_iter().filter(|r| r.is_final) {
            let id_number = if full {
                svc.reveal_worker(actor, r.worker_id)
                    .await
                    .map(|(n, _)| n)
                    .unwrap_or_default()
            } else {
                let mut conn = svc.db.pool.acquire().await?;
                sqlx::query("SELECT id_masked FROM workers WHERE id = $1")
                    .bind(r.worker_id)
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get(0)?
            };
            out.push(vec![
                c[0].clone(),
                id_number,
                r.rank.to_string(),
                r.award
                    .as_deref()
                    .and_then(Award::from_any)
                    .map(|a| a.label_zh().to_string())
                    .unwrap_or_default(),
                r.honour
                    .as_deref()
                    .and_then(Honour::from_any)
                    .map(|h| h.label_zh().to_string())
                    .unwrap_or_default(),
                r.promoted_to
                    .as_deref()
                    .and_then(SkillLevel::parse)
                    .map(|l| l.label_zh().to_string())
                    .unwrap_or_default(),
            ]);
        }
    }
    Ok(out)
}

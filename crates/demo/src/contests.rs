//! The demo's 劳动和技能竞赛, run on the platform as they would be: in the last complete
//! year two city contests of the “建功532 奋进新时代” series and one contest in each of
//! two districts, each planned, approved, marked (paper marks entered by the office and
//! confirmed by a judge, judgement aspects scored by three judges), locked, published on
//! 公示 and decided — so their honours are in the registry and their 以赛促评 promotions
//! are open (人社 has decided the first contest's); and in the current year one city
//! contest still being marked, so its page shows a live ranking with an aspect flagged
//! for re-scoring.
use crate::{act, DemoClock};
use gongjiang_storage::contests::{
    AspectInput, ContestInput, ContestSchemeInput, EntryInput, JudgeInput, MarkInput,
};
use gongjiang_storage::scope::Actor;
use gongjiang_storage::service::Service;
use gongjiang_storage::StoreError;
use sqlx::Row;

/// The judges: the assessment's expert panel and the demo expert.
const JUDGES: &[&str] = &["expert2", "expert3", "expert4"];

struct Plan {
    code: String,
    name: String,
    level: &'static str,
    year: i64,
    /// A district's code: entrants from there, planned by its account; else city-wide.
    district: Option<(&'static str, &'static str)>,
    /// Which occupation by size: 0 the largest.
    occupation_rank: usize,
    entrants: usize,
    /// How far it goes: the whole way, or still being marked.
    finished: bool,
}

fn scheme() -> ContestSchemeInput {
    let judged = |name: &str, weight: f64, d: [&str; 4]| AspectInput {
        name: name.into(),
        kind: "judgement".into(),
        weight: Some(weight),
        descriptors: d.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    ContestSchemeInput {
        aspects: vec![
            AspectInput {
                name: "实操作品精度".into(),
                kind: "measurement".into(),
                weight: Some(40.0),
                max_mark: Some(100.0),
                ..Default::default()
            },
            AspectInput {
                name: "关键尺寸公差".into(),
                kind: "measurement".into(),
                weight: Some(20.0),
                tolerance: Some(0.02),
                ..Default::default()
            },
            judged(
                "工艺规范",
                20.0,
                [
                    "不符合工艺文件要求",
                    "基本符合，存在明显疏漏",
                    "符合工艺文件要求",
                    "规范熟练，有改进创新",
                ],
            ),
            judged(
                "安全文明生产",
                20.0,
                [
                    "有违章操作",
                    "基本规范，现场欠整洁",
                    "操作规范，现场整洁",
                    "规范示范，可作标杆",
                ],
            ),
        ],
        publish: true,
        version: None,
    }
}

/// A deterministic spread of marks: entrant k's paper mark, deviation and judgement
/// scores (three judges within one point of each other, except where `flag` asks).
fn marks_for(k: usize, n: usize) -> (f64, f64, [[i64; 3]; 2]) {
    let strength = (n - k) as f64 / n as f64; // 1.0 for the first, falling
    let paper = (62.0 + 36.0 * strength - ((k * 7) % 5) as f64).min(100.0);
    let deviation = if k % 4 == 3 { 0.035 } else { 0.01 };
    let base = if strength > 0.66 {
        3
    } else if strength > 0.33 {
        2
    } else {
        1
    };
    let s = |j: usize| (base - i64::from((k + j).is_multiple_of(3) && base > 0)).max(0);
    (paper, deviation, [[s(0), s(1), s(2)], [base, s(2), base]])
}

async fn workers(
    svc: &Service,
    district: Option<&str>,
    occupation_rank: usize,
    n: usize,
    skip: &[i64],
) -> Result<(String, Vec<i64>), StoreError> {
    let mut conn = svc.db.pool.acquire().await?;
    let like = format!("{}%", district.unwrap_or("3204"));
    let eligible = "w.skill_level IN ('junior', 'intermediate', 'senior', 'technician') AND w.occupation IS NOT NULL";
    let occs: Vec<String> = sqlx::query(&format!(
        "SELECT w.occupation FROM workers w JOIN orgs o ON o.id = w.org_id \
         WHERE o.region_code LIKE $1 AND {eligible} GROUP BY w.occupation ORDER BY COUNT(*) DESC, w.occupation"
    ))
    .bind(&like)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<_, _>>()?;
    let Some(occ) = occs
        .get(occupation_rank.min(occs.len().saturating_sub(1)))
        .cloned()
    else {
        return Ok((String::new(), Vec::new()));
    };
    let ids: Vec<i64> = sqlx::query(&format!(
        "SELECT w.id FROM workers w JOIN orgs o ON o.id = w.org_id \
         WHERE o.region_code LIKE $1 AND w.occupation = $2 AND {eligible} ORDER BY w.id"
    ))
    .bind(&like)
    .bind(&occ)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<Vec<i64>, _>>()?
    .into_iter()
    .filter(|id| !skip.contains(id))
    .take(n)
    .collect();
    Ok((occ, ids))
}

/// Midnight of a `YYYY-MM-DD` day, in ms.
fn day_ms(ymd: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(ymd, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(0, |d| d.and_utc().timestamp_millis())
}

/// Runs the demo's contests; returns how many.
pub async fn seed_contests(svc: &Service, clock: &DemoClock) -> Result<usize, StoreError> {
    let (Some(city), Some(admin)) = (
        crate::account(svc, "city").await?,
        crate::account(svc, "admin").await?,
    ) else {
        return Ok(0);
    };
    let mut judges = Vec::new();
    for j in JUDGES {
        match crate::account(svc, j).await? {
            Some(a) => judges.push(a),
            None => return Ok(0),
        }
    }
    let (last, this) = (clock.base_year(), clock.this_year());
    let plans = [
        Plan {
            code: format!("JS-{last}-001"),
            name: format!("{last}年常州市“建功532 奋进新时代”职工职业技能竞赛"),
            level: "city",
            year: last,
            district: None,
            occupation_rank: 0,
            entrants: 16,
            finished: true,
        },
        Plan {
            code: format!("JS-{last}-002"),
            name: format!("{last}年常州市“建功532”新能源产业技能比武"),
            level: "city",
            year: last,
            district: None,
            occupation_rank: 1,
            entrants: 12,
            finished: true,
        },
        Plan {
            code: format!("TN-{last}-001"),
            name: format!("{last}年天宁区职工岗位练兵技能竞赛"),
            level: "district",
            year: last,
            district: Some(("320402", "tianning")),
            occupation_rank: 0,
            entrants: 8,
            finished: true,
        },
        Plan {
            code: format!("WJ-{last}-001"),
            name: format!("{last}年武进区“智造工匠”技能竞赛"),
            level: "district",
            year: last,
            district: Some(("320412", "wujin")),
            occupation_rank: 0,
            entrants: 8,
            finished: true,
        },
        Plan {
            code: format!("JS-{this}-001"),
            name: format!("{this}年常州市“建功532 奋进新时代”职工职业技能竞赛"),
            level: "city",
            year: this,
            district: None,
            occupation_rank: 2,
            entrants: 12,
            finished: false,
        },
    ];
    let renshe = crate::account(svc, "renshe").await?;
    let mut n = 0;
    let mut used: Vec<i64> = Vec::new();
    for (i, p) in plans.iter().enumerate() {
        let owner = match p.district {
            Some((_, account)) => match crate::account(svc, account).await? {
                Some(a) => a,
                None => continue,
            },
            None => city.clone(),
        };
        let (occupation, entrants) = workers(
            svc,
            p.district.map(|d| d.0),
            p.occupation_rank,
            p.entrants,
            &used,
        )
        .await?;
        if entrants.len() < 3 {
            continue;
        }
        used.extend(&entrants);
        // Organised by the trade union of the contest's region.
        let region = p.district.map_or("320400", |d| d.0);
        let organiser: Option<i64> = {
            let mut conn = svc.db.pool.acquire().await?;
            sqlx::query(
                "SELECT id FROM orgs WHERE region_code = $1 AND name LIKE '%总工会' ORDER BY id",
            )
            .bind(region)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?
        };
        let c = svc
            .create_contest(
                &owner,
                &ContestInput {
                    code: p.code.clone(),
                    name: format!("{}（{occupation}）", p.name),
                    level: p.level.into(),
                    year: Some(p.year),
                    occupation: occupation.clone(),
                    min_level: String::new(),
                    max_level: "technician".into(),
                    organiser: organiser.map(|o| o.to_string()),
                    starts_on: clock.date(p.year, if p.finished { "05-12" } else { "04-20" }),
                    ends_on: clock.date(p.year, if p.finished { "05-14" } else { "12-20" }),
                    first_prizes: Some(1),
                    second_prizes: Some(2),
                    third_prizes: Some(3),
                    merit_prizes: Some(4),
                    honour_top: Some(3),
                    medal_top: Some(i64::from(p.level == "city")),
                    promote_top: Some(3),
                    version: None,
                },
            )
            .await?;
        n += 1;
        svc.set_contest_scheme(&owner, c.id, &scheme()).await?;
        for j in JUDGES {
            svc.add_contest_judge(
                &owner,
                c.id,
                &JudgeInput {
                    username: (*j).into(),
                },
            )
            .await?;
        }
        let c = svc.submit_contest(&owner, c.id).await?;
        if let Some(case) = c.plan_case_id {
            svc.act(&admin, case, &act("accept", "同意举办")).await?;
        }
        let aspects = svc.contest_scheme(&owner, c.id).await?;
        let mut entries = Vec::new();
        for w in &entrants {
            entries.push(
                svc.enter_contest(
                    &owner,
                    c.id,
                    &EntryInput {
                        worker: w.to_string(),
                    },
                )
                .await?
                .id,
            );
        }
        // Marked: all of a finished contest; two thirds of the current one, the last of
        // those with judges two points apart on 工艺规范 (flagged for re-scoring).
        let marked = if p.finished {
            entries.len()
        } else {
            entries.len() * 2 / 3
        };
        for (k, entry) in entries.iter().take(marked).enumerate() {
            let (paper, deviation, mut scores) = marks_for(k, entries.len());
            if !p.finished && k + 1 == marked {
                scores[0] = [1, 3, 2];
            }
            for (aspect, value) in [(&aspects[0], paper), (&aspects[1], deviation)] {
                let m = svc
                    .keep_mark(
                        &owner,
                        c.id,
                        &MarkInput {
                            entry: *entry,
                            aspect: aspect.id,
                            value: Some(value),
                        },
                    )
                    .await?;
                svc.confirm_mark(&judges[k % judges.len()], c.id, m.id)
                    .await?;
            }
            let judged = [(&aspects[2], scores[0]), (&aspects[3], scores[1])];
            let marks: Vec<(&Actor, MarkInput)> = judged
                .iter()
                .flat_map(|(a, s)| {
                    judges.iter().zip(s).map(|(j, v)| {
                        (
                            j,
                            MarkInput {
                                entry: *entry,
                                aspect: a.id,
                                value: Some(*v as f64),
                            },
                        )
                    })
                })
                .collect();
            for (j, m) in marks {
                svc.keep_mark(j, c.id, &m).await?;
            }
        }
        if !p.finished {
            continue;
        }
        svc.lock_contest(&owner, c.id).await?;
        let c = svc.publish_contest(&owner, c.id).await?;
        let Some(case) = c.results_case_id else {
            continue;
        };
        // The notice ran its five days after the contest.
        {
            let mut conn = svc.db.pool.acquire().await?;
            sqlx::query("UPDATE wf_cases SET due_at = $1 WHERE id = $2")
                .bind(day_ms(&clock.date(p.year, "05-25")))
                .bind(case)
                .execute(&mut *conn)
                .await?;
        }
        svc.act(&admin, case, &act("accept", "公示期满无异议，确认竞赛结果"))
            .await?;
        // 人社 has decided the first contest's promotions; the others wait in its inbox.
        if let (0, Some(renshe)) = (i, &renshe) {
            for r in svc.contest_results(&owner, c.id).await? {
                if let Some(pc) = r.promotion_case_id {
                    svc.act(renshe, pc, &act("accept", "竞赛成绩属实，同意晋升"))
                        .await?;
                }
            }
        }
    }
    Ok(n)
}

//! The demo's 工匠培育: in the last complete year a district round in 天宁区 and in 武进区
//! (their towns nominating), a town round (its enterprises nominating) and an enterprise
//! round (the demo unit's own), each nomination reviewed, scored by three experts, on
//! 公示 and decided — so the registry holds district, town and enterprise craftsmen —
//! and in the current year the city's 龙城工匠 round with the districts' nominations
//! waiting for the city's review.
use crate::{act, DemoClock};
use gongjiang_domain::Role;
use gongjiang_storage::craftsmen::{CraftsmanRoundInput, NominationInput};
use gongjiang_storage::scope::Actor;
use gongjiang_storage::service::Service;
use gongjiang_storage::StoreError;
use sqlx::Row;

const EXPERTS: &[&str] = &["expert", "expert2", "expert3"];

const REASONS: &[&str] = &[
    "扎根一线二十年，攻克关键工序精度难题，主持的工艺改进年创效益三百余万元；带徒十二名，其中五人取得技师资格。",
    "省级技能大赛一等奖获得者，牵头建立班组标准化作业体系，获国家实用新型专利四项，多次承担新员工实训授课。",
    "长期从事设备维护，首创“预防性点检法”使设备故障率下降四成，所带班组获评市级工人先锋号。",
];

fn region_actor(role: Role, region: &str) -> Actor {
    Actor {
        role,
        region_code: Some(region.to_string()),
        org_id: None,
        ..Actor::system("demo-office")
    }
}

fn unit_actor(org: i64) -> Actor {
    Actor {
        role: Role::Unit,
        org_id: Some(org),
        region_code: None,
        ..Actor::system("demo-unit")
    }
}

/// The best-skilled workers of a region's (or an enterprise's) subtree, not yet used.
async fn best_workers(
    svc: &Service,
    region: Option<&str>,
    org: Option<i64>,
    n: usize,
    used: &mut Vec<i64>,
) -> Result<Vec<i64>, StoreError> {
    let mut conn = svc.db.pool.acquire().await?;
    let rows = sqlx::query(
        "SELECT w.id FROM workers w JOIN orgs o ON o.id = w.org_id \
         WHERE ($1 = '' OR o.region_code LIKE $1 || '%') AND ($2 = 0 OR o.id = $2) \
         ORDER BY CASE w.skill_level WHEN 'chief' THEN 0 WHEN 'principal' THEN 1 WHEN 'senior_technician' THEN 2 \
         WHEN 'technician' THEN 3 WHEN 'senior' THEN 4 ELSE 5 END, w.id LIMIT 200",
    )
    .bind(region.unwrap_or(""))
    .bind(org.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let id: i64 = r.try_get(0)?;
        if !used.contains(&id) {
            used.push(id);
            out.push(id);
            if out.len() == n {
                break;
            }
        }
    }
    Ok(out)
}

/// Towns of a district, in order.
async fn towns(svc: &Service, district: &str, n: usize) -> Result<Vec<String>, StoreError> {
    let mut conn = svc.db.pool.acquire().await?;
    sqlx::query("SELECT code FROM regions WHERE parent_code = $1 ORDER BY sort, code")
        .bind(district)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .take(n)
        .map(|r| r.try_get(0).map_err(StoreError::from))
        .collect()
}

struct Offices {
    city: Actor,
    experts: Vec<Actor>,
}

/// Takes a submitted nomination through review, expert scoring, 公示 and the decision
/// (`decider`: the office that runs the expert stage and decides — the round's own).
async fn decide(
    svc: &Service,
    o: &Offices,
    reviewer: Option<&Actor>,
    decider: &Actor,
    case: i64,
    k: usize,
    year: i64,
) -> Result<(), StoreError> {
    if let Some(r) = reviewer {
        svc.act(r, case, &act("accept", "材料属实，同意推荐"))
            .await?;
    }
    for e in EXPERTS {
        svc.assign_case_expert(decider, case, e).await?;
    }
    for (j, e) in o.experts.iter().enumerate() {
        let score = 84.0 + ((k * 5 + j * 3) % 12) as f64;
        svc.score_case(e, case, score, Some("技艺精湛，示范带动作用明显"))
            .await?;
    }
    svc.act(decider, case, &act("accept", "专家评审通过，进入公示"))
        .await?;
    {
        let due = chrono::NaiveDate::from_ymd_opt(year as i32, 9, 30)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(0, |d| d.and_utc().timestamp_millis());
        let mut conn = svc.db.pool.acquire().await?;
        sqlx::query("UPDATE wf_cases SET due_at = $1 WHERE id = $2")
            .bind(due)
            .bind(case)
            .execute(&mut *conn)
            .await?;
    }
    svc.act(decider, case, &act("accept", "公示期满无异议，授予称号"))
        .await?;
    Ok(())
}

/// Runs the demo's selection rounds; returns how many titles were conferred.
pub async fn seed_craftsmen(svc: &Service, clock: &DemoClock) -> Result<usize, StoreError> {
    let Some(city) = crate::account(svc, "city").await? else {
        return Ok(0);
    };
    let mut experts = Vec::new();
    for e in EXPERTS {
        match crate::account(svc, e).await? {
            Some(a) => experts.push(a),
            None => return Ok(0),
        }
    }
    let o = Offices { city, experts };
    let (last, this) = (clock.base_year(), clock.this_year());
    let mut used = Vec::new();
    let mut conferred = 0;
    // District rounds: three towns nominate two each.
    for (district, account, name) in [
        ("320402", "tianning", "天宁区"),
        ("320412", "wujin", "武进区"),
    ] {
        let Some(office) = crate::account(svc, account).await? else {
            continue;
        };
        let r = svc
            .create_craftsman_round(
                &office,
                &CraftsmanRoundInput {
                    name: format!("{last}年度{name}工匠评选"),
                    level: "district".into(),
                    year: Some(last),
                    titles: Some(6),
                    quota: Some(2),
                    closes_on: clock.date(last, "06-30"),
                },
            )
            .await?;
        let mut k = 0;
        for town in towns(svc, district, 3).await? {
            let nominator = region_actor(Role::Town, &town);
            for w in best_workers(svc, Some(&town), None, 2, &mut used).await? {
                let n = svc
                    .nominate_craftsman(
                        &nominator,
                        r.id,
                        &NominationInput {
                            worker: w.to_string(),
                            reason: REASONS[k % REASONS.len()].into(),
                        },
                    )
                    .await?;
                if let Some(case) = n.case_id {
                    decide(svc, &o, Some(&office), &office, case, k, last).await?;
                    conferred += 1;
                }
                k += 1;
            }
        }
    }
    // A town round: three enterprises of the town nominate one each.
    let town = towns(svc, "320402", 1).await?.pop();
    if let Some(town) = town {
        let office = region_actor(Role::Town, &town);
        let r = svc
            .create_craftsman_round(
                &office,
                &CraftsmanRoundInput {
                    name: format!("{last}年度镇（街道）工匠评选"),
                    level: "town".into(),
                    year: Some(last),
                    titles: Some(3),
                    quota: Some(1),
                    closes_on: clock.date(last, "05-31"),
                },
            )
            .await?;
        let orgs: Vec<i64> = {
            let mut conn = svc.db.pool.acquire().await?;
            sqlx::query(
                "SELECT o.id FROM orgs o WHERE o.kind = 'enterprise' AND o.region_code LIKE $1 || '%' \
                 AND EXISTS (SELECT 1 FROM workers w WHERE w.org_id = o.id) ORDER BY o.id LIMIT 3",
            )
            .bind(&town)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?
        };
        for (k, org) in orgs.iter().enumerate() {
            for w in best_workers(svc, None, Some(*org), 1, &mut used).await? {
                let n = svc
                    .nominate_craftsman(
                        &unit_actor(*org),
                        r.id,
                        &NominationInput {
                            worker: w.to_string(),
                            reason: REASONS[k % REASONS.len()].into(),
                        },
                    )
                    .await?;
                if let Some(case) = n.case_id {
                    decide(svc, &o, Some(&office), &office, case, k, last).await?;
                    conferred += 1;
                }
            }
        }
    }
    // An enterprise round: the demo unit's own.
    if let Some(unit) = crate::account(svc, "unit").await? {
        if let Some(org) = unit.org_id {
            // An enterprise's own round is decided by its area (its district).
            let district: Option<String> = {
                let mut conn = svc.db.pool.acquire().await?;
                sqlx::query("SELECT region_l2 FROM orgs WHERE id = $1")
                    .bind(org)
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get(0)?
            };
            let area = match district {
                Some(d) => region_actor(Role::District, &d),
                None => o.city.clone(),
            };
            let r = svc
                .create_craftsman_round(
                    &unit,
                    &CraftsmanRoundInput {
                        name: format!("{last}年度企业工匠评选"),
                        level: "enterprise".into(),
                        year: Some(last),
                        titles: Some(2),
                        quota: Some(2),
                        closes_on: String::new(),
                    },
                )
                .await?;
            for (k, w) in best_workers(svc, None, Some(org), 2, &mut used)
                .await?
                .into_iter()
                .enumerate()
            {
                let n = svc
                    .nominate_craftsman(
                        &unit,
                        r.id,
                        &NominationInput {
                            worker: w.to_string(),
                            reason: REASONS[k % REASONS.len()].into(),
                        },
                    )
                    .await?;
                if let Some(case) = n.case_id {
                    decide(svc, &o, None, &area, case, k, last).await?;
                    conferred += 1;
                }
            }
        }
    }
    // This year's 龙城工匠 round: the districts' nominations wait for the city's review.
    let r = svc
        .create_craftsman_round(
            &o.city,
            &CraftsmanRoundInput {
                name: format!("{this}年度龙城工匠评选"),
                level: "city".into(),
                year: Some(this),
                titles: Some(40),
                quota: Some(8),
                closes_on: clock.date(this, "12-31"),
            },
        )
        .await?;
    for (k, account) in ["tianning", "wujin"].iter().enumerate() {
        let Some(office) = crate::account(svc, account).await? else {
            continue;
        };
        let district = office.region_code.clone();
        for w in best_workers(svc, district.as_deref(), None, 2, &mut used).await? {
            svc.nominate_craftsman(
                &office,
                r.id,
                &NominationInput {
                    worker: w.to_string(),
                    reason: REASONS[k % REASONS.len()].into(),
                },
            )
            .await?;
        }
    }
    Ok(conferred)
}

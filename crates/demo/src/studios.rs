//! The demo's 劳模（工匠）创新工作室: studios registered in the enterprises whose
//! 劳模 or 工匠 holds the lead and which hold a studio recognition in the registry (the
//! recognition is linked, so the registry's count stays the seed's), three members
//! each; the last complete year's reviews decided for most of them (scored by three
//! experts: one upgraded, one revoked, the others kept) and two waiting at the district.
use crate::{act, DemoClock};
use gongjiang_domain::Role;
use gongjiang_storage::scope::Actor;
use gongjiang_storage::service::Service;
use gongjiang_storage::studios::{StudioInput, StudioMemberInput, StudioReviewInput};
use gongjiang_storage::StoreError;
use sqlx::Row;

const EXPERTS: &[&str] = &["expert", "expert2", "expert3"];
/// The kept studios' expert scores (75 to 90), in turn.
const KEPT: &[f64] = &[86.0, 82.0, 79.0, 88.0, 84.0, 77.0, 81.0, 85.0];

/// Registers the demo's studios and runs their reviews; returns how many studios.
pub async fn seed_studios(svc: &Service, clock: &DemoClock) -> Result<usize, StoreError> {
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
    // (enterprise, its district, studio level, leader, leader's occupation)
    let rows = {
        let mut conn = svc.db.pool.acquire().await?;
        sqlx::query(
            "SELECT s.holder_org_id, o.region_l2, MIN(s.level), MIN(t.holder_worker_id), MIN(s.year) FROM designations s \
             JOIN orgs o ON o.id = s.holder_org_id \
             JOIN designations t ON t.holder_org_id = s.holder_org_id AND t.dtype IN ('longcheng_craftsman', 'model_worker') \
             AND t.holder_worker_id <> 0 \
             WHERE s.dtype = 'innovation_studio' AND s.level IN ('province', 'city', 'district') \
             GROUP BY s.holder_org_id, o.region_l2 ORDER BY s.holder_org_id LIMIT 14",
        )
        .fetch_all(&mut *conn)
        .await?
    };
    let last = clock.base_year();
    let mut n = 0;
    let mut decided = 0;
    let (mut upgraded, mut revoked) = (false, false);
    for r in &rows {
        let (org, district, level, leader, year): (i64, Option<String>, String, i64, i64) = (
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
        );
        let unit = Actor {
            role: Role::Unit,
            org_id: Some(org),
            region_code: None,
            ..Actor::system("demo-unit")
        };
        let (leader_name, occupation): (String, Option<String>) = {
            let mut conn = svc.db.pool.acquire().await?;
            let w = sqlx::query("SELECT name, occupation FROM workers WHERE id = $1")
                .bind(leader)
                .fetch_one(&mut *conn)
                .await?;
            (w.try_get(0)?, w.try_get(1)?)
        };
        let level_of = level.clone();
        let s = svc
            .create_studio(
                &unit,
                &StudioInput {
                    name: format!(
                        "{leader_name}{}创新工作室",
                        occupation.as_deref().unwrap_or("")
                    ),
                    level,
                    founded: Some(year),
                    org: None,
                    leader: leader.to_string(),
                },
            )
            .await?;
        n += 1;
        let members: Vec<i64> = {
            let mut conn = svc.db.pool.acquire().await?;
            sqlx::query("SELECT id FROM workers WHERE org_id = $1 AND id <> $2 ORDER BY id LIMIT 3")
                .bind(org)
                .bind(leader)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?
        };
        for m in members {
            svc.add_studio_member(
                &unit,
                s.id,
                &StudioMemberInput {
                    worker: m.to_string(),
                },
            )
            .await?;
        }
        let review = svc
            .file_studio_review(
                &unit,
                s.id,
                &StudioReviewInput {
                    year: Some(last),
                    report: format!(
                        "{last}年，工作室完成技术攻关项目3项，开展技能培训12期，带徒8名，申报专利2项。"
                    ),
                },
            )
            .await?;
        let Some(case) = review.case_id else { continue };
        if n > 12 {
            continue; // two wait at the district
        }
        let office = Actor {
            role: Role::District,
            region_code: district.clone(),
            org_id: None,
            ..Actor::system("demo-district")
        };
        let reviewer = if district.is_some() { &office } else { &city };
        svc.act(reviewer, case, &act("accept", "材料齐全，同意报送"))
            .await?;
        for e in EXPERTS {
            svc.assign_case_expert(&city, case, e).await?;
        }
        // The first city studio is upgraded to the province and the first district one
        // revoked; the others are kept — so the registry's count of studios at city level
        // and above stays the seed's.
        let score = match (level_of.as_str(), upgraded, revoked) {
            ("city", false, _) => {
                upgraded = true;
                93.0
            }
            ("district", _, false) => {
                revoked = true;
                55.0
            }
            _ => KEPT[decided % KEPT.len()],
        };
        for (j, e) in experts.iter().enumerate() {
            let s = (score + [0.0, 1.0, -1.0][j]).clamp(0.0, 100.0);
            svc.score_case(e, case, s, Some("对照评估标准逐项评分"))
                .await?;
        }
        svc.act(&city, case, &act("accept", "按专家评分确定评估结果"))
            .await?;
        decided += 1;
    }
    Ok(n)
}

//! The demo's 六有 checklists for the last complete year ([`DemoClock::base_year`]): pilot enterprises of 天宁区 and 武进区 in every
//! state — all six accepted, awaiting review, an item returned with a reason, not yet
//! submitted — so the completion view and its chart have something to show.
use crate::DemoClock;
use gongjiang_domain::liuyou::ITEMS;
use gongjiang_domain::Role;
use gongjiang_storage::liuyou::EvidenceInput;
use gongjiang_storage::service::Service;
use gongjiang_storage::{Actor, StoreError};
use sqlx::Row;

const EVIDENCE: [&str; 6] = [
    "成立由总经理任组长、工会主席任副组长的产改工作领导小组，下设办公室，明确各部门职责。",
    "《产业工人队伍建设改革实施方案（2023—2025年）》经职代会审议通过。",
    "2023年产改任务清单共12项，已完成10项，其余2项按计划推进。",
    "开展“劳模工匠进车间”宣讲6场，覆盖职工1,200人次；建立青年职工思想动态季度分析制度。",
    "建立技能等级自主评价制度，全年新增高级工以上人才48名；师带徒结对65对。",
    "签订工资专项集体合同，设立劳动争议调解委员会，职工服务站全年受理诉求86件，办结率100%。",
];

pub async fn seed_liuyou(svc: &Service, clock: &DemoClock) -> Result<usize, StoreError> {
    let year = clock.base_year();
    // The evidence speaks of the checklist's year (the plan runs for three years from it).
    let evidence = |i: usize| {
        EVIDENCE[i]
            .replace("2023—2025", &format!("{}—{}", year - 2, year))
            .replace("2023年", &format!("{year}年"))
    };
    let Ok(y32) = i32::try_from(year) else {
        return Ok(0);
    };
    let mut conn = svc.db.pool.acquire().await?;
    let rows = sqlx::query(
        "SELECT o.id, o.region_l2 FROM orgs o WHERE o.kind = 'enterprise' AND o.region_l2 IN ('320402', '320412') \
         AND o.id IN (SELECT org_id FROM pilots WHERE year <= $1) ORDER BY o.id LIMIT 80",
    )
    .bind(year)
    .fetch_all(&mut *conn)
    .await?;
    drop(conn);
    let mut n = 0;
    for (k, r) in rows.iter().enumerate() {
        let org: i64 = r.try_get(0)?;
        let district: String = r.try_get(1)?;
        // 0–49 all accepted, 50–59 awaiting review, 60–69 one item returned, the rest
        // not submitted (some half written).
        let unit = Actor {
            role: Role::Unit,
            org_id: Some(org),
            region_code: None,
            ..Actor::system("demo-unit")
        };
        let reviewer = Actor {
            role: Role::District,
            region_code: Some(district),
            display_name: "区产改办".into(),
            ..Actor::system("demo-district")
        };
        let write = if k >= 70 { (k % 5) + 1 } else { 6 };
        for (i, item) in ITEMS.iter().enumerate().take(write) {
            let input = EvidenceInput {
                text: Some(evidence(i)),
                link: None,
                remove_files: Vec::new(),
                version: None,
            };
            svc.save_liuyou_item(&unit, org, y32, item.code, &input, &[])
                .await?;
        }
        if k < 70 {
            svc.submit_liuyou(&unit, org, y32).await?;
        }
        if k < 50 {
            for item in &ITEMS {
                svc.review_liuyou(&reviewer, org, y32, item.code, true, None)
                    .await?;
            }
        } else if (60..70).contains(&k) {
            for item in ITEMS.iter().take(5) {
                svc.review_liuyou(&reviewer, org, y32, item.code, true, None)
                    .await?;
            }
            svc.review_liuyou(
                &reviewer,
                org,
                y32,
                ITEMS[5].code,
                false,
                Some("请补充集体合同文本扫描件"),
            )
            .await?;
        }
        n += 1;
    }
    Ok(n)
}

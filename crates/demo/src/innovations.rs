//! The demo's 群众性技术创新: innovation results of the last complete year, filed by
//! their enterprises (the union's certification) and approved by their districts —
//! one for each of 60 enterprises with registered workers (五小, 合理化建议, 技术革新,
//! 专利 with valid patent numbers, 其他) and two for each studio, made by its leader and
//! a member; six of them showcased by the city. This year, the demo account `unit`'s
//! enterprise and three others have results waiting at the district, one returned for
//! correction.
use crate::{act, DemoClock};
use gongjiang_domain::innovations::PatentNo;
use gongjiang_domain::Role;
use gongjiang_storage::innovations::{InnovationInput, ShowcaseInput};
use gongjiang_storage::scope::Actor;
use gongjiang_storage::service::Service;
use gongjiang_storage::StoreError;
use sqlx::Row;

const TYPES: &[&str] = &[
    "five_small",
    "suggestion",
    "renovation",
    "patent",
    "five_small",
    "other",
];

const TITLES: &[(&str, &str)] = &[
    ("快换定位夹具", "将工装换型时间由40分钟缩短至8分钟"),
    ("设备点检数字化改进", "点检表改为扫码填报，漏检率下降九成"),
    (
        "焊接变形控制工艺革新",
        "优化焊接顺序与反变形量，返修率下降60%",
    ),
    ("一种防错装配工装", "通过限位与传感器双重防错，实现零错装"),
    ("班组能耗看板", "分时计量空压与照明用电，年节电12万千瓦时"),
    ("废料回收再利用方案", "边角料分类回收再加工，年节约材料成本"),
    ("刀具寿命预测小程序", "按加工参数预测换刀时机，刀具消耗下降"),
    ("物流通道优化建议", "调整叉车动线与库位，搬运距离缩短三成"),
];

fn unit_of(org: i64) -> Actor {
    Actor {
        role: Role::Unit,
        org_id: Some(org),
        region_code: None,
        ..Actor::system("demo-unit")
    }
}

/// A valid utility-model patent number filed in `year` (serial `n`).
fn patent(year: i64, n: i64) -> String {
    let digits = format!("{year}2{:07}", 1_000_000 + n * 7_919);
    let c = PatentNo::check_char(&digits).unwrap_or('0');
    format!("ZL{digits}.{c}")
}

struct Filing<'a> {
    org: i64,
    district: Option<String>,
    authors: Vec<i64>,
    studio: Option<i64>,
    year: i64,
    n: i64,
    itype: &'a str,
}

async fn file(svc: &Service, f: &Filing<'_>) -> Result<Option<i64>, StoreError> {
    let (title, summary) = TITLES[(f.n as usize) % TITLES.len()];
    let benefit = 5 + (f.n * 37) % 180;
    let i = svc
        .file_innovation(
            &unit_of(f.org),
            &InnovationInput {
                code: format!("CX-{}-{:04}", f.year, f.n),
                title: title.to_string(),
                itype: f.itype.to_string(),
                year: Some(f.year),
                org: None,
                studio: f.studio,
                authors: f.authors.iter().map(i64::to_string).collect(),
                patent_no: if f.itype == "patent" {
                    patent(f.year, f.n)
                } else {
                    String::new()
                },
                benefit_wan: Some(format!("{benefit}.{:02}", (f.n * 13) % 100)),
                summary: format!("{summary}。经本单位工会认定，已在生产中推广应用。"),
                version: None,
            },
        )
        .await?;
    Ok(i.case_id)
}

fn reviewer(city: &Actor, district: &Option<String>) -> Actor {
    match district {
        Some(d) => Actor {
            role: Role::District,
            region_code: Some(d.clone()),
            org_id: None,
            ..Actor::system("demo-district")
        },
        None => city.clone(),
    }
}

/// Files and decides the demo's innovation results; returns how many were approved.
pub async fn seed_innovations(svc: &Service, clock: &DemoClock) -> Result<usize, StoreError> {
    let Some(city) = crate::account(svc, "city").await? else {
        return Ok(0);
    };
    let last = clock.base_year();
    // (enterprise, its district, two of its workers)
    let enterprises = {
        let mut conn = svc.db.pool.acquire().await?;
        sqlx::query(
            "SELECT w.org_id, MIN(o.region_l2), MIN(w.id), MAX(w.id) FROM workers w JOIN orgs o ON o.id = w.org_id \
             GROUP BY w.org_id HAVING COUNT(*) >= 2 ORDER BY w.org_id LIMIT 64",
        )
        .fetch_all(&mut *conn)
        .await?
    };
    let studios = {
        let mut conn = svc.db.pool.acquire().await?;
        sqlx::query(
            "SELECT s.id, s.org_id, o.region_l2, s.leader_worker_id, \
             (SELECT MAX(m.worker_id) FROM studio_members m WHERE m.studio_id = s.id) \
             FROM studios s JOIN orgs o ON o.id = s.org_id WHERE s.status = 'active' ORDER BY s.id",
        )
        .fetch_all(&mut *conn)
        .await?
    };
    let mut filings = Vec::new();
    let mut n = 0;
    for r in enterprises.iter().take(60) {
        n += 1;
        filings.push(Filing {
            org: r.try_get(0)?,
            district: r.try_get(1)?,
            authors: if n % 3 == 0 {
                vec![r.try_get(2)?, r.try_get(3)?]
            } else {
                vec![r.try_get(2)?]
            },
            studio: None,
            year: last,
            n,
            itype: TYPES[n as usize % TYPES.len()],
        });
    }
    for r in &studios {
        let leader: i64 = r.try_get(3)?;
        let member: Option<i64> = r.try_get(4)?;
        for k in 0..2 {
            n += 1;
            let mut authors = vec![leader];
            authors.extend(member.filter(|m| *m != leader));
            filings.push(Filing {
                org: r.try_get(1)?,
                district: r.try_get(2)?,
                authors,
                studio: Some(r.try_get(0)?),
                year: last,
                n,
                itype: if k == 0 { "patent" } else { "renovation" },
            });
        }
    }
    let mut approved = Vec::new();
    for f in &filings {
        if let Some(case) = file(svc, f).await? {
            svc.act(
                &reviewer(&city, &f.district),
                case,
                &act("accept", "经审核，成果真实、效益可信，同意认定"),
            )
            .await?;
            approved.push(case);
        }
    }
    // The city showcases six of them (职工科技创新周).
    let shown: Vec<i64> = {
        let mut conn = svc.db.pool.acquire().await?;
        sqlx::query(
            "SELECT id FROM innovations WHERE status = 'approved' ORDER BY benefit_x100 DESC, id LIMIT 6",
        )
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?
    };
    for id in shown {
        svc.showcase_innovation(&city, id, &ShowcaseInput { featured: true })
            .await?;
    }
    // This year: the demo unit's enterprise and three others wait at the district; the
    // last is returned for correction.
    let mut waiting: Vec<&sqlx::any::AnyRow> = enterprises.iter().skip(60).take(3).collect();
    let unit_org = crate::account(svc, "unit").await?.and_then(|u| u.org_id);
    let unit_row = match unit_org {
        Some(o) => {
            let mut conn = svc.db.pool.acquire().await?;
            sqlx::query(
                "SELECT w.org_id, MIN(o.region_l2), MIN(w.id), MAX(w.id) FROM workers w JOIN orgs o ON o.id = w.org_id \
                 WHERE w.org_id = $1 GROUP BY w.org_id",
            )
            .bind(o)
            .fetch_optional(&mut *conn)
            .await?
        }
        None => None,
    };
    if let Some(r) = &unit_row {
        waiting.insert(0, r);
    }
    let this = clock.this_year();
    let count = waiting.len();
    for (k, r) in waiting.into_iter().enumerate() {
        n += 1;
        let district: Option<String> = r.try_get(1)?;
        let f = Filing {
            org: r.try_get(0)?,
            district: district.clone(),
            authors: vec![r.try_get(2)?],
            studio: None,
            year: this,
            n,
            itype: TYPES[k % TYPES.len()],
        };
        let case = file(svc, &f).await?;
        if let (Some(case), true) = (case, k + 1 == count) {
            svc.act(
                &reviewer(&city, &district),
                case,
                &act("return", "请补充经济效益的测算依据"),
            )
            .await?;
        }
    }
    Ok(approved.len())
}

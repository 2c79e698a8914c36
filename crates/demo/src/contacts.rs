//! Demo contact points and pairing (issue #4): officials of 天宁区 and 武进区 (the demo
//! accounts tianning, town, renshe and wujin) assigned to enterprises, their visits over
//! the two years before the day the demo is loaded, about 40 problems in every status with realistic times to resolve, three
//! supply chains (新能源汽车, 智能装备, 新材料) each with its chain leader and suppliers,
//! 国企↔民企 pairs, and activities; one contact point and one 国企↔民企 pair have ended
//! (结束联系 / 结束结对) and keep their history. Everything goes through the service
//! layer, so the indicators, scope rules and the audit trail are exactly those of real use.
use crate::account;
use crate::DemoClock;
use gongjiang_storage::contacts::{
    ContactEndInput, ContactInput, ProblemActInput, ProblemInput, VisitInput,
};
use gongjiang_storage::pairs::{ActivityInput, PairEndInput, PairInput};
use gongjiang_storage::service::Service;
use gongjiang_storage::{Actor, StoreError};
use sqlx::Row;

/// A small deterministic generator (no dependence on time or environment).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// How many days before the load the demo's two years of visits and activities begin:
/// the last day (`n` = 725) is 105 days before it, so that problems raised then are
/// resolved before the day of the load too.
const SPAN: i64 = 830;

/// Day `n` (0-based, at most 725) of the demo's two years as YYYY-MM-DD.
fn day(clock: &DemoClock, n: u64) -> String {
    (clock.days_ago(SPAN) + chrono::Duration::days(n.min(725) as i64)).to_string()
}

/// The date `n` days before the load, YYYY-MM-DD.
fn ago(clock: &DemoClock, n: i64) -> String {
    clock.days_ago(n).to_string()
}

fn days_after(d: &str, n: u64) -> String {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map(|x| (x + chrono::Duration::days(n as i64)).to_string())
        .unwrap_or_else(|_| d.to_string())
}

async fn ids(svc: &Service, sql: &str) -> Result<Vec<i64>, StoreError> {
    let mut conn = svc.db.pool.acquire().await?;
    sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok(r.try_get(0)?))
        .collect()
}

const SUMMARIES: &[&str] = &[
    "走访车间一线，了解技能等级认定推进情况，企业计划年内新增高级工20名。",
    "与企业负责人座谈，宣讲产改政策和技能人才补贴申领流程。",
    "召开职工代表座谈会，听取关于培训时间安排和薪酬晋升通道的意见。",
    "了解企业用工需求，对接区人社局招聘专场。",
    "回访上次反映问题的办理情况，企业表示满意。",
    "检查师带徒协议落实情况，建议将带徒津贴纳入工资结构。",
    "线上沟通企业参加市级技能竞赛的报名事宜。",
    "电话了解节后返岗和新员工岗前培训情况。",
];

/// (category, description, responsible unit)
const PROBLEMS: &[(&str, &str, &str)] = &[
    ("employment", "旺季招工难，数控操作工缺口约30人", "区人社局"),
    ("training", "希望就近开设电工中级工培训班", "区人社局"),
    ("pay", "技能等级与工资挂钩缺少参考标准", "区总工会"),
    (
        "safety",
        "园区道路夜间照明不足，职工下班通勤存在隐患",
        "园区管委会",
    ),
    ("policy", "技能人才补贴申领材料要求不清楚", "区人社局"),
    ("other", "职工子女暑期托管需求较大", "区总工会"),
    ("employment", "外地员工集体宿舍紧张", "街道办事处"),
    (
        "training",
        "企业自主评价题库建设需要专家指导",
        "市职业技能鉴定中心",
    ),
    ("policy", "产教融合型企业申报条件咨询", "市发改委"),
    ("pay", "一线职工加班工资核算方式存在争议", "区人社局"),
];

/// How each problem ends: 0 open, 1 in progress, 2 resolved, 3 closed.
const FATES: [u8; 40] = [
    2, 2, 1, 2, 0, 2, 3, 2, 2, 1, 2, 0, 2, 2, 3, 2, 1, 2, 2, 0, 2, 2, 1, 3, 2, 2, 0, 2, 1, 2, 2, 3,
    2, 0, 2, 1, 2, 2, 3, 1,
];

/// Seeds contact points, visits, problems, pairs and activities; returns how many
/// records it created.
pub async fn seed_contacts(svc: &Service, clock: &DemoClock) -> Result<usize, StoreError> {
    let (Some(tianning), Some(wujin), Some(city)) = (
        account(svc, "tianning").await?,
        account(svc, "wujin").await?,
        account(svc, "city").await?,
    ) else {
        return Ok(0);
    };
    let town = account(svc, "town").await?;
    let renshe = account(svc, "renshe").await?;
    let unit = account(svc, "unit").await?;
    let mut rng = Lcg(2024);
    let mut n = 0usize;

    // Enterprises in the care of each official.
    let town_code = town.as_ref().and_then(|t| t.region_code.clone());
    let unit_org = unit.as_ref().and_then(|u| u.org_id);
    let mut plan: Vec<(Actor, Vec<i64>, Actor)> = Vec::new();
    if let (Some(t), Some(code)) = (&town, &town_code) {
        let mut list = ids(
            svc,
            &format!("SELECT id FROM orgs WHERE kind = 'enterprise' AND region_l3 = '{}' ORDER BY id LIMIT 4", code.replace('\'', "")),
        )
        .await?;
        if let Some(u) = unit_org {
            if !list.contains(&u) {
                list.insert(0, u);
                list.truncate(4);
            }
        }
        plan.push((t.clone(), list, tianning.clone()));
    }
    let tn = ids(svc, "SELECT id FROM orgs WHERE kind = 'enterprise' AND region_l2 = '320402' ORDER BY id DESC LIMIT 6").await?;
    plan.push((tianning.clone(), tn, tianning.clone()));
    if let Some(r) = &renshe {
        let list = ids(svc, "SELECT id FROM orgs WHERE kind = 'enterprise' AND region_l2 = '320402' AND size = '大型' ORDER BY id LIMIT 3").await?;
        plan.push((r.clone(), list, tianning.clone()));
    }
    let wj = ids(svc, "SELECT id FROM orgs WHERE kind = 'enterprise' AND region_l2 = '320412' ORDER BY id LIMIT 8").await?;
    plan.push((wujin.clone(), wj, wujin.clone()));

    let mut problem_no = 0usize;
    for (official, orgs, staff) in &plan {
        for org in orgs {
            // The district assigns; the official works.
            let assigned = svc
                .assign_contact(
                    staff,
                    &ContactInput {
                        org: org.to_string(),
                        official: official.username.clone(),
                        start_on: ago(clock, SPAN + 2),
                        end_on: None,
                        note: Some("双沟通双促进 联系点".into()),
                    },
                )
                .await;
            match assigned {
                Ok(_) => n += 1,
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e),
            }
            let visits = 3 + rng.next(3);
            for v in 0..visits {
                let step = 720 / visits;
                let d = day(clock, v * step + rng.next(step));
                let form = ["on_site", "on_site", "phone", "online"][rng.next(4) as usize];
                let visit = svc
                    .log_visit(
                        official,
                        &VisitInput {
                            org: org.to_string(),
                            visited_on: d.clone(),
                            form: form.into(),
                            summary: SUMMARIES[rng.next(SUMMARIES.len() as u64) as usize].into(),
                            official: None,
                        },
                        false,
                    )
                    .await?;
                n += 1;
                // About one visit in two brings up a problem, until there are 40.
                if problem_no >= FATES.len() || rng.next(2) == 0 {
                    continue;
                }
                let (cat, desc, resp) = PROBLEMS[problem_no % PROBLEMS.len()];
                let p = svc
                    .raise_problem(
                        official,
                        &ProblemInput {
                            org: Some(org.to_string()),
                            visit_id: Some(visit.id),
                            source: ["official", "head", "worker"][problem_no % 3].into(),
                            category: cat.into(),
                            description: desc.into(),
                            raised_on: d.clone(),
                            responsible_unit: Some(resp.into()),
                        },
                        false,
                    )
                    .await?;
                n += 1;
                work(svc, staff, p.id, &d, FATES[problem_no], &mut rng).await?;
                problem_no += 1;
            }
        }
    }
    // The demo unit raises two problems itself (one still open, one resolved).
    if let Some(u) = &unit {
        for (k, (cat, desc)) in [
            ("training", "希望街道协调职业院校为我司开设订单班"),
            ("pay", "职工反映技能津贴发放标准未公示"),
        ]
        .iter()
        .enumerate()
        {
            let raised = ago(clock, if k == 0 { 54 } else { 275 });
            let p = svc
                .raise_problem(
                    u,
                    &ProblemInput {
                        org: None,
                        visit_id: None,
                        source: if k == 0 { "head" } else { "worker" }.into(),
                        category: (*cat).into(),
                        description: (*desc).into(),
                        raised_on: raised.clone(),
                        responsible_unit: None,
                    },
                    false,
                )
                .await?;
            n += 1;
            if k == 1 {
                work(svc, &tianning, p.id, &raised, 2, &mut rng).await?;
            }
        }
    }
    // The last enterprise in 武进区's care moved away: its contact point has ended.
    let points = svc
        .list_contact_points(&wujin, None, Some("320412"))
        .await?;
    if let Some(last) = points
        .iter()
        .filter(|c| Some(c.official_user_id) == wujin.user_id)
        .max_by_key(|c| c.id)
    {
        svc.end_contact(
            &wujin,
            last.id,
            &ContactEndInput {
                end_on: ago(clock, 30),
                reason: Some("企业整体搬迁至外市，联系点撤销。".into()),
                version: None,
            },
        )
        .await?;
    }
    n += seed_pairs(svc, &city, &mut rng, clock).await?;
    Ok(n)
}

/// Moves a problem to its fate with a realistic delay.
async fn work(
    svc: &Service,
    staff: &Actor,
    id: i64,
    raised: &str,
    fate: u8,
    rng: &mut Lcg,
) -> Result<(), StoreError> {
    let act = |action: &str| ProblemActInput {
        action: action.into(),
        ..Default::default()
    };
    if fate >= 1 && fate != 3 {
        svc.act_on_problem(staff, id, &act("start"), false).await?;
    }
    match fate {
        2 => {
            // Most within a month, some take a quarter.
            let days = if rng.next(4) == 0 {
                35 + rng.next(60)
            } else {
                3 + rng.next(25)
            };
            svc.act_on_problem(
                staff,
                id,
                &ProblemActInput {
                    action: "resolve".into(),
                    resolution: Some("已协调责任单位落实，企业确认问题解决。".into()),
                    resolved_on: Some(days_after(raised, days)),
                    ..Default::default()
                },
                false,
            )
            .await?;
        }
        3 => {
            svc.act_on_problem(
                staff,
                id,
                &ProblemActInput {
                    action: "close".into(),
                    reason: Some("经核实属企业内部管理事项，已向企业说明并关闭。".into()),
                    ..Default::default()
                },
                false,
            )
            .await?;
        }
        _ => {}
    }
    Ok(())
}

const ACTIVITIES: &[&str] = &[
    "联合技能比武",
    "劳模工匠进配套企业",
    "质量管理交流会",
    "联合开展师带徒结对",
    "共建职工培训课堂",
    "党建带工建联席会",
];

async fn seed_pairs(
    svc: &Service,
    city: &Actor,
    rng: &mut Lcg,
    clock: &DemoClock,
) -> Result<usize, StoreError> {
    let mut n = 0;
    // Pairs start in one of the years of the demo's span, no later than the year of its
    // last activity day; no activity comes before the pair's first year.
    let first = i64::from(chrono::Datelike::year(&clock.days_ago(SPAN)));
    let latest = i64::from(chrono::Datelike::year(&clock.days_ago(SPAN - 725)));
    let start = |k: i64| (first + k).min(latest);
    let chains: [(&str, &str, usize); 3] = [
        ("新能源汽车", "'C36', 'C38'", 8),
        ("智能装备", "'C34', 'C35'", 6),
        ("新材料", "'C26', 'C30', 'C32'", 5),
    ];
    let mut pairs: Vec<(i64, i64)> = Vec::new();
    let mut used: Vec<i64> = Vec::new();
    for (chain, industries, count) in chains {
        let leaders = ids(svc, &format!("SELECT id FROM orgs WHERE kind = 'enterprise' AND chain_leader = 1 AND industry IN ({industries}) ORDER BY id LIMIT 5")).await?;
        let Some(leader) = leaders.into_iter().find(|l| !used.contains(l)) else {
            continue;
        };
        used.push(leader);
        let suppliers = ids(svc, &format!("SELECT id FROM orgs WHERE kind = 'enterprise' AND chain_leader = 0 AND industry IN ({industries}) ORDER BY id LIMIT 40")).await?;
        for s in suppliers.iter().step_by(3).take(count) {
            let p = svc
                .create_pair(
                    city,
                    &PairInput {
                        kind: "chain".into(),
                        org_a: leader.to_string(),
                        org_b: s.to_string(),
                        chain: Some(chain.into()),
                        start_year: start(rng.next(3) as i64),
                        goals: Some(format!("围绕{chain}产业链，链主企业带动配套企业开展质量提升、技能培训和工匠培育。")),
                    },
                    false,
                )
                .await?;
            pairs.push((p.id, p.start_year));
            n += 1;
        }
    }
    let state = ids(
        svc,
        "SELECT id FROM orgs WHERE kind = 'enterprise' AND ownership = 'state' ORDER BY id LIMIT 4",
    )
    .await?;
    let private = ids(svc, "SELECT id FROM orgs WHERE kind = 'enterprise' AND ownership = 'private' AND chain_leader = 0 ORDER BY id DESC LIMIT 6").await?;
    for (i, b) in private.iter().enumerate() {
        let Some(a) = state.get(i % state.len().max(1)) else {
            break;
        };
        let p = svc
            .create_pair(
                city,
                &PairInput {
                    kind: "state_private".into(),
                    org_a: a.to_string(),
                    org_b: b.to_string(),
                    chain: None,
                    start_year: start(1),
                    goals: Some(
                        "国企民企结对：共享培训资源、互派技术骨干、共建创新工作室。".into(),
                    ),
                },
                false,
            )
            .await?;
        pairs.push((p.id, p.start_year));
        n += 1;
    }
    let last_state_private = pairs.last().map(|(id, _)| *id);
    for (p, start_year) in pairs {
        for k in 0..(1 + rng.next(3)) {
            let held_on = day(clock, k * 250 + rng.next(200)).max(format!("{start_year}-01-10"));
            svc.add_activity(
                city,
                p,
                &ActivityInput {
                    held_on,
                    title: ACTIVITIES[rng.next(ACTIVITIES.len() as u64) as usize].into(),
                    summary: Some("双方职工代表参加，交流生产工艺与技能培养经验。".into()),
                    participants: 15 + rng.next(60) as i64,
                },
            )
            .await?;
            n += 1;
        }
    }
    // The last 国企↔民企 pair ended after the private side changed hands.
    if let Some(p) = last_state_private {
        svc.end_pair(
            city,
            p,
            &PairEndInput {
                ended_on: ago(clock, 30),
                reason: "民营企业完成股权变更，双方协商结束结对，共建成果已移交。".into(),
                version: None,
            },
            false,
        )
        .await?;
    }
    Ok(n)
}

//! Demo annual task list and joint meetings: the city's list of 重点工作 of the last
//! complete year ([`DemoClock::base_year`], the year the pages open on) across
//! member units and district unions (some done, some in progress, some overdue and
//! under 督办), the city joint meeting and two district meetings (天宁区, 武进区) with
//! attendance, minutes and decisions that became tasks. Runs after the accounts exist.
//!
//! One task was cancelled (撤销) with a reason after the plan it belonged to was merged
//! into another; it stays on the list but leaves the completion rate.
//!
//! The tasks are set "as of" early in their year (their deadlines were in the future
//! then). Tasks still in progress have a deadline after the day the demo is loaded (within
//! a year of it), so that the board always shows all four states; they are the list's
//! 跨年度 items. The meetings that set the list were held early in the same year.
use crate::account;
use crate::DemoClock;
use gongjiang_domain::Role;
use gongjiang_storage::service::Service;
use gongjiang_storage::tasks::{
    AttendanceInput, BodyInput, CancelInput, DecisionTaskInput, MeetingInput, ProgressInput,
    TaskInput,
};
use gongjiang_storage::{Actor, StoreError};
use sqlx::Row;

/// How a demo task ends up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Done,
    Going,
    Overdue,
    Supervised,
    Cancelled,
}

/// (title, target, target value, unit, owner: `m<i>` member unit i or `u<i>` union i,
/// deadline `MM-DD` in the list's year, fate)
type DemoTask = (
    &'static str,
    &'static str,
    Option<i64>,
    &'static str,
    &'static str,
    &'static str,
    Fate,
);

const TASKS: &[DemoTask] = &[
    (
        "新增高技能人才",
        "全市新增高技能人才 2.5 万人",
        Some(25_000),
        "人",
        "m0",
        "12-31",
        Fate::Done,
    ),
    (
        "开展职业技能等级认定",
        "企业自主评价覆盖 300 家企业",
        Some(300),
        "家",
        "m0",
        "11-30",
        Fate::Going,
    ),
    (
        "推进产教融合型企业建设",
        "新培育市级产教融合型企业 30 家",
        Some(30),
        "家",
        "m1",
        "10-31",
        Fate::Done,
    ),
    (
        "建设产业学院",
        "新建市级产业学院 5 个",
        Some(5),
        "个",
        "m1",
        "09-30",
        Fate::Overdue,
    ),
    (
        "实施“智改数转”技能提升行动",
        "培训数字化技能人才 1 万人次",
        Some(10_000),
        "人次",
        "m2",
        "12-31",
        Fate::Going,
    ),
    (
        "国企产改示范",
        "市属国企全部制定产改实施方案",
        Some(100),
        "%",
        "m3",
        "06-30",
        Fate::Done,
    ),
    (
        "职工技术创新成果转化",
        "转化职工创新成果 120 项",
        Some(120),
        "项",
        "m4",
        "11-30",
        Fate::Supervised,
    ),
    (
        "落实产改专项资金",
        "市级产改专项资金 3000 万元拨付到位",
        Some(3000),
        "万元",
        "m5",
        "08-31",
        Fate::Done,
    ),
    (
        "劳模工匠创新工作室建设",
        "新命名市级创新工作室 40 家",
        Some(40),
        "家",
        "m6",
        "12-31",
        Fate::Going,
    ),
    (
        "“龙城工匠”选树",
        "评选龙城工匠 40 名",
        Some(40),
        "名",
        "m6",
        "10-31",
        Fate::Done,
    ),
    (
        "技能人才纳入人才政策",
        "修订人才政策，技能人才享受同等待遇",
        None,
        "",
        "m9",
        "07-31",
        Fate::Overdue,
    ),
    (
        "产改宣传",
        "在市级媒体开设产改专栏，刊发报道 50 篇",
        Some(50),
        "篇",
        "m10",
        "12-31",
        Fate::Done,
    ),
    (
        "天宁区试点企业扩面",
        "新增区级试点企业 20 家",
        Some(20),
        "家",
        "u0",
        "09-30",
        Fate::Supervised,
    ),
    (
        "钟楼区职工书屋全覆盖",
        "规上企业职工书屋覆盖率 90%",
        Some(90),
        "%",
        "u1",
        "12-31",
        Fate::Going,
    ),
    (
        "新北区技能竞赛",
        "举办区级技能竞赛 10 场",
        Some(10),
        "场",
        "u2",
        "11-30",
        Fate::Done,
    ),
    (
        "武进区产业工人之家",
        "建成产业工人之家 15 个",
        Some(15),
        "个",
        "u3",
        "10-31",
        Fate::Overdue,
    ),
    (
        "金坛区师带徒",
        "结对师徒 500 对",
        Some(500),
        "对",
        "u4",
        "12-31",
        Fate::Going,
    ),
    (
        "溧阳市一企一特色",
        "培育一企一特色企业 12 家",
        Some(12),
        "家",
        "u5",
        "08-31",
        Fate::Supervised,
    ),
    (
        "经开区技能夜校",
        "开办技能夜校 8 所",
        Some(8),
        "所",
        "u6",
        "12-31",
        Fate::Done,
    ),
    (
        "统计监测",
        "按季度完成产改统计表汇总分析",
        Some(4),
        "次",
        "m16",
        "12-31",
        Fate::Going,
    ),
    (
        "建设职工技能实训基地",
        "新建市级职工技能实训基地 3 个",
        Some(3),
        "个",
        "m2",
        "12-31",
        Fate::Cancelled,
    ),
];

fn days_after(date: &str, days: i64) -> String {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map(|d| {
            (d + chrono::Duration::days(days))
                .format("%Y-%m-%d")
                .to_string()
        })
        .unwrap_or_else(|_| date.to_string())
}

/// The owner unit's contact, as the demo files its progress reports.
fn owner_actor(org: i64, region: &str) -> Actor {
    Actor {
        user_id: None,
        username: format!("owner-{org}"),
        display_name: "责任单位联络员".into(),
        role: Role::Department,
        region_code: Some(region.to_string()),
        org_id: Some(org),
        ip: "demo".into(),
    }
}

/// Loads the task list and the meetings; returns how many tasks and meetings it made.
pub async fn seed_tasks(svc: &Service, clock: &DemoClock) -> Result<usize, StoreError> {
    let (Some(city), Some(tianning), Some(wujin)) = (
        account(svc, "city").await?,
        account(svc, "tianning").await?,
        account(svc, "wujin").await?,
    ) else {
        return Ok(0);
    };
    let (members, unions) = {
        let mut conn = svc.db.pool.acquire().await?;
        let ids = |kind: &'static str| {
            sqlx::query("SELECT id, region_code FROM orgs WHERE kind = $1 ORDER BY id").bind(kind)
        };
        let m: Vec<(i64, String)> = ids("member_unit")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?;
        let u: Vec<(i64, String)> = ids("union")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?;
        (m, u)
    };
    let owner = |code: &str| -> Option<(i64, String)> {
        let i: usize = code.get(1..)?.parse().ok()?;
        match code.as_bytes().first()? {
            b'm' => members.get(i).cloned(),
            b'u' => unions.get(i).cloned(),
            _ => None,
        }
    };
    let today = clock.today.format("%Y-%m-%d").to_string();
    let y = clock.base_year();
    let on = |md: &str| clock.date(y, md);
    let set_on = on("01-10");
    let mut n = 0;
    for (k, (title, target, value, unit, who, deadline, fate)) in TASKS.iter().enumerate() {
        let Some((org, region)) = owner(who) else {
            continue;
        };
        // Work still going on is due after the day the demo is loaded.
        let deadline = if *fate == Fate::Going {
            days_after(&today, 45 + 15 * k as i64)
        } else {
            on(deadline)
        };
        let t = svc
            .create_task_on(
                &city,
                &TaskInput {
                    year: y,
                    title: title.to_string(),
                    description: format!(
                        "{title}：列入 {y} 年全市产业工人队伍建设改革重点工作清单。"
                    ),
                    owner: org.to_string(),
                    region: Some(region.clone()),
                    deadline,
                    target_text: target.to_string(),
                    target_value: *value,
                    target_unit: Some(unit.to_string()),
                },
                &set_on,
            )
            .await?;
        n += 1;
        let by = owner_actor(org, &region);
        let reports: &[(&str, i64, &str)] = match fate {
            Fate::Done => &[
                ("04-15", 35, "已制定实施方案并召开推进会，完成一季度目标。"),
                ("08-20", 80, "按月调度，完成进度超过时序要求。"),
                ("11-28", 100, "全面完成年度目标，形成总结报告。"),
            ],
            Fate::Going => &[
                ("05-10", 30, "已启动，完成摸底调查与方案制定。"),
                ("10-15", 60, "持续推进，部分指标受项目进度影响。"),
            ],
            Fate::Overdue | Fate::Supervised | Fate::Cancelled => {
                &[("06-30", 25, "受资金和场地落实影响，进度滞后，正在协调。")]
            }
        };
        for (date, pct, note) in reports.iter() {
            svc.report_progress_on(
                &by,
                t.id,
                &ProgressInput {
                    date: on(date),
                    percent: Some(*pct),
                    value: value.map(|v| v * pct / 100),
                    note: note.to_string(),
                    evidence_url: Some(format!(
                        "https://www.changzhou.gov.cn/gzdt/{y}/{}.html",
                        t.id
                    )),
                },
                &on("12-31"),
            )
            .await?;
        }
        match fate {
            Fate::Done => {
                svc.complete_task(&city, t.id, None).await?;
            }
            Fate::Supervised => {
                svc.supervise_task(
                    &city,
                    t.id,
                    "已逾期，请于 15 个工作日内报送整改措施和完成时间表。",
                )
                .await?;
            }
            Fate::Cancelled => {
                svc.cancel_task(
                    &city,
                    t.id,
                    &CancelInput {
                        reason: "该项工作已并入“智改数转”技能提升行动统一推进，不再单列。".into(),
                        version: None,
                    },
                )
                .await?;
            }
            _ => {}
        }
    }

    // Joint meetings: the city's with its member units, two districts' with the
    // district union and parks of the district.
    let mut bodies = Vec::new();
    let city_body = svc
        .create_body(
            &city,
            &BodyInput {
                region: "320400".into(),
                name: "常州市产业工人队伍建设改革协调小组联席会议".into(),
                members: members.iter().map(|(id, _)| id.to_string()).collect(),
            },
        )
        .await?;
    bodies.push((city.clone(), city_body));
    for (actor, code, name) in [
        (&tianning, "320402", "天宁区产业工人队伍建设改革联席会议"),
        (&wujin, "320412", "武进区产业工人队伍建设改革联席会议"),
    ] {
        let mut conn = svc.db.pool.acquire().await?;
        let ids: Vec<String> = sqlx::query(
            "SELECT id FROM orgs WHERE region_l2 = $1 AND kind IN ('union', 'park', 'college') ORDER BY kind DESC, id LIMIT 6",
        )
        .bind(code)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>(0).map(|i| i.to_string()))
        .collect::<Result<_, _>>()?;
        drop(conn);
        let b = svc
            .create_body(
                actor,
                &BodyInput {
                    region: code.into(),
                    name: name.into(),
                    members: ids,
                },
            )
            .await?;
        bodies.push((actor.clone(), b));
    }
    let meetings = [
        (
            format!("{y}年全市产业工人队伍建设改革联席会议第一次全体会议"),
            on("03-15"),
            "常州市行政中心 2 号楼 301 会议室",
            vec![
                format!("通报 {} 年产改工作进展和考核结果", y - 1),
                format!("审议 {y} 年产改重点工作任务清单"),
                "研究产教融合型企业培育和技能人才评价工作".to_string(),
            ],
            format!("会议听取了市产改办关于 {} 年工作情况的汇报，审议通过 {y} 年重点工作任务清单。会议要求各成员单位对照清单细化举措、明确时限，按季度报送进展；对进度滞后的任务实行督办。", y - 1),
            vec![
                "由市人社局牵头，6 月底前出台技能人才自主评价扩面实施细则",
                "由市教育局牵头，组织职业院校与试点企业开展订单班合作",
                "由市总工会牵头，开展“龙城工匠”进校园活动",
            ],
        ),
        (
            format!("天宁区产改联席会议 {y} 年第一次会议"),
            on("04-10"),
            "天宁区行政中心 502 会议室",
            vec![format!("部署全区 {y} 年产改工作"), "研究试点企业扩面工作".to_string()],
            "会议传达全市联席会议精神，部署全区重点工作，明确试点企业扩面和园区产改的责任分工。".to_string(),
            vec![
                "区总工会牵头开展园区职工技能比武",
                "各园区于 9 月底前建成职工服务站",
            ],
        ),
        (
            format!("武进区产改联席会议 {y} 年第一次会议"),
            on("05-20"),
            "武进区行政中心 3 楼会议室",
            vec!["研究产业工人之家建设".to_string(), "通报一季度产改统计".to_string()],
            "会议研究产业工人之家建设标准和进度安排，通报一季度统计情况。".to_string(),
            vec!["区总工会牵头制定产业工人之家建设标准"],
        ),
    ];
    for (k, (title, date, place, agenda, minutes, decisions)) in meetings.into_iter().enumerate() {
        let Some((actor, body)) = bodies.get(k) else {
            continue;
        };
        let attendance = body
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| AttendanceInput {
                org_id: m.org_id,
                status: match i % 9 {
                    4 => "deputy",
                    7 => "absent",
                    _ => "present",
                }
                .into(),
                attendee: Some(
                    if i % 9 == 4 {
                        "副职代表"
                    } else {
                        "主要负责人"
                    }
                    .into(),
                ),
            })
            .collect();
        let m = svc
            .create_meeting(
                actor,
                &MeetingInput {
                    body_id: body.id,
                    title,
                    date: date.clone(),
                    place: place.into(),
                    agenda,
                    minutes,
                    attendance,
                    decisions: decisions.iter().map(|s| s.to_string()).collect(),
                },
            )
            .await?;
        n += 1;
        let (_, _, decs, _) = svc.get_meeting(actor, m.id, false).await?;
        // Every decision but the last of the city meeting became a task.
        let take = if k == 0 {
            decs.len().saturating_sub(1)
        } else {
            decs.len()
        };
        for (j, d) in decs.iter().take(take).enumerate() {
            let owner = match (k, j) {
                (0, 0) => members.first(),
                (0, _) => members.get(1),
                _ => body
                    .members
                    .first()
                    .and_then(|bm| unions.iter().find(|(id, _)| *id == bm.org_id)),
            };
            let Some((owner, _)) = owner else {
                continue;
            };
            let t = svc
                .decision_to_task_on(
                    actor,
                    m.id,
                    d.id,
                    &DecisionTaskInput {
                        owner: owner.to_string(),
                        deadline: days_after(&date, 120),
                        title: None,
                        target_text: None,
                        year: None,
                    },
                    &days_after(&date, 1),
                )
                .await?;
            n += 1;
            if j == 0 {
                svc.complete_task(actor, t.id, None).await?;
            }
        }
    }
    Ok(n)
}

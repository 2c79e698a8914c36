//! The yearly assessment (产改评价考核) of the last complete year
//! ([`DemoClock::base_year`](crate::DemoClock::base_year)) of the seven 板块 — the six districts and
//! 常州经济开发区 — with a realistic scheme, self-reports, five experts and published,
//! ranked results. Districts are targets by their region code. Deterministic: the
//! self-reported values and expert scores are fixed per district and expert.
use crate::{DemoClock, DEMO_PASSWORD};
use gongjiang_domain::assessment::{Band, Node, ScoringRule};
use gongjiang_domain::Role;
use gongjiang_storage::assessment::{RoundInput, SchemeInput, ScoreInput, SelfEntry, SelfInput};
use gongjiang_storage::service::Service;
use gongjiang_storage::workflow::ActInput;
use gongjiang_storage::{Actor, StoreError};

/// The 板块 assessed, in the city's usual order, with a "quality" (0–100) that shapes
/// their self-reported values and the experts' impressions. 常州经济开发区 holds no
/// enterprises with yearly statistics in the demo dataset, so its indicator leaf
/// (每万名职工中高技能人才数) has no value and scores 0 — the breakdown says so.
const TARGETS: &[(&str, i64)] = &[
    ("320481", 86), // 溧阳市
    ("320413", 78), // 金坛区
    ("320412", 93), // 武进区
    ("320411", 90), // 新北区
    ("320402", 84), // 天宁区
    ("320404", 80), // 钟楼区
    ("320491", 74), // 常州经济开发区
];

/// The expert accounts this seeding adds (user name, display name; password
/// [`DEMO_PASSWORD`]); the demo account `expert` is the first of the five experts.
pub const EXPERTS: &[(&str, &str)] = &[
    ("expert2", "评审专家 钱教授（常州大学）"),
    ("expert3", "评审专家 孙高工（省技能鉴定中心）"),
    ("expert4", "评审专家 李主任（市总工会）"),
    ("expert5", "评审专家 周研究员（市社科院）"),
];

fn leaf(name: &str, points: f64, rule: ScoringRule) -> Node {
    Node {
        code: String::new(),
        name: name.into(),
        points,
        rule: Some(rule),
        children: vec![],
    }
}

fn item(name: &str, points: f64, children: Vec<Node>) -> Node {
    Node {
        code: String::new(),
        name: name.into(),
        points,
        rule: None,
        children,
    }
}

fn band(min: f64, percent: f64) -> Band {
    Band { min, percent }
}

/// The demo scheme: five first-level items adding up to 100.
pub fn scheme() -> Vec<Node> {
    vec![
        item(
            "组织领导",
            20.0,
            vec![
                leaf("将产改纳入党委政府重点工作和高质量发展考核", 8.0, ScoringRule::Checklist),
                leaf(
                    "产改联席会议年度召开次数",
                    6.0,
                    ScoringRule::Ratio { target: 4.0 },
                ),
                leaf("建立产改企业联系点制度", 6.0, ScoringRule::Checklist),
            ],
        ),
        item(
            "制度建设",
            20.0,
            vec![
                leaf(
                    "出台产改配套制度文件数",
                    10.0,
                    ScoringRule::Bands {
                        bands: vec![band(6.0, 100.0), band(4.0, 80.0), band(2.0, 50.0)],
                    },
                ),
                leaf(
                    "试点单位“六有”达标率（%）",
                    10.0,
                    ScoringRule::Bands {
                        bands: vec![band(90.0, 100.0), band(80.0, 80.0), band(60.0, 60.0)],
                    },
                ),
            ],
        ),
        item(
            "队伍建设",
            30.0,
            vec![
                leaf(
                    "每万名职工中高技能人才数",
                    15.0,
                    ScoringRule::Indicator {
                        code: "high_skilled_per_10k".into(),
                        target: 1500.0,
                    },
                ),
                leaf(
                    "职工技能培训人次",
                    15.0,
                    ScoringRule::Ratio { target: 30000.0 },
                ),
            ],
        ),
        leaf(
            "创新成果",
            15.0,
            ScoringRule::Expert {
                max: 15.0,
                criteria: "职工技术创新、揭榜挂帅、创新工作室成果的数量、质量与转化效益；有省级以上成果13–15分，市级成果突出9–12分，一般5–8分，无实质成果0–4分".into(),
            },
        ),
        leaf(
            "特色亮点",
            15.0,
            ScoringRule::Expert {
                max: 15.0,
                criteria: "改革举措的创新性、可复制性和实际成效；形成全省可推广经验13–15分，全市示范9–12分，有一定特色5–8分，无明显特色0–4分".into(),
            },
        ),
    ]
}

/// Loads the published assessment of the last complete year of the seven 板块; returns
/// the number of targets. Runs after the demo accounts exist (it needs `city` and `expert`).
pub async fn seed_assessment(svc: &Service, clock: &DemoClock) -> Result<usize, StoreError> {
    let year = clock.base_year();
    let system = Actor::system("demo");
    let Some(city) = crate::account(svc, "city").await? else {
        return Ok(0);
    };
    for (username, name) in EXPERTS {
        if crate::account(svc, username).await?.is_none() {
            svc.create_user(
                &system,
                username,
                name,
                Role::Expert,
                "320400",
                DEMO_PASSWORD,
                false,
            )
            .await?;
        }
    }
    let v = svc
        .create_scheme(
            &city,
            &SchemeInput {
                name: "常州市产业工人队伍建设改革评价考核办法（板块）".into(),
                description: Some(
                    "依据《常州市产改评价考核实施办法》，对各辖市（区）及经开区年度产改工作进行评价，结果纳入高质量发展考核。".into(),
                ),
                tree: scheme(),
            },
        )
        .await?;
    svc.publish_version(&city, v.id).await?;
    let round = svc
        .create_round(
            &city,
            &RoundInput {
                year,
                title: format!("{year}年度产改工作评价考核（板块）"),
                version_id: v.id,
                target_kind: "district".into(),
                targets: TARGETS.iter().map(|(c, _)| c.to_string()).collect(),
            },
            false,
        )
        .await?;
    let mut experts = Vec::new();
    for name in ["expert", "expert2", "expert3", "expert4", "expert5"] {
        svc.assign_expert(&city, round.id, name).await?;
        if let Some(a) = crate::account(svc, name).await? {
            experts.push(a);
        }
    }
    for (i, (code, q)) in TARGETS.iter().enumerate() {
        let q = *q as f64;
        let district = Actor {
            user_id: None,
            username: format!("district-{code}"),
            display_name: "板块产改办".into(),
            role: Role::District,
            region_code: Some(code.to_string()),
            org_id: None,
            ip: "demo".into(),
        };
        let yes = |v: bool| Some(if v { 1.0 } else { 0.0 });
        let entries = vec![
            SelfEntry {
                leaf: "1.1".into(),
                value: yes(true),
                evidence: Some("区委常委会工作要点、高质量发展考核细则（附件）".into()),
            },
            SelfEntry {
                leaf: "1.2".into(),
                value: Some(((q - 70.0) / 5.0).floor().clamp(2.0, 5.0)),
                evidence: Some("联席会议纪要".into()),
            },
            SelfEntry {
                leaf: "1.3".into(),
                value: yes(true),
                evidence: Some("企业联系点名单及走访台账".into()),
            },
            SelfEntry {
                leaf: "2.1".into(),
                value: Some(((q - 60.0) / 5.0).floor()),
                evidence: Some("配套文件清单".into()),
            },
            SelfEntry {
                leaf: "2.2".into(),
                value: Some((q + 2.0).min(100.0)),
                evidence: Some("试点单位六有台账".into()),
            },
            SelfEntry {
                leaf: "3.2".into(),
                value: Some(q * 340.0 - (i as f64) * 900.0),
                evidence: Some("培训统计台账".into()),
            },
            SelfEntry {
                leaf: "4".into(),
                value: None,
                evidence: Some("职工创新成果汇编、揭榜挂帅项目清单".into()),
            },
            SelfEntry {
                leaf: "5".into(),
                value: None,
                evidence: Some("特色做法总结材料".into()),
            },
        ];
        svc.save_self_report(
            &district,
            round.id,
            code,
            &SelfInput {
                entries,
                submit: true,
            },
            false,
        )
        .await?;
        // The city checks the self-report on the workflow engine and accepts it.
        if let Some(case) = svc.self_report(&city, round.id, code, false).await?.case_id {
            svc.act(
                &city,
                case,
                &gongjiang_storage::workflow::ActInput {
                    action: "accept".into(),
                    comment: Some("材料齐全".into()),
                    version: None,
                    changes: Default::default(),
                },
            )
            .await?;
        }
        // Expert scores: the district's quality, each expert's leniency and a small
        // deterministic spread; expert5 marks 金坛 far lower on 特色亮点 (an outlier
        // the trimmed mean drops and the results flag).
        for (e, ex) in experts.iter().enumerate() {
            for (leaf, base) in [("4", q), ("5", q - 3.0)] {
                let lenient = [0.0, 0.6, -0.4, 0.3, -0.2][e % 5];
                let spread = (((i * 7 + e * 3 + leaf.len()) % 5) as f64 - 2.0) * 0.3;
                let mut s = (base / 100.0 * 15.0 + lenient + spread).clamp(0.0, 15.0);
                if e == 4 && *code == "320413" && leaf == "5" {
                    s = 4.0;
                }
                let s = (s * 2.0).round() / 2.0;
                svc.put_score(
                    ex,
                    round.id,
                    &ScoreInput {
                        target: code.to_string(),
                        leaf: leaf.into(),
                        score: s,
                        comment: None,
                    },
                )
                .await?;
            }
        }
    }
    svc.round_action(&city, round.id, "close", false).await?;
    svc.publish_results(&city, round.id, "", false).await?;
    Ok(TARGETS.len())
}

/// Two 标杆试点评选 cases of pilot enterprises in 武进区 that show the engine's expert
/// scoring and 公示: one in expert scoring (three experts assigned, two have scored), one
/// on public notice with its expert score and an objection the city recorded from a
/// letter, not yet answered. Runs after the experts exist; returns the number of cases.
pub async fn seed_benchmark_cases(svc: &Service, clock: &DemoClock) -> Result<usize, StoreError> {
    let (Some(city), Some(district)) = (
        crate::account(svc, "city").await?,
        crate::account(svc, "wujin").await?,
    ) else {
        return Ok(0);
    };
    let mut experts = Vec::new();
    for name in ["expert", "expert2", "expert3"] {
        match crate::account(svc, name).await? {
            Some(a) => experts.push(a),
            None => return Ok(0),
        }
    }
    let mut conn = svc.db.pool.acquire().await?;
    let orgs: Vec<i64> = sqlx::query_scalar(
        "SELECT o.id FROM orgs o WHERE o.kind = 'enterprise' AND o.region_l2 = '320412' \
         AND o.id IN (SELECT org_id FROM pilots WHERE level = 'city' AND benchmark = 0) ORDER BY o.id LIMIT 2",
    )
    .fetch_all(&mut *conn)
    .await?;
    drop(conn);
    let act = |a: &str| ActInput {
        action: a.into(),
        comment: None,
        version: None,
        changes: Default::default(),
    };
    let achievements = [
        "三年新增高级工以上技能人才312名，高技能人才占比由21%提高到29%;首创“技能积分制”，与薪酬、晋升挂钩，已在区内12家企业推广。",
        "建成市级技能大师工作室2个，职工创新成果获国家专利41项，创效1,860万元；“链主带配套”培训覆盖上下游企业37家。",
    ];
    let mut n = 0;
    for (k, org) in orgs.iter().enumerate() {
        let unit = Actor {
            role: Role::Unit,
            org_id: Some(*org),
            region_code: None,
            ..Actor::system("demo-unit")
        };
        let data = [
            ("year".to_string(), clock.this_year().to_string()),
            ("achievements".to_string(), achievements[k].to_string()),
        ]
        .into_iter()
        .collect();
        let c = svc
            .create_case(
                &unit,
                &gongjiang_storage::workflow::CaseInput {
                    process: "benchmark_selection".into(),
                    org: None,
                    data,
                },
            )
            .await?;
        svc.act(&unit, c.id, &act("submit")).await?;
        svc.act(&district, c.id, &act("accept")).await?;
        svc.act(&city, c.id, &act("accept")).await?;
        for e in ["expert", "expert2", "expert3"] {
            svc.assign_case_expert(&city, c.id, e).await?;
        }
        let scores: [f64; 3] = if k == 0 {
            [88.0, 91.5, 0.0]
        } else {
            [93.0, 90.0, 95.5]
        };
        let scored = if k == 0 { 2 } else { 3 };
        for (e, s) in experts.iter().zip(scores).take(scored) {
            svc.score_case(e, c.id, s, Some("成效突出，经验可复制"))
                .await?;
        }
        if k == 1 {
            svc.act(&city, c.id, &act("accept")).await?;
            svc.lodge_objection(
                &city,
                c.id,
                &format!(
                    "来信反映该企业{}年曾发生一起工伤事故，请核实安全生产情况。",
                    clock.base_year()
                ),
                Some("职工来信（匿名）"),
            )
            .await?;
        }
        n += 1;
    }
    Ok(n)
}

//! Demo records of the programme's registers, at the seed's scale (domain.md's table):
//! 1,020 pilot enterprises and 20 featured parks, 89 provincial 产教融合型 pilot
//! enterprises, 6 现代学徒制 pilot units, 259 innovation studios at city level and above.
use crate::{DemoClock, DemoData};
use gongjiang_domain::OrgKind;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

pub struct DemoPilot {
    pub org: usize,
    pub level: &'static str,
    pub ptype: &'static str,
    pub year: i64,
    pub feature: Option<String>,
    pub benchmark: bool,
}

pub struct DemoDesignation {
    pub org: usize,
    pub dtype: &'static str,
    pub level: &'static str,
    pub year: i64,
    pub holder_name: Option<String>,
    pub document_no: Option<String>,
}

const FEATURES: &[&str] = &[
    "“师带徒”技能传承，首席技师领衔攻关",
    "职工创新工作室+合理化建议双轮驱动",
    "新能源产线技能等级自主评价试点",
    "党建带工建，技术工人职业发展双通道",
    "校企共建产业学院，订单式培养技术工人",
    "职工技术创新专项集体合同落地见效",
    "链主带动配套企业协同推进产改",
    "一线职工“小改小革”积分激励",
];
const PARK_FEATURES: &[&str] = &[
    "一园一品牌：园区职工服务驿站",
    "一园一品牌：园区技能人才共享平台",
    "一园一品牌：园区工匠学院",
    "一园一品牌：园区联合工会协商机制",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "朱", "马", "胡", "郭",
    "何", "高", "林", "钱", "蒋", "沈", "陆", "顾",
];
const GIVEN: &[&str] = &[
    "建国", "志强", "海峰", "春梅", "国平", "晓东", "卫东", "丽华", "明亮", "金龙", "玉兰", "伟",
    "磊", "静", "敏", "军", "勇", "杰", "涛", "芳",
];

fn year(rng: &mut SmallRng, from: i64, to: i64) -> i64 {
    rng.gen_range(from..=to)
}

/// Pilots: 1,020 of the enterprises (the demo `unit` enterprise among them) and 20 parks.
pub fn pilots(data: &DemoData, seed: u64, clock: &DemoClock) -> Vec<DemoPilot> {
    let last = clock.base_year();
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x5eed_0001);
    let mut out = Vec::new();
    let unit = crate::first_pilot_enterprise_in_tianning(data);
    let mut enterprises: Vec<usize> = data
        .orgs_of_kind(OrgKind::Enterprise)
        .map(|(i, _)| i)
        .collect();
    enterprises.retain(|i| *i != unit);
    let take = 1_019.min(enterprises.len());
    // A deterministic spread: every enterprise except a sixth is a pilot.
    let step = enterprises.len() as f64 / take.max(1) as f64;
    let mut chosen: Vec<usize> = (0..take)
        .map(|k| enterprises[((k as f64) * step) as usize])
        .collect();
    chosen.insert(0, unit);
    for (n, i) in chosen.into_iter().enumerate() {
        let chain = data.orgs[i].chain_leader;
        let level = if i == unit || chain || n % 12 == 0 {
            "city"
        } else if n % 5 == 0 {
            "town"
        } else {
            "county"
        };
        let y = year(&mut rng, clock.year(2019), last);
        out.push(DemoPilot {
            org: i,
            level,
            ptype: "enterprise",
            year: y,
            feature: Some(FEATURES[rng.gen_range(0..FEATURES.len())].to_string()),
            benchmark: chain || n % 23 == 0,
        });
        // Some city pilots went on to provincial pilots.
        if level == "city" && n % 3 == 0 {
            out.push(DemoPilot {
                org: i,
                level: "province",
                ptype: "enterprise",
                year: (y + 1).min(last),
                feature: None,
                benchmark: chain,
            });
        }
    }
    for (n, (i, _)) in data.orgs_of_kind(OrgKind::Park).take(20).enumerate() {
        out.push(DemoPilot {
            org: i,
            level: if n % 4 == 0 { "province" } else { "city" },
            ptype: "park",
            year: year(&mut rng, clock.year(2020), last),
            feature: Some(PARK_FEATURES[n % PARK_FEATURES.len()].to_string()),
            benchmark: n % 5 == 0,
        });
    }
    out
}

/// Titles and honours held by organisations.
pub fn designations(data: &DemoData, seed: u64, clock: &DemoClock) -> Vec<DemoDesignation> {
    let last = clock.base_year();
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x5eed_0002);
    let ent: Vec<usize> = data
        .orgs_of_kind(OrgKind::Enterprise)
        .map(|(i, _)| i)
        .collect();
    let colleges: Vec<usize> = data
        .orgs_of_kind(OrgKind::College)
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    let pick = |rng: &mut SmallRng, v: &[usize]| v[rng.gen_range(0..v.len())];
    let doc = |prefix: &str, y: i64, n: usize| Some(format!("{prefix}〔{y}〕{}号", 10 + n));
    // 89 provincial 产教融合型试点企业: chain leaders first, then large enterprises.
    let mut integ: Vec<usize> = ent
        .iter()
        .copied()
        .filter(|i| data.orgs[*i].chain_leader || data.orgs[*i].size.as_deref() == Some("大型"))
        .collect();
    integ.truncate(89);
    for (n, i) in integ.iter().enumerate() {
        let y = year(&mut rng, clock.year(2020), last);
        out.push(DemoDesignation {
            org: *i,
            dtype: "integration_enterprise",
            level: "province",
            year: y,
            holder_name: None,
            document_no: doc("苏发改社会发", y, n),
        });
    }
    // 6 现代学徒制试点单位 (2 national, 4 provincial), in colleges and enterprises.
    for n in 0..6 {
        let org = if n % 2 == 0 {
            colleges[(n * 7) % colleges.len()]
        } else {
            ent[(n * 97) % ent.len()]
        };
        let level = if n < 2 { "national" } else { "province" };
        out.push(DemoDesignation {
            org,
            dtype: "apprenticeship_pilot",
            level,
            year: clock.year(2019) + n as i64 % 4,
            holder_name: None,
            document_no: doc("人社厅发", clock.year(2021), n),
        });
    }
    // 259 劳模(工匠)创新工作室 at city level and above, plus district-level ones.
    let mut used = std::collections::HashSet::new();
    let mut studios = 0;
    let mut k = 0;
    while studios < 259 + 60 && k < 100_000 {
        k += 1;
        let i = pick(&mut rng, &ent);
        let y = year(&mut rng, clock.year(2015), last);
        let level = match studios {
            s if s < 6 => "national",
            s if s < 48 => "province",
            s if s < 259 => "city",
            _ => "district",
        };
        if !used.insert((i, level, y)) {
            continue;
        }
        let name = format!(
            "{}{}劳模创新工作室",
            SURNAMES[rng.gen_range(0..SURNAMES.len())],
            GIVEN[rng.gen_range(0..GIVEN.len())]
        );
        out.push(DemoDesignation {
            org: i,
            dtype: "innovation_studio",
            level,
            year: y,
            holder_name: Some(name),
            document_no: doc("常工发", y, studios),
        });
        studios += 1;
    }
    // 五一劳动奖状 and 十佳产改实践案例.
    for n in 0..24 {
        let y = clock.year(2019) + (n as i64 % 5);
        out.push(DemoDesignation {
            org: ent[(n * 131 + 7) % ent.len()],
            dtype: "may_day_award",
            level: if n < 4 { "province" } else { "city" },
            year: y,
            holder_name: None,
            document_no: doc("常工发", y, 100 + n),
        });
    }
    for n in 0..10 {
        out.push(DemoDesignation {
            org: ent[(n * 53 + 11) % ent.len()],
            dtype: "best_practice",
            level: "city",
            year: last,
            holder_name: None,
            document_no: doc("常产改办", last, n),
        });
    }
    out
}

/// One yearly report: values in the order of `gongjiang_domain::report::ELEMENTS`
/// (money ×100).
pub struct DemoReport {
    pub org: usize,
    pub period: String,
    pub status: &'static str,
    pub values: [i64; 9],
}

/// Approved reports for the three years up to the last complete year
/// ([`DemoClock::base_year`]) from every enterprise, sized so that pilot enterprises cover
/// about 520,000 workers and about 1,380 in 10,000 workers are high-skilled in that year
/// (the seed's 2023), plus a few reports of the current year waiting for review.
pub fn reports(data: &DemoData, seed: u64, clock: &DemoClock) -> Vec<DemoReport> {
    let last = clock.base_year();
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x5eed_0003);
    let mut out = Vec::new();
    let unit = crate::first_pilot_enterprise_in_tianning(data);
    for (n, (i, o)) in data.orgs_of_kind(OrgKind::Enterprise).enumerate() {
        let base: i64 = match o.size.as_deref() {
            Some("大型") => rng.gen_range(1_300..3_900),
            Some("中型") => rng.gen_range(300..1_200),
            Some("小型") => rng.gen_range(50..300),
            _ => rng.gen_range(10..50),
        };
        let ratio = rng.gen_range(0.10..0.175);
        for (k, period) in [last - 2, last - 1, last].iter().enumerate() {
            let growth = 1.0 + 0.04 * k as f64;
            let workers = (base as f64 * growth).round() as i64;
            let frontline = (workers as f64 * rng.gen_range(0.55..0.8)).round() as i64;
            let high = (workers as f64 * ratio * (0.9 + 0.05 * k as f64)).round() as i64;
            let high_new = (high as f64 * rng.gen_range(0.12..0.22)).round() as i64;
            let training = (workers as f64 * rng.gen_range(0.6..1.6)).round() as i64;
            let spend = (training as f64 * rng.gen_range(0.02..0.06)).round() as i64; // ×100 万元
            let proposals = (workers as f64 * rng.gen_range(0.05..0.3)).round() as i64;
            let innovations = (proposals as f64 * rng.gen_range(0.05..0.2)).round() as i64;
            let benefit = innovations * rng.gen_range(200..2_000); // ×100 万元
            out.push(DemoReport {
                org: i,
                period: period.to_string(),
                status: "approved",
                values: [
                    workers,
                    frontline,
                    high,
                    high_new,
                    training,
                    spend,
                    proposals,
                    innovations,
                    benefit,
                ],
            });
        }
        // The current year is being collected: some submitted, one returned; the demo unit has not started.
        if i != unit && n % 9 == 0 {
            let status = if n % 27 == 0 { "returned" } else { "submitted" };
            let w = (base as f64 * 1.12).round() as i64;
            out.push(DemoReport {
                org: i,
                period: (last + 1).to_string(),
                status,
                values: [
                    w,
                    w * 7 / 10,
                    w * 15 / 100,
                    w * 2 / 100,
                    w,
                    w / 20,
                    w / 8,
                    w / 80,
                    w * 3,
                ],
            });
        }
    }
    out
}

/// A named worker of the registry (身份证号 valid, phone plausible).
pub struct DemoWorker {
    pub org: usize,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub occupation: &'static str,
    pub skill_level: &'static str,
    pub frontline: bool,
    pub political_status: &'static str,
}

const OCCUPATIONS: &[&str] = &[
    "电工",
    "焊工",
    "钳工",
    "车工",
    "数控车工",
    "电池制造工",
    "化工总控工",
    "机修钳工",
    "仪器仪表维修工",
    "质检员",
    "汽车装调工",
    "工业机器人系统运维员",
];
const SKILLS: &[(&str, u32)] = &[
    ("apprentice", 8),
    ("junior", 22),
    ("intermediate", 30),
    ("senior", 22),
    ("technician", 11),
    ("senior_technician", 5),
    ("principal", 1),
    ("chief", 1),
];
const POLITICAL: &[&str] = &["群众", "群众", "群众", "中共党员", "共青团员"];

/// Two named workers per enterprise on average: the registry's demo size.
pub fn workers(data: &DemoData, seed: u64, per_enterprise: usize) -> Vec<DemoWorker> {
    let mut rng = SmallRng::seed_from_u64(seed ^ 0x5eed_0004);
    let mut out = Vec::new();
    let mut used = std::collections::HashSet::new();
    for (i, o) in data.orgs_of_kind(OrgKind::Enterprise) {
        let district = crate::district_of(&o.region_code).to_string();
        for _ in 0..per_enterprise {
            let name = format!(
                "{}{}",
                SURNAMES[rng.gen_range(0..SURNAMES.len())],
                GIVEN[rng.gen_range(0..GIVEN.len())]
            );
            let (y, m, d) = (
                rng.gen_range(1965..2004),
                rng.gen_range(1..=12),
                rng.gen_range(1..=28),
            );
            let mut first17;
            loop {
                first17 = format!("{district}{y:04}{m:02}{d:02}{:03}", rng.gen_range(0..1000));
                if used.insert(first17.clone()) {
                    break;
                }
            }
            let Some(check) = gongjiang_domain::IdNumber::check_char(&first17) else {
                continue;
            };
            let total: u32 = SKILLS.iter().map(|(_, w)| w).sum();
            let mut pick = rng.gen_range(0..total);
            let mut skill = "intermediate";
            for (s, w) in SKILLS {
                if pick < *w {
                    skill = s;
                    break;
                }
                pick -= w;
            }
            out.push(DemoWorker {
                org: i,
                name,
                id_number: format!("{first17}{check}"),
                phone: format!(
                    "1{}{:09}",
                    [3, 5, 7, 8, 9][rng.gen_range(0..5)],
                    rng.gen_range(0..1_000_000_000u64)
                ),
                occupation: OCCUPATIONS[rng.gen_range(0..OCCUPATIONS.len())],
                skill_level: skill,
                frontline: rng.gen_bool(0.75),
                political_status: POLITICAL[rng.gen_range(0..POLITICAL.len())],
            });
        }
    }
    out
}

//! Loads a generated dataset and the demo accounts into a database.
use crate::{DemoClock, DemoData, RegionLevelKind};
use gongjiang_domain::org::NewOrg;
use gongjiang_domain::{RegionCode, Role};
use gongjiang_storage::regions::{self, Region};
use gongjiang_storage::service::Service;
use gongjiang_storage::{audit, now_ms, orgs, Actor, StoreError};
use sqlx::Row;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "gongjiang-demo";

/// (username, display name, role, attached to: region code or `org:INDEX`)
pub const DEMO_ACCOUNTS: &[(&str, &str, Role, &str)] = &[
    ("admin", "系统管理员", Role::Sysadmin, "320400"),
    ("city", "市产改办 张敏", Role::City, "320400"),
    ("tianning", "天宁区产改办 李强", Role::District, "320402"),
    ("wujin", "武进区产改办 王芳", Role::District, "320412"),
    ("renshe", "市人社局 陈静", Role::Department, "org:renshe"),
    ("unit", "企业联络员 周宁", Role::Unit, "org:unit"),
    // Named after the street it is attached to (that of the `unit` enterprise: 青龙街道
    // with the default seed; `load` puts the street's real name in front).
    ("town", "青龙街道产改专干 赵磊", Role::Town, "town:unit"),
    ("expert", "评审专家 吴教授", Role::Expert, "320400"),
];

#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub regions: usize,
    pub orgs: usize,
    pub pilots: usize,
    pub designations: usize,
    pub reports: usize,
    pub workers: usize,
    pub users: usize,
    pub cases: usize,
}

fn level(l: RegionLevelKind) -> &'static str {
    match l {
        RegionLevelKind::City => "city",
        RegionLevelKind::District => "district",
        RegionLevelKind::Town => "town",
        RegionLevelKind::Zone => "zone",
    }
}

/// Inserts the dataset in one transaction (regions that exist already are kept), then
/// creates the demo accounts. `progress` is called with (done, total) organisations.
pub async fn load(
    svc: &Service,
    data: &DemoData,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Loaded, StoreError> {
    load_seeded(svc, data, crate::DEFAULT_SEED, progress).await
}

/// As [`load`], with the seed for the programme's registers.
pub async fn load_seeded(
    svc: &Service,
    data: &DemoData,
    seed: u64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Loaded, StoreError> {
    load_on(svc, data, seed, DemoClock::now(), progress).await
}

/// As [`load_seeded`], as if loaded on the day of `clock`: every year and date of the
/// demo derives from it (the same day and seed load the same data).
pub async fn load_on(
    svc: &Service,
    data: &DemoData,
    seed: u64,
    clock: DemoClock,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Loaded, StoreError> {
    svc.ensure_base_regions().await?;
    let actor = Actor::system("demo");
    let now = now_ms();
    let mut tx = svc.db.begin().await?;
    let mut loaded = Loaded::default();
    for (i, r) in data.regions.iter().enumerate() {
        let exists: i64 = sqlx::query("SELECT COUNT(*) FROM regions WHERE code = $1")
            .bind(&r.code)
            .fetch_one(tx.conn())
            .await?
            .try_get(0)?;
        if exists == 0 {
            let region = Region {
                code: r.code.clone(),
                name: r.name.clone(),
                level: level(r.level).into(),
                parent_code: r.parent_code.clone(),
            };
            regions::insert(tx.conn(), &region, i as i64).await?;
            loaded.regions += 1;
        }
    }
    let mut ids: Vec<i64> = Vec::with_capacity(data.orgs.len());
    let total = data.orgs.len();
    for (i, o) in data.orgs.iter().enumerate() {
        let region_code = RegionCode::parse(&o.region_code).map_err(StoreError::invalid)?;
        let new = NewOrg {
            name: o.name.clone(),
            kind: o.kind,
            uscc: o.uscc.clone(),
            region_code,
            parent_id: o.parent.and_then(|p| ids.get(p).copied()),
            industry: o.industry.clone(),
            ownership: o.ownership,
            chain_leader: o.chain_leader,
            size: o.size.clone(),
            address: o.address.clone(),
            contact: o.contact.clone(),
            college_type: o.college_type,
        };
        ids.push(orgs::insert(tx.conn(), &new, now).await?);
        if i % 500 == 0 || i + 1 == total {
            progress(i + 1, total);
        }
    }
    loaded.orgs = ids.len();
    // The programme's registers (decisions already taken), then the aggregates once.
    for p in crate::programme::pilots(data, seed, &clock) {
        let Some(&org_id) = ids.get(p.org) else {
            continue;
        };
        let new = gongjiang_storage::pilots::NewPilot {
            org_id,
            level: p.level.into(),
            ptype: p.ptype.into(),
            year: p.year,
            feature: p.feature,
            benchmark: p.benchmark,
        };
        gongjiang_storage::pilots::insert(tx.conn(), &new, now).await?;
        loaded.pilots += 1;
    }
    for d in crate::programme::designations(data, seed, &clock) {
        let Some(&holder_org_id) = ids.get(d.org) else {
            continue;
        };
        let new = gongjiang_storage::designations::NewDesignation {
            dtype: d.dtype.into(),
            level: d.level.into(),
            year: d.year,
            holder_org_id,
            holder_worker_id: 0,
            holder_name: d.holder_name,
            document_no: d.document_no,
        };
        gongjiang_storage::designations::insert(tx.conn(), &new, now).await?;
        loaded.designations += 1;
    }
    for r in crate::programme::reports(data, seed, &clock) {
        let Some(&org_id) = ids.get(r.org) else {
            continue;
        };
        let mut values = gongjiang_domain::report::Values::new();
        for (e, v) in gongjiang_domain::report::ELEMENTS.iter().zip(r.values) {
            values.insert(e.code, v);
        }
        let reason =
            (r.status == "returned").then_some("一线职工数与花名册不一致，请核实后重新报送");
        gongjiang_storage::reports::insert_with_status(
            tx.conn(),
            org_id,
            &r.period,
            r.status,
            reason,
            &values,
            now,
        )
        .await?;
        loaded.reports += 1;
    }
    let mut worker_ids: Vec<(i64, &'static str, i64)> = Vec::new();
    for w in crate::programme::workers(data, seed, 2) {
        let Some(org) = ids.get(w.org) else { continue };
        // Certified workers (中级工 and above) hold a certificate for their level; those
        // at 高级工 and above an earlier one for the level below as well.
        let (cert, earlier) =
            demo_certificates(&w.id_number, w.skill_level, w.occupation, clock.base_year());
        let input = gongjiang_storage::workers::WorkerInput {
            name: Some(w.name),
            id_number: Some(w.id_number),
            org: Some(org.to_string()),
            phone: Some(w.phone),
            occupation: Some(w.occupation.into()),
            skill_level: Some(w.skill_level.into()),
            certificate_no: cert.as_ref().map(|c| c.no.clone()),
            certified_on: cert.as_ref().and_then(|c| c.certified_on.clone()),
            frontline: Some(w.frontline),
            political_status: Some(w.political_status.into()),
            certificates: earlier.map(|e| vec![e]),
        };
        let wid = svc.load_worker(tx.conn(), &actor, &input).await?;
        worker_ids.push((wid, w.skill_level, *org));
        loaded.workers += 1;
    }
    // Titles held by people, awarded to the most skilled: 20 产业教授 (provincial),
    // 40 龙城工匠 (city), and some 劳动模范, 五一劳动奖章 and 技术能手.
    let mut top: Vec<&(i64, &'static str, i64)> = worker_ids
        .iter()
        .filter(|(_, s, _)| {
            matches!(
                *s,
                "chief" | "principal" | "senior_technician" | "technician"
            )
        })
        .collect();
    top.sort_by_key(|(id, s, _)| {
        (
            match *s {
                "chief" => 0,
                "principal" => 1,
                "senior_technician" => 2,
                _ => 3,
            },
            *id,
        )
    });
    let awards: [(&str, &str, usize, i64); 5] = [
        ("industry_professor", "province", 20, clock.year(2021)),
        ("longcheng_craftsman", "city", 40, clock.year(2022)),
        ("model_worker", "city", 12, clock.year(2020)),
        ("may_day_medal", "city", 30, clock.year(2023)),
        ("skill_master", "city", 50, clock.year(2023)),
    ];
    let mut k = 0usize;
    for (dtype, level, n, year) in awards {
        for i in 0..n {
            let Some((wid, _, org)) = top.get((k + i) % top.len().max(1)) else {
                continue;
            };
            let new = gongjiang_storage::designations::NewDesignation {
                dtype: dtype.into(),
                level: level.into(),
                year: year - (i as i64 % 3),
                holder_org_id: *org,
                holder_worker_id: *wid,
                holder_name: None,
                document_no: Some(format!("常人社发〔{year}〕{}号", 30 + i)),
            };
            if gongjiang_storage::designations::id_by_key(tx.conn(), &new)
                .await?
                .is_none()
            {
                gongjiang_storage::designations::insert(tx.conn(), &new, now).await?;
                loaded.designations += 1;
            }
        }
        k += n;
    }
    gongjiang_storage::indicators::rebuild(tx.conn()).await?;
    let summary = format!(
        "演示数据：{} 个区划，{} 个单位，{} 条试点，{} 条认定",
        loaded.regions, loaded.orgs, loaded.pilots, loaded.designations
    );
    audit::append(
        tx.conn(),
        &actor,
        audit::action::IMPORT,
        "system",
        "demo",
        &summary,
        None,
        None,
        now,
    )
    .await?;
    tx.commit().await?;

    let unit_idx = crate::first_pilot_enterprise_in_tianning(data);
    for (username, name, role, attach) in DEMO_ACCOUNTS {
        let mut name = name.to_string();
        let attach = match *attach {
            "org:renshe" => ids.first().map(|i| i.to_string()).unwrap_or_default(),
            "org:unit" => ids.get(unit_idx).map(|i| i.to_string()).unwrap_or_default(),
            "town:unit" => {
                let id = ids.get(unit_idx).copied().unwrap_or_default();
                let mut conn = svc.db.pool.acquire().await?;
                let (code, town) = sqlx::query_as::<_, (String, String)>(
                    "SELECT o.region_code, r.name FROM orgs o JOIN regions r ON r.code = o.region_code WHERE o.id = $1",
                )
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
                // The account is named after its street ("青龙街道产改专干 …").
                if let Some(i) = name.find("产改专干") {
                    name = format!("{town}{}", &name[i..]);
                }
                code
            }
            code => code.to_string(),
        };
        svc.create_user(
            &actor,
            username,
            &name,
            *role,
            &attach,
            DEMO_PASSWORD,
            false,
        )
        .await?;
        loaded.users += 1;
    }
    loaded.cases = seed_cases(svc, &clock).await?;
    crate::tasks::seed_tasks(svc, &clock).await?;
    if crate::assessment::seed_assessment(svc, &clock).await? > 0 {
        // Its expert panel: accounts too.
        loaded.users += crate::assessment::EXPERTS.len();
    }
    loaded.cases += crate::assessment::seed_benchmark_cases(svc, &clock).await?;
    crate::contacts::seed_contacts(svc, &clock).await?;
    crate::liuyou::seed_liuyou(svc, &clock).await?;
    crate::policies::seed_policies(svc).await?;
    crate::training::seed_classes(svc, &clock).await?;
    crate::training::seed_engagements(svc, &clock).await?;
    crate::contests::seed_contests(svc, &clock).await?;
    crate::craftsmen::seed_craftsmen(svc, &clock).await?;
    crate::studios::seed_studios(svc, &clock).await?;
    crate::innovations::seed_innovations(svc, &clock).await?;
    Ok(loaded)
}

/// Pilot applications and checks in every state of the workflow, for enterprises of
/// 天宁区 that are not pilots yet (so the register's figures stay the seed's). Runs after
/// the accounts exist; reviewers act with their demo accounts where there is one.
pub async fn seed_cases(svc: &Service, clock: &DemoClock) -> Result<usize, StoreError> {
    // A yearly check of the last complete year; applications for the current one.
    let (checked, applied) = (clock.base_year().to_string(), clock.this_year().to_string());
    use gongjiang_storage::workflow::{ActInput, CaseInput};
    let mut conn = svc.db.pool.acquire().await?;
    let rows = sqlx::query(
        "SELECT id, region_l3 FROM orgs WHERE kind = 'enterprise' AND region_l2 = '320402' AND region_l3 IS NOT NULL          AND id NOT IN (SELECT org_id FROM pilots) ORDER BY id LIMIT 9",
    )
    .fetch_all(&mut *conn)
    .await?;
    let user = |name: &str| {
        let name = name.to_string();
        async move {
            let mut conn = svc.db.pool.acquire().await?;
            Ok::<_, StoreError>(
                gongjiang_storage::users::by_username(&mut conn, &name)
                    .await?
                    .map(|u| u.0.actor("demo")),
            )
        }
    };
    let city = user("city").await?;
    let district = user("tianning").await?;
    let (Some(city), Some(district)) = (city, district) else {
        return Ok(0);
    };
    // How far each case goes: 0 draft, 1 at town, 2 at district, 3 at city, 4 notice,
    // 5 returned by the district, 6 rejected by the city, 7 withdrawn, 8 a yearly check approved.
    let features = [
        "以数字化车间培养“数字工匠”",
        "师带徒“双导师”制",
        "技能等级自主评价",
        "班组创新工作室群",
        "职工技术创新成果转化",
        "产教融合订单班",
        "一线职工薪酬与技能挂钩",
        "劳模工匠进车间",
        "职工书屋与技能夜校",
    ];
    let mut n = 0;
    for (i, r) in rows.iter().enumerate() {
        let org: i64 = r.try_get(0)?;
        let town: Option<String> = r.try_get(1)?;
        let unit = Actor {
            user_id: None,
            username: format!("unit-{org}"),
            display_name: "企业联络员".into(),
            role: Role::Unit,
            region_code: None,
            org_id: Some(org),
            ip: "demo".into(),
        };
        let town_actor = Actor {
            user_id: None,
            username: "town-demo".into(),
            display_name: "街道产改专干".into(),
            role: Role::Town,
            region_code: town,
            org_id: None,
            ip: "demo".into(),
        };
        let (process, data) = if i == 8 {
            (
                "pilot_yearly_check",
                [
                    ("year", checked.as_str()),
                    (
                        "summary",
                        "完成年度目标：新增高技能人才32名，开展技能比武4场。",
                    ),
                ]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            )
        } else {
            (
                "pilot_application",
                [
                    ("level", "city"),
                    ("year", applied.as_str()),
                    ("feature", features[i]),
                    ("plan", "一、目标：三年内高技能人才占比提高5个百分点。\n二、举措：师带徒、技能等级自主评价、创新工作室。\n三、保障：专项经费与考核激励。"),
                ]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            )
        };
        let c = svc
            .create_case(
                &unit,
                &CaseInput {
                    process: process.into(),
                    org: None,
                    data,
                },
            )
            .await?;
        n += 1;
        let act = |a: &str, comment: &str| ActInput {
            action: a.into(),
            comment: Some(comment.into()).filter(|c: &String| !c.is_empty()),
            version: None,
            changes: Default::default(),
        };
        let plan: &[(&Actor, &str, &str)] = match i {
            0 => &[],
            1 => &[(&unit, "submit", "")],
            2 => &[(&unit, "submit", ""), (&town_actor, "accept", "材料齐全")],
            3 | 4 => &[
                (&unit, "submit", ""),
                (&town_actor, "accept", "材料齐全"),
                (&district, "accept", "同意推荐"),
            ],
            5 => &[
                (&unit, "submit", ""),
                (&town_actor, "accept", "材料齐全"),
                (&district, "return", "请补充近三年职工培训投入数据"),
            ],
            6 => &[
                (&unit, "submit", ""),
                (&town_actor, "accept", "材料齐全"),
                (&district, "accept", "同意推荐"),
                (&city, "reject", "特色不够鲜明，建议明年再报"),
            ],
            7 => &[(&unit, "submit", ""), (&unit, "withdraw", "")],
            _ => &[
                (&unit, "submit", ""),
                (&town_actor, "accept", "属实"),
                (&district, "accept", "同意"),
                (&city, "accept", "通过年度检查"),
            ],
        };
        for (who, a, comment) in plan {
            svc.act(who, c.id, &act(a, comment)).await?;
        }
        if i == 4 {
            svc.act(&city, c.id, &act("accept", "同意，进入公示"))
                .await?;
        }
    }
    Ok(n)
}

/// The demo's certificates for a worker: the current one (for 中级工 and above) and, for
/// the high-skilled, the one for the level below, two to five years earlier.
fn demo_certificates(
    id_number: &str,
    skill: &str,
    occupation: &str,
    last_year: i64,
) -> (
    Option<gongjiang_storage::workers::Certificate>,
    Option<gongjiang_storage::workers::Certificate>,
) {
    use gongjiang_storage::workers::Certificate;
    let ladder = [
        "apprentice",
        "junior",
        "intermediate",
        "senior",
        "technician",
        "senior_technician",
        "principal",
        "chief",
    ];
    let Some(rank) = ladder.iter().position(|l| *l == skill) else {
        return (None, None);
    };
    if rank < 2 {
        return (None, None);
    }
    let seed: u32 = id_number
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    // Within the nine years up to the last complete one (relative to the day loaded).
    let year = (last_year - 8) as i32 + (seed % 9) as i32;
    let tail = &id_number[id_number.len().saturating_sub(8)..];
    let current = Certificate {
        no: format!("S{year}32040{}{tail}", rank),
        skill_level: Some(skill.to_string()),
        occupation: Some(occupation.to_string()),
        certified_on: Some(format!("{year}-{:02}-{:02}", 1 + seed % 12, 1 + seed % 28)),
        issuer: Some("常州市职业技能鉴定指导中心".into()),
        source: None,
    };
    let earlier = (rank >= 3).then(|| Certificate {
        no: format!("S{}32040{}{tail}", year - 3, rank - 1),
        skill_level: Some(ladder[rank - 1].to_string()),
        occupation: Some(occupation.to_string()),
        certified_on: Some(format!(
            "{}-{:02}-{:02}",
            year - 3,
            1 + seed % 12,
            1 + seed % 28
        )),
        issuer: Some("常州市职业技能鉴定指导中心".into()),
        source: None,
    });
    (Some(current), earlier)
}

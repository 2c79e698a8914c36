//! The demo's 技能形成: classes at the seed's scale (42 新型学徒制 classes over three
//! years, 现代学徒制 and 技能提升 classes), opened by the colleges for enterprises, with
//! the figures of past classes as recorded, and rosters of registered workers — each
//! 新型学徒制 apprentice with a master — on a few classes of the last complete year.
use crate::DemoClock;
use gongjiang_storage::scope::Actor;
use gongjiang_storage::service::Service;
use gongjiang_storage::training::{ClassInput, CompleteInput, EnrolInput};
use gongjiang_storage::StoreError;
use sqlx::Row;

const OCCUPATIONS: &[&str] = &[
    "数控车工",
    "焊工",
    "电工",
    "钳工",
    "汽车装调工",
    "化工总控工",
    "工业机器人系统运维员",
    "电子设备装接工",
];

/// (type code, code prefix, name suffix, classes per year from two years back).
const PLAN: &[(&str, &str, &str, [usize; 3])] = &[
    ("new_apprentice", "XT", "新型学徒制培训班", [12, 14, 16]),
    ("modern_apprentice", "XD", "现代学徒制试点班", [2, 2, 4]),
    ("upskilling", "JT", "技能提升培训班", [18, 22, 26]),
];

/// Opens the classes; returns how many.
pub async fn seed_classes(svc: &Service, clock: &DemoClock) -> Result<usize, StoreError> {
    // The city office opens them (its promotions are then submitted in its name).
    let Some(actor) = crate::account(svc, "city").await? else {
        return Ok(0);
    };
    let (colleges, enterprises) = {
        let mut conn = svc.db.pool.acquire().await?;
        let colleges: Vec<i64> = sqlx::query(
            "SELECT id FROM orgs WHERE kind = 'college' AND college_type IN ('industry', 'craftsman') ORDER BY id",
        )
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
        // Pilot enterprises hold the classes.
        let enterprises: Vec<i64> = sqlx::query(
            "SELECT DISTINCT p.org_id FROM pilots p JOIN orgs o ON o.id = p.org_id \
             WHERE o.kind = 'enterprise' ORDER BY p.org_id",
        )
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
        (colleges, enterprises)
    };
    if colleges.is_empty() || enterprises.is_empty() {
        return Ok(0);
    }
    let last = clock.base_year();
    let mut n = 0usize;
    let mut rostered: Vec<(i64, i64, usize)> = Vec::new();
    for (ctype, prefix, suffix, per_year) in PLAN {
        let mut k = 0usize;
        for (back, count) in per_year.iter().enumerate() {
            let year = last - 2 + back as i64;
            for i in 0..*count {
                k += 1;
                let occupation = OCCUPATIONS[(k * 3 + i) % OCCUPATIONS.len()];
                let trainees = 20 + ((k * 7 + i * 13) % 26) as i64;
                let trainees = if *ctype == "upskilling" {
                    trainees * 3
                } else {
                    trainees
                };
                let completed = trainees - ((k + i) % 4) as i64;
                // The last year's first new-apprenticeship classes are the colleges' own,
                // for workers of several enterprises of their district (with a roster).
                let roster = *ctype == "new_apprentice" && year == last && i < 3;
                let enterprise = enterprises[(k * 5 + i) % enterprises.len()];
                let provider = colleges[(k + i) % colleges.len()];
                let input = ClassInput {
                    code: format!("{prefix}-{year}-{:03}", i + 1),
                    name: format!("{occupation}{suffix}（{year}年第{}期）", i + 1),
                    ctype: (*ctype).into(),
                    provider: provider.to_string(),
                    enterprise: (!roster).then(|| enterprise.to_string()),
                    occupation: occupation.into(),
                    target_level: if *ctype == "upskilling" {
                        "intermediate".into()
                    } else {
                        "senior".into()
                    },
                    year: Some(year),
                    starts_on: clock.date(year, if i % 2 == 0 { "03-01" } else { "04-15" }),
                    ends_on: clock.date(year, if i % 2 == 0 { "11-30" } else { "12-20" }),
                    trainees: Some(trainees),
                    completed: Some(completed),
                    version: None,
                };
                let c = svc.create_class(&actor, &input).await?;
                n += 1;
                if roster {
                    rostered.push((c.id, provider, i));
                }
            }
        }
    }
    let first_roster = rostered.first().map(|r| r.0);
    for (class_id, college, i) in rostered {
        seed_roster(svc, &actor, class_id, college, i, clock).await?;
    }
    // 人社 has decided the first class's promotions; the others wait in its inbox.
    if let (Some(renshe), Some(first)) = (crate::account(svc, "renshe").await?, first_roster) {
        let cases: Vec<i64> = {
            let mut conn = svc.db.pool.acquire().await?;
            sqlx::query(
                "SELECT promotion_case_id FROM class_trainees WHERE class_id = $1 AND promotion_case_id IS NOT NULL ORDER BY id",
            )
            .bind(first)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?
        };
        for id in cases {
            let accept = gongjiang_storage::workflow::ActInput {
                action: "accept".into(),
                comment: Some("证书核验无误，同意晋升".into()),
                version: None,
                changes: Default::default(),
            };
            svc.act(&renshe, id, &accept).await?;
        }
    }
    Ok(n)
}

const COURSES: &[&str] = &[
    "数控加工工艺与编程",
    "焊接工艺评定与实操",
    "工业机器人运维实训",
    "电气控制与PLC",
    "精益生产与质量管理",
];
const PROJECTS: &[&str] = &[
    "校企共建实训基地",
    "新能源汽车电池工艺改进",
    "智能产线数字孪生",
    "现代学徒制课程开发",
];

/// The 产业教授 of the registry teach at the colleges: one engagement each in the last
/// two years, the earlier one reviewed.
pub async fn seed_engagements(svc: &Service, clock: &DemoClock) -> Result<usize, StoreError> {
    use gongjiang_storage::training::professors::{EngagementInput, ProfessorFilter};
    let Some(city) = crate::account(svc, "city").await? else {
        return Ok(0);
    };
    let colleges: Vec<i64> = {
        let mut conn = svc.db.pool.acquire().await?;
        sqlx::query("SELECT id FROM orgs WHERE kind = 'college' AND college_type IN ('industry', 'craftsman') ORDER BY id")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?
    };
    if colleges.is_empty() {
        return Ok(0);
    }
    let f = ProfessorFilter {
        per_page: 500,
        ..Default::default()
    };
    let profs = svc.list_professors(&city, &f).await?.items;
    let last = clock.base_year();
    let mut n = 0;
    for (i, p) in profs.iter().enumerate() {
        for (k, year) in [last - 1, last].into_iter().enumerate() {
            let input = EngagementInput {
                college: colleges[(i + k) % colleges.len()].to_string(),
                year: Some(year),
                courses: COURSES[(i + k) % COURSES.len()].into(),
                projects: if i % 3 == 0 {
                    PROJECTS[i % PROJECTS.len()].into()
                } else {
                    String::new()
                },
                hours: Some(24 + ((i * 7 + k * 5) % 40) as i64),
                review: (year < last).then(|| if i % 4 == 0 { "excellent" } else { "pass" }.into()),
                review_note: None,
                version: None,
            };
            svc.add_engagement(&city, p.id, &input).await?;
            n += 1;
        }
    }
    Ok(n)
}

/// Enrols less-skilled workers of the college's district with a high-skilled master,
/// and records the completions of the year (some with a certificate one level up).
async fn seed_roster(
    svc: &Service,
    actor: &Actor,
    class_id: i64,
    college: i64,
    nth: usize,
    clock: &DemoClock,
) -> Result<(), StoreError> {
    let rows = {
        let mut conn = svc.db.pool.acquire().await?;
        sqlx::query(
            "SELECT w.id, w.skill_level FROM workers w JOIN orgs o ON o.id = w.org_id \
             WHERE o.region_l2 = (SELECT region_l2 FROM orgs WHERE id = $1) ORDER BY w.id LIMIT 60 OFFSET $2",
        )
        .bind(college)
        .bind(nth as i64 * 60)
        .fetch_all(&mut *conn)
        .await?
    };
    let high = [
        "senior",
        "technician",
        "senior_technician",
        "principal",
        "chief",
    ];
    let mut master = None;
    let mut learners = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get(0)?;
        let level: Option<String> = r.try_get(1)?;
        match level.as_deref() {
            Some(l) if high.contains(&l) => {
                master.get_or_insert(id);
            }
            l => learners.push((id, l.map(str::to_string))),
        }
    }
    let Some(master) = master else {
        return Ok(());
    };
    let year = clock.base_year();
    for (n, (worker, level)) in learners.iter().take(10).enumerate() {
        let t = svc
            .enrol_trainee(
                actor,
                class_id,
                &EnrolInput {
                    worker: worker.to_string(),
                    master: Some(master.to_string()),
                },
            )
            .await?;
        if n % 5 == 4 {
            continue; // still in training
        }
        let next = match level.as_deref() {
            None | Some("apprentice") => Some("junior"),
            Some("junior") => Some("intermediate"),
            Some("intermediate") => Some("senior"),
            _ => None,
        }
        .filter(|_| n % 2 == 0);
        svc.complete_trainee(
            actor,
            class_id,
            t.id,
            &CompleteInput {
                completed_on: clock.date(year, "12-20"),
                certificate_no: next.map(|_| format!("S{year}3204{class_id:04}{worker:06}")),
                certified_level: next.map(str::to_string),
            },
        )
        .await?;
    }
    Ok(())
}

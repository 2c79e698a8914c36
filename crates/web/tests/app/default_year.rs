//! Issue #10, point 2 "Every page opens on an empty year": one rule for the default period
//! (the latest year with approved data, said on the page as "数据截至…年度"), used by the
//! home page, the dashboard, 六有, tasks and the contact points alike; and a demo whose
//! years follow the day it is loaded, its dates agreeing with each other.

use crate::helpers::*;
use serde_json::Value;
use sqlx::Row;

/// The value shown on the stat card labelled `label` (the first one after it).
fn card_value(html: &str, label: &str) -> String {
    let after = html
        .split(&format!("<div class=\"stat-label\">{label}</div>"))
        .nth(1)
        .unwrap_or_else(|| panic!("no card {label}"));
    let v = after
        .split("<div class=\"stat-value\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_else(|| panic!("no value for {label}"));
    v.trim().to_string()
}

/// A card shows a real figure: neither 0 nor "—".
fn non_zero(v: &str) -> bool {
    let digits: String = v.chars().filter(|c| c.is_ascii_digit()).collect();
    !digits.is_empty() && digits.chars().any(|c| c != '0')
}

/// The year a page's select opened on.
fn selected_year(html: &str, select: &str) -> String {
    let sel = html
        .split(&format!("name=\"{select}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no select {select}"));
    let sel = sel.split("</select>").next().unwrap();
    sel.split("\" selected>")
        .next()
        .and_then(|s| s.rsplit("value=\"").next())
        .unwrap()
        .to_string()
}

/// The year in a page's title, "… · 2025 <span …".
fn title_year(html: &str) -> String {
    let h1 = html
        .split("<h1>")
        .nth(1)
        .unwrap()
        .split("</h1>")
        .next()
        .unwrap();
    h1.split(" · ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no year in {h1}"))
        .to_string()
}

#[tokio::test]
async fn the_city_opens_on_the_last_complete_year_with_its_figures() {
    let app = spawn_demo().await;
    let y = demo_year();
    let as_of = format!("数据截至{y}年度");
    let b = app.browser("city").await;

    // Home: the programme figures are those of the last complete year, and it says so.
    let home = b.get_ok("/").await;
    assert!(home.contains(&as_of), "home: {as_of}");
    for label in ["试点覆盖职工数", "每万名职工中高技能人才数"] {
        let v = card_value(&home, label);
        assert!(non_zero(&v), "home {label}: {v}");
    }
    assert!(
        home.contains(&format!("period={y}\"")),
        "the cards lead to the dashboard of that year"
    );

    // Dashboard: opens on the same year with non-zero statistics.
    let (s, dash) = b.get("/dashboard").await;
    assert_eq!(s, 200);
    assert!(dash.contains(&as_of), "dashboard: {as_of}");
    assert_eq!(selected_year(&dash, "period"), y.to_string());
    for label in [
        "试点覆盖职工数",
        "职工总数",
        "高技能人才数",
        "每万名职工中高技能人才数",
    ] {
        let v = card_value(&dash, label);
        assert!(non_zero(&v), "dashboard {label}: {v}");
    }
    // 1,380 per 10,000 at the seed's scale, in the Chinese number format.
    let per10k = card_value(&dash, "每万名职工中高技能人才数");
    assert!(per10k.contains(','), "{per10k}");
    // The CSV of the default view is that year's too.
    let (_, csv) = b.get("/dashboard/export.csv?org=320400").await;
    let (_, csv_y) = b
        .get(&format!("/dashboard/export.csv?org=320400&period={y}"))
        .await;
    assert_eq!(csv, csv_y);

    // 六有, tasks and contact points agree on the year.
    let liuyou = b.get_ok("/liuyou").await;
    assert!(liuyou.contains(&as_of), "liuyou: {as_of}");
    assert_eq!(title_year(&liuyou), y.to_string());
    let (s, tasks) = b.get("/tasks").await;
    assert_eq!(s, 200);
    assert!(tasks.contains(&as_of), "tasks: {as_of}");
    assert_eq!(title_year(&tasks), y.to_string());
    assert!(
        tasks.contains("建设产业学院"),
        "the demo's list is that year's"
    );
    let contacts = b.get_ok("/contacts").await;
    assert!(contacts.contains(&as_of), "contacts: {as_of}");
    assert_eq!(selected_year(&contacts, "year"), y.to_string());

    // The APIs default to it as well.
    let city = app.token("city").await;
    let (_, board) = app.get(&city, "/api/v1/tasks/board").await;
    assert_eq!(board["year"], y);
    let (_, rows) = app.get(&city, "/api/v1/liuyou").await;
    let (_, rows_y) = app.get(&city, &format!("/api/v1/liuyou?year={y}")).await;
    assert!(!rows.as_array().unwrap().is_empty());
    assert_eq!(rows, rows_y);

    // In English too.
    let (_, en) = b.get("/dashboard?lang=en").await;
    assert!(en.contains(&format!("Data as of {y}")), "English sentence");
}

#[tokio::test]
async fn every_role_opens_on_the_same_year() {
    let app = spawn_demo().await;
    let y = demo_year().to_string();
    for user in ["city", "tianning", "unit", "town", "renshe"] {
        let b = app.browser(user).await;
        let (s, dash) = b.get("/dashboard").await;
        assert_eq!(s, 200, "{user}");
        assert_eq!(selected_year(&dash, "period"), y, "{user}: dashboard");
        assert!(dash.contains(&format!("数据截至{y}年度")), "{user}");
        let (s, tasks) = b.get("/tasks").await;
        assert_eq!(s, 200, "{user}");
        assert_eq!(title_year(&tasks), y, "{user}: tasks");
        let (s, home) = b.get("/").await;
        assert_eq!(s, 200, "{user}");
        assert!(home.contains(&format!("数据截至{y}年度")), "{user}: home");
    }
    // The unit's 六有 opens on its sheet of that year.
    let b = app.browser("unit").await;
    let r = b.c.get(format!("{}/liuyou", b.base)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.ends_with(&format!("/{y}")), "{to}");
    for user in ["city", "tianning"] {
        let (_, html) = app.browser(user).await.get("/liuyou").await;
        assert_eq!(title_year(&html), y, "{user}: 六有");
    }
}

/// Rows of one query, as text (years and dates alike).
async fn rows(app: &TestApp, sql: &str) -> Vec<Vec<String>> {
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| {
                    r.try_get::<String, _>(i)
                        .or_else(|_| r.try_get::<i64, _>(i).map(|v| v.to_string()))
                        .unwrap()
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_demo_dates_follow_the_day_it_was_loaded_and_agree() {
    let app = spawn_demo().await;
    let y = demo_year();
    let today = in_days(0);
    let year_of = |d: &str| d[..4].parse::<i64>().unwrap();
    let days = |d: &str| {
        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .unwrap()
            .signed_duration_since(chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d").unwrap())
            .num_days()
    };

    // Statistics: approved up to the last complete year, the current one under review.
    let periods = rows(
        &app,
        "SELECT period, status, CAST(COUNT(*) AS BIGINT) FROM reports GROUP BY period, status ORDER BY period, status",
    )
    .await;
    let approved: Vec<i64> = periods
        .iter()
        .filter(|r| r[1] == "approved")
        .map(|r| year_of(&r[0]))
        .collect();
    assert_eq!(approved.iter().max(), Some(&y), "{periods:?}");
    assert!(periods
        .iter()
        .any(|r| year_of(&r[0]) == y + 1 && r[1] == "submitted"));
    assert!(periods.iter().all(|r| year_of(&r[0]) <= y + 1));

    // Tasks: the list of that year, deadlines from its start to within about a year of
    // today; progress reported in the task's year, never after today.
    let tasks = rows(&app, "SELECT year, deadline FROM tasks").await;
    assert!(tasks.len() >= 20);
    for t in &tasks {
        assert_eq!(t[0], y.to_string(), "{t:?}");
        assert!(year_of(&t[1]) >= y, "{t:?}");
        assert!(
            days(&t[1]) <= 400,
            "deadline within a year or so of today: {t:?}"
        );
    }
    let progress = rows(
        &app,
        "SELECT t.year, p.report_date FROM task_progress p JOIN tasks t ON t.id = p.task_id",
    )
    .await;
    assert!(!progress.is_empty());
    for p in &progress {
        assert_eq!(year_of(&p[1]).to_string(), p[0], "{p:?}");
        assert!(days(&p[1]) <= 0, "{p:?}");
    }
    // Meetings of the list's year set it.
    let meetings = rows(&app, "SELECT meeting_date, title FROM meetings").await;
    assert_eq!(meetings.len(), 3);
    for m in &meetings {
        assert_eq!(year_of(&m[0]), y, "{m:?}");
        assert!(m[1].contains(&y.to_string()), "{m:?}");
    }

    // Visits and pair activities: in the two years before today, none before its pair
    // started.
    let visits = rows(&app, "SELECT visited_on FROM contact_visits").await;
    assert!(!visits.is_empty());
    for v in &visits {
        assert!((-3 * 366..=0).contains(&days(&v[0])), "{v:?}");
    }
    let acts = rows(
        &app,
        "SELECT p.start_year, a.held_on FROM pair_activities a JOIN pairs p ON p.id = a.pair_id",
    )
    .await;
    assert!(!acts.is_empty());
    for a in &acts {
        let start: i64 = a[0].parse().unwrap();
        assert!(
            year_of(&a[1]) >= start,
            "activity before its pair started: {a:?}"
        );
        assert!(days(&a[1]) <= 0, "{a:?}");
        assert!(start <= y + 1, "{a:?}");
    }

    // 六有 and the assessment are of the last complete year.
    let liuyou = rows(&app, "SELECT DISTINCT year FROM liuyou").await;
    assert_eq!(liuyou, vec![vec![y.to_string()]]);
    let rounds = rows(&app, "SELECT year FROM asm_rounds").await;
    assert_eq!(rounds, vec![vec![y.to_string()]]);
    // No pilot or title dates from after the last complete year.
    let later = rows(
        &app,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM pilots WHERE year > {y}"),
    )
    .await;
    assert_eq!(later[0][0], "0");
}

#[tokio::test]
async fn the_demo_loaded_on_another_day_moves_its_years_and_keeps_its_figures() {
    // Loaded on 2025-06-15: the last complete year is 2024.
    let (db, guard) = fresh_db().await;
    let svc = gongjiang_storage::service::Service::new(db);
    svc.ensure_base_regions().await.unwrap();
    let data = gongjiang_demo::generate(gongjiang_demo::DEFAULT_SEED);
    let clock =
        gongjiang_demo::DemoClock::on(chrono::NaiveDate::from_ymd_opt(2025, 6, 15).unwrap());
    assert_eq!(clock.base_year(), 2024);
    gongjiang_demo::load_on(
        &svc,
        &data,
        gongjiang_demo::DEFAULT_SEED,
        clock,
        &mut |_, _| {},
    )
    .await
    .expect("demo load");
    let app = spawn_svc(Default::default(), svc)
        .await
        .with_db_guard(guard);
    let city = app.token("city").await;
    let ind = |v: &Value, code: &str| {
        v["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == code)
            .unwrap()["value"]
            .as_f64()
    };
    let (_, v) = app
        .get(&city, "/api/v1/indicators?org=320400&period=2024")
        .await;
    // The seed's figures, in the last complete year.
    assert!(
        ind(&v, "pilot_workers_covered").unwrap() >= 520_000.0,
        "{v}"
    );
    let r = ind(&v, "high_skilled_per_10k").unwrap();
    assert!((1_300.0..1_460.0).contains(&r), "{r}");
    assert_eq!(ind(&v, "pilot_enterprises"), Some(1020.0));
    // Nothing approved after it; its tasks and assessment are that year's.
    let (_, v) = app
        .get(&city, "/api/v1/indicators?org=320400&period=2025")
        .await;
    assert_eq!(ind(&v, "workers_total"), Some(0.0), "{v}");
    let (_, board) = app.get(&city, "/api/v1/tasks/board").await;
    assert_eq!(board["year"], 2024);
    let (_, rounds) = app.get(&city, "/api/v1/assessment/rounds").await;
    assert_eq!(rounds[0]["year"], 2024, "{rounds}");
    let (_, home) = app.browser("city").await.get("/").await;
    assert!(home.contains("数据截至2024年度"));
}

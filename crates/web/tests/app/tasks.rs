//! The annual task list and the joint meetings end to end: create → report → done and
//! the indicator values it moves (city and district), a past deadline refused, scope
//! (404 outside it), progress only by the owner unit or region staff, 督办 notifies the
//! owner, a meeting decision becomes a task that links back, the demo list, and the
//! console pages.

use crate::helpers::*;
use serde_json::{json, Value};

/// A task body for the API (also used by `tasks_edit`).
pub(crate) fn task(owner: i64, title: &str, year: i64) -> Value {
    json!({
        "year": year,
        "title": title,
        "owner": owner.to_string(),
        "deadline": in_days(60),
        "target_text": "新增高技能人才 100 名",
        "target_value": 100,
        "target_unit": "名"
    })
}

pub(crate) async fn indicator(
    app: &TestApp,
    tok: &str,
    org: &str,
    period: &str,
    code: &str,
) -> Option<f64> {
    indicator_at(app, tok, org, period, code).await["value"].as_f64()
}

async fn union_tianning(app: &TestApp, tok: &str) -> i64 {
    app.org_id(tok, "q=天宁区总工会").await
}

async fn jiaoyu(app: &TestApp, tok: &str) -> i64 {
    app.org_id(tok, "q=常州市教育局").await
}

#[tokio::test]
async fn create_report_done_and_the_indicators() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let tianning = app.token("tianning").await;
    let renshe = app.token("renshe").await;
    let unit = app.token("unit").await;
    let tn_union = union_tianning(&app, &city).await;
    let edu = jiaoyu(&app, &city).await;

    // A year the demo has no tasks in.
    let a = app
        .post_ok(&city, "/api/v1/tasks", task(tn_union, "区级技能比武", 2030))
        .await;
    assert_eq!(a["status"], "not_started");
    assert_eq!(a["creator_level"], "city");
    assert_eq!(a["region_code"], "320400");
    let b = app
        .post_ok(&city, "/api/v1/tasks", task(edu, "产业学院建设", 2030))
        .await;
    let (aid, bid) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());

    // A unit contact cannot set tasks.
    let (s, _) = app.post(&unit, "/api/v1/tasks", task(edu, "x", 2030)).await;
    assert_eq!(s, 403);

    // 人社局 sees the city's list but does not own 教育局's task.
    let progress = json!({"date": gongjiang_storage::tasks::today(), "percent": 40, "note": "已开班 3 期", "evidence_url": "https://example.cn/a"});
    let (s, e) = app
        .post(
            &renshe,
            &format!("/api/v1/tasks/{bid}/progress"),
            progress.clone(),
        )
        .await;
    assert_eq!(s, 403, "{e}");
    assert_eq!(err_code(&e), "task_not_owner");

    // The district reports on the task of its union.
    let t = app
        .post_ok(
            &tianning,
            &format!("/api/v1/tasks/{aid}/progress"),
            progress.clone(),
        )
        .await;
    assert_eq!(t["status"], "in_progress");
    assert_eq!(t["progress"], 40);
    // Bad progress: no measure, a percent above 100, a future date.
    let (s, e) = app
        .post(
            &tianning,
            &format!("/api/v1/tasks/{aid}/progress"),
            json!({"date": in_days(3), "percent": 140, "note": "x"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");

    // The task was set by the city: the district may not mark it done.
    let (s, e) = app
        .post(&tianning, &format!("/api/v1/tasks/{aid}/done"), json!({}))
        .await;
    assert_eq!(s, 403, "{e}");
    assert_eq!(err_code(&e), "task_level");
    let t = app
        .post_ok(
            &city,
            &format!("/api/v1/tasks/{aid}/done"),
            json!({"version": t["version"]}),
        )
        .await;
    assert_eq!(t["status"], "done");
    let (s, _) = app
        .post(&city, &format!("/api/v1/tasks/{aid}/done"), json!({}))
        .await;
    assert_eq!(s, 409);

    // One engine: the city counts both tasks, the district its union's.
    assert_eq!(
        indicator(&app, &city, "320400", "2030", "tasks_total").await,
        Some(2.0)
    );
    assert_eq!(
        indicator(&app, &city, "320400", "2030", "tasks_done").await,
        Some(1.0)
    );
    assert_eq!(
        indicator(&app, &city, "320400", "2030", "task_completion_rate").await,
        Some(50.0)
    );
    assert_eq!(
        indicator(&app, &city, "320402", "2030", "task_completion_rate").await,
        Some(100.0)
    );
    assert_eq!(
        indicator(&app, &city, "320402", "2030", "tasks_total").await,
        Some(1.0)
    );
    assert_eq!(
        indicator(&app, &city, "320412", "2030", "task_completion_rate").await,
        None
    );
    // The board agrees.
    let board = app.get_ok(&city, "/api/v1/tasks/board?year=2030").await;
    let done = board["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "done")
        .unwrap()["count"]
        .as_i64();
    assert_eq!(done, Some(1));
    // The detail shows the report.
    let d = app.get_ok(&city, &format!("/api/v1/tasks/{aid}")).await;
    assert_eq!(d["progress"].as_array().unwrap().len(), 1);
    assert_eq!(d["may_report"], false);
}

#[tokio::test]
async fn a_deadline_in_the_past_is_refused() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let edu = jiaoyu(&app, &city).await;
    let (_, before) = app.get(&city, "/api/v1/tasks?year=2031").await;
    let mut body = task(edu, "过期任务", 2031);
    body["deadline"] = json!(in_days(-1));
    let (s, e) = app.post(&city, "/api/v1/tasks", body.clone()).await;
    refused_on(s, &e, 422, "deadline");
    assert!(e["error"]["message"].as_str().unwrap().contains("完成时限"));
    body["deadline"] = json!("2031-02-30");
    app.post(&city, "/api/v1/tasks", body.clone())
        .await
        .refused_on(422, "deadline");
    // Unknown fields and a missing owner are clear errors too.
    body["deadline"] = json!(in_days(5));
    body["owner"] = json!("");
    app.post(&city, "/api/v1/tasks", body)
        .await
        .refused_on(422, "owner");
    let (_, after) = app.get(&city, "/api/v1/tasks?year=2031").await;
    assert_eq!(before["total"], after["total"]);
    assert_eq!(after["total"], 0);
}

#[tokio::test]
async fn out_of_scope_is_not_found() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let tianning = app.token("tianning").await;
    let wujin = app.token("wujin").await;
    let unit = app.token("unit").await;
    let edu = jiaoyu(&app, &city).await;
    let tn_union = union_tianning(&app, &city).await;
    let (_, b) = app
        .post(&city, "/api/v1/tasks", task(edu, "市级任务", 2030))
        .await;
    let (_, a) = app
        .post(&city, "/api/v1/tasks", task(tn_union, "天宁任务", 2030))
        .await;
    let (aid, bid) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    for (tok, id) in [(&tianning, bid), (&unit, bid), (&wujin, aid), (&unit, aid)] {
        app.get(tok, &format!("/api/v1/tasks/{id}"))
            .await
            .answers(404);
    }
    app.post(
        &wujin,
        &format!("/api/v1/tasks/{aid}/progress"),
        json!({"date": gongjiang_storage::tasks::today(), "percent": 10, "note": "x"}),
    )
    .await
    .answers(404);
    // A district cannot give a task to an organisation outside its area.
    let (s, e) = app
        .post(&wujin, "/api/v1/tasks", task(tn_union, "越界", 2030))
        .await;
    refused_on(s, &e, 422, "owner");
    // The district sees its union's task in its list, not the city's own.
    let (_, l) = app.get(&tianning, "/api/v1/tasks?year=2030").await;
    assert_eq!(l["total"], 1);
    assert_eq!(l["items"][0]["id"], aid);
}

#[tokio::test]
async fn supervision_notifies_the_owner() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let renshe = app.token("renshe").await;
    let tianning = app.token("tianning").await;
    let rs = app.org_id(&city, "q=常州市人力资源和社会保障局").await;
    let (_, t) = app
        .post(&city, "/api/v1/tasks", task(rs, "技能评价扩面", 2030))
        .await;
    let id = t["id"].as_i64().unwrap();
    // The owner unit reports on its own task.
    app.post_ok(
        &renshe,
        &format!("/api/v1/tasks/{id}/progress"),
        json!({"date": gongjiang_storage::tasks::today(), "value": 30, "note": "已完成 30 家"}),
    )
    .await;
    app.post(
        &city,
        &format!("/api/v1/tasks/{id}/supervise"),
        json!({"note": " "}),
    )
    .await
    .refused_on(422, "note");
    // Neither the owner nor a district may 督办 a city task.
    for tok in [&renshe, &tianning] {
        let (s, _) = app
            .post(
                tok,
                &format!("/api/v1/tasks/{id}/supervise"),
                json!({"note": "加快"}),
            )
            .await;
        assert!(s == 403 || s == 404, "{s}");
    }
    let r = app
        .post_ok(
            &city,
            &format!("/api/v1/tasks/{id}/supervise"),
            json!({"note": "进度滞后,请一周内报送整改计划"}),
        )
        .await;
    assert!(r["notified"].as_i64().unwrap() >= 1);
    assert_eq!(r["task"]["supervised"], true);
    let (_, n) = app.get(&renshe, "/api/v1/notifications").await;
    assert!(
        n.as_array()
            .unwrap()
            .iter()
            .any(|x| x["message"].as_str().unwrap().contains("进度滞后")
                && x["link"] == format!("/tasks/{id}")),
        "{n}"
    );
    let (_, l) = app
        .get(&city, "/api/v1/tasks?year=2030&supervised=true")
        .await;
    assert_eq!(l["total"], 1);
    let (_, board) = app.get(&city, "/api/v1/tasks/board?year=2030").await;
    assert_eq!(board["alerts"][0]["id"], id);
}

#[tokio::test]
async fn a_meeting_decision_becomes_a_task() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let tianning = app.token("tianning").await;
    let bodies = app.get_ok(&city, "/api/v1/meeting-bodies").await;
    let body = bodies
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["level"] == "city")
        .unwrap()
        .clone();
    let members = body["members"].as_array().unwrap();
    assert!(members.len() >= 20);
    let m0 = members[0]["org_id"].as_i64().unwrap();
    let m1 = members[1]["org_id"].as_i64().unwrap();
    let mut meeting = json!({
        "body_id": body["id"],
        "title": "联席会议专题会",
        "date": "2030-03-01",
        "place": "市行政中心",
        "agenda": ["研究技能人才评价"],
        "minutes": "会议研究了技能人才评价扩面。",
        "attendance": [{"org_id": m0, "status": "present", "attendee": "局长"}, {"org_id": m1, "status": "late"}],
        "decisions": ["人社局牵头制定评价细则", "教育局牵头组织订单班"]
    });
    app.post(&city, "/api/v1/meetings", meeting.clone())
        .await
        .refused_on(422, "attendance");
    meeting["attendance"][1]["status"] = json!("deputy");
    let (s, m) = app.post(&city, "/api/v1/meetings", meeting).await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(m["present"], 2);
    assert_eq!(m["members"], members.len());
    let mid = m["id"].as_i64().unwrap();
    // A district does not hold the city's meetings.
    app.get(&tianning, &format!("/api/v1/meetings/{mid}"))
        .await
        .answers(404);
    let d = app.get_ok(&city, &format!("/api/v1/meetings/{mid}")).await;
    assert_eq!(d["may_assign"], true);
    let did = d["decisions"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/meetings/{mid}/decisions/{did}/task");
    app.post(
        &city,
        &path,
        json!({"owner": m0.to_string(), "deadline": "2020-01-01"}),
    )
    .await
    .refused_on(422, "deadline");
    let t = app
        .post_ok(
            &city,
            &path,
            json!({"owner": m0.to_string(), "deadline": in_days(90)}),
        )
        .await;
    assert_eq!(t["meeting_id"], mid);
    assert_eq!(t["year"], 2030);
    assert_eq!(t["title"], "人社局牵头制定评价细则");
    app.post(
        &city,
        &path,
        json!({"owner": m0.to_string(), "deadline": in_days(90)}),
    )
    .await
    .answers(409);
    let (_, d) = app.get(&city, &format!("/api/v1/meetings/{mid}")).await;
    assert_eq!(d["decisions"][0]["task_id"], t["id"]);
    assert_eq!(d["decisions"][0]["task_status"], "not_started");
    assert!(d["decisions"][1]["task_id"].is_null());
    let (_, l) = app
        .get(&city, &format!("/api/v1/tasks?meeting_id={mid}"))
        .await;
    assert_eq!(l["total"], 1);
    // Lists filter by level and year.
    let (_, l) = app
        .get(&city, "/api/v1/meetings?level=city&year=2030")
        .await;
    assert_eq!(l["total"], 1);
    let (_, l) = app
        .get(
            &city,
            &format!("/api/v1/meetings?level=district&year={}", demo_year()),
        )
        .await;
    assert_eq!(l["total"], 2);
    let (_, l) = app.get(&tianning, "/api/v1/meetings").await;
    assert_eq!(l["total"], 1);
}

#[tokio::test]
async fn the_demo_list_has_every_state() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let y = demo_year().to_string();
    let l = app
        .get_ok(&city, &format!("/api/v1/tasks?year={y}&per_page=100"))
        .await;
    assert!(l["total"].as_i64().unwrap() >= 20, "{}", l["total"]);
    let items = l["items"].as_array().unwrap();
    for st in ["done", "in_progress", "overdue", "cancelled"] {
        assert!(items.iter().any(|t| t["status"] == st), "no {st}");
    }
    // A cancelled task stays listed but leaves the completion rate.
    let counted: Vec<&Value> = items
        .iter()
        .filter(|t| t["status"] != "cancelled")
        .collect();
    assert!(items.iter().any(|t| t["supervised"] == true));
    assert!(items.iter().any(|t| !t["meeting_id"].is_null()));
    let (_, board) = app
        .get(&city, &format!("/api/v1/tasks/board?year={y}"))
        .await;
    assert!(!board["alerts"].as_array().unwrap().is_empty());
    let done = items.iter().filter(|t| t["status"] == "done").count() as f64;
    let rate = indicator(&app, &city, "320400", &y, "task_completion_rate")
        .await
        .unwrap();
    assert!(
        (rate - done * 100.0 / counted.len() as f64).abs() < 1e-9,
        "{rate}"
    );
    // Recomputing every aggregate from the facts gives the same numbers.
    let mut tx = app.svc.db.begin().await.unwrap();
    gongjiang_storage::indicators::rebuild(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let again = indicator(&app, &city, "320400", &y, "task_completion_rate").await;
    assert_eq!(again, Some(rate));
    let total = indicator(&app, &city, "320400", &y, "tasks_total").await;
    assert_eq!(total, Some(counted.len() as f64));
}

#[tokio::test]
async fn console_pages_render() {
    let app = spawn_demo().await;
    let b = app.browser("city").await;
    let html = b.get("/tasks").await.answers(200);
    assert!(html.contains("年度任务清单"));
    assert!(html.contains("逾期与督办任务"));
    assert!(html.contains("建设产业学院"));
    let id = html
        .split("href=\"/tasks/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse::<i64>().ok())
        .or_else(|| {
            html.split("href=\"/tasks/")
                .filter_map(|s| s.split('"').next()?.parse::<i64>().ok())
                .next()
        })
        .expect("a task link");
    let html = b.get_ok(&format!("/tasks/{id}")).await;
    assert!(html.contains("进展报告"));
    let html = b.get_ok("/tasks/new").await;
    assert!(html.contains("量化目标"));
    let html = b
        .refused(
            "/tasks",
            &[
                ("year", "2030"),
                ("title", "页面新建"),
                ("owner", "1"),
                ("deadline", "2020-01-01"),
                ("target_text", "x"),
            ],
        )
        .await;
    assert!(html.contains("完成时限"));
    assert!(html.contains("页面新建"), "keeps what was typed");
    let deadline = in_days(30);
    let loc = b
        .saved(
            "/tasks",
            &[
                ("year", "2030"),
                ("title", "页面新建"),
                ("owner", "1"),
                ("deadline", deadline.as_str()),
                ("target_text", "x"),
            ],
        )
        .await;
    let loc = loc.unwrap();
    let html = b.get_ok(&loc).await;
    assert!(html.contains("督办意见"));
    let html = b.get("/meetings").await.answers(200);
    assert!(html.contains("联席会议第一次全体会议"));
    assert!(html.contains("武进区产改联席会议"));
    let mid = html
        .split("href=\"/meetings/")
        .filter_map(|s| s.split('"').next()?.parse::<i64>().ok())
        .next()
        .expect("a meeting link");
    let html = b.get_ok(&format!("/meetings/{mid}")).await;
    for key in ["会议议程", "出席情况", "会议纪要", "议定事项"] {
        assert!(html.contains(key), "{key}");
    }
    let html = b.get_ok("/meetings/new").await;
    assert!(html.contains("常州市人力资源和社会保障局"));
    let html = b
        .get_ok(&format!("/dashboard?org=320400&period={}", demo_year()))
        .await;
    assert!(
        html.contains("dash-tasks"),
        "the dashboard shows overdue and 督办 tasks"
    );
    // Other roles see their part.
    let u = app.browser("unit").await;
    u.get_ok("/tasks").await;
    u.get_ok("/meetings").await;
    let r = app.browser("renshe").await;
    let html = r
        .get_ok(&format!("/tasks?year={}&status=overdue", demo_year()))
        .await;
    assert!(html.contains("已逾期"));
}

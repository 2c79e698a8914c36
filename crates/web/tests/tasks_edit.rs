//! Correcting and closing tasks and joint meetings: a task edited with optimistic locking
//! (stale version → 409, past deadline → 422, nothing changed on bad input), audit-logged
//! with before and after, its indicator facts moved with it; a task cancelled (撤销) with
//! a reason leaves task_completion_rate and the maintained aggregates agree with a
//! rebuild; scope (404 outside it) and level (403) checks; bodies created, renamed and
//! re-membered; meetings corrected; a decision's text corrected until it becomes a task;
//! and the console pages for all of it.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn task(owner: i64, title: &str, year: i64) -> Value {
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

async fn indicator(app: &TestApp, tok: &str, org: &str, period: &str, code: &str) -> Option<f64> {
    let (s, v) = app
        .get(
            tok,
            &format!("/api/v1/indicators?org={org}&period={period}"),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("no indicator {code}: {v}"))["value"]
        .as_f64()
}

async fn audit(app: &TestApp, kind: &str, id: i64) -> Vec<Value> {
    let city = app.token("city").await;
    let (s, a) = app
        .get(
            &city,
            &format!("/api/v1/audit?entity_kind={kind}&entity_id={id}&per_page=100"),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    a["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_task_is_edited_with_locking_and_audit() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let edu = app.org_id(&city, "q=常州市教育局").await;
    let tn_union = app.org_id(&city, "q=天宁区总工会").await;
    let (s, t) = app
        .send(
            Method::POST,
            &city,
            "/api/v1/tasks",
            task(edu, "产业学院建设", 2030),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    let id = t["id"].as_i64().unwrap();
    let v1 = t["version"].as_i64().unwrap();
    let path = format!("/api/v1/tasks/{id}");
    let (_, d) = app.get(&city, &path).await;
    assert_eq!(d["may_edit"], true);

    // Bad input names the field and changes nothing.
    for (body, field, words) in [
        (
            json!({"version": v1, "deadline": in_days(-1)}),
            "deadline",
            "完成时限",
        ),
        (json!({"version": v1, "title": " "}), "title", "任务名称"),
        (
            json!({"version": v1, "owner": "99999999"}),
            "owner",
            "责任单位",
        ),
        (
            json!({"version": v1, "region": "110000"}),
            "region",
            "牵头区域",
        ),
        (
            json!({"version": v1, "target_value": -3}),
            "target_value",
            "目标值",
        ),
    ] {
        let (s, e) = app.send(Method::PUT, &city, &path, body).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["error"]["field"], field, "{e}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains(words),
            "{e}"
        );
    }
    let (_, same) = app.get(&city, &path).await;
    assert_eq!(same["task"]["version"], v1);
    assert_eq!(same["task"]["title"], "产业学院建设");
    // Unknown fields are refused too.
    let (s, _) = app
        .send(Method::PUT, &city, &path, json!({"colour": "red"}))
        .await;
    assert_eq!(s, 422);

    // A version the client did not see: 409, nothing changed.
    let (s, e) = app
        .send(
            Method::PUT,
            &city,
            &path,
            json!({"version": v1 + 7, "title": "别人的修改"}),
        )
        .await;
    assert_eq!(s, 409, "{e}");
    assert_eq!(e["error"]["code"], "stale_version");
    assert!(e["error"]["message"].as_str().unwrap().contains("修改"));

    // The correction: another owner, title, deadline, target value cleared.
    let deadline = in_days(90);
    let (s, t2) = app
        .send(
            Method::PUT,
            &city,
            &path,
            json!({"version": v1, "title": "建设产业学院(修订)", "owner": tn_union.to_string(),
                   "deadline": deadline, "target_value": null, "description": "按联席会议要求修订"}),
        )
        .await;
    assert_eq!(s, 200, "{t2}");
    assert_eq!(t2["version"], v1 + 1);
    assert_eq!(t2["owner_org_id"], tn_union);
    assert_eq!(t2["deadline"], deadline);
    assert!(t2["target_value"].is_null());
    assert_eq!(t2["target_unit"], "名", "left out = unchanged");
    // The old version no longer works.
    let (s, _) = app
        .send(
            Method::PUT,
            &city,
            &path,
            json!({"version": v1, "title": "again"}),
        )
        .await;
    assert_eq!(s, 409);
    // The indicator fact moved with the owner (天宁区 now counts it), in the same
    // transaction as the change.
    assert_eq!(
        indicator(&app, &city, "320402", "2030", "tasks_total").await,
        Some(1.0)
    );
    assert_eq!(
        indicator(&app, &city, &edu.to_string(), "2030", "tasks_total").await,
        Some(0.0)
    );
    // Moving the year moves it too.
    let (s, _) = app
        .send(
            Method::PUT,
            &city,
            &path,
            json!({"version": v1 + 1, "year": 2031}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        indicator(&app, &city, "320402", "2031", "tasks_total").await,
        Some(1.0)
    );
    assert_eq!(
        indicator(&app, &city, "320402", "2030", "tasks_total").await,
        Some(0.0)
    );
    aggregates_agree(&app, "task:").await;
    // Resubmitting the same values changes nothing (no new version, no audit entry).
    let (s, t3) = app
        .send(
            Method::PUT,
            &city,
            &path,
            json!({"version": v1 + 2, "deadline": deadline}),
        )
        .await;
    assert_eq!(s, 200, "{t3}");
    assert_eq!(t3["version"], v1 + 2);

    // Audit: before and after of each change.
    let entries = audit(&app, "task", id).await;
    let updates: Vec<&Value> = entries.iter().filter(|e| e["action"] == "update").collect();
    assert_eq!(updates.len(), 2, "{entries:?}");
    let first = updates
        .iter()
        .find(|e| e["before_json"].as_str().unwrap().contains("产业学院建设"))
        .expect("before of the first edit");
    assert!(first["after_json"]
        .as_str()
        .unwrap()
        .contains("建设产业学院(修订)"));
    let (_, d) = app.get(&city, &path).await;
    assert_eq!(d["task"]["year"], 2031);

    // An overdue task keeps its passed deadline while its wording is corrected; a new
    // deadline must not be in the past; a later one takes it out of 逾期.
    let (_, l) = app
        .get(
            &city,
            &format!(
                "/api/v1/tasks?year={}&status=overdue&per_page=100",
                demo_year()
            ),
        )
        .await;
    let late = l["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["creator_level"] == "city")
        .expect("an overdue city task in the demo")
        .clone();
    let lpath = format!("/api/v1/tasks/{}", late["id"]);
    let (s, t) = app
        .send(
            Method::PUT,
            &city,
            &lpath,
            json!({"version": late["version"], "target_text": "目标表述更正"}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["status"], "overdue");
    let (s, e) = app
        .send(
            Method::PUT,
            &city,
            &lpath,
            json!({"deadline": "2024-12-30"}),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("deadline")));
    let (s, t) = app
        .send(Method::PUT, &city, &lpath, json!({"deadline": in_days(30)}))
        .await;
    assert_eq!(s, 200, "{t}");
    assert_ne!(t["status"], "overdue");
}

#[tokio::test]
async fn a_cancelled_task_leaves_the_completion_rate() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let renshe = app.token("renshe").await;
    let edu = app.org_id(&city, "q=常州市教育局").await;
    let mut ids = Vec::new();
    for title in ["订单班", "产业教授", "技能大赛"] {
        let (s, t) = app
            .send(Method::POST, &city, "/api/v1/tasks", task(edu, title, 2032))
            .await;
        assert_eq!(s, 200, "{t}");
        ids.push(t["id"].as_i64().unwrap());
    }
    let (s, _) = app
        .send(
            Method::POST,
            &city,
            &format!("/api/v1/tasks/{}/done", ids[0]),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let rate = || indicator(&app, &city, "320400", "2032", "task_completion_rate");
    let total = || indicator(&app, &city, "320400", "2032", "tasks_total");
    assert_eq!(total().await, Some(3.0));
    let r = rate().await.unwrap();
    assert!((r - 100.0 / 3.0).abs() < 1e-9, "{r}");

    let cancel = format!("/api/v1/tasks/{}/cancel", ids[1]);
    // A reason is required; a member unit may not cancel.
    let (s, e) = app
        .send(Method::POST, &city, &cancel, json!({"reason": "  "}))
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "reason");
    assert!(e["error"]["message"].as_str().unwrap().contains("撤销理由"));
    let (s, _) = app
        .send(Method::POST, &renshe, &cancel, json!({"reason": "x"}))
        .await;
    assert_eq!(s, 403);
    let (s, e) = app
        .send(
            Method::POST,
            &city,
            &cancel,
            json!({"reason": "x", "version": 99}),
        )
        .await;
    assert_eq!(s, 409, "{e}");
    assert_eq!(total().await, Some(3.0), "nothing changed");

    let (_, d) = app.get(&city, &format!("/api/v1/tasks/{}", ids[1])).await;
    let (s, t) = app
        .send(
            Method::POST,
            &city,
            &cancel,
            json!({"reason": "并入产教融合专项统一推进", "version": d["task"]["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["status"], "cancelled");
    assert_eq!(t["status_label"], "已撤销");
    assert_eq!(t["cancel_reason"], "并入产教融合专项统一推进");
    assert!(t["cancelled_at"].is_i64());
    // Out of the denominator: 1 done of 2.
    assert_eq!(total().await, Some(2.0));
    assert_eq!(rate().await, Some(50.0));
    assert_eq!(
        indicator(&app, &city, "320400", "2032", "tasks_done").await,
        Some(1.0)
    );
    aggregates_agree(&app, "task:").await;

    // A cancelled task takes nothing more; a done one cannot be cancelled.
    let today = gongjiang_storage::tasks::today();
    for (path, body) in [
        (
            format!("/api/v1/tasks/{}/progress", ids[1]),
            json!({"date": today, "percent": 10, "note": "x"}),
        ),
        (format!("/api/v1/tasks/{}/done", ids[1]), json!({})),
        (
            format!("/api/v1/tasks/{}/supervise", ids[1]),
            json!({"note": "加快"}),
        ),
        (cancel.clone(), json!({"reason": "再撤一次"})),
    ] {
        let (s, e) = app.send(Method::POST, &city, &path, body).await;
        assert_eq!(s, 409, "{path} {e}");
        assert_eq!(e["error"]["code"], "task_cancelled", "{e}");
    }
    let (s, e) = app
        .send(
            Method::PUT,
            &city,
            &format!("/api/v1/tasks/{}", ids[1]),
            json!({"title": "改"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("task_cancelled"))
    );
    let (s, e) = app
        .send(
            Method::POST,
            &city,
            &format!("/api/v1/tasks/{}/cancel", ids[0]),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("task_done")));
    let (_, d) = app.get(&city, &format!("/api/v1/tasks/{}", ids[1])).await;
    assert_eq!(d["may_report"], false);
    assert_eq!(d["may_close"], false);
    assert_eq!(d["may_edit"], false);

    // Lists and the board show it as cancelled, apart from the open ones.
    let (_, l) = app
        .get(&city, "/api/v1/tasks?year=2032&status=cancelled")
        .await;
    assert_eq!(l["total"], 1);
    let (_, l) = app
        .get(&city, "/api/v1/tasks?year=2032&status=not_started")
        .await;
    assert_eq!(l["total"], 1);
    let (_, board) = app.get(&city, "/api/v1/tasks/board?year=2032").await;
    let count = |code: &str| {
        board["by_status"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["code"] == code)
            .unwrap()["count"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(count("cancelled"), 1);
    assert_eq!(count("done"), 1);
    assert_eq!(board["by_unit"][0]["total"], 2);
    assert_eq!(board["by_unit"][0]["rate"], 50.0);
    // Audit and the owner's notification.
    let entries = audit(&app, "task", ids[1]).await;
    let c = entries
        .iter()
        .find(|e| e["action"] == "task_cancel")
        .expect("task_cancel in the audit log");
    assert!(c["after_json"].as_str().unwrap().contains("cancelled"));
    let (_, n) = app.get(&renshe, "/api/v1/notifications").await;
    let _ = n; // 人社局 is not the owner: nothing asserted about it.
}

#[tokio::test]
async fn scope_and_level_of_corrections() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let tianning = app.token("tianning").await;
    let wujin = app.token("wujin").await;
    let unit = app.token("unit").await;
    let tn_union = app.org_id(&city, "q=天宁区总工会").await;
    let edu = app.org_id(&city, "q=常州市教育局").await;
    let (_, city_task) = app
        .send(
            Method::POST,
            &city,
            "/api/v1/tasks",
            task(tn_union, "市级设立", 2030),
        )
        .await;
    let cid = city_task["id"].as_i64().unwrap();
    // The district sees the city's task for its union but may not correct it.
    let (s, d) = app.get(&tianning, &format!("/api/v1/tasks/{cid}")).await;
    assert_eq!(s, 200);
    assert_eq!(d["may_edit"], false);
    let (s, e) = app
        .send(
            Method::PUT,
            &tianning,
            &format!("/api/v1/tasks/{cid}"),
            json!({"title": "区里改"}),
        )
        .await;
    assert_eq!(s, 403, "{e}");
    assert_eq!(e["error"]["code"], "task_not_editable");
    let (s, _) = app
        .send(
            Method::POST,
            &tianning,
            &format!("/api/v1/tasks/{cid}/cancel"),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, 403);
    // Another district: not found; a unit: not allowed at all.
    for (tok, code) in [(&wujin, 404), (&unit, 403)] {
        let (s, _) = app
            .send(
                Method::PUT,
                tok,
                &format!("/api/v1/tasks/{cid}"),
                json!({"title": "x"}),
            )
            .await;
        assert_eq!(s, code);
    }
    // The district corrects its own task, within its area only.
    let (s, own) = app
        .send(
            Method::POST,
            &tianning,
            "/api/v1/tasks",
            task(tn_union, "区级设立", 2030),
        )
        .await;
    assert_eq!(s, 200, "{own}");
    let oid = own["id"].as_i64().unwrap();
    let (s, e) = app
        .send(
            Method::PUT,
            &tianning,
            &format!("/api/v1/tasks/{oid}"),
            json!({"owner": edu.to_string()}),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("owner")));
    let (s, e) = app
        .send(
            Method::PUT,
            &tianning,
            &format!("/api/v1/tasks/{oid}"),
            json!({"region": "320412"}),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("region")));
    let (s, t) = app
        .send(
            Method::PUT,
            &tianning,
            &format!("/api/v1/tasks/{oid}"),
            json!({"target_text": "举办区级技能比武 3 场"}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["target_text"], "举办区级技能比武 3 场");
    // The city (above) may correct and cancel the district's task.
    let (s, t) = app
        .send(
            Method::POST,
            &city,
            &format!("/api/v1/tasks/{oid}/cancel"),
            json!({"reason": "与市级任务重复"}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
}

#[tokio::test]
async fn bodies_meetings_and_decisions_are_corrected() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let tianning = app.token("tianning").await;
    let (_, bodies) = app.get(&city, "/api/v1/meeting-bodies").await;
    let taken: Vec<String> = bodies
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["region_code"].as_str().unwrap().to_string())
        .collect();
    let (_, regions) = app.get(&city, "/api/v1/regions").await;
    let free = regions
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["level"] == "district" && !taken.contains(&r["code"].as_str().unwrap().to_string())
        })
        .expect("a district without a body")["code"]
        .as_str()
        .unwrap()
        .to_string();
    let edu = app.org_id(&city, "q=常州市教育局").await;
    let rs = app.org_id(&city, "q=常州市人力资源和社会保障局").await;
    let (s, b) = app
        .send(
            Method::POST,
            &city,
            "/api/v1/meeting-bodies",
            json!({"region": free, "name": "", "members": [edu.to_string()]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let bid = b["id"].as_i64().unwrap();
    assert!(b["name"].as_str().unwrap().ends_with("联席会议"));
    let bpath = format!("/api/v1/meeting-bodies/{bid}");
    let (s, d) = app.get(&city, &bpath).await;
    assert_eq!(s, 200);
    assert_eq!(d["may_edit"], true);
    let v = d["body"]["version"].as_i64().unwrap();
    // Bad input: named field, nothing changed.
    for (body, field) in [
        (json!({"version": v, "name": " "}), "name"),
        (
            json!({"version": v, "members": ["不存在的单位"]}),
            "members",
        ),
        (json!({"version": v, "members": []}), "members"),
    ] {
        let (s, e) = app.send(Method::PUT, &city, &bpath, body).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["error"]["field"], field);
    }
    let (s, e) = app
        .send(
            Method::PUT,
            &city,
            &bpath,
            json!({"version": v + 3, "name": "x"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("stale_version"))
    );
    let (s, b2) = app
        .send(
            Method::PUT,
            &city,
            &bpath,
            json!({"version": v, "name": "专项联席会议", "members": [edu.to_string(), rs.to_string()]}),
        )
        .await;
    assert_eq!(s, 200, "{b2}");
    assert_eq!(b2["name"], "专项联席会议");
    assert_eq!(b2["members"].as_array().unwrap().len(), 2);
    assert_eq!(b2["version"], v + 1);
    let entries = audit(&app, "meeting_body", bid).await;
    let u = entries.iter().find(|e| e["action"] == "update").unwrap();
    assert!(u["before_json"].as_str().unwrap().contains("联席会议"));
    assert!(u["after_json"].as_str().unwrap().contains("专项联席会议"));
    // A district that does not hold the body: not found.
    let (s, _) = app.get(&tianning, &bpath).await;
    assert_eq!(s, 404);
    let (s, _) = app
        .send(Method::PUT, &tianning, &bpath, json!({"name": "x"}))
        .await;
    assert_eq!(s, 404);

    // A meeting of it, corrected.
    let (s, m) = app
        .send(
            Method::POST,
            &city,
            "/api/v1/meetings",
            json!({"body_id": bid, "title": "专题会", "date": "2030-03-01", "place": "市行政中心",
                   "agenda": ["研究订单班"], "attendance": [{"org_id": edu, "status": "present"}],
                   "decisions": ["教育局牵头组织订单班", "人社局配合"]}),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    let mid = m["id"].as_i64().unwrap();
    let mpath = format!("/api/v1/meetings/{mid}");
    let mv = m["version"].as_i64().unwrap();
    for (body, field) in [
        (json!({"version": mv, "date": "2030-02-30"}), "date"),
        (json!({"version": mv, "agenda": []}), "agenda"),
        (
            json!({"version": mv, "attendance": [{"org_id": rs, "status": "late"}]}),
            "attendance",
        ),
        (
            json!({"version": mv, "attendance": [{"org_id": 999_999, "status": "present"}]}),
            "attendance",
        ),
    ] {
        let (s, e) = app.send(Method::PUT, &city, &mpath, body).await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["error"]["field"], field, "{e}");
    }
    let (s, e) = app
        .send(
            Method::PUT,
            &city,
            &mpath,
            json!({"version": mv + 1, "minutes": "x"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("stale_version"))
    );
    let (s, m2) = app
        .send(
            Method::PUT,
            &city,
            &mpath,
            json!({"version": mv, "minutes": "会议研究了订单班。", "agenda": ["研究订单班", "通报进展"],
                   "attendance": [{"org_id": rs, "status": "deputy", "attendee": "副局长"}],
                   "add_decisions": ["下次会议通报进展"]}),
        )
        .await;
    assert_eq!(s, 200, "{m2}");
    assert_eq!(m2["version"], mv + 1);
    assert_eq!(m2["minutes"], "会议研究了订单班。");
    assert_eq!(m2["present"], 2, "the member added later now attends");
    assert_eq!(m2["decisions"], 3);
    let entries = audit(&app, "meeting", mid).await;
    let u = entries.iter().find(|e| e["action"] == "update").unwrap();
    assert!(u["after_json"]
        .as_str()
        .unwrap()
        .contains("会议研究了订单班"));
    assert!(u["before_json"]
        .as_str()
        .unwrap()
        .contains("\"minutes\":\"\""));
    // The body's meetings.
    let (_, l) = app
        .get(&city, &format!("/api/v1/meetings?body_id={bid}"))
        .await;
    assert_eq!(l["total"], 1);

    // A decision's text is corrected until it becomes a task.
    let (_, d) = app.get(&city, &mpath).await;
    let did = d["decisions"][0]["id"].as_i64().unwrap();
    let dpath = format!("/api/v1/meetings/{mid}/decisions/{did}");
    let (s, e) = app
        .send(Method::PUT, &city, &dpath, json!({"text": ""}))
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("text")));
    let (s, dec) = app
        .send(
            Method::PUT,
            &city,
            &dpath,
            json!({"text": "市教育局牵头,9 月底前组织 10 个订单班", "version": d["meeting"]["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{dec}");
    assert_eq!(dec["text"], "市教育局牵头,9 月底前组织 10 个订单班");
    let entries = audit(&app, "meeting_decision", did).await;
    assert!(entries[0]["before_json"]
        .as_str()
        .unwrap()
        .contains("教育局牵头组织订单班"));
    let (s, t) = app
        .send(
            Method::POST,
            &city,
            &format!("{dpath}/task"),
            json!({"owner": edu.to_string(), "deadline": in_days(30)}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["title"], "市教育局牵头,9 月底前组织 10 个订单班");
    let (s, e) = app
        .send(Method::PUT, &city, &dpath, json!({"text": "再改"}))
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("decision_assigned"))
    );
    // The meeting shows the task's status, cancelled included.
    let (s, _) = app
        .send(
            Method::POST,
            &city,
            &format!("/api/v1/tasks/{}/cancel", t["id"]),
            json!({"reason": "会议决定调整"}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, d) = app.get(&city, &mpath).await;
    assert_eq!(d["decisions"][0]["task_status"], "cancelled");
    // A district cannot correct another district's meetings.
    let (s, _) = app
        .send(Method::PUT, &tianning, &mpath, json!({"minutes": "x"}))
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn console_forms_correct_and_cancel() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let edu = app.org_id(&city, "q=常州市教育局").await;
    let (_, t) = app
        .send(
            Method::POST,
            &city,
            "/api/v1/tasks",
            task(edu, "页面修改的任务", 2030),
        )
        .await;
    let id = t["id"].as_i64().unwrap();
    let b = app.browser("city").await;
    let (s, html) = b.get(&format!("/tasks/{id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains(&format!("/tasks/{id}/edit")));
    assert!(html.contains("撤销任务"));
    let (s, html) = b.get(&format!("/tasks/{id}/edit")).await;
    assert_eq!(s, 200);
    assert!(html.contains("页面修改的任务"));
    let version = hidden(&html, "_version");
    let past = in_days(-2);
    let edu_s = edu.to_string();
    let form = |title: &'static str, deadline: String| {
        vec![
            ("year", "2030".to_string()),
            ("title", title.to_string()),
            ("owner", edu_s.clone()),
            ("deadline", deadline),
            ("target_text", "新建订单班 10 个".to_string()),
            ("_version", version.clone()),
        ]
    };
    let f = form("页面修改后的任务", past);
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, html, _) = b.post(&format!("/tasks/{id}/edit"), &f).await;
    assert_eq!(s, 422);
    assert!(html.contains("完成时限"), "the message next to the field");
    assert!(html.contains("页面修改后的任务"), "keeps what was typed");
    assert!(html.contains("新建订单班 10 个"));
    let f = form("页面修改后的任务", in_days(20));
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, _, loc) = b.post(&format!("/tasks/{id}/edit"), &f).await;
    assert_eq!(s, 303);
    assert_eq!(loc.as_deref(), Some(format!("/tasks/{id}").as_str()));
    // The same stale form again: 409 with the message, nothing changed.
    let (s, html, _) = b.post(&format!("/tasks/{id}/edit"), &f).await;
    assert_eq!(s, 409);
    assert!(html.contains("刷新"));
    // Cancel: the reason is required, then the task shows as cancelled.
    let (_, html) = b.get(&format!("/tasks/{id}")).await;
    let version = hidden(&html, "_version");
    let (s, html, _) = b
        .post(
            &format!("/tasks/{id}/cancel"),
            &[("cancel_reason", ""), ("_version", &version)],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("撤销理由"));
    let (s, _, _) = b
        .post(
            &format!("/tasks/{id}/cancel"),
            &[("cancel_reason", "已并入其他任务"), ("_version", &version)],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = b.get(&format!("/tasks/{id}")).await;
    assert!(html.contains("已撤销"));
    assert!(html.contains("已并入其他任务"));
    let (s, html) = b.get("/tasks?year=2030&status=cancelled").await;
    assert_eq!(s, 200);
    assert!(html.contains("页面修改后的任务"));
    // A district may not open the city's edit form.
    let tn = app.browser("tianning").await;
    let (_, l) = app
        .get(
            &app.token("tianning").await,
            &format!("/api/v1/tasks?year={}&per_page=100", demo_year()),
        )
        .await;
    let other = l["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["creator_level"] == "city")
        .expect("a city task in 天宁区")["id"]
        .as_i64()
        .unwrap();
    let (s, _) = tn.get(&format!("/tasks/{other}/edit")).await;
    assert_eq!(s, 403);

    // Bodies: create one, edit it; see its meetings.
    let (s, html) = b.get("/meetings").await;
    assert_eq!(s, 200);
    assert!(html.contains("/meetings/bodies/new"));
    assert!(html.contains("/meetings/bodies/"));
    let (s, html) = b.get("/meetings/bodies/new").await;
    assert_eq!(s, 200);
    assert!(html.contains("所属区域"));
    let (_, regions) = app.get(&city, "/api/v1/meeting-bodies").await;
    let taken: Vec<String> = regions
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["region_code"].as_str().unwrap().to_string())
        .collect();
    let (_, all) = app.get(&city, "/api/v1/regions").await;
    let free = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["level"] == "district" && !taken.contains(&r["code"].as_str().unwrap().to_string())
        })
        .unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, html, _) = b
        .post(
            "/meetings/bodies/new",
            &[
                ("region", &free),
                ("name", "页面设立的联席会议"),
                ("members", ""),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("成员单位"));
    assert!(html.contains("页面设立的联席会议"), "keeps what was typed");
    let (s, _, loc) = b
        .post(
            "/meetings/bodies/new",
            &[
                ("region", &free),
                ("name", "页面设立的联席会议"),
                ("members", &edu_s),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let loc = loc.unwrap();
    let (s, html) = b.get(&loc).await;
    assert_eq!(s, 200);
    assert!(html.contains("历次会议"));
    assert!(html.contains("常州市教育局"));
    let version = hidden(&html, "_version");
    let (s, html, _) = b
        .post(
            &loc,
            &[
                ("_version", &version),
                ("name", ""),
                (&format!("member_{edu}"), "1"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("联席会议名称"));
    let (s, _, _) = b
        .post(
            &loc,
            &[
                ("_version", &version),
                ("name", "页面改名的联席会议"),
                (&format!("member_{edu}"), "1"),
                ("add_members", "常州市人力资源和社会保障局"),
            ],
        )
        .await;
    assert_eq!(s, 422, "members are ids or credit codes");
    let rs = app.org_id(&city, "q=常州市人力资源和社会保障局").await;
    let (s, _, _) = b
        .post(
            &loc,
            &[
                ("_version", &version),
                ("name", "页面改名的联席会议"),
                ("add_members", &rs.to_string()),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = b.get(&loc).await;
    assert!(html.contains("页面改名的联席会议"));
    assert!(html.contains("常州市人力资源和社会保障局"));
    assert!(
        !html.contains(&format!("member_{edu}\"")),
        "unticked = removed"
    );

    // A meeting page: edit form and the decision correction.
    let (_, ms) = app.get(&city, "/api/v1/meetings?level=city").await;
    let mid = ms["items"][0]["id"].as_i64().unwrap();
    let (s, html) = b.get(&format!("/meetings/{mid}/edit")).await;
    assert_eq!(s, 200);
    assert!(html.contains("补充议定事项"));
    let version = hidden(&html, "_version");
    let (s, html, _) = b
        .post(
            &format!("/meetings/{mid}/edit"),
            &[
                ("_version", &version),
                ("title", ""),
                ("date", "2024-03-15"),
                ("place", "会议室"),
                ("agenda", "议程一"),
                ("minutes", "改过的纪要"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("会议名称"));
    assert!(html.contains("改过的纪要"), "keeps what was typed");
    let (s, _, _) = b
        .post(
            &format!("/meetings/{mid}/edit"),
            &[
                ("_version", &version),
                ("title", "改过的会议名称"),
                ("date", "2024-03-15"),
                ("place", "会议室"),
                ("agenda", "议程一\n议程二"),
                ("minutes", "改过的纪要"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = b.get(&format!("/meetings/{mid}")).await;
    assert!(html.contains("改过的会议名称"));
    assert!(html.contains("议程二"));
    let (_, d) = app.get(&city, &format!("/api/v1/meetings/{mid}")).await;
    let open = d["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["task_id"].is_null())
        .expect("a decision without a task")["id"]
        .as_i64()
        .unwrap();
    let (s, html, _) = b
        .post(
            &format!("/meetings/{mid}/decisions/{open}"),
            &[("text", " ")],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("议定事项"));
    let (s, _, _) = b
        .post(
            &format!("/meetings/{mid}/decisions/{open}"),
            &[("text", "更正后的议定事项")],
        )
        .await;
    assert_eq!(s, 303);
    let (_, html) = b.get(&format!("/meetings/{mid}")).await;
    assert!(html.contains("更正后的议定事项"));
}

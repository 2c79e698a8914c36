//! Tasks edited, cancelled, and who may correct them.

use super::*;

#[tokio::test]
async fn a_task_is_edited_with_locking_and_audit() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let edu = app.org_id(&city, "q=常州市教育局").await;
    let tn_union = app.org_id(&city, "q=天宁区总工会").await;
    let t = app
        .post_ok(&city, "/api/v1/tasks", task(edu, "产业学院建设", 2030))
        .await;
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
        let (s, e) = app.put(&city, &path, body).await;
        refused_on(s, &e, 422, field);
        assert!(
            e["error"]["message"].as_str().unwrap().contains(words),
            "{e}"
        );
    }
    let (_, same) = app.get(&city, &path).await;
    assert_eq!(same["task"]["version"], v1);
    assert_eq!(same["task"]["title"], "产业学院建设");
    // Unknown fields are refused too.
    app.put(&city, &path, json!({"colour": "red"}))
        .await
        .answers(422);

    // A version the client did not see: 409, nothing changed.
    let (s, e) = app
        .put(
            &city,
            &path,
            json!({"version": v1 + 7, "title": "别人的修改"}),
        )
        .await;
    assert_eq!(s, 409, "{e}");
    assert_eq!(err_code(&e), "stale_version");
    assert!(e["error"]["message"].as_str().unwrap().contains("修改"));

    // The correction: another owner, title, deadline, target value cleared.
    let deadline = in_days(90);
    let t2 = app.put_ok(
            &city,
            &path,
            json!({"version": v1, "title": "建设产业学院(修订)", "owner": tn_union.to_string(),
                   "deadline": deadline, "target_value": null, "description": "按联席会议要求修订"}),
        ).await;
    assert_eq!(t2["version"], v1 + 1);
    assert_eq!(t2["owner_org_id"], tn_union);
    assert_eq!(t2["deadline"], deadline);
    assert!(t2["target_value"].is_null());
    assert_eq!(t2["target_unit"], "名", "left out = unchanged");
    // The old version no longer works.
    app.put(&city, &path, json!({"version": v1, "title": "again"}))
        .await
        .answers(409);
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
    app.put_ok(&city, &path, json!({"version": v1 + 1, "year": 2031}))
        .await;
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
    let t3 = app
        .put_ok(
            &city,
            &path,
            json!({"version": v1 + 2, "deadline": deadline}),
        )
        .await;
    assert_eq!(t3["version"], v1 + 2);

    // Audit: before and after of each change.
    let entries = app.audit_of("task", id).await;
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
    let t = app
        .put_ok(
            &city,
            &lpath,
            json!({"version": late["version"], "target_text": "目标表述更正"}),
        )
        .await;
    assert_eq!(t["status"], "overdue");
    app.put(&city, &lpath, json!({"deadline": "2024-12-30"}))
        .await
        .refused_on(422, "deadline");
    let t = app
        .put_ok(&city, &lpath, json!({"deadline": in_days(30)}))
        .await;
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
        let t = app
            .post_ok(&city, "/api/v1/tasks", task(edu, title, 2032))
            .await;
        ids.push(t["id"].as_i64().unwrap());
    }
    app.post_ok(&city, &format!("/api/v1/tasks/{}/done", ids[0]), json!({}))
        .await;
    let rate = || indicator(&app, &city, "320400", "2032", "task_completion_rate");
    let total = || indicator(&app, &city, "320400", "2032", "tasks_total");
    assert_eq!(total().await, Some(3.0));
    let r = rate().await.unwrap();
    assert!((r - 100.0 / 3.0).abs() < 1e-9, "{r}");

    let cancel = format!("/api/v1/tasks/{}/cancel", ids[1]);
    // A reason is required; a member unit may not cancel.
    let (s, e) = app.post(&city, &cancel, json!({"reason": "  "})).await;
    refused_on(s, &e, 422, "reason");
    assert!(e["error"]["message"].as_str().unwrap().contains("撤销理由"));
    app.post(&renshe, &cancel, json!({"reason": "x"}))
        .await
        .answers(403);
    let (s, e) = app
        .post(&city, &cancel, json!({"reason": "x", "version": 99}))
        .await;
    assert_eq!(s, 409, "{e}");
    assert_eq!(total().await, Some(3.0), "nothing changed");

    let (_, d) = app.get(&city, &format!("/api/v1/tasks/{}", ids[1])).await;
    let t = app
        .post_ok(
            &city,
            &cancel,
            json!({"reason": "并入产教融合专项统一推进", "version": d["task"]["version"]}),
        )
        .await;
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
        let (s, e) = app.post(&city, &path, body).await;
        assert_eq!(s, 409, "{path} {e}");
        assert_eq!(err_code(&e), "task_cancelled", "{e}");
    }
    app.put(
        &city,
        &format!("/api/v1/tasks/{}", ids[1]),
        json!({"title": "改"}),
    )
    .await
    .refused(409, "task_cancelled");
    let (s, e) = app
        .post(
            &city,
            &format!("/api/v1/tasks/{}/cancel", ids[0]),
            json!({"reason": "x"}),
        )
        .await;
    refused(s, &e, 409, "task_done");
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
    let entries = app.audit_of("task", ids[1]).await;
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
        .post(&city, "/api/v1/tasks", task(tn_union, "市级设立", 2030))
        .await;
    let cid = city_task["id"].as_i64().unwrap();
    // The district sees the city's task for its union but may not correct it.
    let d = app.get_ok(&tianning, &format!("/api/v1/tasks/{cid}")).await;
    assert_eq!(d["may_edit"], false);
    let (s, e) = app
        .put(
            &tianning,
            &format!("/api/v1/tasks/{cid}"),
            json!({"title": "区里改"}),
        )
        .await;
    assert_eq!(s, 403, "{e}");
    assert_eq!(err_code(&e), "task_not_editable");
    app.post(
        &tianning,
        &format!("/api/v1/tasks/{cid}/cancel"),
        json!({"reason": "x"}),
    )
    .await
    .answers(403);
    // Another district: not found; a unit: not allowed at all.
    for (tok, code) in [(&wujin, 404), (&unit, 403)] {
        let (s, _) = app
            .put(tok, &format!("/api/v1/tasks/{cid}"), json!({"title": "x"}))
            .await;
        assert_eq!(s, code);
    }
    // The district corrects its own task, within its area only.
    let own = app
        .post_ok(&tianning, "/api/v1/tasks", task(tn_union, "区级设立", 2030))
        .await;
    let oid = own["id"].as_i64().unwrap();
    app.put(
        &tianning,
        &format!("/api/v1/tasks/{oid}"),
        json!({"owner": edu.to_string()}),
    )
    .await
    .refused_on(422, "owner");
    app.put(
        &tianning,
        &format!("/api/v1/tasks/{oid}"),
        json!({"region": "320412"}),
    )
    .await
    .refused_on(422, "region");
    let (s, t) = app
        .put(
            &tianning,
            &format!("/api/v1/tasks/{oid}"),
            json!({"target_text": "举办区级技能比武 3 场"}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["target_text"], "举办区级技能比武 3 场");
    // The city (above) may correct and cancel the district's task.
    let _t = app
        .post_ok(
            &city,
            &format!("/api/v1/tasks/{oid}/cancel"),
            json!({"reason": "与市级任务重复"}),
        )
        .await;
}

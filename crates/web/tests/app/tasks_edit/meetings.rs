//! Bodies, meetings and decisions corrected.

use super::*;

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
    let b = app
        .post_ok(
            &city,
            "/api/v1/meeting-bodies",
            json!({"region": free, "name": "", "members": [edu.to_string()]}),
        )
        .await;
    let bid = b["id"].as_i64().unwrap();
    assert!(b["name"].as_str().unwrap().ends_with("联席会议"));
    let bpath = format!("/api/v1/meeting-bodies/{bid}");
    let d = app.get_ok(&city, &bpath).await;
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
        let (s, e) = app.put(&city, &bpath, body).await;
        refused_on(s, &e, 422, field);
    }
    let (s, e) = app
        .put(&city, &bpath, json!({"version": v + 3, "name": "x"}))
        .await;
    refused(s, &e, 409, "stale_version");
    let b2 = app.put_ok(
            &city,
            &bpath,
            json!({"version": v, "name": "专项联席会议", "members": [edu.to_string(), rs.to_string()]}),
        ).await;
    assert_eq!(b2["name"], "专项联席会议");
    assert_eq!(b2["members"].as_array().unwrap().len(), 2);
    assert_eq!(b2["version"], v + 1);
    let entries = app.audit_of("meeting_body", bid).await;
    let u = entries.iter().find(|e| e["action"] == "update").unwrap();
    assert!(u["before_json"].as_str().unwrap().contains("联席会议"));
    assert!(u["after_json"].as_str().unwrap().contains("专项联席会议"));
    // A district that does not hold the body: not found.
    app.get(&tianning, &bpath).await.answers(404);
    app.put(&tianning, &bpath, json!({"name": "x"}))
        .await
        .answers(404);

    // A meeting of it, corrected.
    let m = app
        .post_ok(
            &city,
            "/api/v1/meetings",
            json!({"body_id": bid, "title": "专题会", "date": "2030-03-01", "place": "市行政中心",
                   "agenda": ["研究订单班"], "attendance": [{"org_id": edu, "status": "present"}],
                   "decisions": ["教育局牵头组织订单班", "人社局配合"]}),
        )
        .await;
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
        let (s, e) = app.put(&city, &mpath, body).await;
        refused_on(s, &e, 422, field);
    }
    app.put(&city, &mpath, json!({"version": mv + 1, "minutes": "x"}))
        .await
        .refused(409, "stale_version");
    let (s, m2) = app
        .put(
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
    let entries = app.audit_of("meeting", mid).await;
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
    app.put(&city, &dpath, json!({"text": ""}))
        .await
        .refused_on(422, "text");
    let dec = app.put_ok(
            &city,
            &dpath,
            json!({"text": "市教育局牵头,9 月底前组织 10 个订单班", "version": d["meeting"]["version"]}),
        ).await;
    assert_eq!(dec["text"], "市教育局牵头,9 月底前组织 10 个订单班");
    let entries = app.audit_of("meeting_decision", did).await;
    assert!(entries[0]["before_json"]
        .as_str()
        .unwrap()
        .contains("教育局牵头组织订单班"));
    let t = app
        .post_ok(
            &city,
            &format!("{dpath}/task"),
            json!({"owner": edu.to_string(), "deadline": in_days(30)}),
        )
        .await;
    assert_eq!(t["title"], "市教育局牵头,9 月底前组织 10 个订单班");
    let (s, e) = app.put(&city, &dpath, json!({"text": "再改"})).await;
    refused(s, &e, 409, "decision_assigned");
    // The meeting shows the task's status, cancelled included.
    let (s, _) = app
        .post(
            &city,
            &format!("/api/v1/tasks/{}/cancel", t["id"]),
            json!({"reason": "会议决定调整"}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, d) = app.get(&city, &mpath).await;
    assert_eq!(d["decisions"][0]["task_status"], "cancelled");
    // A district cannot correct another district's meetings.
    app.put(&tianning, &mpath, json!({"minutes": "x"}))
        .await
        .answers(404);
}

//! Contact points and visits corrected.

use super::*;

#[tokio::test]
async fn a_contact_point_is_reassigned_and_ended() {
    let app = spawn_demo().await;
    let tianning = app.token("tianning").await;
    let wujin = app.token("wujin").await;
    let renshe = app.token("renshe").await;
    let unit = app.token("unit").await;
    // The demo has one ended point (in 武进区), listed as ended.
    let (_, wj) = app.get(&wujin, "/api/v1/contacts").await;
    assert!(
        wj.as_array()
            .unwrap()
            .iter()
            .any(|c| c["ended"] == true && c["active"] == false && c["end_reason"].is_string()),
        "{wj}"
    );
    let org = free_enterprise(&app, &tianning).await;
    let c = app
        .post_ok(
            &tianning,
            "/api/v1/contacts",
            json!({"org": org.to_string(), "official": "city", "start_on": "2024-01-01"}),
        )
        .await;
    let id = c["id"].as_i64().unwrap();
    let path = format!("/api/v1/contacts/{id}");
    let d = app.get_ok(&tianning, &path).await;
    assert_eq!(d["may_edit"], true);
    let v = d["contact"]["version"].as_i64().unwrap();

    for (body, field, words) in [
        (json!({"official": "nobody"}), "official", "不存在"),
        (json!({"official": "expert"}), "official", "联系干部"),
        (json!({"end_on": "2023-12-01"}), "end_on", "结束日期"),
        (json!({"start_on": "2024-02-30"}), "start_on", "开始日期"),
    ] {
        let (s, e) = app.put(&tianning, &path, body).await;
        refused_on(s, &e, 422, field);
        assert!(
            e["error"]["message"].as_str().unwrap().contains(words),
            "{e}"
        );
    }
    app.put(&tianning, &path, json!({"version": v + 1, "note": "x"}))
        .await
        .refused(409, "stale_version");
    let (_, same) = app.get(&tianning, &path).await;
    assert_eq!(same["contact"]["official_username"], "city");
    assert_eq!(same["contact"]["version"], v);
    // Others: another district does not see it; member units and units may not edit.
    app.get(&wujin, &path).await.answers(404);
    app.put(&wujin, &path, json!({"note": "x"}))
        .await
        .answers(404);
    for tok in [&renshe, &unit] {
        let (s, _) = app.put(tok, &path, json!({"note": "x"})).await;
        assert_eq!(s, 403);
    }

    // Reassigned to 人社局's official.
    let c = app
        .put_ok(
            &tianning,
            &path,
            json!({"version": v, "official": "renshe", "note": "改派市人社局联系"}),
        )
        .await;
    assert_eq!(c["official_username"], "renshe");
    assert_eq!(c["version"], v + 1);
    assert_eq!(c["start_on"], "2024-01-01", "left out = unchanged");
    let visit = |date: &str| json!({"org": org.to_string(), "visited_on": date, "form": "on_site", "summary": "走访车间", "official": "renshe"});
    app.post_ok(&tianning, "/api/v1/visits", visit("2024-03-01"))
        .await;

    // Ending: a date not after today, not before the start or the latest visit.
    let end = format!("{path}/end");
    for (body, field, words) in [
        (
            json!({"end_on": in_days(3), "reason": "x"}),
            "end_on",
            "不能晚于今天",
        ),
        (json!({"end_on": "2024-02-01"}), "end_on", "最近一次走访"),
        (json!({"end_on": "2023-06-01"}), "end_on", "开始日期"),
        (json!({"end_on": ""}), "end_on", "结束日期"),
    ] {
        let (s, e) = app.post(&tianning, &end, body).await;
        refused_on(s, &e, 422, field);
        assert!(
            e["error"]["message"].as_str().unwrap().contains(words),
            "{e}"
        );
    }
    app.post(
        &tianning,
        &end,
        json!({"end_on": "2024-06-30", "version": v}),
    )
    .await
    .refused(409, "stale_version");
    let c = app
        .post_ok(
            &tianning,
            &end,
            json!({"end_on": "2024-06-30", "reason": "企业迁出本区", "version": v + 1}),
        )
        .await;
    assert_eq!(c["ended"], true);
    assert_eq!(c["active"], false);
    assert_eq!(c["end_on"], "2024-06-30");
    assert_eq!(c["end_reason"], "企业迁出本区");

    // No visits after the end; the history before it can still be completed.
    let (s, e) = app
        .post(&tianning, "/api/v1/visits", visit("2024-07-01"))
        .await;
    refused_on(s, &e, 422, "visited_on");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains("2024-06-30") && msg.contains("结束"), "{msg}");
    app.post_ok(&tianning, "/api/v1/visits", visit("2024-05-01"))
        .await;
    // The official is no longer assigned: they cannot log visits there themselves.
    app
        .post(
            &renshe,
            "/api/v1/visits",
            json!({"org": org.to_string(), "visited_on": "2024-06-01", "form": "phone", "summary": "x"}),
        )
        .await.refused_on(422, "org");
    // An ended point is history: no edit, no second end.
    app.put(&tianning, &path, json!({"note": "x"}))
        .await
        .refused(409, "contact_ended");
    app.post(&tianning, &end, json!({"end_on": "2024-07-01"}))
        .await
        .answers(409);
    let (_, list) = app
        .get(&tianning, &format!("/api/v1/contacts?org_id={org}"))
        .await;
    let row = &list.as_array().unwrap()[0];
    assert_eq!(row["ended"], true);
    assert_eq!(row["visits"], 2, "its visits stay");
    let (_, d) = app.get(&tianning, &path).await;
    assert_eq!(d["may_edit"], false);
    // Audit: the reassignment and the end, with before and after.
    let entries = app.audit_of("contact_point", id).await;
    let upd = entries.iter().find(|e| e["action"] == "update").unwrap();
    assert!(upd["before_json"].as_str().unwrap().contains("\"city\""));
    assert!(upd["after_json"].as_str().unwrap().contains("\"renshe\""));
    let ended = entries
        .iter()
        .find(|e| e["action"] == "contact_end")
        .unwrap();
    assert!(ended["after_json"].as_str().unwrap().contains("2024-06-30"));
}

#[tokio::test]
async fn a_visit_is_corrected_by_its_author_or_staff_above() {
    let app = spawn_demo().await;
    let tianning = app.token("tianning").await;
    let city = app.token("city").await;
    let wujin = app.token("wujin").await;
    let renshe = app.token("renshe").await;
    let org = free_enterprise(&app, &tianning).await;
    let ind = |period: &'static str| {
        let app = &app;
        let tianning = &tianning;
        async move {
            let (_, v) = app
                .get(
                    tianning,
                    &format!("/api/v1/indicators?org={org}&period={period}"),
                )
                .await;
            indicator(&v, "visits")
        }
    };
    let (_, before_2021) = app
        .get(&tianning, "/api/v1/indicators?org=320402&period=2021")
        .await;
    let before_2021 = indicator(&before_2021, "visits").as_f64().unwrap();
    let v = app.post_ok(
            &tianning,
            "/api/v1/visits",
            json!({"org": org.to_string(), "visited_on": "2022-03-01", "form": "on_site", "summary": "座谈"}),
        ).await;
    let id = v["id"].as_i64().unwrap();
    assert_eq!(ind("2022").await, json!(1.0));
    let path = format!("/api/v1/visits/{id}");
    let d = app.get_ok(&tianning, &path).await;
    assert_eq!(d["may_edit"], true);
    let ver = d["visit"]["version"].as_i64().unwrap();
    for (body, field) in [
        (json!({"visited_on": "2099-01-01"}), "visited_on"),
        (json!({"visited_on": "2022-13-01"}), "visited_on"),
        (json!({"form": "by pigeon"}), "form"),
        (json!({"summary": " "}), "summary"),
    ] {
        let (s, e) = app.put(&tianning, &path, body).await;
        refused_on(s, &e, 422, field);
    }
    app.put(
        &tianning,
        &path,
        json!({"version": ver + 1, "summary": "x"}),
    )
    .await
    .refused(409, "stale_version");
    assert_eq!(ind("2022").await, json!(1.0), "nothing changed");
    // Not the author and not over the enterprise: 403; outside the area: 404.
    app.put(&renshe, &path, json!({"summary": "x"}))
        .await
        .refused(403, "visit_not_yours");
    app.put(&wujin, &path, json!({"summary": "x"}))
        .await
        .answers(404);
    // The author moves it to another year: the indicators follow in the same transaction.
    let v2 = app.put_ok(
            &tianning,
            &path,
            json!({"version": ver, "visited_on": "2021-05-01", "form": "电话沟通", "summary": "电话回访"}),
        ).await;
    assert_eq!(v2["form"], "phone");
    assert_eq!(v2["version"], ver + 1);
    assert_eq!(ind("2022").await, json!(0.0));
    assert_eq!(ind("2021").await, json!(1.0));
    let (_, after_2021) = app
        .get(&tianning, "/api/v1/indicators?org=320402&period=2021")
        .await;
    assert_eq!(
        indicator(&after_2021, "visits").as_f64().unwrap(),
        before_2021 + 1.0
    );
    aggregates_agree(&app, "contact:").await;
    // Region staff above (the city) may correct it too.
    let (s, _) = app
        .put(&city, &path, json!({"summary": "市产改办补充"}))
        .await;
    assert_eq!(s, 200);
    let entries = app.audit_of("visit", id).await;
    let upd: Vec<&Value> = entries.iter().filter(|e| e["action"] == "update").collect();
    assert_eq!(upd.len(), 2);
    assert!(upd.iter().any(
        |e| e["before_json"].as_str().unwrap().contains("2022-03-01")
            && e["after_json"].as_str().unwrap().contains("2021-05-01")
    ));

    // A member unit's official corrects the visit they logged themselves.
    let (_, pts) = app.get(&renshe, "/api/v1/contacts?region=320402").await;
    let mine = pts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["official_username"] == "renshe" && c["active"] == true)
        .expect("人社局 has a contact point in the demo")["org_id"]
        .as_i64()
        .unwrap();
    let v = app.post_ok(
            &renshe,
            "/api/v1/visits",
            json!({"org": mine.to_string(), "visited_on": today(), "form": "online", "summary": "线上沟通"}),
        ).await;
    let v = app
        .put_ok(
            &renshe,
            &format!("/api/v1/visits/{}", v["id"]),
            json!({"summary": "线上沟通,企业反映培训需求"}),
        )
        .await;
    assert_eq!(v["summary"], "线上沟通,企业反映培训需求");
}

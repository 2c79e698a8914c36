//! A case through the levels, objections, concurrent reviewers, bad input.

use super::*;

#[tokio::test]
async fn an_application_climbs_the_levels_and_becomes_a_pilot() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let town = app.token("town").await;
    let district = app.token("tianning").await;
    let city = app.token("city").await;
    // The unit's enterprise is a city and provincial pilot already: applying for the
    // provincial level again is refused on submit; it applies for the county level.
    let mut data = application();
    data["level"] = json!("省级");
    let (s, c) = app
        .post(
            &unit,
            "/api/v1/cases",
            json!({"process": "pilot_application", "data": {"level": "省级"}}),
        )
        .await;
    // The unit is a provincial pilot already: refused at once, no draft kept.
    refused_on(s, &c, 422, "level");
    let (_, drafts) = app.get(&unit, "/api/v1/cases?status=draft").await;
    assert_eq!(drafts["total"], 0, "{drafts}");
    let c = app
        .post_ok(
            &unit,
            "/api/v1/cases",
            json!({"process": "pilot_application", "data": {"level": "县级"}}),
        )
        .await;
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["status"], "draft");
    // A unit applies for itself only: naming another organisation is 422 on `org`.
    let other = c["org_id"].as_i64().unwrap() + 1;
    app
        .post(
            &unit,
            "/api/v1/cases",
            json!({"process": "pilot_application", "org": other.to_string(), "data": {"level": "市级"}}),
        )
        .await.refused_on(422, "org");
    // Material: checked by content; listed on the case; recorded in the history.
    let upload = |name: &'static str, bytes: &'static [u8]| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name),
        );
        app.client
            .post(app.at(&format!("/api/v1/cases/{id}/files")))
            .bearer_auth(&unit)
            .multipart(form)
            .send()
    };
    let r = upload("申报书.pdf", b"%PDF-1.4 application").await.unwrap();
    assert_eq!(r.status(), 200);
    let r = upload("setup.pdf", b"MZ\x90\x00").await.unwrap();
    assert_eq!(r.status(), 422);
    let (_, d) = app.get(&unit, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["case"]["files"][0]["name"], "申报书.pdf", "{d}");
    assert_eq!(d["history"][0]["action"], "attach");
    // Submitting an incomplete form names the missing fields.
    let (s, e) = act(&app, &unit, id, json!({"action": "submit"})).await;
    assert_eq!(s, 422, "{e}");
    assert!(e.to_string().contains("plan"), "{e}");
    app.put_ok(&unit, &format!("/api/v1/cases/{id}"), json!({"data": data}))
        .await;
    // Already a provincial pilot: refused on submit, naming the level.
    let (s, e) = act(&app, &unit, id, json!({"action": "submit"})).await;
    refused_on(s, &e, 422, "level");
    data["level"] = json!("县级");
    app.put(&unit, &format!("/api/v1/cases/{id}"), json!({"data": data}))
        .await;
    let (s, c) = act(&app, &unit, id, json!({"action": "submit"})).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(
        (c["status"].as_str(), c["step"].as_i64()),
        (Some("in_review"), Some(0))
    );
    assert!(c["due_at"].as_i64().is_some());
    // Reviewers are not applicants: the district cannot withdraw or resubmit it.
    let (s, _) = act(&app, &district, id, json!({"action": "withdraw"})).await;
    assert_eq!(s, 403, "a reviewer withdrew a unit's application");
    // Not the district's turn yet; a district elsewhere does not even see it.
    let (s, e) = act(&app, &district, id, json!({"action": "accept"})).await;
    refused(s, &e, 403, "not_your_step");
    let (s, _) = act(
        &app,
        &app.token("wujin").await,
        id,
        json!({"action": "accept"}),
    )
    .await;
    assert_eq!(s, 404);
    // The town's inbox has it; the town accepts.
    let (_, inbox) = app.get(&town, "/api/v1/inbox").await;
    assert!(
        inbox.as_array().unwrap().iter().any(|c| c["id"] == id),
        "{inbox}"
    );
    let (s, _) = act(
        &app,
        &town,
        id,
        json!({"action": "accept", "comment": "属实"}),
    )
    .await;
    assert_eq!(s, 200);
    // The applicant hears of every step others take: accepted by the town (now at
    // the district).
    let (_, notes) = app.get(&unit, "/api/v1/notifications").await;
    let climbed = notes.to_string().matches("您的申报已进入").count();
    assert!(climbed >= 1, "the applicant is told of each step: {notes}");
    assert!(notes.to_string().contains("您的申报已进入“区"), "{notes}");
    // The district returns it: a reason is required.
    let (s, e) = act(&app, &district, id, json!({"action": "return"})).await;
    refused_on(s, &e, 422, "comment");
    let (s, c) = act(
        &app,
        &district,
        id,
        json!({"action": "return", "comment": "请补充培训投入数据"}),
    )
    .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("returned")));
    let (_, inbox) = app.get(&unit, "/api/v1/inbox").await;
    assert!(inbox.as_array().unwrap().iter().any(|c| c["id"] == id));
    let (_, notes) = app.get(&unit, "/api/v1/notifications").await;
    assert!(notes.to_string().contains("退回"), "{notes}");
    // Resubmitted, it climbs again; the district corrects the level on the way.
    act(&app, &unit, id, json!({"action": "submit"})).await;
    act(&app, &town, id, json!({"action": "accept"})).await;
    let (s, e) = act(
        &app,
        &district,
        id,
        json!({"action": "accept", "changes": {"plan": "x"}}),
    )
    .await;
    assert_eq!(s, 422, "the district may not rewrite the plan: {e}");
    let (s, c) = act(
        &app,
        &district,
        id,
        json!({"action": "accept", "changes": {"level": "镇级"}}),
    )
    .await;
    assert_eq!(s, 200, "{c}");
    let (s, c) = act(&app, &city, id, json!({"action": "accept"})).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("notice")));
    let before = app
        .get(&city, "/api/v1/pilots?level=town&per_page=1")
        .await
        .1["total"]
        .as_i64()
        .unwrap();
    // 公示: the decision waits for the notice period and for answers to objections.
    let (s, e) = act(&app, &city, id, json!({"action": "accept"})).await;
    refused(s, &e, 409, "notice_running");
    app.post(
        &district,
        &format!("/api/v1/cases/{id}/objections"),
        json!({"body": "  "}),
    )
    .await
    .refused_on(422, "body");
    app.post(
        &district,
        &format!("/api/v1/cases/{id}/objections"),
        json!({"body": "x", "raised_by": "某职工"}),
    )
    .await
    .refused_on(422, "raised_by");
    let (s, o) = app
        .post(
            &district,
            &format!("/api/v1/cases/{id}/objections"),
            json!({"body": "该企业上年度发生过欠薪投诉"}),
        )
        .await;
    assert_eq!(s, 201, "{o}");
    let oid = o["id"].as_i64().unwrap();
    let (_, notes) = app.get(&city, "/api/v1/notifications").await;
    assert!(notes.to_string().contains("收到异议"), "{notes}");
    // The objector is confidential: the unit reads the objection but not who made it.
    let (_, d) = app.get(&unit, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["case"]["objections"][0]["by"], Value::Null, "{d}");
    let (_, d) = app.get(&city, &format!("/api/v1/cases/{id}")).await;
    assert!(d["case"]["objections"][0]["by"].is_string(), "{d}");
    // The notice period ends (moved into the past here); the open objection still
    // blocks approval, and a late objection is refused.
    sqlx::query("UPDATE wf_cases SET due_at = 1 WHERE id = $1")
        .bind(id)
        .execute(&app.svc.db.pool)
        .await
        .unwrap();
    let (s, e) = act(&app, &city, id, json!({"action": "accept"})).await;
    refused(s, &e, 409, "objections_open");
    app.post(
        &unit,
        &format!("/api/v1/cases/{id}/objections"),
        json!({"body": "迟到的异议"}),
    )
    .await
    .refused(409, "case_not_in_notice");
    let (s, e) = app
        .post(
            &district,
            &format!("/api/v1/cases/{id}/objections/{oid}"),
            json!({"upheld": false, "response": "经核查已结清"}),
        )
        .await;
    assert_eq!(s, 403, "only the city answers: {e}");
    let (s, o) = app
        .post(
            &city,
            &format!("/api/v1/cases/{id}/objections/{oid}"),
            json!({"upheld": false, "response": "经核查,欠薪已于当年结清,异议不成立"}),
        )
        .await;
    assert_eq!((s, o["outcome"].as_str()), (200, Some("dismissed")), "{o}");
    let (_, notes) = app.get(&district, "/api/v1/notifications").await;
    assert!(notes.to_string().contains("异议已处理"), "{notes}");
    let (s, c) = act(
        &app,
        &city,
        id,
        json!({"action": "accept", "comment": "公示期满,异议不成立"}),
    )
    .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("approved")), "{c}");
    let pilot = c["result_ref"]
        .as_str()
        .unwrap()
        .trim_start_matches("pilot:")
        .to_string();
    let (s, p) = app.get(&city, &format!("/api/v1/pilots/{pilot}")).await;
    assert_eq!((s, p["level"].as_str()), (200, Some("town")), "{p}");
    assert_eq!(
        app.get(&city, "/api/v1/pilots?level=town&per_page=1")
            .await
            .1["total"]
            .as_i64(),
        Some(before + 1)
    );
    // The full history, in order, with the reasons.
    let (_, d) = app.get(&unit, &format!("/api/v1/cases/{id}")).await;
    let actions: Vec<&str> = strs(&d["history"], "action");
    assert_eq!(
        actions,
        [
            "attach",
            "submit",
            "accept",
            "return",
            "submit",
            "accept",
            "accept",
            "accept",
            "object",
            "answer_objection",
            "accept"
        ]
    );
    // Decided: the applicant can no longer add material.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4 late".to_vec()).file_name("late.pdf"),
    );
    let r = app
        .client
        .post(app.at(&format!("/api/v1/cases/{id}/files")))
        .bearer_auth(&unit)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(d.to_string().contains("请补充培训投入数据"));
    // A final case accepts nothing more.
    let (s, e) = act(&app, &city, id, json!({"action": "accept"})).await;
    assert_eq!(s, 403, "{e}");
    // The console pages.
    let b = app.browser("unit").await;
    let html = b.get_ok(&format!("/cases/{id}")).await;
    assert!(html.contains("已通过") && html.contains("请补充培训投入数据"));
    // The same refusal from the case page: the page again, its reason over it, 403.
    let (s, html, _) = app
        .browser("city")
        .await
        .post(&format!("/cases/{id}/act"), &[("_action", "accept")])
        .await;
    assert_eq!(s, 403, "{html}");
    let reason = e["error"]["message"].as_str().unwrap();
    assert!(html.contains(reason) && html.contains("已通过"), "{html}");
    let html = b.get_ok("/cases/new?process=pilot_application").await;
    assert!(html.contains("试点工作方案"));
    let (s, html) = app.browser("town").await.get("/inbox").await;
    assert_eq!(s, 200, "{html}");
}

#[tokio::test]
async fn an_upheld_objection_blocks_approval() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let town = app.token("town").await;
    let district = app.token("tianning").await;
    let city = app.token("city").await;
    let mut data = application();
    data["level"] = json!("county");
    let (_, c) = app
        .post(
            &unit,
            "/api/v1/cases",
            json!({"process": "pilot_application", "data": data}),
        )
        .await;
    let id = c["id"].as_i64().unwrap();
    act(&app, &unit, id, json!({"action": "submit"})).await;
    act(&app, &town, id, json!({"action": "accept"})).await;
    act(&app, &district, id, json!({"action": "accept"})).await;
    let (s, c) = act(&app, &city, id, json!({"action": "accept"})).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("notice")), "{c}");
    // The city records an objection that came by letter.
    let (s, o) = app
        .post(
            &city,
            &format!("/api/v1/cases/{id}/objections"),
            json!({"body": "来信反映:申报材料中的培训人次与实际不符", "raised_by": "匿名来信"}),
        )
        .await;
    assert_eq!(s, 201, "{o}");
    let oid = o["id"].as_i64().unwrap();
    let (s, _) = app
        .post(
            &city,
            &format!("/api/v1/cases/{id}/objections/{oid}"),
            json!({"upheld": true, "response": ""}),
        )
        .await;
    assert_eq!(s, 422, "a response is required");
    app.post_ok(
        &city,
        &format!("/api/v1/cases/{id}/objections/{oid}"),
        json!({"upheld": true, "response": "经核查属实"}),
    )
    .await;
    app.post(
        &city,
        &format!("/api/v1/cases/{id}/objections/{oid}"),
        json!({"upheld": false, "response": "改判"}),
    )
    .await
    .refused(409, "objection_answered");
    sqlx::query("UPDATE wf_cases SET due_at = 1 WHERE id = $1")
        .bind(id)
        .execute(&app.svc.db.pool)
        .await
        .unwrap();
    let (s, e) = act(&app, &city, id, json!({"action": "accept"})).await;
    refused(s, &e, 409, "objection_upheld");
    let (s, c) = act(
        &app,
        &city,
        id,
        json!({"action": "reject", "comment": "公示期间异议经核查属实"}),
    )
    .await;
    assert_eq!((s, c["status"].as_str()), (200, Some("rejected")), "{c}");
    // The console shows the objection and its answer.
    let (s, html) = app.browser("city").await.get(&format!("/cases/{id}")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("异议成立") && html.contains("匿名来信"),
        "{html}"
    );
}

#[tokio::test]
async fn two_reviewers_at_once_exactly_one_wins() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let town = app.token("town").await;
    let mut data = application();
    data["level"] = json!("county");
    let (_, c) = app
        .post(
            &unit,
            "/api/v1/cases",
            json!({"process": "pilot_application", "data": data}),
        )
        .await;
    let id = c["id"].as_i64().unwrap();
    let (_, c) = act(&app, &unit, id, json!({"action": "submit"})).await;
    let version = c["version"].as_i64().unwrap();
    let mut handles = Vec::new();
    for i in 0..8 {
        let app_url = app.url.clone();
        let client = app.client.clone();
        let tok = town.clone();
        handles.push(tokio::spawn(async move {
            let body = if i % 2 == 0 {
                json!({"action": "accept", "version": version})
            } else {
                json!({"action": "return", "comment": "补材料", "version": version})
            };
            let r = client
                .post(format!("{app_url}/api/v1/cases/{id}/actions"))
                .bearer_auth(tok)
                .json(&body)
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            (s, r.json::<Value>().await.unwrap())
        }));
    }
    let mut ok = 0;
    for h in handles {
        let (s, v) = h.await.unwrap();
        if s == 200 {
            ok += 1;
        } else {
            refused(s, &v, 409, "stale_version");
        }
    }
    assert_eq!(ok, 1);
    let (_, d) = app.get(&unit, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        d["history"].as_array().unwrap().len(),
        2,
        "submit and one review"
    );
}

#[tokio::test]
async fn bad_input_is_refused_clearly() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    app.post(&unit, "/api/v1/cases", json!({"process": "nonsense"}))
        .await
        .refused_on(422, "process");
    app.post(
        &unit,
        "/api/v1/cases",
        json!({"process": "pilot_application", "data": {"year": "1990"}}),
    )
    .await
    .refused_on(422, "year");
    app.post_ok(
        &unit,
        "/api/v1/cases",
        json!({"process": "pilot_application"}),
    )
    .await;
    let (s, e) = app
        .post(
            &unit,
            "/api/v1/cases",
            json!({"process": "pilot_application"}),
        )
        .await;
    refused(s, &e, 409, "case_open");
    // The form lists the unit's current pilots and offers only the levels it does
    // not hold (it is a city and provincial pilot).
    let b = app.browser("unit").await;
    let (s, html) = b.get("/cases/new?process=pilot_application").await;
    assert_eq!(s, 200);
    assert!(html.contains("本单位现有试点"), "{html}");
    let level_select = &html[html.find("name=\"level\"").unwrap()..];
    let level_select = &level_select[..level_select.find("</select>").unwrap()];
    assert!(
        !level_select.contains("省级") && !level_select.contains("市级"),
        "{level_select}"
    );
    assert!(level_select.contains("县级"), "{level_select}");
    // The console's form links to the open case.
    let b = app.browser("unit").await;
    let (s, html, _) = b
        .post(
            "/cases",
            &[
                ("_process", "pilot_application"),
                ("_org", ""),
                ("level", "市级"),
            ],
        )
        .await;
    assert_eq!(s, 409, "the API's status for case_open: {html}");
    assert!(
        html.contains("打开该事项继续办理") && html.contains("href=\"/cases/"),
        "{html}"
    );
    app.post(
        &app.token("expert").await,
        "/api/v1/cases",
        json!({"process": "pilot_application"}),
    )
    .await
    .answers(403);
}

//! The workflow engine end to end: a pilot application climbs town → district → city,
//! passes public notice and becomes a pilot; returns need reasons; only the right level
//! acts; two reviewers at once: exactly one wins; bulk actions are resumable and never
//! act twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use gongjiang_storage::workflow::{ActInput, CaseInput};
use gongjiang_storage::Actor;
use reqwest::Method;
use serde_json::{json, Value};

async fn act(app: &TestApp, tok: &str, id: i64, body: Value) -> (u16, Value) {
    app.send(
        Method::POST,
        tok,
        &format!("/api/v1/cases/{id}/actions"),
        body,
    )
    .await
}

fn application() -> Value {
    json!({"level": "市级", "year": "2024", "feature": "数字工匠培养", "plan": "三年计划"})
}

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
        .send(
            Method::POST,
            &unit,
            "/api/v1/cases",
            json!({"process": "pilot_application", "data": {"level": "省级"}}),
        )
        .await;
    // The unit is a provincial pilot already: refused at once, no draft kept.
    assert_eq!(
        (s, c["error"]["field"].as_str()),
        (422, Some("level")),
        "{c}"
    );
    let (_, drafts) = app.get(&unit, "/api/v1/cases?status=draft").await;
    assert_eq!(drafts["total"], 0, "{drafts}");
    let (s, c) = app
        .send(
            Method::POST,
            &unit,
            "/api/v1/cases",
            json!({"process": "pilot_application", "data": {"level": "县级"}}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["status"], "draft");
    // A unit applies for itself only: naming another organisation is 422 on `org`.
    let other = c["org_id"].as_i64().unwrap() + 1;
    let (s, e) = app
        .send(
            Method::POST,
            &unit,
            "/api/v1/cases",
            json!({"process": "pilot_application", "org": other.to_string(), "data": {"level": "市级"}}),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("org")), "{e}");
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
    let (s, _) = app
        .send(
            Method::PUT,
            &unit,
            &format!("/api/v1/cases/{id}"),
            json!({"data": data}),
        )
        .await;
    assert_eq!(s, 200);
    // Already a provincial pilot: refused on submit, naming the level.
    let (s, e) = act(&app, &unit, id, json!({"action": "submit"})).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("level")),
        "{e}"
    );
    data["level"] = json!("县级");
    app.send(
        Method::PUT,
        &unit,
        &format!("/api/v1/cases/{id}"),
        json!({"data": data}),
    )
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
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (403, Some("not_your_step")),
        "{e}"
    );
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
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["error"]["field"], "comment", "{e}");
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
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("notice_running")),
        "{e}"
    );
    let (s, e) = app
        .send(
            Method::POST,
            &district,
            &format!("/api/v1/cases/{id}/objections"),
            json!({"body": "  "}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("body")),
        "{e}"
    );
    let (s, e) = app
        .send(
            Method::POST,
            &district,
            &format!("/api/v1/cases/{id}/objections"),
            json!({"body": "x", "raised_by": "某职工"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("raised_by")),
        "only the city records on someone's behalf: {e}"
    );
    let (s, o) = app
        .send(
            Method::POST,
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
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("objections_open")),
        "{e}"
    );
    let (s, e) = app
        .send(
            Method::POST,
            &unit,
            &format!("/api/v1/cases/{id}/objections"),
            json!({"body": "迟到的异议"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("case_not_in_notice"))
    );
    let (s, e) = app
        .send(
            Method::POST,
            &district,
            &format!("/api/v1/cases/{id}/objections/{oid}"),
            json!({"upheld": false, "response": "经核查已结清"}),
        )
        .await;
    assert_eq!(s, 403, "only the city answers: {e}");
    let (s, o) = app
        .send(
            Method::POST,
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
    let actions: Vec<&str> = d["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
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
    let (s, html) = b.get(&format!("/cases/{id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("已通过") && html.contains("请补充培训投入数据"));
    let (s, html) = b.get("/cases/new?process=pilot_application").await;
    assert_eq!(s, 200);
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
        .send(
            Method::POST,
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
        .send(
            Method::POST,
            &city,
            &format!("/api/v1/cases/{id}/objections"),
            json!({"body": "来信反映:申报材料中的培训人次与实际不符", "raised_by": "匿名来信"}),
        )
        .await;
    assert_eq!(s, 201, "{o}");
    let oid = o["id"].as_i64().unwrap();
    let (s, _) = app
        .send(
            Method::POST,
            &city,
            &format!("/api/v1/cases/{id}/objections/{oid}"),
            json!({"upheld": true, "response": ""}),
        )
        .await;
    assert_eq!(s, 422, "a response is required");
    let (s, _) = app
        .send(
            Method::POST,
            &city,
            &format!("/api/v1/cases/{id}/objections/{oid}"),
            json!({"upheld": true, "response": "经核查属实"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, e) = app
        .send(
            Method::POST,
            &city,
            &format!("/api/v1/cases/{id}/objections/{oid}"),
            json!({"upheld": false, "response": "改判"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("objection_answered"))
    );
    sqlx::query("UPDATE wf_cases SET due_at = 1 WHERE id = $1")
        .bind(id)
        .execute(&app.svc.db.pool)
        .await
        .unwrap();
    let (s, e) = act(&app, &city, id, json!({"action": "accept"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("objection_upheld")),
        "{e}"
    );
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
        .send(
            Method::POST,
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
            assert_eq!(
                (s, v["error"]["code"].as_str()),
                (409, Some("stale_version")),
                "{v}"
            );
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
    let (s, e) = app
        .send(
            Method::POST,
            &unit,
            "/api/v1/cases",
            json!({"process": "nonsense"}),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("process")));
    let (s, e) = app
        .send(
            Method::POST,
            &unit,
            "/api/v1/cases",
            json!({"process": "pilot_application", "data": {"year": "1990"}}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("year")),
        "{e}"
    );
    let (s, _) = app
        .send(
            Method::POST,
            &unit,
            "/api/v1/cases",
            json!({"process": "pilot_application"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, e) = app
        .send(
            Method::POST,
            &unit,
            "/api/v1/cases",
            json!({"process": "pilot_application"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("case_open")),
        "{e}"
    );
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
    assert_eq!(s, 422, "{html}");
    assert!(
        html.contains("打开该事项继续办理") && html.contains("href=\"/cases/"),
        "{html}"
    );
    let (s, _) = app
        .send(
            Method::POST,
            &app.token("expert").await,
            "/api/v1/cases",
            json!({"process": "pilot_application"}),
        )
        .await;
    assert_eq!(s, 403);
}

/// Cases of `n` enterprises of 天宁区 (with a town) brought to the city's step.
async fn cases_at_city_step(app: &TestApp, n: usize) -> Vec<i64> {
    let svc = &app.svc;
    let mut conn = svc.db.pool.acquire().await.unwrap();
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, region_l3 FROM orgs WHERE kind = 'enterprise' AND region_l2 = '320402' AND region_l3 IS NOT NULL \
         AND id NOT IN (SELECT org_id FROM wf_cases) ORDER BY id LIMIT $1",
    )
    .bind(n as i64)
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let district = Actor {
        role: gongjiang_domain::Role::District,
        region_code: Some("320402".into()),
        ..Actor::system("district-test")
    };
    let mut ids = Vec::new();
    for (org, town) in rows {
        let unit = Actor {
            role: gongjiang_domain::Role::Unit,
            org_id: Some(org),
            region_code: None,
            ..Actor::system("unit-test")
        };
        let town = Actor {
            role: gongjiang_domain::Role::Town,
            region_code: Some(town),
            ..Actor::system("town-test")
        };
        let c = svc
            .create_case(
                &unit,
                &CaseInput {
                    process: "pilot_yearly_check".into(),
                    org: None,
                    data: [("year", "2024"), ("summary", "总结")]
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                },
            )
            .await
            .unwrap();
        for (who, a) in [(&unit, "submit"), (&town, "accept"), (&district, "accept")] {
            svc.act(
                who,
                c.id,
                &ActInput {
                    action: a.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        ids.push(c.id);
    }
    ids
}

#[tokio::test]
async fn bulk_actions_finish_resume_and_never_act_twice() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let ids = cases_at_city_step(&app, 60).await;
    assert_eq!(ids.len(), 60);
    // Over HTTP: 40 at once, with progress.
    let (s, job) = app
        .send(
            Method::POST,
            &city,
            "/api/v1/cases/bulk",
            json!({"ids": &ids[..40], "action": "accept"}),
        )
        .await;
    assert_eq!(s, 202, "{job}");
    let jid = job["id"].as_str().unwrap().to_string();
    let mut last = Value::Null;
    for _ in 0..400 {
        let (_, j) = app.get(&city, &format!("/api/v1/cases/bulk/{jid}")).await;
        if j["status"] == "done" {
            last = j;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        (last["succeeded"].as_i64(), last["skipped"].as_i64()),
        (Some(40), Some(0)),
        "{last}"
    );
    // Someone else's job is not found.
    let (s, _) = app
        .get(
            &app.token("tianning").await,
            &format!("/api/v1/cases/bulk/{jid}"),
        )
        .await;
    assert_eq!(s, 404);
    // A job "killed" half way: it had acted on some cases without saving its progress.
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    let (user, _) = gongjiang_storage::users::by_username(&mut conn, "city")
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let actor = user.actor("test");
    let job = app
        .svc
        .start_bulk(&actor, &ids[40..], "accept", None)
        .await
        .unwrap();
    for id in &ids[40..50] {
        let (c, _, _) = app.svc.get_case(&actor, *id, false).await.unwrap();
        app.svc
            .act(
                &actor,
                *id,
                &ActInput {
                    action: "accept".into(),
                    version: Some(c.version),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    app.svc.run_bulk(&job.id).await.unwrap();
    let done = app.svc.bulk_job(&actor, &job.id).await.unwrap();
    assert_eq!(done.status, "done");
    // The 10 acted on before the "kill" moved on since the job started: skipped, not
    // accepted a second time; the other 10 are accepted.
    assert_eq!((done.succeeded, done.skipped), (10, 10), "{done:?}");
    // The finished first job's cases are final: a bulk accept over them skips them all.
    let again = app
        .svc
        .start_bulk(&actor, &ids[..40], "accept", None)
        .await
        .unwrap();
    app.svc.run_bulk(&again.id).await.unwrap();
    let again = app.svc.bulk_job(&actor, &again.id).await.unwrap();
    assert_eq!((again.succeeded, again.skipped), (0, 40));
    // Every case was acted on exactly once per step: no case has two accepts by the city
    // at the same step.
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    let dup: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT case_id, step FROM wf_events WHERE action = 'accept' GROUP BY case_id, step HAVING COUNT(*) > 1) d",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(dup, 0);
    drop(conn);
    // Deadline reminders: a case past its deadline notifies its reviewers once.
    let late = cases_at_city_step(&app, 1).await;
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    sqlx::query("UPDATE wf_cases SET due_at = 1 WHERE id = $1")
        .bind(late[0])
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    let now = gongjiang_storage::now_ms();
    assert!(app.svc.remind_deadlines(now).await.unwrap() >= 1);
    let (_, notes) = app.get(&city, "/api/v1/notifications").await;
    assert!(notes.to_string().contains("已逾期"), "{notes}");
    assert_eq!(
        app.svc.remind_deadlines(now).await.unwrap(),
        0,
        "reminded once"
    );
}

/// Expert scoring on the engine (标杆试点评选): reviews, then experts assigned by the
/// city score independently (recusal for a related expert, range checks, each sees only
/// their own score), the city closes the scoring once all have scored, then 公示 and the
/// decision marks the pilot as 标杆.
#[tokio::test]
async fn experts_score_between_the_reviews_and_the_notice() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let district = app.token("tianning").await;
    let city = app.token("city").await;
    let admin = app.token("admin").await;
    let (s, c) = app
        .send(
            Method::POST,
            &unit,
            "/api/v1/cases",
            json!({"process": "benchmark_selection", "data": {"year": "2024", "achievements": "高技能人才占比三年提高6个百分点"}}),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let id = c["id"].as_i64().unwrap();
    act(&app, &unit, id, json!({"action": "submit"})).await;
    act(&app, &district, id, json!({"action": "accept"})).await;
    let (s, c) = act(&app, &city, id, json!({"action": "accept"})).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("scoring")), "{c}");
    // Closing before anyone scored is refused.
    let (s, e) = act(&app, &city, id, json!({"action": "accept"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("scoring_incomplete")),
        "{e}"
    );
    let assign = |who: &'static str| {
        let app = &app;
        let city = city.clone();
        async move {
            app.send(
                Method::POST,
                &city,
                &format!("/api/v1/cases/{id}/experts"),
                json!({"expert": who}),
            )
            .await
        }
    };
    let (s, e) = assign("tianning").await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("expert")),
        "{e}"
    );
    // An expert attached to the applicant's district recuses.
    let (s, u) = app
        .send(
            Method::POST,
            &admin,
            "/api/v1/users",
            json!({"username": "tn-expert", "display_name": "天宁专家", "role": "expert", "org": "320402", "password": "Tn-expert-2024"}),
        )
        .await;
    assert_eq!(s, 201, "{u}");
    let (s, e) = assign("tn-expert").await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (403, Some("conflict_of_interest")),
        "{e}"
    );
    for who in ["expert", "expert2", "expert3"] {
        let (s, e) = assign(who).await;
        assert_eq!(s, 200, "{who}: {e}");
    }
    // The district cannot assign; an expert sees the case in their inbox.
    let (s, _) = app
        .send(
            Method::POST,
            &district,
            &format!("/api/v1/cases/{id}/experts"),
            json!({"expert": "expert4"}),
        )
        .await;
    assert_eq!(s, 403);
    let e1 = app.token("expert").await;
    let e2 = app.token("expert2").await;
    let e3 = app.token("expert3").await;
    let e4 = app.token("expert4").await;
    let (_, inbox) = app.get(&e2, "/api/v1/inbox").await;
    assert!(
        inbox.as_array().unwrap().iter().any(|c| c["id"] == id),
        "{inbox}"
    );
    let score = |tok: &str, v: f64| {
        let tok = tok.to_string();
        let app = &app;
        async move {
            app.send(
                Method::PUT,
                &tok,
                &format!("/api/v1/cases/{id}/score"),
                json!({"score": v, "comment": "成效明显"}),
            )
            .await
        }
    };
    let (s, e) = score(&e1, 101.0).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("score")));
    let (s, _) = score(&e4, 80.0).await;
    assert_eq!(s, 404, "an expert not assigned does not see the case");
    let (s, _) = app.get(&e4, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, 404);
    assert_eq!(score(&e1, 90.0).await.0, 200);
    assert_eq!(score(&e2, 84.0).await.0, 200);
    let (_, d) = app.get(&e2, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["case"]["experts"].as_array().unwrap().len(), 1, "{d}");
    let (s, e) = act(&app, &city, id, json!({"action": "accept"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("scoring_incomplete"))
    );
    assert_eq!(score(&e3, 87.0).await.0, 200);
    let (_, d) = app.get(&city, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["case"]["experts"].as_array().unwrap().len(), 3, "{d}");
    let (s, c) = act(&app, &city, id, json!({"action": "accept"})).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("notice")), "{c}");
    assert_eq!(c["score"].as_f64(), Some(87.0));
    // After the scoring the unit sees the scores, anonymously.
    let (_, d) = app.get(&unit, &format!("/api/v1/cases/{id}")).await;
    let names: Vec<&str> = d["case"]["experts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["专家A", "专家B", "专家C"], "{d}");
    let (s, _) = score(&e1, 50.0).await;
    assert_eq!(s, 409, "scores are frozen once the scoring is closed");
    sqlx::query("UPDATE wf_cases SET due_at = 1 WHERE id = $1")
        .bind(id)
        .execute(&app.svc.db.pool)
        .await
        .unwrap();
    let (s, c) = act(&app, &city, id, json!({"action": "accept"})).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("approved")), "{c}");
    let org = c["org_id"].as_i64().unwrap();
    let (_, pilots) = app
        .get(&city, &format!("/api/v1/pilots?org_id={org}&per_page=50"))
        .await;
    let mine: Vec<&Value> = pilots["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["org_id"] == org)
        .collect();
    assert!(
        !mine.is_empty() && mine.iter().all(|p| p["benchmark"] == true),
        "{pilots}"
    );
    // The expert's console page shows the scoring card.
    let (s, html) = app
        .browser("expert")
        .await
        .get(&format!("/cases/{id}"))
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("专家评审得分"), "{html}");
}

/// A bulk job killed half way — here its runner is dropped mid-case, as a kill -9 drops
/// the process — is resumed by a server that finds its lease run out: the cases it
/// accepted before the kill count as succeeded (not "skipped" because they moved on),
/// none is acted on twice, and the counts add up exactly. A job whose lease another
/// live server holds is left alone.
#[tokio::test]
async fn a_killed_bulk_job_resumes_with_exact_counts() {
    let app = spawn_demo().await;
    let ids = cases_at_city_step(&app, 80).await;
    assert_eq!(ids.len(), 80);
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    let (user, _) = gongjiang_storage::users::by_username(&mut conn, "city")
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let actor = user.actor("test");
    let job = app
        .svc
        .start_bulk(&actor, &ids, "accept", None)
        .await
        .unwrap();
    let list = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let accepted = |svc: gongjiang_storage::service::Service| {
        let sql = format!(
            "SELECT COUNT(*) FROM wf_events WHERE action = 'accept' AND username = 'city' AND case_id IN ({list})"
        );
        async move {
            let mut conn = svc.db.pool.acquire().await.unwrap();
            sqlx::query_scalar::<_, i64>(&sql)
                .fetch_one(&mut *conn)
                .await
                .unwrap()
        }
    };
    // Run it, and "kill" it once a few cases are accepted.
    let svc = app.svc.clone();
    let jid = job.id.clone();
    let runner = tokio::spawn(async move { svc.run_bulk(&jid).await });
    let mut before = 0;
    for _ in 0..2000 {
        before = accepted(app.svc.clone()).await;
        if before >= 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    runner.abort();
    let _ = runner.await;
    assert!(before >= 5, "the job did not start");
    // A commit already on its way when the runner was dropped lands or not, atomically.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let before = accepted(app.svc.clone()).await;
    assert!(
        (5..80).contains(&before),
        "the job was stopped half way ({before} accepted)"
    );
    let half = app.svc.bulk_job(&actor, &job.id).await.unwrap();
    assert_eq!(half.status, "running");
    assert_eq!(
        half.succeeded + half.skipped,
        half.done,
        "counts move with each case: {half:?}"
    );
    assert_eq!(half.succeeded, before, "{half:?}");
    // While another live server holds the lease, nobody else touches the job.
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    let future = gongjiang_storage::now_ms() + 60_000;
    sqlx::query("UPDATE wf_bulk SET lease_owner = 'other-server', lease_until = $1 WHERE id = $2")
        .bind(future)
        .bind(&job.id)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    assert!(!app
        .svc
        .unfinished_bulk_jobs()
        .await
        .unwrap()
        .contains(&job.id));
    app.svc.run_bulk(&job.id).await.unwrap();
    assert_eq!(
        app.svc.bulk_job(&actor, &job.id).await.unwrap().done,
        half.done
    );
    // That server dies: its lease runs out, and this one takes the job over.
    let mut conn = app.svc.db.pool.acquire().await.unwrap();
    sqlx::query("UPDATE wf_bulk SET lease_until = 1 WHERE id = $1")
        .bind(&job.id)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    assert!(app
        .svc
        .unfinished_bulk_jobs()
        .await
        .unwrap()
        .contains(&job.id));
    app.svc.run_bulk(&job.id).await.unwrap();
    let done = app.svc.bulk_job(&actor, &job.id).await.unwrap();
    assert_eq!(done.status, "done");
    assert_eq!(
        (done.done, done.succeeded, done.skipped),
        (80, 80, 0),
        "every case accepted by this job counts as succeeded: {done:?}"
    );
    assert_eq!(accepted(app.svc.clone()).await, 80, "each accepted once");
}

/// The `href`s of a page that start with `prefix` (entities decoded), in page order.
fn links_to(html: &str, prefix: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&"))
        .filter(|s| s.starts_with(prefix))
        .collect()
}

#[tokio::test]
async fn every_new_button_on_cases_opens_its_form_for_every_role() {
    let app = spawn_demo().await;
    for (user, ..) in gongjiang_demo::DEMO_ACCOUNTS {
        let b = app.browser(user).await;
        let (s, html) = b.get("/cases").await;
        if *user == "expert" {
            // Experts score the cases they are given; the list is not theirs.
            assert_eq!(s, 403);
            continue;
        }
        assert_eq!(s, 200, "{user}: /cases");
        let news = links_to(&html, "/cases/new");
        for href in &news {
            let (s, form) = b.get(href).await;
            assert_eq!(s, 200, "{user}: {href} answers {s}");
            assert!(form.contains("name=\"_process\""), "{user}: {href}");
        }
        // Processes that drive a module's record start on that module's page: no
        // button for them, a sentence pointing there instead.
        for code in [
            "liuyou",
            "assessment_self_report",
            "task_completion_city",
            "task_completion_district",
            "task_completion_town",
        ] {
            assert!(
                !news.iter().any(|h| h.ends_with(&format!("process={code}"))),
                "{user}: {code}"
            );
        }
        for page in ["/tasks", "/assessment/self", "/liuyou"] {
            assert!(
                html.contains(&format!("<a href=\"{page}\">")),
                "{user}: no pointer to {page}"
            );
        }
        match *user {
            "unit" => {
                assert_eq!(
                    news.first().map(String::as_str),
                    Some("/cases/new?process=pilot_application"),
                    "a unit's first button is the pilot application"
                );
                assert_eq!(news.len(), 4);
            }
            // Member-unit staff do not apply.
            "renshe" => assert!(news.is_empty()),
            _ => assert_eq!(news.len(), 4, "{user}: {news:?}"),
        }
    }
    // An old link to a process that starts elsewhere leads there.
    let b = app.browser("city").await;
    for (code, page) in [
        ("liuyou", "/liuyou"),
        ("assessment_self_report", "/assessment/self"),
        ("task_completion_town", "/tasks"),
    ] {
        let r =
            b.c.get(format!("{}/cases/new?process={code}", b.base))
                .send()
                .await
                .unwrap();
        assert_eq!(r.status(), 303, "{code}");
        assert_eq!(r.headers()["location"], page);
    }
}

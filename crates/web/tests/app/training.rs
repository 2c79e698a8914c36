//! 技能形成 (issue #12, point 1): providers by 院校类型, classes, rosters with masters,
//! completion with the certificate earned, the `classes` template both ways, the live
//! indicators, scope, and the console pages.

use crate::helpers::*;
use reqwest::Method;
use serde_json::{json, Value};

fn fields(v: &Value) -> Vec<String> {
    match v["error"]["details"].as_array() {
        Some(d) => d
            .iter()
            .map(|x| x["field"].as_str().unwrap_or("").to_string())
            .collect(),
        None => vec![v["error"]["field"].as_str().unwrap_or("").to_string()],
    }
}

/// A POST that creates (201); the record.
async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (s, v) = app.post(token, path, body).await;
    assert_eq!(s, 201, "POST {path}: {v}");
    v
}

use crate::helpers::indicator_value as indicator;

/// A college of the demo (id) and a pilot enterprise of the Tianning district (id).
async fn provider_and_enterprise(app: &TestApp, city: &str) -> (i64, i64) {
    let college = app.org_id(city, "kind=college&q=产业学院").await;
    let ent = app.org_id(city, "kind=enterprise&region=320402").await;
    (college, ent)
}

fn class_body(code: &str, provider: i64, enterprise: Option<i64>, year: i64) -> Value {
    json!({
        "code": code,
        "name": "数控车工新型学徒制培训班",
        "type": "新型学徒制",
        "provider": provider.to_string(),
        "enterprise": enterprise.map(|e| e.to_string()),
        "occupation": "数控车工",
        "target_level": "高级工",
        "year": year,
        "starts_on": format!("{year}-03-01"),
        "ends_on": format!("{year}-12-31"),
        "trainees": 30,
        "completed": 0
    })
}

#[tokio::test]
async fn the_demo_reaches_the_seed_and_colleges_count_by_type() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let y = demo_year().to_string();
    for (code, want) in [
        ("colleges_industry", 13.0),
        ("colleges_craftsman", 5.0),
        ("colleges_worker", 32.0),
        ("apprentice_classes", 42.0),
    ] {
        assert_eq!(
            indicator(&app, &city, "320400", &y, code).await,
            want,
            "{code}"
        );
    }
    assert!(indicator(&app, &city, "320400", &y, "class_trainees").await > 1000.0);
    // A college's type is on the organisation, from the form and the API.
    let (s, o) = app
        .post(
            &city,
            "/api/v1/orgs",
            json!({"name": "常州智能制造工匠学院", "kind": "院校", "region_code": "320402", "college_type": "工匠学院"}),
        )
        .await;
    assert_eq!(s, 201, "{o}");
    assert_eq!(o["college_type"], "craftsman");
    assert_eq!(
        indicator(&app, &city, "320400", &y, "colleges_craftsman").await,
        6.0,
        "live: counted at once"
    );
    // Only a 院校 has one, and only the four types exist.
    let (s, e) = app
        .post(
            &city,
            "/api/v1/orgs",
            json!({"name": "某某工会", "kind": "工会", "region_code": "320402", "college_type": "产业学院"}),
        )
        .await;
    assert_eq!((s, fields(&e)), (422, vec!["college_type".to_string()]));
    let id = o["id"].as_i64().unwrap();
    app.patch(
        &city,
        &format!("/api/v1/orgs/{id}"),
        json!({"college_type": "职工学堂"}),
    )
    .await
    .answers(200);
    assert_eq!(
        indicator(&app, &city, "320400", &y, "colleges_craftsman").await,
        5.0
    );
    assert_eq!(
        indicator(&app, &city, "320400", &y, "colleges_worker").await,
        33.0
    );
    aggregates_agree(&app, "college:").await;
    aggregates_agree(&app, "class:").await;
}

#[tokio::test]
async fn a_class_is_opened_checked_changed_and_deleted() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let (college, ent) = provider_and_enterprise(&app, &city).await;
    let y = demo_year();
    let before = indicator(&app, &city, "320400", &y.to_string(), "apprentice_classes").await;
    let c = created(
        &app,
        &city,
        "/api/v1/classes",
        class_body("T-001", college, Some(ent), y),
    )
    .await;
    assert_eq!(c["ctype"], "new_apprentice");
    assert_eq!(c["org_id"], ent, "it belongs to the enterprise");
    assert_eq!(c["target_level"], "senior");
    assert_eq!(
        indicator(&app, &city, "320400", &y.to_string(), "apprentice_classes").await,
        before + 1.0
    );
    // Refusals name the field, and write nothing.
    let mut bad = class_body("T-002", college, Some(ent), y);
    bad["ends_on"] = json!(format!("{y}-02-01"));
    let (s, e) = app.post(&city, "/api/v1/classes", bad).await;
    assert_eq!((s, fields(&e)), (422, vec!["ends_on".to_string()]), "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("早于开班日期"),
        "{e}"
    );
    let (s, e) = app
        .post(
            &city,
            "/api/v1/classes",
            class_body("T-001", college, Some(ent), y),
        )
        .await;
    assert_eq!((s, fields(&e)), (422, vec!["code".to_string()]));
    let mut bad = class_body("T-003", college, Some(ent), y);
    bad["completed"] = json!(31);
    bad["type"] = json!("夜校");
    let e = app.post(&city, "/api/v1/classes", bad).await.answers(422);
    assert_eq!(fields(&e), ["type", "completed"]);
    let (_, list) = app.get(&city, "/api/v1/classes?q=T-00").await;
    assert_eq!(list["total"], 1);
    // Change at the version read; a stale version is 409.
    let id = c["id"].as_i64().unwrap();
    let mut body = class_body("T-001", college, Some(ent), y);
    body["name"] = json!("数控车工新型学徒制培训班（第二期）");
    body["version"] = c["version"].clone();
    let c2 = app
        .put_ok(&city, &format!("/api/v1/classes/{id}"), body.clone())
        .await;
    assert_eq!(c2["name"], "数控车工新型学徒制培训班（第二期）");
    let (s, e) = app.put(&city, &format!("/api/v1/classes/{id}"), body).await;
    assert_eq!((s, err_code(&e)), (409, "stale_version"));
    assert_eq!(app.audit_of("class", id).await.len(), 2);
    // Another district's staff do not see it; the unit of another enterprise neither.
    let wujin = app.token("wujin").await;
    assert_eq!(
        app.status(&wujin, &format!("/api/v1/classes/{id}")).await,
        404
    );
    app.send(
        Method::DELETE,
        &wujin,
        &format!("/api/v1/classes/{id}"),
        json!({}),
    )
    .await
    .answers(404);
    app.send(
        Method::DELETE,
        &city,
        &format!("/api/v1/classes/{id}"),
        json!({}),
    )
    .await
    .answers(204);
    assert_eq!(
        indicator(&app, &city, "320400", &y.to_string(), "apprentice_classes").await,
        before
    );
    aggregates_agree(&app, "class:").await;
}

#[tokio::test]
async fn a_roster_with_masters_completions_and_certificates() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let (college, _) = provider_and_enterprise(&app, &city).await;
    let y = demo_year();
    // Two workers of the Tianning district: a learner and a high-skilled master.
    let ws = app
        .get_ok(&city, "/api/v1/workers?region=320402&per_page=200")
        .await;
    let items = ws["items"].as_array().unwrap();
    let low = items
        .iter()
        .find(|w| matches!(w["skill_level"].as_str(), Some("junior" | "intermediate")))
        .expect("a learner");
    let high = items
        .iter()
        .find(|w| {
            matches!(
                w["skill_level"].as_str(),
                Some("technician" | "senior_technician")
            )
        })
        .expect("a master");
    let other_low = items
        .iter()
        .filter(|w| w["skill_level"] == low["skill_level"])
        .nth(1)
        .expect("another learner");
    let c = created(
        &app,
        &city,
        "/api/v1/classes",
        class_body("R-001", college, None, y),
    )
    .await;
    let id = c["id"].as_i64().unwrap();
    let path = format!("/api/v1/classes/{id}/trainees");
    // A 新型学徒制 apprentice needs a master, at 高级工 or above, not themselves.
    let (s, e) = app
        .post(&city, &path, json!({"worker": low["id"].to_string()}))
        .await;
    assert_eq!((s, fields(&e)), (422, vec!["master".to_string()]));
    let (s, e) = app
        .post(
            &city,
            &path,
            json!({"worker": low["id"].to_string(), "master": other_low["id"].to_string()}),
        )
        .await;
    assert_eq!((s, fields(&e)), (422, vec!["master".to_string()]));
    let t = created(
        &app,
        &city,
        &path,
        json!({"worker": low["id"].to_string(), "master": high["id"].to_string()}),
    )
    .await;
    assert_eq!(t["status"], "enrolled");
    assert_eq!(t["master_worker_id"], high["id"]);
    // Once per class.
    let (s, e) = app
        .post(
            &city,
            &path,
            json!({"worker": low["id"].to_string(), "master": high["id"].to_string()}),
        )
        .await;
    assert_eq!((s, fields(&e)), (422, vec!["worker".to_string()]));
    // The class's figures are now the roster's.
    let c = app.get_ok(&city, &format!("/api/v1/classes/{id}")).await;
    assert_eq!(
        (c["trainees"].as_i64(), c["roster"].as_i64()),
        (Some(1), Some(1))
    );
    // Completion: a certified level one step up, with its number; not at or below the
    // worker's own, not skipping a level.
    let tid = t["id"].as_i64().unwrap();
    let done = format!("{path}/{tid}/complete");
    let level = low["skill_level"].as_str().unwrap();
    let (same, next, skip) = match level {
        "junior" => ("junior", "intermediate", "senior"),
        _ => ("intermediate", "senior", "technician"),
    };
    for (lv, cert) in [(same, "C1"), (skip, "C1")] {
        let (s, e) = app
            .post(
                &city,
                &done,
                json!({"certified_level": lv, "certificate_no": cert}),
            )
            .await;
        assert_eq!(
            (s, fields(&e)),
            (422, vec!["certified_level".to_string()]),
            "{lv}"
        );
    }
    let (s, e) = app
        .post(&city, &done, json!({"certified_level": next}))
        .await;
    assert_eq!((s, fields(&e)), (422, vec!["certificate_no".to_string()]));
    let t = app
        .post_ok(
            &city,
            &done,
            json!({"certified_level": next, "certificate_no": "S2025320400001"}),
        )
        .await;
    assert_eq!(t["status"], "completed");
    assert_eq!(t["certified_level"], next);
    assert_eq!(
        t["worker_level"], level,
        "the level itself changes only through the promotion's review"
    );
    let (s, _) = app.post(&city, &done, json!({})).await;
    assert_eq!(s, 422, "a completion is recorded once");
    let c = app.get_ok(&city, &format!("/api/v1/classes/{id}")).await;
    assert_eq!(c["completed"], 1);
    // The roster is on the API and the worker's page.
    let r = app.get_ok(&city, &path).await;
    assert_eq!(r.as_array().unwrap().len(), 1);
    assert_eq!(
        r[0]["worker_id_masked"]
            .as_str()
            .unwrap()
            .matches('*')
            .count(),
        8
    );
    aggregates_agree(&app, "class:").await;
    // A unit enrols its own workers only, in classes held for itself.
    let unit = app.token("unit").await;
    let (s, _) = app.get(&unit, &format!("/api/v1/classes/{id}")).await;
    assert_eq!(s, 404, "a college's class is not the unit's");
}

#[tokio::test]
async fn a_unit_keeps_its_own_classes() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let unit = app.token("unit").await;
    let (college, _) = provider_and_enterprise(&app, &city).await;
    let me = app.get_ok(&unit, "/api/v1/me").await;
    let own = me["org_id"].as_i64().unwrap();
    let y = demo_year();
    // The enterprise defaults to its own; a college anywhere may run it.
    let mut body = class_body("U-001", college, None, y);
    body["enterprise"] = Value::Null;
    let c = created(&app, &unit, "/api/v1/classes", body).await;
    assert_eq!(c["enterprise_org_id"], own);
    // Not for another enterprise.
    let other = app.org_id(&city, "kind=enterprise&region=320412").await;
    let (s, e) = app
        .post(
            &unit,
            "/api/v1/classes",
            class_body("U-002", college, Some(other), y),
        )
        .await;
    assert_eq!(
        (s, fields(&e)),
        (422, vec!["enterprise".to_string()]),
        "{e}"
    );
    // Experts and workers may not.
    let expert = app.token("expert").await;
    app.post(
        &expert,
        "/api/v1/classes",
        class_body("U-003", college, None, y),
    )
    .await
    .answers(403);
}

#[tokio::test]
async fn the_classes_template_imports_and_exports() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let (college, ent) = provider_and_enterprise(&app, &city).await;
    let p = app.get_ok(&city, &format!("/api/v1/orgs/{college}")).await["uscc"]
        .as_str()
        .unwrap()
        .to_string();
    let e = app.get_ok(&city, &format!("/api/v1/orgs/{ent}")).await["uscc"]
        .as_str()
        .unwrap()
        .to_string();
    let y = demo_year() - 3;
    let csv = format!(
        "班级编号,班级名称,班级类型,培训机构信用代码,企业信用代码,开班年份,学员数,结业数\n\
         IMP-1,焊工新型学徒制班,新型学徒制,{p},{e},{y},40,38\n\
         IMP-2,电工技能提升班,技能提升,{p},{e},{y},120,\n"
    );
    let job = app
        .import_and_wait(
            &city,
            "classes",
            "c.csv",
            csv.clone().into_bytes(),
            false,
            None,
        )
        .await;
    assert_eq!(job["outcome"]["created"], 2, "{job}");
    let period = y.to_string();
    assert_eq!(
        indicator(&app, &city, "320400", &period, "class_trainees").await,
        160.0
    );
    // Idempotent.
    let job = app
        .import_and_wait(&city, "classes", "c.csv", csv.into_bytes(), false, None)
        .await;
    assert_eq!(job["outcome"]["unchanged"], 2, "{job}");
    // A bad row names its column and writes nothing; duplicates within the file too.
    let bad = format!(
        "班级编号,班级名称,班级类型,培训机构信用代码,企业信用代码,开班年份,学员数,结业数\n\
         IMP-3,焊工班,新型学徒制,{p},{e},{y},10,11\n\
         IMP-4,焊工班,新型学徒制,{p},{e},{y},10,1\n\
         IMP-4,焊工班,新型学徒制,{p},{e},{y},10,1\n"
    );
    let job = app
        .import_and_wait(&city, "classes", "bad.csv", bad.into_bytes(), false, None)
        .await;
    assert_eq!(job["outcome"]["written"], false);
    let probs: Vec<&str> = job["outcome"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(probs, ["completed", "code"], "{job}");
    let (_, l) = app.get(&city, "/api/v1/classes?q=IMP-").await;
    assert_eq!(l["total"], 2);
    // The export is in the template's columns and re-imports to the same state.
    let r = app
        .raw(&city, "/api/v1/exports/classes?format=csv&org=320402")
        .await;
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    let head = body.lines().next().unwrap().trim_start_matches('\u{feff}');
    assert_eq!(
        head,
        "班级编号*,班级名称*,班级类型*,培训机构信用代码*,企业信用代码,开班年份*,学员数*,结业数"
    );
    assert!(body.contains("IMP-1,焊工新型学徒制班,新型学徒制"), "{body}");
    // The template itself.
    let r = app.anon("/api/v1/templates/classes").await;
    assert_eq!(r.status(), 200);
    aggregates_agree(&app, "class:").await;
}

#[tokio::test]
async fn the_console_pages() {
    let app = spawn_demo().await;
    let b = app.browser("tianning").await;
    let html = b.get_ok("/training").await;
    assert!(
        html.contains("新型学徒制培训班数"),
        "headline from the engine"
    );
    assert!(html.contains("新建培训班"));
    // A bad form comes back filled in, the error next to its field.
    let city = app.token("city").await;
    let (college, ent) = provider_and_enterprise(&app, &city).await;
    let y = demo_year().to_string();
    let html = b
        .refused(
            "/training",
            &[
                ("code", "WEB-1"),
                ("name", "钳工班"),
                ("ctype", "new_apprentice"),
                ("provider", &college.to_string()),
                ("enterprise", &ent.to_string()),
                ("year", &y),
                ("starts_on", &format!("{y}-05-01")),
                ("ends_on", &format!("{y}-04-01")),
                ("trainees", "12"),
            ],
        )
        .await;
    assert!(html.contains("早于开班日期"), "{html}");
    assert!(html.contains("value=\"钳工班\""), "nothing typed is lost");
    let to = b
        .saved(
            "/training",
            &[
                ("code", "WEB-1"),
                ("name", "钳工班"),
                ("ctype", "new_apprentice"),
                ("provider", &college.to_string()),
                ("enterprise", &ent.to_string()),
                ("year", &y),
                ("trainees", "12"),
            ],
        )
        .await;
    let to = to.unwrap();
    assert!(to.starts_with("/training/"), "{to}");
    let html = b.get_ok(&to).await;
    assert!(html.contains("钳工班") && html.contains("登记学员"));
    // The English page is complete.
    let html = b.get_ok("/training?lang=en").await;
    assert!(html.contains("New-apprenticeship classes"));
}

#[tokio::test]
async fn a_certificate_raises_the_level_only_through_the_review() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let renshe = app.token("renshe").await;
    let (college, _) = provider_and_enterprise(&app, &city).await;
    let y = demo_year();
    let ws = app
        .get_ok(&city, "/api/v1/workers?region=320402&per_page=200")
        .await;
    let items = ws["items"].as_array().unwrap();
    // An intermediate worker: a certificate for 高级工 makes them high-skilled.
    let low = items
        .iter()
        .find(|w| w["skill_level"] == "intermediate")
        .expect("an intermediate worker");
    let high = items
        .iter()
        .find(|w| {
            matches!(
                w["skill_level"].as_str(),
                Some("technician" | "senior_technician")
            )
        })
        .expect("a master");
    let wid = low["id"].as_i64().unwrap();
    let c = created(
        &app,
        &city,
        "/api/v1/classes",
        class_body("P-001", college, None, y),
    )
    .await;
    let path = format!("/api/v1/classes/{}/trainees", c["id"]);
    let t = created(
        &app,
        &city,
        &path,
        json!({"worker": wid.to_string(), "master": high["id"].to_string()}),
    )
    .await;
    let period = y.to_string();
    let before = indicator(&app, &city, "320400", &period, "registered_high_skilled").await;
    let t = app
        .post_ok(
            &city,
            &format!("{path}/{}/complete", t["id"]),
            json!({"certified_level": "senior", "certificate_no": "S20253204P001"}),
        )
        .await;
    let case = t["promotion_case_id"].as_i64().expect("a promotion case");
    assert_eq!(t["promotion_status"], "in_review");
    // Never silently: nothing moved yet.
    let w = app.get_ok(&city, &format!("/api/v1/workers/{wid}")).await;
    assert_eq!(w["skill_level"], "intermediate");
    assert_eq!(
        indicator(&app, &city, "320400", &period, "registered_high_skilled").await,
        before
    );
    // 人社 has it in its inbox; the city office may not decide it.
    let inbox = app.get_ok(&renshe, "/api/v1/inbox").await;
    assert!(
        inbox.as_array().unwrap().iter().any(|c| c["id"] == case),
        "{inbox}"
    );
    let act = format!("/api/v1/cases/{case}/actions");
    let (s, _) = app.post(&city, &act, json!({"action": "accept"})).await;
    assert_eq!(s, 403);
    let done = app
        .post_ok(&renshe, &act, json!({"action": "accept"}))
        .await;
    assert_eq!(done["status"], "approved", "{done}");
    let w = app.get_ok(&city, &format!("/api/v1/workers/{wid}")).await;
    assert_eq!(w["skill_level"], "senior");
    assert_eq!(w["certificate_no"], "S20253204P001");
    assert!(w["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["no"] == "S20253204P001"));
    assert_eq!(
        indicator(&app, &city, "320400", &period, "registered_high_skilled").await,
        before + 1.0,
        "the registry's high-skilled count moves at once"
    );
    let r = app.get_ok(&city, &path).await;
    assert_eq!(r[0]["promotion_status"], "approved");
    // The certificate keeps how the platform gave it when the list is edited: from the
    // console (a certificate added) and over the API (the whole list sent again, with a
    // forged source on another certificate, which is not taken).
    let source_of = |w: &Value, no: &str| {
        w["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["no"] == no)
            .map(|c| c["source"].clone())
    };
    let w = app.get_ok(&city, &format!("/api/v1/workers/{wid}")).await;
    assert_eq!(
        source_of(&w, "S20253204P001"),
        Some(json!("training")),
        "{w}"
    );
    let b = app.browser("city").await;
    b.saved(
        &format!("/workers/{wid}/certificates"),
        &[("no", "OUT-2020-1"), ("skill_level", "intermediate")],
    )
    .await;
    let w = app.get_ok(&city, &format!("/api/v1/workers/{wid}")).await;
    assert_eq!(
        source_of(&w, "S20253204P001"),
        Some(json!("training")),
        "{w}"
    );
    let full = app
        .post_ok(&city, &format!("/api/v1/workers/{wid}/reveal"), json!({}))
        .await;
    let mut list: Vec<Value> = w["certificates"].as_array().unwrap().clone();
    for c in &mut list {
        c.as_object_mut().unwrap().remove("source");
    }
    list.push(json!({"no": "FORGED-1", "source": "contest"}));
    let w = app
        .post_ok(
            &city,
            "/api/v1/workers",
            json!({"name": w["name"], "id_number": full["id_number"], "org": w["org_id"].to_string(),
                   "skill_level": w["skill_level"], "certificate_no": w["certificate_no"],
                   "certified_on": w["certified_on"], "certificates": list}),
        )
        .await;
    assert_eq!(
        source_of(&w, "S20253204P001"),
        Some(json!("training")),
        "{w}"
    );
    assert_eq!(source_of(&w, "FORGED-1"), Some(Value::Null), "{w}");
    aggregates_agree(&app, "reg:").await;
}

#[tokio::test]
async fn professors_engagements_and_their_review() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let list = app.get_ok(&city, "/api/v1/professors?per_page=100").await;
    assert_eq!(list["total"], 20, "the seed's 20 产业教授");
    let p = &list["items"][0];
    assert!(p["engagements"].as_i64().unwrap() >= 2, "{p}");
    let id = p["id"].as_i64().unwrap();
    let college = app.org_id(&city, "kind=college&q=工匠学院").await;
    let path = format!("/api/v1/professors/{id}/engagements");
    let year = demo_year() + 1;
    // Courses or projects, sane hours, a college.
    let e = app
        .post(
            &city,
            &path,
            json!({"college": college.to_string(), "year": year, "hours": 5000}),
        )
        .await
        .answers(422);
    assert_eq!(fields(&e), ["courses", "hours"]);
    let ent = app.org_id(&city, "kind=enterprise").await;
    let (s, e) = app
        .post(
            &city,
            &path,
            json!({"college": ent.to_string(), "year": year, "courses": "焊接"}),
        )
        .await;
    assert_eq!((s, fields(&e)), (422, vec!["college".to_string()]));
    let g = created(
        &app,
        &city,
        &path,
        json!({"college": college.to_string(), "year": year, "courses": "焊接工艺", "hours": 32}),
    )
    .await;
    assert_eq!(g["review"], Value::Null);
    // One per college and year.
    let (s, e) = app
        .post(
            &city,
            &path,
            json!({"college": college.to_string(), "year": year, "courses": "再来"}),
        )
        .await;
    assert_eq!((s, fields(&e)), (422, vec!["year".to_string()]));
    // The yearly review, at the version read.
    let gid = g["id"].as_i64().unwrap();
    let body = json!({"college": college.to_string(), "year": year, "courses": "焊接工艺", "hours": 40,
        "review": "优秀", "review_note": "学生满意度高", "version": g["version"]});
    let r = app
        .put_ok(&city, &format!("{path}/{gid}"), body.clone())
        .await;
    assert_eq!(
        (r["review"].as_str(), r["hours"].as_i64()),
        (Some("excellent"), Some(40))
    );
    let (s, e) = app.put(&city, &format!("{path}/{gid}"), body).await;
    assert_eq!((s, err_code(&e)), (409, "stale_version"));
    // On the professor's page of the API, and the worker's console page.
    let d = app.get_ok(&city, &format!("/api/v1/professors/{id}")).await;
    assert!(d["engagements"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == gid));
    let b = app.browser("city").await;
    let html = b.get_ok(&format!("/workers/{}", p["worker_id"])).await;
    assert!(
        html.contains("焊接工艺") && html.contains("优秀"),
        "the worker's page shows it"
    );
    let html = b.get_ok(&format!("/professors/{id}")).await;
    assert!(html.contains("登记年度聘任"));
    // Only region staff keep them; a unit reads nothing outside its own.
    let unit = app.token("unit").await;
    let (s, _) = app
        .post(
            &unit,
            &path,
            json!({"college": college.to_string(), "year": year, "courses": "x"}),
        )
        .await;
    assert!(s == 403 || s == 404, "{s}");
    assert_eq!(app.audit_of("engagement", gid).await.len(), 2);
}

/// The 技能形成 dashboard: the ladder year by year, new high-skilled by source and the
/// platform's promotions, every number an indicator of the one engine.
#[tokio::test]
async fn the_skills_dashboard_draws_the_ladder_and_the_sources() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let value = |v: &serde_json::Value, code: &str| {
        v["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == code)
            .unwrap_or_else(|| panic!("{code}"))["value"]
            .as_f64()
            .unwrap_or(0.0)
    };
    let y = demo_year();
    let v = app
        .get_ok(&city, &format!("/api/v1/indicators?org=320400&period={y}"))
        .await;
    let ladder: f64 = [
        "apprentice",
        "junior",
        "intermediate",
        "senior",
        "technician",
        "senior_technician",
        "principal",
        "chief",
    ]
    .iter()
    .map(|l| value(&v, &format!("ladder_{l}")))
    .sum();
    let workers = value(&v, "registered_workers");
    assert!(
        ladder > 0.99 * workers && ladder <= workers,
        "{ladder} of {workers}"
    );
    let sources = value(&v, "high_skilled_from_certificates")
        + value(&v, "high_skilled_from_training")
        + value(&v, "high_skilled_from_contests");
    assert!(sources > 0.0, "new high-skilled in {y}");
    let now = app
        .get_ok(
            &city,
            &format!("/api/v1/indicators?org=320400&period={}", this_year()),
        )
        .await;
    assert!(
        value(&now, "promotions_by_level") >= 1.0,
        "the demo's approved promotions"
    );
    let b = app.browser("city").await;
    let html = b.get_ok("/training/dashboard").await;
    assert!(html.contains("技能等级分布") && html.contains("新增高技能人才来源"));
    assert_eq!(html.matches("data-chart=").count(), 3);
    assert!(b.get_ok("/training").await.contains("/training/dashboard"));
}

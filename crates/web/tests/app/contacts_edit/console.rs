//! The console's edit and end forms.

use super::*;

#[tokio::test]
async fn console_forms_edit_and_end() {
    let app = spawn_demo().await;
    let tianning = app.token("tianning").await;
    let city = app.token("city").await;
    let org = free_enterprise(&app, &tianning).await;
    let (_, c) = app
        .post(
            &tianning,
            "/api/v1/contacts",
            json!({"org": org.to_string(), "official": "city", "start_on": "2024-01-01", "note": "原备注"}),
        )
        .await;
    let cid = c["id"].as_i64().unwrap();
    let b = app.browser("tianning").await;
    let html = b.get_ok("/contacts").await;
    assert!(html.contains(&format!("/contacts/points/{cid}/edit")));
    assert!(html.contains(&format!("/contacts/points/{cid}/end")));
    let html = b.get_ok(&format!("/contacts/points/{cid}/edit")).await;
    assert!(html.contains("原备注"));
    let version = hidden(&html, "_version");
    let html = b
        .refused(
            &format!("/contacts/points/{cid}/edit"),
            &[
                ("_version", &version),
                ("official", "nobody"),
                ("start_on", "2024-01-01"),
                ("note", "新备注"),
            ],
        )
        .await;
    assert!(html.contains("账号“nobody”不存在"));
    assert!(html.contains("新备注"), "keeps what was typed");
    let loc = b
        .saved(
            &format!("/contacts/points/{cid}/edit"),
            &[
                ("_version", &version),
                ("official", "renshe"),
                ("start_on", "2024-01-01"),
                ("note", "新备注"),
            ],
        )
        .await;
    assert_eq!(loc.as_deref(), Some("/contacts#points"));
    let html = b.get_ok(&format!("/contacts/points/{cid}/end")).await;
    let version = hidden(&html, "_version");
    let future = in_days(5);
    let html = b
        .refused(
            &format!("/contacts/points/{cid}/end"),
            &[
                ("_version", &version),
                ("end_on", &future),
                ("reason", "企业迁出"),
            ],
        )
        .await;
    assert!(html.contains("不能晚于今天"));
    assert!(html.contains("企业迁出"));
    b.saved(
        &format!("/contacts/points/{cid}/end"),
        &[
            ("_version", &version),
            ("end_on", "2024-09-30"),
            ("reason", "企业迁出"),
        ],
    )
    .await;
    let (_, html) = b.get("/contacts").await;
    assert!(html.contains("已结束联系"));
    assert!(!html.contains(&format!("/contacts/points/{cid}/edit")));
    // Out of the area: not found.
    let wj = app.browser("wujin").await;
    wj.get(&format!("/contacts/points/{cid}/edit"))
        .await
        .answers(404);

    // A visit: edit form, errors next to the field.
    let (_, v) = app
        .post(
            &tianning,
            "/api/v1/visits",
            json!({"org": org.to_string(), "visited_on": "2024-03-01", "form": "phone", "summary": "电话了解情况"}),
        )
        .await;
    let vid = v["id"].as_i64().unwrap();
    let html = b.get_ok(&format!("/contacts/visits/{vid}/edit")).await;
    assert!(html.contains("电话了解情况"));
    let version = hidden(&html, "_version");
    let html = b
        .refused(
            &format!("/contacts/visits/{vid}/edit"),
            &[
                ("_version", &version),
                ("visited_on", "2024-02-30"),
                ("form", "on_site"),
                ("summary", "改成现场走访"),
            ],
        )
        .await;
    assert!(html.contains("不是有效日期"));
    assert!(html.contains("改成现场走访"));
    b.saved(
        &format!("/contacts/visits/{vid}/edit"),
        &[
            ("_version", &version),
            ("visited_on", "2024-03-02"),
            ("form", "on_site"),
            ("summary", "改成现场走访"),
        ],
    )
    .await;
    let (_, v) = app.get(&tianning, &format!("/api/v1/visits/{vid}")).await;
    assert_eq!(v["visit"]["visited_on"], "2024-03-02");

    // Pairs: the toggle, the edit and end forms, an activity corrected and deleted.
    let cb = app.browser("city").await;
    let html = cb.get_ok("/pairs?kind=state_private").await;
    assert!(html.contains("显示已结束的结对"));
    let plain = html.replace("&#34;", "\"").replace("&quot;", "\"");
    assert!(
        !plain.contains("\"ended\":true"),
        "ended pairs hidden by default"
    );
    let (_, html) = cb.get("/pairs?kind=state_private&ended=1").await;
    let plain = html.replace("&#34;", "\"").replace("&quot;", "\"");
    assert!(
        plain.contains("\"ended\":true"),
        "shown, marked, with the toggle"
    );
    assert!(html.contains("已结束"));
    let (_, sp) = app
        .get(&city, "/api/v1/pairs?kind=state_private&status=active")
        .await;
    let pid = sp["items"][0]["id"].as_i64().unwrap();
    let html = cb.get_ok(&format!("/pairs/{pid}")).await;
    assert!(html.contains(&format!("/pairs/{pid}/edit")));
    assert!(html.contains(&format!("/pairs/{pid}/end")));
    let html = cb.get_ok(&format!("/pairs/{pid}/edit")).await;
    let version = hidden(&html, "_version");
    let org_a = sp["items"][0]["org_a"].to_string();
    let org_b = sp["items"][0]["org_b"].to_string();
    let html = cb
        .refused(
            &format!("/pairs/{pid}/edit"),
            &[
                ("_version", &version),
                ("kind", "state_private"),
                ("org_a", &org_a),
                ("org_b", &org_b),
                ("start_year", "二〇二三"),
                ("goals", "页面修改的目标"),
            ],
        )
        .await;
    assert!(html.contains("起始年份"));
    assert!(html.contains("页面修改的目标"));
    let loc = cb
        .saved(
            &format!("/pairs/{pid}/edit"),
            &[
                ("_version", &version),
                ("kind", "state_private"),
                ("org_a", &org_a),
                ("org_b", &org_b),
                ("start_year", "2023"),
                ("goals", "页面修改的目标"),
            ],
        )
        .await;
    assert_eq!(loc.as_deref(), Some(format!("/pairs/{pid}").as_str()));
    let (_, d) = app.get(&city, &format!("/api/v1/pairs/{pid}")).await;
    assert_eq!(d["pair"]["goals"], "页面修改的目标");
    let aid = d["activities"][0]["id"].as_i64().unwrap();
    let html = cb
        .get_ok(&format!("/pairs/{pid}/activities/{aid}/edit"))
        .await;
    let version = hidden(&html, "_version");
    let held = d["activities"][0]["held_on"].as_str().unwrap().to_string();
    let html = cb
        .refused(
            &format!("/pairs/{pid}/activities/{aid}/edit"),
            &[
                ("_version", &version),
                ("held_on", &held),
                ("title", "页面改名的活动"),
                ("participants", "很多"),
            ],
        )
        .await;
    assert!(html.contains("参与人数须为整数"));
    assert!(html.contains("页面改名的活动"));
    cb.saved(
        &format!("/pairs/{pid}/activities/{aid}/edit"),
        &[
            ("_version", &version),
            ("held_on", &held),
            ("title", "页面改名的活动"),
            ("participants", "20"),
        ],
    )
    .await;
    let (_, html) = cb.get(&format!("/pairs/{pid}")).await;
    assert!(html.contains("页面改名的活动"));
    let version = (version.parse::<i64>().unwrap() + 1).to_string();
    cb.saved(
        &format!("/pairs/{pid}/activities/{aid}/delete"),
        &[("_version", &version)],
    )
    .await;
    let (_, html) = cb.get(&format!("/pairs/{pid}")).await;
    assert!(!html.contains("页面改名的活动"));
    // An activity of another pair under this pair's address: not found.
    let other = sp["items"][1]["id"].as_i64().unwrap();
    let (_, od) = app.get(&city, &format!("/api/v1/pairs/{other}")).await;
    let oaid = od["activities"][0]["id"].as_i64().unwrap();
    cb.get(&format!("/pairs/{pid}/activities/{oaid}/edit"))
        .await
        .answers(404);
    // End it.
    let html = cb.get_ok(&format!("/pairs/{pid}/end")).await;
    let version = hidden(&html, "_version");
    let t = today();
    let html = cb
        .refused(
            &format!("/pairs/{pid}/end"),
            &[("_version", &version), ("ended_on", &t), ("reason", "")],
        )
        .await;
    assert!(html.contains("结束原因"));
    cb.saved(
        &format!("/pairs/{pid}/end"),
        &[
            ("_version", &version),
            ("ended_on", &t),
            ("reason", "目标完成"),
        ],
    )
    .await;
    let (_, html) = cb.get(&format!("/pairs/{pid}")).await;
    assert!(html.contains("已结束"));
    assert!(html.contains("目标完成"));
    assert!(!html.contains(&format!("/pairs/{pid}/edit")));
}

#[tokio::test]
async fn console_create_forms_keep_what_was_typed_and_save() {
    let app = spawn_demo().await;
    let tianning = app.token("tianning").await;
    let org = free_enterprise(&app, &tianning).await.to_string();
    let org = org.as_str();
    let b = app.browser("tianning").await;
    for path in [
        "/contacts/assign",
        "/contacts/visits/new",
        "/contacts/problems/new",
        "/pairs/new",
    ] {
        let html = b.get_ok(path).await;
        assert!(html.contains(&format!("action=\"{path}\"")), "{path}");
    }
    // Assign: an unknown account is named next to its field; the note stays.
    let assign = |official: &'static str| {
        [
            ("org", org),
            ("official", official),
            ("start_on", "2024-01-01"),
            ("note", "新联络点"),
        ]
    };
    let html = b.refused("/contacts/assign", &assign("nobody")).await;
    assert!(html.contains("账号“nobody”不存在") && html.contains("新联络点"));
    let (s, _, loc) = b.post("/contacts/assign", &assign("city")).await;
    assert_eq!((s, loc.as_deref()), (303, Some("/contacts")));
    // A visit without its summary, then with it.
    let visit = |summary: &'static str| {
        [
            ("org", org),
            ("visited_on", "2024-03-01"),
            ("form", "on_site"),
            ("summary", summary),
        ]
    };
    let html = b.refused("/contacts/visits/new", &visit("")).await;
    assert!(html.contains("2024-03-01"), "keeps what was typed");
    let (s, _, loc) = b.post("/contacts/visits/new", &visit("走访车间")).await;
    assert_eq!((s, loc.as_deref()), (303, Some("/contacts")));
    // A problem with an unknown source, then a good one, which opens its page.
    let problem = |source: &'static str| {
        [
            ("org", org),
            ("source", source),
            ("category", "policy"),
            ("description", "补贴申领流程不清"),
            ("raised_on", "2024-05-01"),
        ]
    };
    let html = b
        .refused("/contacts/problems/new", &problem("rumour"))
        .await;
    assert!(html.contains("补贴申领流程不清"));
    let loc = b.saved("/contacts/problems/new", &problem("head")).await;
    assert!(loc.unwrap().starts_with("/contacts/problems/"));
    // A pair whose start year is not a year is refused before anything is saved.
    let html = b
        .refused(
            "/pairs/new",
            &[
                ("kind", "soe_private"),
                ("org_a", "x"),
                ("org_b", "y"),
                ("start_year", "明年"),
            ],
        )
        .await;
    assert!(html.contains("起始年份须为四位数字年份") && html.contains("明年"));
}

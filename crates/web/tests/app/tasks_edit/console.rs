//! The console's correct and cancel forms.

use super::*;

#[tokio::test]
async fn console_forms_correct_and_cancel() {
    let app = spawn_demo().await;
    let city = app.token("city").await;
    let edu = app.org_id(&city, "q=常州市教育局").await;
    let (_, t) = app
        .post(&city, "/api/v1/tasks", task(edu, "页面修改的任务", 2030))
        .await;
    let id = t["id"].as_i64().unwrap();
    let b = app.browser("city").await;
    let html = b.get_ok(&format!("/tasks/{id}")).await;
    assert!(html.contains(&format!("/tasks/{id}/edit")));
    assert!(html.contains("撤销任务"));
    let html = b.get_ok(&format!("/tasks/{id}/edit")).await;
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
    let html = b.refused(&format!("/tasks/{id}/edit"), &f).await;
    assert!(html.contains("完成时限"), "the message next to the field");
    assert!(html.contains("页面修改后的任务"), "keeps what was typed");
    assert!(html.contains("新建订单班 10 个"));
    let f = form("页面修改后的任务", in_days(20));
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let loc = b.saved(&format!("/tasks/{id}/edit"), &f).await;
    assert_eq!(loc.as_deref(), Some(format!("/tasks/{id}").as_str()));
    // The same stale form again: 409 with the message, nothing changed.
    let (s, html, _) = b.post(&format!("/tasks/{id}/edit"), &f).await;
    assert_eq!(s, 409);
    assert!(html.contains("刷新"));
    // Cancel: the reason is required, then the task shows as cancelled.
    let (_, html) = b.get(&format!("/tasks/{id}")).await;
    let version = hidden(&html, "_version");
    let html = b
        .refused(
            &format!("/tasks/{id}/cancel"),
            &[("cancel_reason", ""), ("_version", &version)],
        )
        .await;
    assert!(html.contains("撤销理由"));
    b.saved(
        &format!("/tasks/{id}/cancel"),
        &[("cancel_reason", "已并入其他任务"), ("_version", &version)],
    )
    .await;
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
    tn.get(&format!("/tasks/{other}/edit")).await.answers(403);

    // Bodies: create one, edit it; see its meetings.
    let html = b.get_ok("/meetings").await;
    assert!(html.contains("/meetings/bodies/new"));
    assert!(html.contains("/meetings/bodies/"));
    let html = b.get_ok("/meetings/bodies/new").await;
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
    let html = b
        .refused(
            "/meetings/bodies/new",
            &[
                ("region", &free),
                ("name", "页面设立的联席会议"),
                ("members", ""),
            ],
        )
        .await;
    assert!(html.contains("成员单位"));
    assert!(html.contains("页面设立的联席会议"), "keeps what was typed");
    let loc = b
        .saved(
            "/meetings/bodies/new",
            &[
                ("region", &free),
                ("name", "页面设立的联席会议"),
                ("members", &edu_s),
            ],
        )
        .await;
    let loc = loc.unwrap();
    let html = b.get_ok(&loc).await;
    assert!(html.contains("历次会议"));
    assert!(html.contains("常州市教育局"));
    let version = hidden(&html, "_version");
    let html = b
        .refused(
            &loc,
            &[
                ("_version", &version),
                ("name", ""),
                (&format!("member_{edu}"), "1"),
            ],
        )
        .await;
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
    b.saved(
        &loc,
        &[
            ("_version", &version),
            ("name", "页面改名的联席会议"),
            ("add_members", &rs.to_string()),
        ],
    )
    .await;
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
    let html = b.get_ok(&format!("/meetings/{mid}/edit")).await;
    assert!(html.contains("补充议定事项"));
    let version = hidden(&html, "_version");
    let html = b
        .refused(
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
    assert!(html.contains("会议名称"));
    assert!(html.contains("改过的纪要"), "keeps what was typed");
    b.saved(
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
    let html = b
        .refused(
            &format!("/meetings/{mid}/decisions/{open}"),
            &[("text", " ")],
        )
        .await;
    assert!(html.contains("议定事项"));
    b.saved(
        &format!("/meetings/{mid}/decisions/{open}"),
        &[("text", "更正后的议定事项")],
    )
    .await;
    let (_, html) = b.get(&format!("/meetings/{mid}")).await;
    assert!(html.contains("更正后的议定事项"));
}

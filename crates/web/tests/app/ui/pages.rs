//! Console pages: sign-in, forms, lists, escaping, languages, admin.

use super::*;

#[tokio::test]
async fn login_page_then_home_in_chinese_with_navigation() {
    let app = spawn_demo().await;
    let r = app.anon("/").await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    let b = app.browser("city").await;
    let home = b.get_ok("/").await;
    assert!(home.contains("常州市"));
    assert!(home.contains("<html lang=\"zh-CN\">"));
    for part in [
        "组织架构",
        "联席会议",
        "试点企业与园区",
        "六有建设",
        "考核方案",
        "职工与技能人才库",
        "劳动和技能竞赛",
        "揭榜挂帅",
        "专项集体合同",
        "青春留常补贴",
        "指标看板",
        "审计日志",
    ] {
        assert!(home.contains(part), "nav lacks {part}");
    }
    assert!(home.contains("1,200"), "headline enterprise count");
    assert!(home.contains("data-chart="), "district chart");
    assert!(
        !home.contains("用户与角色"),
        "city is not a user administrator"
    );
    // A part that is not built yet says so.
    let p = b.get_ok("/challenges").await;
    assert!(p.contains("路线图"));
}

#[tokio::test]
async fn wrong_password_on_the_form_and_csrf_on_login() {
    let app = spawn_demo().await;
    let c = client();
    let r = app
        .sign_in(&c, &[("username", "city"), ("password", "nope-nope-nope")])
        .await;
    assert_eq!(r.status(), 401);
    let body = r.text().await.unwrap();
    assert!(body.contains("用户名或密码错误"));
    assert!(body.contains("value=\"city\""), "the user name is kept");
    // Without the login CSRF token: 403.
    let r = client()
        .post(app.at("/login"))
        .form(&[("username", "city"), ("password", "gongjiang-demo")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn posts_without_a_csrf_token_are_403_and_change_nothing() {
    let app = spawn_demo().await;
    let b = app.browser("city").await;
    let form = [
        ("name", "无令牌公司"),
        ("kind", "enterprise"),
        ("uscc", &uscc(1234)),
        ("region_code", "320402"),
    ];
    let r =
        b.c.post(format!("{}/orgs", b.base))
            .form(&form)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("csrf_failed"));
    let mut bad = form.to_vec();
    bad.push(("_csrf", "0000"));
    let r =
        b.c.post(format!("{}/orgs", b.base))
            .form(&bad)
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 403);
    let t = app.token("city").await;
    assert_eq!(
        app.get(&t, "/api/v1/orgs?q=%E6%97%A0%E4%BB%A4%E7%89%8C")
            .await
            .1["total"],
        0
    );
    // Logout without a token does not log out.
    let r = b.c.post(format!("{}/logout", b.base)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(b.get("/").await.0, 200);
}

#[tokio::test]
async fn organisation_form_shows_errors_next_to_fields_and_keeps_input() {
    let app = spawn_demo().await;
    let b = app.browser("tianning").await;
    let html = b.get_ok("/orgs/new").await;
    assert!(html.contains("name=\"uscc\""));
    let html = b
        .refused(
            "/orgs",
            &[
                ("name", "常州表单测试有限公司"),
                ("kind", "enterprise"),
                ("uscc", "91320402MA1XXXXX00"),
                ("region_code", "320402"),
                ("industry", "Z99"),
            ],
        )
        .await;
    assert!(
        html.contains("value=\"常州表单测试有限公司\""),
        "input kept"
    );
    assert!(html.contains("value=\"91320402MA1XXXXX00\""));
    let uscc_field = html
        .split("id=\"f-uscc\"")
        .nth(1)
        .unwrap()
        .split("</div>\n  <div class=\"field")
        .next()
        .unwrap();
    assert!(
        uscc_field.contains("field-error") && uscc_field.contains("校验码"),
        "{uscc_field}"
    );
    assert!(html.contains("GB/T 4754"));
    assert!(html.contains("field has-error"));
    // Fixed: saved and shown.
    let good = uscc(2468);
    let loc = b
        .saved(
            "/orgs",
            &[
                ("name", "常州表单测试有限公司"),
                ("kind", "enterprise"),
                ("uscc", &good),
                ("region_code", "320402"),
                ("industry", "C38"),
                ("ownership", "private"),
                ("chain_leader", "1"),
            ],
        )
        .await;
    let loc = loc.unwrap();
    let page = b.get_ok(&loc).await;
    assert!(
        page.contains("常州表单测试有限公司") && page.contains(&good) && page.contains("已保存")
    );
    // Edit, then a duplicate code on another organisation is reported on the field.
    let id = loc
        .trim_start_matches("/orgs/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let form = b.get_ok(&format!("/orgs/{id}/edit")).await;
    let version = hidden(&form, "version");
    b.saved(
        &format!("/orgs/{id}"),
        &[
            ("name", "常州表单测试股份有限公司"),
            ("kind", "enterprise"),
            ("uscc", &good),
            ("region_code", "320402"),
            ("version", &version),
        ],
    )
    .await;
    let other = uscc(2469);
    b.saved(
        "/orgs",
        &[
            ("name", "另一家表单公司"),
            ("kind", "enterprise"),
            ("uscc", &other),
            ("region_code", "320402"),
        ],
    )
    .await;
    let html = b
        .refused(
            "/orgs",
            &[
                ("name", "第三家表单公司"),
                ("kind", "enterprise"),
                ("uscc", &other),
                ("region_code", "320402"),
            ],
        )
        .await;
    assert!(html.contains("已被其他单位使用"));
}

#[tokio::test]
async fn list_filters_with_htmx_partials_sorting_and_export() {
    let app = spawn_demo().await;
    let b = app.browser("city").await;
    let full = b.get_ok("/orgs?region=320402&kind=enterprise").await;
    assert!(full.contains("<form class=\"filters\"") && full.contains("table class=\"table\""));
    let r =
        b.c.get(format!(
            "{}/orgs?region=320402&kind=enterprise&sort=-name&page=2",
            b.base
        ))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    let part = r.text().await.unwrap();
    assert!(!part.contains("<html"), "htmx gets only the table");
    assert!(part.contains("<table class=\"table\"") && part.contains("class=\"pagination\""));
    assert!(part.contains("class=\"sort desc\""));
    let r =
        b.c.get(format!(
            "{}/orgs/export.csv?region=320402&kind=enterprise",
            b.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = r.text().await.unwrap();
    let t = app.token("city").await;
    let total = app
        .get(&t, "/api/v1/orgs?region=320402&kind=enterprise&per_page=1")
        .await
        .1["total"]
        .as_i64()
        .unwrap();
    assert_eq!(
        csv.lines().count() as i64,
        total + 1,
        "header + exactly the filtered rows"
    );
    assert!(csv.starts_with("\u{feff}单位名称,统一社会信用代码,单位类型,所属区划代码"));
}

#[tokio::test]
async fn other_districts_records_are_404_pages() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let wujin_org = app.org_id(&t, "region=320412&kind=enterprise").await;
    let b = app.browser("tianning").await;
    let (s, out) = b.get(&format!("/orgs/{wujin_org}")).await;
    let (s2, missing) = b.get("/orgs/99999999").await;
    assert_eq!((s, s2), (404, 404));
    assert_eq!(out, missing);
    assert_eq!(b.get(&format!("/orgs/{wujin_org}/edit")).await.0, 404);
    let (s, _, _) = b
        .post(
            &format!("/orgs/{wujin_org}"),
            &[
                ("name", "篡改"),
                ("kind", "enterprise"),
                ("region_code", "320412"),
            ],
        )
        .await;
    assert_eq!(s, 404);
    let (s, _, _) = b.post(&format!("/orgs/{wujin_org}/delete"), &[]).await;
    assert_eq!(s, 404);
    let (_, list) = b.get("/orgs?region=320412").await;
    assert!(list.contains("没有符合条件的记录"));
    assert_eq!(
        app.get(&t, &format!("/api/v1/orgs/{wujin_org}")).await.0,
        200
    );
}

#[tokio::test]
async fn every_record_page_answers_one_404_page_for_an_id_that_is_not_there() {
    let app = spawn_demo().await;
    let b = app.browser("city").await;
    let (_, missing) = b.get("/orgs/99999999").await;
    for page in [
        "/orgs/{}",
        "/orgs/{}/edit",
        "/workers/{}",
        "/pilots/{}",
        "/designations/{}",
        "/cases/{}",
        "/pairs/{}",
        "/pairs/{}/edit",
        "/contacts/problems/{}",
        "/contacts/points/{}/edit",
        "/contacts/visits/{}/edit",
        "/tasks/{}",
        "/tasks/{}/edit",
        "/meetings/{}",
        "/meetings/{}/edit",
        "/meetings/bodies/{}",
        "/contests/{}",
        "/craftsmen/{}",
        "/studios/{}",
        "/innovations/{}",
        "/training/{}",
        "/professors/{}",
        "/policies/{}",
        "/reports/{}",
        "/imports/{}",
        "/assessment/versions/{}",
        "/assessment/rounds/{}",
        "/assessment/results/{}",
        "/assessment/self/{}/320402",
        "/liuyou/{}/2025",
        "/files/{}",
        "/inbox/bulk/{}",
    ] {
        for id in ["abc", "99999999", "%205"] {
            let path = page.replace("{}", id);
            let (s, html) = b.get(&path).await;
            assert_eq!(s, 404, "{path}");
            assert_eq!(html, missing, "{path}: the one 404 page");
        }
    }
    // Accounts are the administrator's pages and the scoring sheet an expert's (the city
    // is refused them, 403, first).
    for (user, page) in [("admin", "/admin/users"), ("expert", "/assessment/scoring")] {
        let b = app.browser(user).await;
        for id in ["abc", "99999999"] {
            b.get(&format!("{page}/{id}")).await.answers(404);
        }
    }
}

#[tokio::test]
async fn html_in_data_is_escaped() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let o = app.send(reqwest::Method::POST, &t, "/api/v1/orgs", json!({"name": "<script>alert(1)</script>工会", "kind": "union", "region_code": "320400", "address": "<img src=x onerror=alert(2)>"})).await.answers(201);
    let b = app.browser("city").await;
    let (_, page) = b.get(&format!("/orgs/{}", o["id"])).await;
    assert!(!page.contains("<script>alert(1)"));
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || page.contains("&#60;script&#62;")
    );
    assert!(!page.contains("<img src=x"));
}

#[tokio::test]
async fn english_interface() {
    let app = spawn_demo().await;
    let b = app.browser("city").await;
    let (_, home) = b.get("/?lang=en").await;
    assert!(home.contains("<html lang=\"en\">"));
    for s in [
        "Organisations",
        "Joint meetings",
        "Audit log",
        "Sign out",
        "Enterprises",
    ] {
        assert!(home.contains(s), "{s}");
    }
    // The choice sticks (cookie).
    let (_, orgs) = b.get("/orgs").await;
    assert!(orgs.contains("Unified social credit code"));
    let (_, back) = b.get("/orgs?lang=zh").await;
    assert!(back.contains("统一社会信用代码"));
    // Accept-Language alone also works.
    let c = client();
    let login = c
        .get(app.at("/login"))
        .header("accept-language", "en-GB,en;q=0.8")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login.contains("Sign in"));
}

#[tokio::test]
async fn admin_pages_users_audit_and_roles() {
    let app = spawn_demo().await;
    let city = app.browser("city").await;
    assert_eq!(city.get("/admin/users").await.0, 403);
    let audit = city.get_ok("/admin/audit?action=login").await;
    assert!(audit.contains("登录"));
    let v = city.get_ok("/admin/audit/verify").await;
    assert!(v.contains("哈希链完整"));
    let tn = app.browser("tianning").await;
    assert_eq!(tn.get("/admin/audit").await.0, 403);

    let admin = app.browser("admin").await;
    let users = admin.get_ok("/admin/users").await;
    for u in ["tianning", "wujin", "renshe", "unit", "expert"] {
        assert!(users.contains(u));
    }
    let html = admin
        .refused(
            "/admin/users",
            &[
                ("username", "xinbei"),
                ("display_name", "新北区产改办"),
                ("role", "district"),
                ("org", "999999"),
                ("password", "short"),
            ],
        )
        .await;
    assert!(html.contains("value=\"xinbei\""));
    assert!(html.contains("密码至少10个字符"));
    assert!(html.contains("找不到区划或单位"));
    let loc = admin
        .saved(
            "/admin/users",
            &[
                ("username", "xinbei"),
                ("display_name", "新北区产改办"),
                ("role", "district"),
                ("org", "320411"),
                ("password", "Xinbei-Pass-1"),
            ],
        )
        .await;
    let id = loc
        .unwrap()
        .trim_start_matches("/admin/users/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    // New accounts made in the console must change their password first.
    let c = client();
    let r = app
        .sign_in(&c, &[("username", "xinbei"), ("password", "Xinbei-Pass-1")])
        .await;
    assert_eq!(r.headers()["location"], "/account/password");
    let r = c.get(app.at("/orgs")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/account/password");
    let page = c
        .get(app.at("/account/password"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "_csrf");
    let r = c
        .post(app.at("/account/password"))
        .form(&[
            ("current_password", "Xinbei-Pass-1"),
            ("new_password", "Xinbei-Pass-2"),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(c.get(app.at("/orgs")).send().await.unwrap().status(), 200);
    // Disable from the list: the session ends.
    admin
        .saved(&format!("/admin/users/{id}/status"), &[("disabled", "1")])
        .await;
    assert_eq!(c.get(app.at("/orgs")).send().await.unwrap().status(), 303);
    // Reset password form validates.
    let html = admin
        .refused(
            &format!("/admin/users/{id}/password"),
            &[("new_password", "x")],
        )
        .await;
    assert!(html.contains("密码至少10个字符"));
}

#[tokio::test]
async fn logout_ends_the_session_and_sessions_expire() {
    let app = spawn_demo().await;
    let b = app.browser("wujin").await;
    assert_eq!(b.get("/orgs").await.0, 200);
    let (s, _, loc) = b.post("/logout", &[]).await;
    assert_eq!((s, loc.as_deref()), (303, Some("/login")));
    assert_eq!(b.get("/orgs").await.0, 303);
    let b = app.browser("wujin").await;
    sqlx::query("UPDATE sessions SET expires_at = 1")
        .execute(&app.svc.db.pool)
        .await
        .unwrap();
    let r = b.c.get(format!("{}/orgs", b.base)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?next=%2Forgs"));
}

#[tokio::test]
async fn organisation_tree_counts_each_subtree() {
    let app = spawn_demo().await;
    let b = app.browser("tianning").await;
    let html = b.get_ok("/orgs/tree").await;
    assert!(html.contains("天宁区") && !html.contains("武进区"));
    let t = app.token("tianning").await;
    let total = app.get(&t, "/api/v1/orgs?per_page=1").await.1["total"]
        .as_i64()
        .unwrap();
    assert!(
        html.contains(&format!(
            "<a href=\"/orgs?region=320402\">{}</a>",
            gongjiang_web::i18n::group(total)
        )),
        "district row counts its whole subtree"
    );
    let (_, user_form) = app.browser("admin").await.get("/admin/users/new").await;
    assert!(
        user_form.contains("<datalist id=\"attach-options\">")
            && user_form.contains("常州市人力资源和社会保障局")
    );
}

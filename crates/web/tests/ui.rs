#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;
mod contrast;

use common::*;
use serde_json::json;

#[tokio::test]
async fn login_page_then_home_in_chinese_with_navigation() {
    let app = spawn_demo().await;
    let r = app.client.get(app.at("/")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    let b = app.browser("city").await;
    let (s, home) = b.get("/").await;
    assert_eq!(s, 200);
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
    let (s, p) = b.get("/contests").await;
    assert_eq!(s, 200);
    assert!(p.contains("路线图"));
}

#[tokio::test]
async fn wrong_password_on_the_form_and_csrf_on_login() {
    let app = spawn_demo().await;
    let c = client();
    let page = c
        .get(app.at("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "_csrf");
    let r = c
        .post(app.at("/login"))
        .form(&[
            ("username", "city"),
            ("password", "nope-nope-nope"),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
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
    let (s, html) = b.get("/orgs/new").await;
    assert_eq!(s, 200);
    assert!(html.contains("name=\"uscc\""));
    let (s, html, _) = b
        .post(
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
    assert_eq!(s, 422);
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
    let (s, _, loc) = b
        .post(
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
    assert_eq!(s, 303);
    let loc = loc.unwrap();
    let (s, page) = b.get(&loc).await;
    assert_eq!(s, 200);
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
    let (s, form) = b.get(&format!("/orgs/{id}/edit")).await;
    assert_eq!(s, 200);
    let version = hidden(&form, "version");
    let (s, _, _) = b
        .post(
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
    assert_eq!(s, 303);
    let other = uscc(2469);
    let (s, _, _) = b
        .post(
            "/orgs",
            &[
                ("name", "另一家表单公司"),
                ("kind", "enterprise"),
                ("uscc", &other),
                ("region_code", "320402"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (s, html, _) = b
        .post(
            "/orgs",
            &[
                ("name", "第三家表单公司"),
                ("kind", "enterprise"),
                ("uscc", &other),
                ("region_code", "320402"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("已被其他单位使用"));
}

#[tokio::test]
async fn list_filters_with_htmx_partials_sorting_and_export() {
    let app = spawn_demo().await;
    let b = app.browser("city").await;
    let (s, full) = b.get("/orgs?region=320402&kind=enterprise").await;
    assert_eq!(s, 200);
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
async fn html_in_data_is_escaped() {
    let app = spawn_demo().await;
    let t = app.token("city").await;
    let (s, o) = app.send(reqwest::Method::POST, &t, "/api/v1/orgs", json!({"name": "<script>alert(1)</script>工会", "kind": "union", "region_code": "320400", "address": "<img src=x onerror=alert(2)>"})).await;
    assert_eq!(s, 201);
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
    let (s, audit) = city.get("/admin/audit?action=login").await;
    assert_eq!(s, 200);
    assert!(audit.contains("登录"));
    let (s, v) = city.get("/admin/audit/verify").await;
    assert_eq!(s, 200);
    assert!(v.contains("哈希链完整"));
    let tn = app.browser("tianning").await;
    assert_eq!(tn.get("/admin/audit").await.0, 403);

    let admin = app.browser("admin").await;
    let (s, users) = admin.get("/admin/users").await;
    assert_eq!(s, 200);
    for u in ["tianning", "wujin", "renshe", "unit", "expert"] {
        assert!(users.contains(u));
    }
    let (s, html, _) = admin
        .post(
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
    assert_eq!(s, 422);
    assert!(html.contains("value=\"xinbei\""));
    assert!(html.contains("密码至少10个字符"));
    assert!(html.contains("找不到区划或单位"));
    let (s, _, loc) = admin
        .post(
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
    assert_eq!(s, 303);
    let id = loc
        .unwrap()
        .trim_start_matches("/admin/users/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    // New accounts made in the console must change their password first.
    let c = client();
    let page = c
        .get(app.at("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "_csrf");
    let r = c
        .post(app.at("/login"))
        .form(&[
            ("username", "xinbei"),
            ("password", "Xinbei-Pass-1"),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
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
    let (s, _, _) = admin
        .post(&format!("/admin/users/{id}/status"), &[("disabled", "1")])
        .await;
    assert_eq!(s, 303);
    assert_eq!(c.get(app.at("/orgs")).send().await.unwrap().status(), 303);
    // Reset password form validates.
    let (s, html, _) = admin
        .post(
            &format!("/admin/users/{id}/password"),
            &[("new_password", "x")],
        )
        .await;
    assert_eq!(s, 422);
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
async fn assets_and_security_headers() {
    let app = spawn_empty().await;
    for a in ["app.css", "app.js", "htmx.min.js", "echarts.min.js"] {
        let r = app
            .client
            .get(app.at(&format!("/assets/{a}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{a}");
    }
    assert_eq!(
        app.client
            .get(app.at("/assets/../Cargo.toml"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let r = app.client.get(app.at("/login")).send().await.unwrap();
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
}

#[tokio::test]
async fn organisation_tree_counts_each_subtree() {
    let app = spawn_demo().await;
    let b = app.browser("tianning").await;
    let (s, html) = b.get("/orgs/tree").await;
    assert_eq!(s, 200);
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

/// The headers of issue 9 on one response: a strict CSP (no inline script or style, no
/// eval, no framing), nosniff, DENY, a referrer policy and, where personal data is
/// carried, `Cache-Control: no-store`.
fn assert_security_headers(what: &str, h: &reqwest::header::HeaderMap) {
    let get = |n: &str| {
        h.get(n)
            .unwrap_or_else(|| panic!("{what}: no {n} header"))
            .to_str()
            .unwrap()
            .to_string()
    };
    let csp = get("content-security-policy");
    for d in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(
            csp.split(';').any(|p| p.trim() == d),
            "{what}: CSP lacks {d}: {csp}"
        );
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: CSP not strict: {csp}"
    );
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    let rp = get("referrer-policy");
    assert!(
        [
            "same-origin",
            "strict-origin-when-cross-origin",
            "no-referrer"
        ]
        .contains(&rp.as_str()),
        "{what}: referrer-policy {rp}"
    );
    assert_eq!(get("cache-control"), "no-store", "{what}");
    assert!(
        h.get("strict-transport-security").is_none(),
        "{what}: HSTS only behind HTTPS (--secure-cookies)"
    );
}

#[tokio::test]
async fn security_headers_on_pages_api_reveals_and_exports() {
    let app = spawn_demo().await;
    let b = app.browser("tianning").await;
    let t = app.token("tianning").await;
    let w = app.get(&t, "/api/v1/workers?per_page=1").await.1["items"][0]["id"].clone();
    let page = |p: &str| {
        let url = format!("{}{p}", b.base);
        let c = b.c.clone();
        async move { c.get(url).send().await.unwrap() }
    };
    for p in [
        "/".to_string(),
        "/dashboard".to_string(),
        "/workers".to_string(),
        format!("/workers/{w}"),
        "/imports/export/workers?org=320402&format=csv".to_string(),
        "/imports/export/orgs?org=320402&format=xlsx".to_string(),
        "/orgs/export.csv?region=320402".to_string(),
    ] {
        let r = page(&p).await;
        assert_eq!(r.status(), 200, "{p}");
        assert_security_headers(&p, r.headers());
    }
    // The full numbers of a worker, in the console and through the API.
    let r =
        b.c.post(format!("{}/workers/{w}/reveal", b.base))
            .form(&[("_csrf", b.csrf.as_str())])
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 200);
    assert_security_headers("console reveal", r.headers());
    let api = |m: reqwest::Method, p: String| {
        app.client
            .request(m, app.at(&p))
            .bearer_auth(&t)
            .json(&json!({}))
            .send()
    };
    for (m, p) in [
        (reqwest::Method::POST, format!("/api/v1/workers/{w}/reveal")),
        (reqwest::Method::GET, format!("/api/v1/workers/{w}")),
        (reqwest::Method::GET, "/api/v1/orgs?per_page=1".to_string()),
        (
            reqwest::Method::GET,
            "/api/v1/exports/workers?format=csv&org=320402".to_string(),
        ),
    ] {
        let r = api(m, p.clone()).await.unwrap();
        assert_eq!(r.status(), 200, "{p}");
        assert_security_headers(&p, r.headers());
    }
    // Errors and the login page carry them too; the login CSRF cookie is not Secure on
    // plain HTTP (it would never come back).
    let r = app.client.get(app.at("/login")).send().await.unwrap();
    assert_security_headers("/login", r.headers());
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("gj_csrf=") && !cookie.contains("Secure"));
    let r = page("/orgs/999999999").await;
    assert_eq!(r.status(), 404);
    assert_security_headers("404 page", r.headers());
    // The embedded assets stay cacheable.
    let r = app
        .client
        .get(app.at("/assets/app.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "public, max-age=3600");
    // The API docs page: its own policy, still without inline script.
    let r = app.client.get(app.at("/api/docs")).send().await.unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'")
            && csp.contains("frame-ancestors 'none'")
            && !csp.contains("unsafe-eval")
            && !csp.contains("'unsafe-inline'"),
        "{csp}"
    );
}

#[tokio::test]
async fn secure_cookies_add_hsts_and_secure_cookie_flags() {
    let cfg = gongjiang_web::WebConfig {
        secure_cookies: true,
        ..Default::default()
    };
    let app = spawn_with(cfg, true).await;
    // No cookie jar: a Secure cookie would not be sent back over plain HTTP.
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = c.get(app.at("/login")).send().await.unwrap();
    let hsts = r.headers()["strict-transport-security"].to_str().unwrap();
    assert!(
        hsts.starts_with("max-age=") && hsts.contains("31536000"),
        "{hsts}"
    );
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("gj_csrf=") && cookie.contains("; Secure"),
        "login CSRF cookie: {cookie}"
    );
    let csrf = cookie["gj_csrf=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let r = c
        .post(app.at("/login"))
        .header("cookie", format!("gj_csrf={csrf}"))
        .form(&[
            ("username", "city"),
            ("password", "gongjiang-demo"),
            ("_csrf", csrf.as_str()),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers().contains_key("strict-transport-security"));
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("gj_session="))
        .expect("session cookie")
        .to_string();
    assert!(session.contains("; Secure"), "{session}");
    // The API answers carry HSTS as well.
    let r = c.get(app.at("/api/v1/openapi.json")).send().await.unwrap();
    assert!(r.headers().contains_key("strict-transport-security"));
}

/// Where an inline script or style hides in markup: `on…=` handler attributes, `<script>`
/// without `src` (or with a body), `javascript:` URLs, htmx's `hx-on` (evaluated code),
/// `style=` attributes and `<style>` blocks. The Content-Security-Policy refuses them all.
fn inline_code(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut found = Vec::new();
    let line = |i: usize| lower[..i].matches('\n').count() + 1;
    for (i, _) in lower.match_indices("javascript:") {
        found.push(format!("line {}: javascript: URL", line(i)));
    }
    for (i, _) in lower.match_indices("hx-on") {
        found.push(format!("line {}: hx-on", line(i)));
    }
    for (i, _) in lower.match_indices("<style") {
        found.push(format!("line {}: <style>", line(i)));
    }
    for (i, _) in lower.match_indices("<script") {
        let tag_end = lower[i..].find('>').map_or(lower.len(), |e| i + e);
        let tag = &lower[i..tag_end];
        let body_empty = lower[tag_end..].starts_with("></script>");
        if !tag.contains(" src=") || !body_empty {
            found.push(format!("line {}: inline <script>", line(i)));
        }
    }
    // Attributes inside a tag (outside quoted values): whitespace, then `on` + letters or
    // `style`, then optional spaces and `=`.
    let (mut in_tag, mut quote) = (false, 0u8);
    for i in 0..b.len() {
        let c = b[i];
        if !in_tag {
            in_tag = c == b'<';
            continue;
        }
        if quote != 0 {
            if c == quote {
                quote = 0;
            }
            continue;
        }
        match c {
            b'"' | b'\'' => quote = c,
            b'>' => in_tag = false,
            _ if c.is_ascii_whitespace() => {
                let rest = &b[i + 1..];
                let name_len = if rest.starts_with(b"style") {
                    5
                } else if rest.starts_with(b"on") {
                    2 + rest[2..]
                        .iter()
                        .take_while(|c| c.is_ascii_lowercase())
                        .count()
                } else {
                    0
                };
                if name_len <= 2 {
                    continue;
                }
                let after = &rest[name_len..];
                let spaces = after.iter().take_while(|c| **c == b' ').count();
                if after.get(spaces) == Some(&b'=') {
                    let name = String::from_utf8_lossy(&rest[..name_len]).to_string();
                    found.push(format!("line {}: {name}= attribute", line(i)));
                }
            }
            _ => {}
        }
    }
    found
}

#[test]
fn templates_carry_no_inline_script_or_style() {
    // The scanner itself finds what it must.
    for bad in [
        r#"<select onchange="this.form.submit()">"#,
        r#"<input type="checkbox" onclick = "x()">"#,
        r#"<form onsubmit="return confirm('?')">"#,
        r#"<script>alert(1)</script>"#,
        r#"<script src="/a.js">alert(1)</script>"#,
        r#"<a href="javascript:history.back()">"#,
        r#"<div hx-on:click="x()">"#,
        r#"<div style="width: 5%">"#,
        "<style>p{}</style>",
    ] {
        assert!(!inline_code(bad).is_empty(), "not caught: {bad}");
    }
    for good in [
        r#"<select name="period" data-autosubmit>"#,
        r#"<script src="/assets/app.js" defer></script>"#,
        r#"<p class="online" data-onclick="x">one = 1, style = plain</p>"#,
        r#"<option value="{{ y }}"{% if y == period %} selected{% endif %}>"#,
    ] {
        assert!(inline_code(good).is_empty(), "false alarm: {good}");
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut problems = Vec::new();
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "html") {
            n += 1;
            let html = std::fs::read_to_string(&p).unwrap();
            for f in inline_code(&html) {
                problems.push(format!("{}: {f}", p.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert!(n > 20, "templates found: {n}");
    assert!(
        problems.is_empty(),
        "inline code in templates:\n{}",
        problems.join("\n")
    );
}

fn app_css() -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/app.css"))
        .unwrap()
}

/// Every contrast problem of `css`: each button, badge, alert and workflow step the sheet
/// styles (normal and hovered, on a card), and the other status colours of the console.
fn contrast_problems(css: &str) -> (usize, Vec<String>) {
    use contrast::{chain, Sheet};
    let sheet = Sheet::parse(css);
    let page = ["html", "body.app", "div.shell", "main.content"];
    let card = ["html", "body.app", "div.shell", "main.content", "div.card"];
    let mut probes = sheet.component_probes(&chain(&card));
    probes.extend(sheet.component_probes(&chain(&page)));
    let topbar = ["html", "body.app", "header.topbar"];
    let nav = ["html", "body.app", "div.shell", "nav.sidenav"];
    let extra: Vec<Vec<&str>> = vec![
        [&topbar[..], &["a.brand"]].concat(),
        [&topbar[..], &["button.nav-toggle"]].concat(),
        [&topbar[..], &["button.nav-toggle:hover"]].concat(),
        [&topbar[..], &["div.topbar-user", "span"]].concat(),
        [&topbar[..], &["div.topbar-user", "span.muted"]].concat(),
        [&topbar[..], &["div.topbar-user", "a"]].concat(),
        [&topbar[..], &["div.topbar-user", "a.lang:hover"]].concat(),
        [
            &topbar[..],
            &["div.topbar-user", "form.inline", "button.link"],
        ]
        .concat(),
        [&nav[..], &["div.nav-group", "div.nav-group-title"]].concat(),
        [&nav[..], &["div.nav-group", "a.nav-link"]].concat(),
        [&nav[..], &["div.nav-group", "a.nav-link:hover"]].concat(),
        [&nav[..], &["div.nav-group", "a.nav-link.active"]].concat(),
        [&nav[..], &["div.nav-group", "a.nav-link", "span.soon"]].concat(),
        [&page[..], &["nav.breadcrumbs", "a"]].concat(),
        [&page[..], &["span.muted"]].concat(),
        [&page[..], &["nav.pagination", "span.current"]].concat(),
        [&page[..], &["nav.pagination", "a"]].concat(),
        [&page[..], &["nav.pagination", "span.summary"]].concat(),
        [&card[..], &["span.muted"]].concat(),
        [&card[..], &["a"]].concat(),
        [&card[..], &["a:hover"]].concat(),
        [&card[..], &["form.form", "div.field", "div.field-error"]].concat(),
        [&card[..], &["form.form", "div.field", "div.field-help"]].concat(),
        [&card[..], &["table.table", "thead", "tr", "th"]].concat(),
        [&card[..], &["table.table", "tbody", "tr", "td.num"]].concat(),
        [&card[..], &["ol.timeline", "li", "span.when"]].concat(),
        [&card[..], &["ol.timeline", "li", "div.comment"]].concat(),
        [&card[..], &["div.stat-card", "div.stat-label"]].concat(),
        [&card[..], &["div.empty"]].concat(),
        [&card[..], &["mark"]].concat(),
    ];
    probes.extend(extra.iter().map(|c| chain(c)));
    let mut problems = Vec::new();
    for p in &probes {
        match sheet.check(p) {
            Ok(f) if f.ratio < 4.5 => problems.push(f.to_string()),
            // The full table with `cargo test --test ui wcag -- --nocapture`.
            Ok(f) => println!("{f}"),
            Err(e) => problems.push(format!("{p:?}: {e}")),
        }
    }
    (probes.len(), problems)
}

#[test]
fn buttons_badges_alerts_and_status_colours_meet_wcag_aa() {
    let (n, problems) = contrast_problems(&app_css());
    assert!(n > 60, "probes: {n}");
    assert!(
        problems.is_empty(),
        "text under 4.5:1 (WCAG AA):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_contrast_check_catches_dark_red_on_red() {
    use contrast::{parse_color, ratio};
    let c = |s: &str| parse_color(s).unwrap().unwrap();
    assert!((ratio(c("#000"), c("#fff")) - 21.0).abs() < 1e-9);
    assert!((ratio(c("#777"), c("white")) - 4.48).abs() < 0.01);
    assert!((ratio(c("rgb(255, 255, 255)"), c("#1f5fbf")) - 6.09).abs() < 0.01);
    // The rule that made 不予通过 / 删除 / 退回 / 成立 unreadable (issue #10): dark red text
    // left on the red background of the solid danger button.
    let old = format!(
        "{}\n.btn-danger {{ color: #a1241f; border-color: #eeaaa6; }}\n",
        app_css()
    );
    let (_, problems) = contrast_problems(&old);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("button.btn.btn-danger:") && p.contains("#a1241f on #c0302b")),
        "{problems:#?}"
    );
    // Variables and alpha are resolved: white at 45 % on white is unreadable.
    let (_, problems) = contrast_problems(
        ":root { --x: rgba(255, 255, 255, .45); }\n.badge-ghost { color: var(--x); background: var(--y, #fff); }",
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("span.badge.badge-ghost")),
        "{problems:#?}"
    );
}

#[tokio::test]
async fn narrow_screens_get_a_menu_button_and_cases_print_as_approval_forms() {
    let app = spawn_demo().await;
    let b = app.browser("city").await;
    let (s, home) = b.get("/").await;
    assert_eq!(s, 200);
    // The menu button (wired by app.js), the plain link to the navigation without it.
    assert!(
        home.contains(r#"<button class="nav-toggle" type="button" data-nav-toggle aria-controls="sidenav" aria-expanded="false">"#),
        "{home}"
    );
    assert!(home.contains(r##"<a class="nav-toggle" href="#sidenav">"##));
    assert!(home.contains(r#"<nav class="sidenav" id="sidenav""#));
    let js = b.get("/assets/app.js").await.1;
    assert!(js.contains("[data-nav-toggle]") && js.contains("aria-expanded"));
    assert!(js.contains("[data-print]") && js.contains("window.print()"));
    let css = app_css();
    for rule in [
        "html.js nav.sidenav { order: 0; display: none;",
        "html.js nav.sidenav.open { display: grid; }",
        "div.card, div.tab-panel { overflow-x: auto; }",
        "@media print {",
        "header.topbar, nav.sidenav,",
        "form.no-print, input[type=checkbox], input[type=file] { display: none !important; }",
        "table.print-only { display: table !important; }",
        "@page { size: A4;",
    ] {
        assert!(css.contains(rule), "app.css lacks {rule}");
    }
    // A case waiting for the city: its page has the print button, the approval form's
    // table of opinions for paper and its forms kept off paper.
    let (s, inbox) = b.get("/inbox").await;
    assert_eq!(s, 200);
    let at = inbox.find("href=\"/cases/").expect("a case in the inbox");
    let id: String = inbox[at + 13..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let (s, case) = b.get(&format!("/cases/{id}")).await;
    assert_eq!(s, 200);
    assert!(
        case.contains(r#"<button class="btn" type="button" data-print>打印</button>"#),
        "{case}"
    );
    assert!(case.contains("审批表"));
    assert!(case.contains(r#"<table class="approval print-only">"#));
    for h in ["环节", "办理人", "办理时间", "意见"] {
        assert!(case.contains(&format!("<th>{h}</th>")), "{h}");
    }
    assert!(case.contains(r#"<div class="card no-print">"#));
    assert!(case.contains(r#"<ol class="timeline no-print">"#));
    let (_, en) = b.get(&format!("/cases/{id}?lang=en")).await;
    assert!(en.contains("data-print>Print</button>") && en.contains("Approval form"));
}

/// The `href`s inside the first `<nav class="sidenav"` … `</nav>` of a page.
fn nav_links(html: &str) -> Vec<String> {
    let start = html
        .find("<nav class=\"sidenav\"")
        .expect("side navigation");
    let end = start + html[start..].find("</nav>").expect("end of navigation");
    html[start..end]
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&"))
        .collect()
}

/// The text a reader sees: the page without its tags (attribute values left out).
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    // Character references (`&#34;`) are not text that names anything.
    let mut text = String::new();
    let mut rest = out.as_str();
    while let Some(i) = rest.find("&#") {
        text.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(';') {
            text.push('\u{FFFD}');
            rest = &after[digits + 1..];
        } else {
            text.push_str("&#");
            rest = after;
        }
    }
    text.push_str(rest);
    text
}

/// An issue number in text: "#4", "# 12", "第 3 号任务", "issue 4".
fn names_an_issue(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        // `&#34;` is an HTML character reference, not an issue.
        if *c == '#' && !(i > 0 && chars[i - 1] == '&') {
            let next = chars[i + 1..].iter().find(|c| **c != ' ');
            if next.is_some_and(|n| n.is_ascii_digit()) {
                return Some(
                    chars[i.saturating_sub(30)..(i + 10).min(chars.len())]
                        .iter()
                        .collect(),
                );
            }
        }
    }
    for pat in ["号任务", "issue "] {
        if let Some(i) = text.find(pat) {
            return Some(text[i.saturating_sub(30)..].chars().take(50).collect());
        }
    }
    None
}

#[tokio::test]
async fn every_navigation_link_answers_for_the_role_that_sees_it_and_no_text_names_an_issue() {
    let app = spawn_demo().await;
    for (user, ..) in gongjiang_demo::DEMO_ACCOUNTS {
        let b = app.browser(user).await;
        let (s, home) = b.get("/").await;
        assert_eq!(s, 200, "{user}: home");
        if let Some(hit) = names_an_issue(&visible_text(&home)) {
            panic!("{user}: the home page names an issue: {hit}");
        }
        let links = nav_links(&home);
        assert!(!links.is_empty(), "{user}: navigation");
        let mut visited = Vec::new();
        for href in &links {
            let (mut s, mut html) = b.get(href).await;
            let mut at = href.clone();
            // A link may lead on (a unit's 六有 opens its own sheet): follow it once.
            if s == 303 {
                let r = b.c.get(format!("{}{href}", b.base)).send().await.unwrap();
                at = r.headers()["location"].to_str().unwrap().to_string();
                (s, html) = b.get(&at).await;
            }
            assert!(s < 400, "{user}: the navigation link {href} answers {s}");
            if let Some(hit) = names_an_issue(&visible_text(&html)) {
                panic!("{user}: {at} names an issue: {hit}");
            }
            visited.push(at);
        }
        // The same pages in English (some pages remember the language: Chinese first).
        for at in &visited {
            let sep = if at.contains('?') { '&' } else { '?' };
            let (_, page) = b.get(&format!("{at}{sep}lang=en")).await;
            if let Some(hit) = names_an_issue(&visible_text(&page)) {
                panic!("{user}: {at} (English) names an issue: {hit}");
            }
        }
    }
    // The expert reads the assessment and policies, not the organisation registers: the
    // register of titles is neither linked nor open to them.
    let b = app.browser("expert").await;
    let (_, home) = b.get("/").await;
    assert!(!nav_links(&home).iter().any(|h| h == "/designations"));
    assert_eq!(b.get("/designations").await.0, 403);
    assert!(nav_links(&home).iter().any(|h| h == "/assessment/scoring"));
    // Placeholders list what is available now, from the navigation of the role.
    let (s, p) = app.browser("city").await.get("/professors").await;
    assert_eq!(s, 200);
    assert!(
        p.contains("目前可用") && p.contains("href=\"/liuyou\""),
        "{p}"
    );
}

#[tokio::test]
async fn home_pages_show_no_empty_sections_and_point_to_waiting_cases() {
    let app = spawn_demo().await;
    let (s, home) = app.browser("expert").await.get("/").await;
    assert_eq!(s, 200);
    assert!(
        !home.contains("产改核心指标"),
        "empty section on the expert's home"
    );
    let (_, home) = app.browser("city").await.get("/").await;
    assert!(home.contains("产改核心指标"));
    // The city's inbox holds cases of the demo: the home page says so and links there.
    assert!(
        home.contains("件申报与审核事项待您办理") && home.contains("href=\"/inbox\""),
        "{home}"
    );
    assert!(!home.contains("工作流模块"));
}

#[tokio::test]
async fn the_town_account_is_named_after_its_street() {
    let app = spawn_demo().await;
    let (_, home) = app.browser("town").await.get("/").await;
    let user = home
        .split("<div class=\"topbar-user\">")
        .nth(1)
        .expect("top bar");
    let mut spans = user.split("<span").skip(1).map(|s| {
        s.split_once('>')
            .map(|(_, rest)| rest.split("</span>").next().unwrap_or(""))
            .unwrap_or("")
            .to_string()
    });
    let name = spans.next().unwrap();
    let attached = spans.next().unwrap();
    let street = attached.split(" · ").next().unwrap().trim().to_string();
    assert!(
        street.ends_with("街道") || street.ends_with('镇'),
        "{attached}"
    );
    assert!(
        name.starts_with(&street),
        "the town account '{name}' is attached to {street}"
    );
    let (_, me) = app.get(&app.token("town").await, "/api/v1/me").await;
    assert!(me.to_string().contains(&street), "{me}");
    // The name the command line prints is the one loaded with the default seed.
    let listed = gongjiang_demo::DEMO_ACCOUNTS
        .iter()
        .find(|a| a.0 == "town")
        .unwrap()
        .1;
    assert_eq!(listed, name);
}

//! Security headers, cookies and templates without inline code.

use super::*;

#[tokio::test]
async fn assets_and_security_headers() {
    let app = spawn_empty().await;
    for a in ["app.css", "app.js", "htmx.min.js", "echarts.min.js"] {
        let r = app.anon(&format!("/assets/{a}")).await;
        assert_eq!(r.status(), 200, "{a}");
    }
    assert_eq!(app.anon("/assets/../Cargo.toml").await.status(), 404);
    let r = app.anon("/login").await;
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
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
    let r = app.anon("/login").await;
    assert_security_headers("/login", r.headers());
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("gj_csrf=") && !cookie.contains("Secure"));
    let r = page("/orgs/999999999").await;
    assert_eq!(r.status(), 404);
    assert_security_headers("404 page", r.headers());
    // The embedded assets stay cacheable.
    let r = app.anon("/assets/app.js").await;
    assert_eq!(r.headers()["cache-control"], "public, max-age=3600");
    // The API docs page: its own policy, still without inline script.
    let r = app.anon("/api/docs").await;
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

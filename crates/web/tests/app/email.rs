//! E-mail notifications: an address per account (own settings, the admin form and the
//! API), and the outbox sender against a fake SMTP server in the test — one mail per
//! notification with the Chinese message and an absolute link, never a second one
//! (also with two senders at once), failures retried later, an unreachable server a
//! clear error that claims nothing.

use crate::helpers::*;
use base64::Engine;
use gongjiang_storage::mail::{Mailer, SmtpSettings, SmtpTls};
use gongjiang_storage::service::Service;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[derive(Debug, Clone)]
struct Mail {
    from: String,
    rcpt: Vec<String>,
    data: String,
}

impl Mail {
    fn header(&self, name: &str) -> String {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        // Unfold continuation lines.
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_string))
            .unwrap_or_default()
    }

    /// The subject with its RFC 2047 encoded words decoded.
    fn subject(&self) -> String {
        let raw = self.header("Subject");
        let mut out = String::new();
        for word in raw.split_whitespace() {
            let lower = word.to_ascii_lowercase();
            if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
                let b = &word[10..word.len() - 2];
                out.push_str(
                    &String::from_utf8(
                        base64::engine::general_purpose::STANDARD.decode(b).unwrap(),
                    )
                    .unwrap(),
                );
            } else {
                out.push_str(word);
            }
        }
        out
    }

    /// The body, decoded from base64.
    fn body(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").unwrap().1;
        let b64: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap(),
        )
        .unwrap()
    }
}

struct FakeSmtp {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    /// When set, RCPT is refused with 550.
    refuse: Arc<AtomicBool>,
}

impl FakeSmtp {
    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
    fn to(&self, addr: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.rcpt.iter().any(|r| r == addr))
            .collect()
    }
}

/// A tiny SMTP server: 220, EHLO/HELO → 250, MAIL/RCPT → 250, DATA → 354, "." → 250,
/// RSET/NOOP → 250, QUIT → 221. Accepted messages are recorded.
async fn fake_smtp() -> FakeSmtp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let refuse = Arc::new(AtomicBool::new(false));
    let (m, r) = (mails.clone(), refuse.clone());
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let (mails, refuse) = (m.clone(), r.clone());
            tokio::spawn(async move {
                let (rd, mut wr) = sock.into_split();
                let mut rd = BufReader::new(rd);
                let _ = wr.write_all(b"220 fake.smtp ESMTP ready\r\n").await;
                let mut cur = Mail {
                    from: String::new(),
                    rcpt: Vec::new(),
                    data: String::new(),
                };
                let mut line = String::new();
                loop {
                    line.clear();
                    if rd.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.trim_end().to_string();
                    let upper = cmd.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 fake.smtp\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        cur.from = cmd[10..].trim().trim_matches(['<', '>']).to_string();
                        b"250 2.1.0 OK\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        if refuse.load(Ordering::SeqCst) {
                            b"550 5.1.1 mailbox unavailable\r\n"
                        } else {
                            cur.rcpt
                                .push(cmd[8..].trim().trim_matches(['<', '>']).to_string());
                            b"250 2.1.5 OK\r\n"
                        }
                    } else if upper == "DATA" {
                        let _ = wr.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await;
                        let mut data = String::new();
                        loop {
                            line.clear();
                            if rd.read_line(&mut line).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if line == ".\r\n" || line == ".\n" {
                                break;
                            }
                            let l = line.strip_prefix('.').unwrap_or(&line);
                            data.push_str(l);
                        }
                        cur.data = data;
                        mails.lock().unwrap().push(cur.clone());
                        cur.rcpt.clear();
                        b"250 2.0.0 queued\r\n"
                    } else if upper == "RSET" || upper == "NOOP" {
                        cur.rcpt.clear();
                        b"250 2.0.0 OK\r\n"
                    } else if upper == "QUIT" {
                        let _ = wr.write_all(b"221 2.0.0 bye\r\n").await;
                        return;
                    } else {
                        b"502 5.5.2 unknown command\r\n"
                    };
                    if wr.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    FakeSmtp {
        port,
        mails,
        refuse,
    }
}

fn mailer(port: u16) -> Mailer {
    Mailer::new(SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        username: None,
        password: None,
        from: "工匠平台 <noreply@gj.example.org>".into(),
        tls: SmtpTls::None,
        public_url: "https://gj.example.org/".into(),
    })
    .unwrap()
}

/// Sends until nothing is due (notifications the demo data left behind).
async fn drain(svc: &Service) {
    while svc.send_pending_emails().await.unwrap() > 0 {}
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    let admin = app.token("admin").await;
    let v = app.get_ok(&admin, "/api/v1/users").await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn notify(app: &TestApp, user: i64, message: &str) {
    let mut tx = app.svc.db.begin().await.unwrap();
    gongjiang_storage::notify::notify(
        tx.conn(),
        &[user],
        message,
        "/notifications",
        gongjiang_storage::now_ms(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_returned_liuyou_item_is_emailed_once() {
    let app = spawn_demo().await;
    let unit = app.token("unit").await;
    let district = app.token("tianning").await;
    // The unit's contact gives an address on their own account; a bad one is refused.
    let (s, e) = app
        .patch(&unit, "/api/v1/me", json!({"email": "zhou ning@"}))
        .await;
    refused_on(s, &e, 422, "email");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("电子邮箱"),
        "{e}"
    );
    let (s, me) = app
        .patch(
            &unit,
            "/api/v1/me",
            json!({"email": " zhou.ning@example.org "}),
        )
        .await;
    assert_eq!(s, 200, "{me}");
    assert_eq!(me["email"], "zhou.ning@example.org");
    assert_eq!(
        app.get(&unit, "/api/v1/me").await.1["email"],
        "zhou.ning@example.org"
    );

    // Without SMTP nothing is sent and nothing changes.
    assert_eq!(app.svc.send_pending_emails().await.unwrap(), 0);

    let smtp = fake_smtp().await;
    let svc = app.svc.clone().with_mail(mailer(smtp.port));
    drain(&svc).await;
    smtp.mails.lock().unwrap().clear();

    // The district returns a 六有 item: the unit's contacts are told, in the app and by mail.
    let org = app.get(&unit, "/api/v1/me").await.1["org_id"]
        .as_i64()
        .unwrap();
    let base = format!("/api/v1/liuyou/{org}/{}", this_year());
    for it in [
        "organisation",
        "plan",
        "tasks",
        "guidance",
        "skills",
        "rights",
    ] {
        let _v = app
            .put_ok(
                &unit,
                &format!("{base}/{it}"),
                json!({"text": format!("{it} 的说明")}),
            )
            .await;
    }
    let _v = app
        .post_ok(&unit, &format!("{base}/submit"), json!({}))
        .await;
    let _v = app
        .post_ok(
            &district,
            &format!("{base}/rights/review"),
            json!({"accept": false, "reason": "请补充集体合同文本扫描件"}),
        )
        .await;
    let (_, inbox) = app.get(&unit, "/api/v1/notifications").await;
    assert!(inbox.to_string().contains("被退回"), "{inbox}");

    let sent = svc.send_pending_emails().await.unwrap();
    assert!(sent >= 1);
    let mails = smtp.to("zhou.ning@example.org");
    assert_eq!(mails.len(), 1, "{mails:?}");
    let m = &mails[0];
    assert_eq!(m.from, "noreply@gj.example.org");
    let subject = m.subject();
    assert!(
        subject.contains("六有") && subject.contains("被退回"),
        "{subject}"
    );
    let body = m.body();
    assert!(body.contains("请补充集体合同文本扫描件"), "{body}");
    assert!(
        body.contains(&format!(
            "https://gj.example.org/liuyou/{org}/{}",
            this_year()
        )),
        "{body}"
    );
    assert!(
        m.header("To").contains("zhou.ning@example.org"),
        "{}",
        m.data
    );
    // Recorded as sent; a second run sends nothing.
    let unsent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'unit' AND n.emailed_at IS NULL",
    )
    .fetch_one(&app.svc.db.pool)
    .await
    .unwrap();
    assert_eq!(unsent, 0);
    assert_eq!(svc.send_pending_emails().await.unwrap(), 0);
    assert_eq!(smtp.to("zhou.ning@example.org").len(), 1);
    // Clearing the address stops e-mails (in-app notifications go on).
    let (s, me) = app.patch(&unit, "/api/v1/me", json!({"email": ""})).await;
    assert_eq!((s, &me["email"]), (200, &Value::Null), "{me}");
    notify(&app, me["id"].as_i64().unwrap(), "另一条通知").await;
    assert_eq!(svc.send_pending_emails().await.unwrap(), 0);
}

#[tokio::test]
async fn two_senders_never_send_the_same_notification_twice() {
    let app = spawn_demo().await;
    let admin = app.token("admin").await;
    let uid = user_id(&app, "wujin").await;
    let (s, v) = app
        .patch(
            &admin,
            &format!("/api/v1/users/{uid}"),
            json!({"email": "wang.fang@example.org"}),
        )
        .await;
    assert_eq!(
        (s, v["email"].as_str()),
        (200, Some("wang.fang@example.org")),
        "{v}"
    );
    let smtp = fake_smtp().await;
    // Two "processes": two services with their own mailer over the same database.
    let a = app.svc.clone().with_mail(mailer(smtp.port));
    let b = app.svc.clone().with_mail(mailer(smtp.port));
    drain(&a).await;
    smtp.mails.lock().unwrap().clear();
    for i in 0..30 {
        notify(&app, uid, &format!("通知第{i}号")).await;
    }
    let (x, y) = tokio::join!(a.send_pending_emails(), b.send_pending_emails());
    let (x, y) = (x.unwrap(), y.unwrap());
    assert_eq!(x + y, 30, "{x} + {y}");
    let (x2, y2) = tokio::join!(a.send_pending_emails(), b.send_pending_emails());
    assert_eq!((x2.unwrap(), y2.unwrap()), (0, 0));
    let mut bodies: Vec<String> = smtp
        .to("wang.fang@example.org")
        .iter()
        .map(|m| m.subject())
        .collect();
    assert_eq!(bodies.len(), 30);
    bodies.sort();
    bodies.dedup();
    assert_eq!(bodies.len(), 30, "a notification was mailed twice");
}

#[tokio::test]
async fn failures_are_retried_later_and_a_dead_server_claims_nothing() {
    let app = spawn_demo().await;
    let admin = app.token("admin").await;
    let uid = user_id(&app, "wujin").await;
    app.patch(
        &admin,
        &format!("/api/v1/users/{uid}"),
        json!({"email": "wang.fang@example.org"}),
    )
    .await;
    let smtp = fake_smtp().await;
    let svc = app.svc.clone().with_mail(mailer(smtp.port));
    drain(&svc).await;
    smtp.mails.lock().unwrap().clear();
    notify(&app, uid, "需重试的通知").await;
    let row = |svc: Service| async move {
        let r: (i64, Option<String>, Option<i64>) = sqlx::query_as(
            "SELECT email_tries, email_error, emailed_at FROM notifications WHERE message = '需重试的通知'",
        )
        .fetch_one(&svc.db.pool)
        .await
        .unwrap();
        r
    };
    // The server refuses the recipient: recorded, not sent, not due again at once.
    smtp.refuse.store(true, Ordering::SeqCst);
    assert_eq!(svc.send_pending_emails().await.unwrap(), 0);
    let (tries, error, sent) = row(svc.clone()).await;
    assert_eq!((tries, sent), (1, None));
    assert!(error.unwrap().contains("550"));
    smtp.refuse.store(false, Ordering::SeqCst);
    assert_eq!(svc.send_pending_emails().await.unwrap(), 0);
    // Later (the pause is over): sent once.
    sqlx::query("UPDATE notifications SET email_next_at = 0 WHERE message = '需重试的通知'")
        .execute(&app.svc.db.pool)
        .await
        .unwrap();
    assert_eq!(svc.send_pending_emails().await.unwrap(), 1);
    let (tries, error, sent) = row(svc.clone()).await;
    assert_eq!(tries, 2);
    assert!(error.is_none() && sent.is_some());
    assert_eq!(smtp.to("wang.fang@example.org").len(), 1);

    // Nobody listens: an error that names the server; the row is not claimed.
    notify(&app, uid, "服务器不在").await;
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let down = app.svc.clone().with_mail(mailer(dead));
    let e = down.send_pending_emails().await.unwrap_err();
    assert!(e.to_string().contains("mail server"), "{e}");
    let tries: i64 =
        sqlx::query_scalar("SELECT email_tries FROM notifications WHERE message = '服务器不在'")
            .fetch_one(&app.svc.db.pool)
            .await
            .unwrap();
    assert_eq!(tries, 0);
    assert_eq!(svc.send_pending_emails().await.unwrap(), 1);
}

#[tokio::test]
async fn addresses_in_the_admin_form_and_own_settings() {
    let app = spawn_demo().await;
    let uid = user_id(&app, "wujin").await;
    let admin = app.browser("admin").await;
    let html = admin.get_ok(&format!("/admin/users/{uid}")).await;
    assert!(html.contains("name=\"email\""), "{html}");
    let form = |email: &'static str| {
        vec![
            ("display_name", "武进区产改办 王芳"),
            ("role", "district"),
            ("org", "320412"),
            ("email", email),
        ]
    };
    let html = admin
        .refused(&format!("/admin/users/{uid}"), &form("wang@"))
        .await;
    assert!(html.contains("电子邮箱"), "{html}");
    let loc = admin
        .saved(
            &format!("/admin/users/{uid}"),
            &form("wang.fang@example.org"),
        )
        .await;
    assert!(loc.unwrap().contains("saved"));
    let (_, html) = admin.get(&format!("/admin/users/{uid}")).await;
    assert!(html.contains("wang.fang@example.org"));
    // Creating an account with an address.
    let loc = admin
        .saved(
            "/admin/users",
            &[
                ("username", "mailer01"),
                ("display_name", "邮件测试"),
                ("role", "district"),
                ("org", "320412"),
                ("password", "Gongjiang-2025!"),
                ("email", "mailer01@example.org"),
            ],
        )
        .await;
    let id = loc
        .unwrap()
        .split('/')
        .nth(3)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .parse::<i64>()
        .unwrap();
    let (_, v) = app.get(&app.token("admin").await, "/api/v1/users").await;
    let u = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(u["email"], "mailer01@example.org");
    // Own settings page.
    let me = app.browser("unit").await;
    let html = me.get_ok("/account/password").await;
    assert!(html.contains("action=\"/account/email\""), "{html}");
    let html = me
        .refused("/account/email", &[("email", "bad address")])
        .await;
    assert!(html.contains("电子邮箱"));
    let (s, _, loc) = me
        .post("/account/email", &[("email", "zhou@example.org")])
        .await;
    assert_eq!(
        (s, loc.as_deref()),
        (303, Some("/account/password?saved=email"))
    );
    let (_, html) = me.get("/account/password?saved=email").await;
    assert!(html.contains("zhou@example.org") && html.contains("通知邮箱已保存"));
    // The change is in the audit log.
    let (_, log) = app
        .get(&app.token("admin").await, "/api/v1/audit?entity_kind=user")
        .await;
    assert!(log.to_string().contains("zhou@example.org"), "{log}");
}

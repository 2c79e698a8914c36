//! E-mail notifications, optional: when SMTP is configured, every in-app notification
//! ([`crate::notify::notify`]) of an account with an e-mail address is also sent by
//! e-mail. The `notifications` table is the outbox; [`Service::send_pending_emails`]
//! (called by the server's background loop) sends what is due.
//!
//! At most once per notification, also with several server processes: a sender claims
//! a row with a conditional UPDATE (the try counter it read must still be there and the
//! row must be due) and only the winner sends it. A failed send is recorded and tried
//! again later (after 1, 5, 30 and 120 minutes, five tries in all); a notification older
//! than three days is no longer e-mailed. A process that stops in the middle of a send
//! leaves that row claimed: it is not sent again, since it may have gone out.
use crate::error::{Result, StoreError};
use gongjiang_domain::Code;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, Message, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use std::time::Duration;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text (a relay on the same host or network only).
    None,
    /// Plain connect, then STARTTLS (required: no fallback to plain text).
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

impl SmtpTls {
    pub fn parse(s: &str) -> Option<SmtpTls> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "plain" | "off" => Some(SmtpTls::None),
            "starttls" => Some(SmtpTls::StartTls),
            "tls" | "ssl" | "smtps" => Some(SmtpTls::Tls),
            _ => None,
        }
    }

    /// The usual port for the mode.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::None => 25,
            SmtpTls::StartTls => 587,
            SmtpTls::Tls => 465,
        }
    }
}

/// SMTP settings.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `工匠平台 <noreply@example.gov.cn>` or a bare address.
    pub from: String,
    pub tls: SmtpTls,
    /// The address people open the console at, e.g. `https://gongjiang.example.gov.cn`:
    /// links in e-mails are made absolute with it.
    pub public_url: String,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .field("tls", &self.tls)
            .field("public_url", &self.public_url)
            .finish()
    }
}

/// A checked SMTP configuration, ready to send.
pub struct Mailer {
    pub settings: SmtpSettings,
    from: Mailbox,
    base: String,
    hello: ClientId,
    tls: Option<TlsParameters>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.settings.fmt(f)
    }
}

/// Tries before a notification is no longer e-mailed.
pub const MAX_TRIES: i64 = 5;
/// Notifications older than this are not e-mailed (in-app only).
pub const MAX_AGE_MS: i64 = 3 * 24 * 3600 * 1000;
/// `email_next_at` of a row being sent.
pub(crate) const IN_FLIGHT: i64 = i64::MAX;
/// Rows looked at per run.
pub(crate) const BATCH: i64 = 100;

pub(crate) fn backoff_ms(tries: i64) -> i64 {
    60_000
        * match tries {
            ..=1 => 1,
            2 => 5,
            3 => 30,
            _ => 120,
        }
}

impl Mailer {
    /// Checks the settings; the message names the one that is wrong.
    pub fn new(s: SmtpSettings) -> std::result::Result<Mailer, String> {
        if s.host.trim().is_empty() {
            return Err("SMTP host 不能为空 (smtp host is required)".into());
        }
        let from: Mailbox = s.from.trim().parse().map_err(|e| {
            format!(
                "SMTP from“{}”不是有效的发件地址 (not a sender address): {e}",
                s.from
            )
        })?;
        let base = s.public_url.trim().trim_end_matches('/').to_string();
        let u = url::Url::parse(&base).map_err(|_| {
            format!(
                "启用邮件通知须配置 public_url(平台的访问网址,如 https://gongjiang.example.gov.cn),当前为“{}” (public_url must be the console's http(s) address)",
                s.public_url
            )
        })?;
        if !matches!(u.scheme(), "http" | "https") {
            return Err(format!(
                "public_url 须为 http:// 或 https:// 网址 (must be http(s)): {}",
                s.public_url
            ));
        }
        if s.username.is_some() != s.password.is_some() {
            return Err(
                "SMTP username 与 password 须同时配置 (set both smtp username and password)".into(),
            );
        }
        let tls = match s.tls {
            SmtpTls::None => None,
            SmtpTls::StartTls | SmtpTls::Tls => Some(
                TlsParameters::new(s.host.trim().to_string())
                    .map_err(|e| format!("SMTP TLS ({}): {e}", s.host))?,
            ),
        };
        let hello = ClientId::Domain(u.host_str().unwrap_or("gongjiang").to_string());
        Ok(Mailer {
            from,
            base,
            hello,
            tls,
            settings: s,
        })
    }

    fn unreachable(&self, e: &lettre::transport::smtp::Error) -> StoreError {
        StoreError::Unavailable {
            code: Code::MailUnavailable,
            zh: format!(
                "邮件服务器 {}:{} 无法使用:{e}",
                self.settings.host, self.settings.port
            ),
            en: format!(
                "the mail server {}:{} cannot be used: {e}",
                self.settings.host, self.settings.port
            ),
        }
    }

    /// Opens a connection: TLS as configured, then authentication if configured.
    pub(crate) async fn connect(&self) -> Result<AsyncSmtpConnection> {
        let s = &self.settings;
        let wrap = match s.tls {
            SmtpTls::Tls => self.tls.clone(),
            _ => None,
        };
        let mut conn = AsyncSmtpConnection::connect_tokio1(
            (s.host.trim(), s.port),
            Some(Duration::from_secs(30)),
            &self.hello,
            wrap,
            None,
        )
        .await
        .map_err(|e| self.unreachable(&e))?;
        if s.tls == SmtpTls::StartTls {
            let Some(p) = self.tls.clone() else {
                return Err(StoreError::Other("STARTTLS without TLS parameters".into()));
            };
            if !conn.can_starttls() {
                conn.abort().await;
                return Err(StoreError::Unavailable {
                    code: Code::MailUnavailable,
                    zh: format!(
                        "邮件服务器 {}:{} 不支持 STARTTLS;请改用 tls 或 none",
                        s.host, s.port
                    ),
                    en: format!(
                        "the mail server {}:{} does not offer STARTTLS; use tls or none",
                        s.host, s.port
                    ),
                });
            }
            conn.starttls(p, &self.hello)
                .await
                .map_err(|e| self.unreachable(&e))?;
        }
        if let (Some(u), Some(p)) = (&s.username, &s.password) {
            conn.auth(
                &[Mechanism::Plain, Mechanism::Login],
                &Credentials::new(u.clone(), p.clone()),
            )
            .await
            .map_err(|e| self.unreachable(&e))?;
        }
        Ok(conn)
    }

    /// The e-mail for a notification: the subject is the message (shortened), the body
    /// the message and the absolute link.
    pub fn message(
        &self,
        to: &str,
        name: &str,
        text: &str,
        link: Option<&str>,
    ) -> std::result::Result<Message, String> {
        let to: Mailbox = Mailbox::new(
            Some(name.to_string()).filter(|n| !n.is_empty()),
            to.parse().map_err(|e| format!("{to}: {e}"))?,
        );
        let first = text.lines().next().unwrap_or_default();
        let subject = if first.chars().count() > 60 {
            format!("【工匠】{}…", first.chars().take(60).collect::<String>())
        } else {
            format!("【工匠】{first}")
        };
        let mut body = String::new();
        if !name.is_empty() {
            body.push_str(&format!("{name}:\n\n"));
        }
        body.push_str(text);
        body.push_str("\n\n");
        if let Some(l) = link.filter(|l| !l.is_empty()) {
            let abs = if l.starts_with("http://") || l.starts_with("https://") {
                l.to_string()
            } else {
                format!("{}/{}", self.base, l.trim_start_matches('/'))
            };
            body.push_str(&format!("查看详情:{abs}\n\n"));
        }
        body.push_str(
            "——\n工匠 · 产业工人队伍建设改革工作平台\n此邮件由系统自动发送,请勿直接回复。\n",
        );
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .header(ContentTransferEncoding::Base64)
                    .body(body),
            )
            .map_err(|e| e.to_string())
    }
}

pub(crate) struct Due {
    pub(crate) id: i64,
    pub(crate) tries: i64,
    pub(crate) message: String,
    pub(crate) link: Option<String>,
    pub(crate) email: String,
    pub(crate) name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port: 2525,
            username: None,
            password: None,
            from: "工匠平台 <noreply@example.org>".into(),
            tls: SmtpTls::None,
            public_url: "https://gj.example.org/".into(),
        }
    }

    #[test]
    fn settings_are_checked() {
        assert!(Mailer::new(settings()).is_ok());
        assert!(Mailer::new(SmtpSettings {
            from: "not an address".into(),
            ..settings()
        })
        .is_err());
        assert!(Mailer::new(SmtpSettings {
            public_url: String::new(),
            ..settings()
        })
        .is_err());
        assert!(Mailer::new(SmtpSettings {
            username: Some("u".into()),
            ..settings()
        })
        .is_err());
        assert!(!format!(
            "{:?}",
            SmtpSettings {
                password: Some("hunter2".into()),
                ..settings()
            }
        )
        .contains("hunter2"));
        assert_eq!(SmtpTls::parse("STARTTLS"), Some(SmtpTls::StartTls));
        assert_eq!(SmtpTls::parse("x"), None);
    }

    #[test]
    fn the_mail_links_absolutely() {
        let m = Mailer::new(settings()).unwrap();
        let msg = m
            .message(
                "a@example.org",
                "张三",
                "六有“组织”被退回:请补充",
                Some("/liuyou/1/2025"),
            )
            .unwrap();
        let raw = String::from_utf8(msg.formatted()).unwrap();
        assert!(raw.contains("Subject: =?utf-8?"), "{raw}");
        assert!(raw.contains("Content-Transfer-Encoding: base64"), "{raw}");
    }
}

//! Configuration: command-line flags, then `GONGJIANG_*` environment variables, then an
//! optional TOML file (`--config`, `GONGJIANG_CONFIG`, or `gongjiang.toml` in the data
//! directory), then defaults.
use clap::Args;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Data directory (embedded database, files) [default: ./gongjiang-data].
    #[arg(long, global = true, env = "GONGJIANG_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite:PATH or postgres://… (also DATABASE_URL). Not shown in logs.
    #[arg(
        long,
        global = true,
        env = "GONGJIANG_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// A TOML configuration file.
    #[arg(long, global = true, env = "GONGJIANG_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log filter, e.g. info or gongjiang=debug.
    #[arg(long, global = true, env = "GONGJIANG_LOG")]
    pub log: Option<String>,
    /// Log as JSON lines.
    #[arg(long, global = true, env = "GONGJIANG_LOG_JSON")]
    pub log_json: bool,
    /// Browser session idle timeout in minutes [default: 480].
    #[arg(long, global = true, env = "GONGJIANG_SESSION_MINUTES")]
    pub session_minutes: Option<u64>,
    /// Mark cookies Secure (when served over HTTPS).
    #[arg(long, global = true, env = "GONGJIANG_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// A reverse proxy whose X-Forwarded-For is believed: an address or CIDR range
    /// (repeat the flag, or separate with commas). Without one, the peer's address is
    /// the client's.
    #[arg(
        long = "trusted-proxy",
        global = true,
        env = "GONGJIANG_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
}

/// The TOML file's keys (all optional).
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub addr: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub log: Option<String>,
    pub log_json: Option<bool>,
    pub session_minutes: Option<u64>,
    pub token_minutes: Option<u64>,
    pub secure_cookies: Option<bool>,
    pub max_failed_logins: Option<u32>,
    pub lockout_minutes: Option<u64>,
    /// PostgreSQL: keep sessions and the data version between requests, kept fresh by
    /// LISTEN/NOTIFY (default on; off: every request reads its session).
    pub keep_sessions: Option<bool>,
    /// Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges).
    pub trusted_proxies: Option<Vec<String>>,
    pub lang: Option<String>,
    /// 64 hex characters: the key that encrypts personal data (or use a key file).
    pub data_key: Option<String>,
    /// The console's address as people open it (links in e-mails), e.g.
    /// `https://gongjiang.example.gov.cn`.
    pub public_url: Option<String>,
    /// Where uploaded files are kept (`[files]`).
    #[serde(default)]
    pub files: FilesConfig,
    /// E-mail notifications (`[smtp]`); without a host, none are sent.
    #[serde(default)]
    pub smtp: SmtpConfig,
}

/// `[files]`: `backend = "disk"` (default; `dir`, default the data directory's `files/`)
/// or `backend = "s3"` with endpoint, bucket, region, access_key, secret_key, prefix.
/// Environment variables override: GONGJIANG_FILES_BACKEND, GONGJIANG_FILES_DIR,
/// GONGJIANG_S3_ENDPOINT, GONGJIANG_S3_BUCKET, GONGJIANG_S3_REGION,
/// GONGJIANG_S3_ACCESS_KEY, GONGJIANG_S3_SECRET_KEY, GONGJIANG_S3_PREFIX.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct FilesConfig {
    pub backend: Option<String>,
    pub dir: Option<PathBuf>,
    pub endpoint: Option<String>,
    pub bucket: Option<String>,
    pub region: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub prefix: Option<String>,
}

/// `[smtp]`: host, port, username, password, from, tls (none / starttls / tls).
/// Environment variables override: GONGJIANG_SMTP_HOST, GONGJIANG_SMTP_PORT,
/// GONGJIANG_SMTP_USERNAME, GONGJIANG_SMTP_PASSWORD, GONGJIANG_SMTP_FROM,
/// GONGJIANG_SMTP_TLS; the link base is `public_url` / GONGJIANG_PUBLIC_URL.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: Option<String>,
    pub tls: Option<String>,
}

/// An environment variable if set and not blank, else the file's value.
fn env_or(var: &str, file: &Option<String>) -> Option<String> {
    std::env::var(var)
        .ok()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| file.clone().filter(|s| !s.trim().is_empty()))
}

pub struct Config {
    pub data_dir: PathBuf,
    database_url: Option<String>,
    pub log: String,
    pub log_json: bool,
    pub english: bool,
    pub session_minutes: u64,
    pub secure_cookies: bool,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub file: FileConfig,
}

impl Config {
    pub fn load(g: &Global) -> Result<Config, String> {
        let explicit = g.config.clone();
        let data_dir_pre = g
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("gongjiang-data"));
        let path = explicit.clone().or_else(|| {
            let p = data_dir_pre.join("gongjiang.toml");
            p.exists().then_some(p)
        });
        let file = match path {
            Some(p) => {
                let text = std::fs::read_to_string(&p)
                    .map_err(|e| format!("配置文件 {}: {e}", p.display()))?;
                toml::from_str::<FileConfig>(&text)
                    .map_err(|e| format!("配置文件 {} 有误: {e}", p.display()))?
            }
            None => FileConfig::default(),
        };
        let env_lang = std::env::var("GONGJIANG_LANG").ok();
        let english = env_lang
            .or(file.lang.clone())
            .is_some_and(|l| l.starts_with("en"));
        let database_url = g
            .database_url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok())
            .or(file.database_url.clone())
            .filter(|s| !s.trim().is_empty());
        let proxies = if g.trusted_proxies.is_empty() {
            file.trusted_proxies.clone().unwrap_or_default()
        } else {
            g.trusted_proxies.clone()
        };
        let trusted_proxies = gongjiang_web::throttle::parse_trusted(&proxies)
            .map_err(|e| format!("--trusted-proxy / trusted_proxies 有误: {e}"))?;
        Ok(Config {
            trusted_proxies,
            data_dir: g
                .data_dir
                .clone()
                .or(file.data_dir.clone())
                .unwrap_or_else(|| PathBuf::from("gongjiang-data")),
            database_url,
            log: g
                .log
                .clone()
                .or(file.log.clone())
                .unwrap_or_else(|| "info".into()),
            log_json: g.log_json || file.log_json.unwrap_or(false),
            english,
            session_minutes: g.session_minutes.or(file.session_minutes).unwrap_or(480),
            secure_cookies: g.secure_cookies || file.secure_cookies.unwrap_or(false),
            file,
        })
    }

    /// The database URL; without one, an embedded SQLite file in the data directory.
    pub fn database_url(&self) -> Result<String, String> {
        if let Some(u) = &self.database_url {
            return Ok(u.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .map_err(|e| format!("{}: {e}", self.data_dir.display()))?;
        Ok(format!(
            "sqlite://{}?mode=rwc",
            self.data_dir.join("gongjiang.db").display()
        ))
    }

    /// The key for personal data: `GONGJIANG_DATA_KEY`, the file's `data_key`, or the key
    /// file `data.key` in the data directory (created on first use, readable by the owner
    /// only). Never stored in the database.
    pub fn data_key(&self) -> Result<gongjiang_storage::crypto::DataKey, String> {
        let configured = std::env::var("GONGJIANG_DATA_KEY")
            .ok()
            .or(self.file.data_key.clone())
            .filter(|s| !s.trim().is_empty());
        if let Some(k) = configured {
            return gongjiang_storage::crypto::DataKey::from_hex(&k).ok_or_else(|| {
                "GONGJIANG_DATA_KEY / data_key 须为64位十六进制字符 (must be 64 hex characters)"
                    .to_string()
            });
        }
        let path = self.data_dir.join("data.key");
        if let Ok(s) = std::fs::read_to_string(&path) {
            return gongjiang_storage::crypto::DataKey::from_hex(&s)
                .ok_or_else(|| format!("{}: 密钥文件格式错误 (bad key file)", path.display()));
        }
        std::fs::create_dir_all(&self.data_dir)
            .map_err(|e| format!("{}: {e}", self.data_dir.display()))?;
        let key = gongjiang_storage::crypto::DataKey::random();
        std::fs::write(&path, key.to_hex()).map_err(|e| format!("{}: {e}", path.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
        Ok(key)
    }

    /// The file store: the data directory's `files/`, another directory, or an
    /// S3-compatible bucket.
    pub fn file_store(&self) -> Result<gongjiang_storage::files::FileStore, String> {
        use gongjiang_storage::files::FileStore;
        let f = &self.file.files;
        let backend = env_or("GONGJIANG_FILES_BACKEND", &f.backend)
            .unwrap_or_else(|| "disk".into())
            .to_ascii_lowercase();
        match backend.as_str() {
            "disk" => Ok(FileStore::Disk(
                std::env::var("GONGJIANG_FILES_DIR")
                    .ok()
                    .filter(|s| !s.trim().is_empty())
                    .map(PathBuf::from)
                    .or(f.dir.clone())
                    .unwrap_or_else(|| self.data_dir.join("files")),
            )),
            "s3" => {
                let need = |var: &str, key: &str, v: &Option<String>| {
                    env_or(var, v).ok_or_else(|| {
                        format!("[files] backend = \"s3\" 须配置 {key}(或环境变量 {var}) (s3 needs {key} or {var})")
                    })
                };
                let cfg = gongjiang_storage::s3::S3Config {
                    endpoint: need("GONGJIANG_S3_ENDPOINT", "endpoint", &f.endpoint)?,
                    bucket: need("GONGJIANG_S3_BUCKET", "bucket", &f.bucket)?,
                    region: env_or("GONGJIANG_S3_REGION", &f.region)
                        .unwrap_or_else(|| "us-east-1".into()),
                    access_key: need("GONGJIANG_S3_ACCESS_KEY", "access_key", &f.access_key)?,
                    secret_key: need("GONGJIANG_S3_SECRET_KEY", "secret_key", &f.secret_key)?,
                    prefix: env_or("GONGJIANG_S3_PREFIX", &f.prefix).unwrap_or_default(),
                };
                FileStore::s3(cfg)
            }
            other => Err(format!(
                "[files] backend“{other}”无效,应为 disk 或 s3 (backend must be disk or s3)"
            )),
        }
    }

    /// The e-mail sender, when an SMTP host is configured.
    pub fn mailer(&self) -> Result<Option<gongjiang_storage::mail::Mailer>, String> {
        use gongjiang_storage::mail::{Mailer, SmtpSettings, SmtpTls};
        let s = &self.file.smtp;
        let Some(host) = env_or("GONGJIANG_SMTP_HOST", &s.host) else {
            return Ok(None);
        };
        let tls = match env_or("GONGJIANG_SMTP_TLS", &s.tls) {
            None => SmtpTls::StartTls,
            Some(t) => SmtpTls::parse(&t).ok_or_else(|| {
                format!("[smtp] tls“{t}”无效,应为 none、starttls 或 tls (tls must be none, starttls or tls)")
            })?,
        };
        let port = match std::env::var("GONGJIANG_SMTP_PORT")
            .ok()
            .filter(|p| !p.trim().is_empty())
        {
            Some(p) => p
                .trim()
                .parse::<u16>()
                .map_err(|_| format!("GONGJIANG_SMTP_PORT“{p}”不是端口号 (not a port number)"))?,
            None => s.port.unwrap_or(tls.default_port()),
        };
        let from = env_or("GONGJIANG_SMTP_FROM", &s.from).ok_or_else(|| {
            "[smtp] 须配置 from(发件地址,或环境变量 GONGJIANG_SMTP_FROM) (smtp needs from)"
                .to_string()
        })?;
        Mailer::new(SmtpSettings {
            host,
            port,
            username: env_or("GONGJIANG_SMTP_USERNAME", &s.username),
            password: env_or("GONGJIANG_SMTP_PASSWORD", &s.password),
            from,
            tls,
            public_url: env_or("GONGJIANG_PUBLIC_URL", &self.file.public_url).unwrap_or_default(),
        })
        .map(Some)
    }

    pub fn web(&self) -> gongjiang_web::WebConfig {
        let d = gongjiang_web::WebConfig::default();
        gongjiang_web::WebConfig {
            session_ttl: Duration::from_secs(self.session_minutes * 60),
            token_ttl: self
                .file
                .token_minutes
                .map(|m| Duration::from_secs(m * 60))
                .unwrap_or(d.token_ttl),
            secure_cookies: self.secure_cookies,
            max_failed_logins: self.file.max_failed_logins.unwrap_or(d.max_failed_logins),
            lockout: self
                .file
                .lockout_minutes
                .map(|m| Duration::from_secs(m * 60))
                .unwrap_or(d.lockout),
            trusted_proxies: self.trusted_proxies.clone(),
            data_dir: self.data_dir.display().to_string(),
            keep_sessions: self.file.keep_sessions.unwrap_or(true),
            ..d
        }
    }
}

pub fn init_tracing(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&cfg.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cfg.log_json {
        b.json().init();
    } else {
        b.init();
    }
}

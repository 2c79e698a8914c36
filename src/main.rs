//! `gongjiang`: the command line. A thin layer: parse arguments and configuration, then
//! call the storage service or start the web server.
mod config;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options: a background thread returns freed pages to the system within
/// about a second, so a finished import's rows and problems do not stay resident
/// (issue #9: eight failed 60 MB uploads; docs/performance.md).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[no_mangle]
#[allow(non_upper_case_globals)]
pub static malloc_conf: &[u8; 60] =
    b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";

use clap::{Parser, Subcommand};
use config::{Config, Global};
use gongjiang_domain::Role;
use gongjiang_storage::service::Service;
use gongjiang_storage::{Actor, Db};
use std::io::{BufReader, IsTerminal, Read};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "gongjiang",
    version,
    about = "工匠 · 产业工人队伍建设改革工作平台 (industrial-workforce reform platform)"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the web server (UI, API, health, metrics).
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, env = "GONGJIANG_ADDR")]
        addr: Option<String>,
        /// Load the demo dataset first if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Load the deterministic demo dataset into the configured database.
    Demo {
        /// city (≈1,300 organisations) or province (≈100,000).
        #[arg(long, default_value = "city")]
        scale: String,
        #[arg(long, default_value_t = gongjiang_demo::DEFAULT_SEED)]
        seed: u64,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Write a consistent online backup of the whole database.
    Backup {
        #[arg(short = 'o', long = "output")]
        output: std::path::PathBuf,
    },
    /// Replace the database's contents with a backup (all or nothing).
    Restore { file: std::path::PathBuf },
    /// Import an .xlsx or .csv file (orgs, pilots, reports, designations, workers, classes,
    /// contests, contest_results, innovations). Everything is
    /// validated first; by default a file with any invalid row writes nothing.
    Import {
        kind: String,
        file: std::path::PathBuf,
        /// Reports: rows without a period take P; rows of another period are rejected.
        #[arg(long)]
        period: Option<String>,
        /// Validate and report, write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write the valid rows; the rejected ones go to FILE.rejected.xlsx with a reason.
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Export in the import template's columns (.xlsx or .csv by extension).
    Export {
        kind: String,
        /// A region code, 统一社会信用代码 or org id: that subtree only.
        #[arg(long)]
        org: Option<String>,
        /// Reports of this period only.
        #[arg(long)]
        period: Option<String>,
        #[arg(short = 'o', long = "output")]
        output: std::path::PathBuf,
    },
    /// Write the empty import template (.xlsx with notes and drop-down lists).
    Template {
        kind: String,
        #[arg(short = 'o', long = "output")]
        output: std::path::PathBuf,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create an account.
    Add {
        name: String,
        /// sysadmin, city, district, town, department, unit, expert or worker.
        #[arg(long)]
        role: String,
        /// A region code, a 统一社会信用代码 or an organisation id.
        #[arg(long)]
        org: String,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        display_name: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Check the hash chain and name the first broken entry.
    Verify,
}

/// Exit codes of contracts.md.
const EXIT_RUNTIME: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_REJECTED: u8 = 3;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let cfg = match Config::load(&cli.global) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    config::init_tracing(&cfg);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tokio: {e}");
            return ExitCode::from(EXIT_RUNTIME);
        }
    };
    rt.block_on(run(cli.cmd, cfg))
}

fn msg(cfg: &Config, zh: &str, en: &str) -> String {
    if cfg.english {
        en.to_string()
    } else {
        zh.to_string()
    }
}

async fn open(cfg: &Config) -> Result<Service, String> {
    let url = cfg.database_url()?;
    let db = Db::connect(&url).await.map_err(|e| {
        format!(
            "{}: {e}",
            msg(cfg, "无法连接数据库", "cannot open the database")
        )
    })?;
    db.migrate()
        .await
        .map_err(|e| format!("{}: {e}", msg(cfg, "数据库迁移失败", "migration failed")))?;
    let mut svc = Service::with_key(db, cfg.data_key()?).with_files(cfg.file_store()?);
    if let Some(m) = cfg.mailer()? {
        svc = svc.with_mail(m);
    }
    svc.ensure_base_regions().await.map_err(|e| e.to_string())?;
    Ok(svc)
}

async fn run(cmd: Cmd, cfg: Config) -> ExitCode {
    let result = match cmd {
        Cmd::Serve { addr, demo } => serve(&cfg, addr, demo).await,
        Cmd::Demo { scale, seed } => match open(&cfg).await {
            Ok(svc) => load_demo(&cfg, &svc, &scale, seed).await,
            Err(e) => Err((EXIT_RUNTIME, e)),
        },
        Cmd::User {
            cmd:
                UserCmd::Add {
                    name,
                    role,
                    org,
                    password_stdin,
                    display_name,
                },
        } => user_add(&cfg, &name, &role, &org, password_stdin, display_name).await,
        Cmd::Backup { output } => backup(&cfg, &output).await,
        Cmd::Restore { file } => restore(&cfg, &file).await,
        Cmd::Audit {
            cmd: AuditCmd::Verify,
        } => audit_verify(&cfg).await,
        Cmd::Import {
            kind,
            file,
            period,
            dry_run,
            skip_invalid,
        } => import(&cfg, &kind, &file, period.as_deref(), dry_run, skip_invalid).await,
        Cmd::Export {
            kind,
            org,
            period,
            output,
        } => export(&cfg, &kind, org.as_deref(), period.as_deref(), &output).await,
        Cmd::Template { kind, output } => template(&cfg, &kind, &output),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, e)) => {
            eprintln!("{e}");
            ExitCode::from(code)
        }
    }
}

type CmdResult = Result<(), (u8, String)>;

fn rt_err<E: std::fmt::Display>(e: E) -> (u8, String) {
    (EXIT_RUNTIME, e.to_string())
}

fn store_err(cfg: &Config, e: gongjiang_storage::StoreError) -> (u8, String) {
    match e {
        gongjiang_storage::StoreError::Invalid(errs) => (
            EXIT_REJECTED,
            errs.iter()
                .map(|e| e.message(cfg.english).to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        gongjiang_storage::StoreError::Conflict { zh, en, .. } => {
            (EXIT_REJECTED, if cfg.english { en } else { zh })
        }
        gongjiang_storage::StoreError::Unavailable { zh, en, .. } => {
            (EXIT_RUNTIME, if cfg.english { en } else { zh })
        }
        e => (EXIT_RUNTIME, e.to_string()),
    }
}

async fn load_demo(cfg: &Config, svc: &Service, scale: &str, seed: u64) -> CmdResult {
    let data = match scale {
        "city" => gongjiang_demo::generate(seed),
        "province" => gongjiang_demo::scaled(seed, 100_000),
        other => {
            return Err((
                EXIT_USAGE,
                format!(
                    "{}: {other} (city | province)",
                    msg(cfg, "未知的规模", "unknown scale")
                ),
            ))
        }
    };
    if !svc.db.is_empty().await.map_err(rt_err)? {
        return Err((EXIT_REJECTED, msg(cfg, "数据库中已有数据,演示数据只能载入空数据库", "the database already holds data; the demo dataset loads into an empty database only")));
    }
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(data.orgs.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
        {
            b.set_style(style.progress_chars("=> "));
        }
        b.set_message(msg(cfg, "载入演示数据", "loading demo data"));
        Some(b)
    } else {
        None
    };
    let loaded = gongjiang_demo::load_seeded(svc, &data, seed, &mut |done, _| {
        if let Some(b) = &bar {
            b.set_position(done as u64);
        }
    })
    .await
    .map_err(|e| store_err(cfg, e))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    eprintln!(
        "{}",
        if cfg.english {
            format!(
                "demo data loaded: {} regions, {} organisations, {} pilots, {} designations, {} reports, {} workers, {} accounts",
                loaded.regions, loaded.orgs, loaded.pilots, loaded.designations, loaded.reports, loaded.workers, loaded.users
            )
        } else {
            format!(
                "演示数据已载入:{} 个区划,{} 个单位,{} 条试点,{} 条认定,{} 份统计报表,{} 名职工,{} 个账号",
                loaded.regions, loaded.orgs, loaded.pilots, loaded.designations, loaded.reports, loaded.workers, loaded.users
            )
        }
    );
    Ok(())
}

async fn serve(cfg: &Config, addr: Option<String>, demo: bool) -> CmdResult {
    let addr = addr
        .or_else(|| cfg.file.addr.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let svc = open(cfg).await.map_err(|e| (EXIT_RUNTIME, e))?;
    if demo && svc.db.is_empty().await.map_err(rt_err)? {
        load_demo(cfg, &svc, "city", gongjiang_demo::DEFAULT_SEED).await?;
    }
    let listener = tokio::net::TcpListener::bind(&addr).await.map_err(|e| {
        (
            EXIT_RUNTIME,
            format!("{} {addr}: {e}", msg(cfg, "无法监听", "cannot listen on")),
        )
    })?;
    let local = listener.local_addr().map_err(rt_err)?;
    // An unreachable file store does not stop the server (everything but files works):
    // it is said at once rather than at the first upload.
    if let Err(e) = svc.files.check().await {
        tracing::warn!(store = %svc.files.describe(), error = %e, "file store not usable");
        eprintln!(
            "{} {}: {}",
            msg(
                cfg,
                "警告:文件存储暂不可用",
                "warning: the file store is not usable"
            ),
            svc.files.describe(),
            store_err(cfg, e).1
        );
    }
    if let Some(m) = &svc.mail {
        tracing::info!(host = %m.settings.host, port = m.settings.port, "e-mail notifications on");
    }
    let state = gongjiang_web::AppState::new(svc, cfg.web());
    tracing::info!(addr = %local, database = %gongjiang_storage::db::redact(&cfg.database_url().unwrap_or_default()), "gongjiang listening");
    eprintln!("gongjiang {}: http://{local}/", env!("CARGO_PKG_VERSION"));
    if demo {
        eprintln!(
            "{}",
            msg(
                cfg,
                "演示账号(密码均为 gongjiang-demo):",
                "Demo accounts (password gongjiang-demo for all):"
            )
        );
        for (u, name, role, _) in gongjiang_demo::DEMO_ACCOUNTS {
            eprintln!("  {u:<10} {:<22} {name}", role.label(cfg.english));
        }
    }
    gongjiang_web::serve(listener, state).await.map_err(rt_err)
}

async fn user_add(
    cfg: &Config,
    name: &str,
    role: &str,
    org: &str,
    password_stdin: bool,
    display: Option<String>,
) -> CmdResult {
    let Some(role) = Role::from_any(role) else {
        return Err((EXIT_USAGE, format!("{}: {role}", msg(cfg, "未知角色(sysadmin、city、district、town、department、unit、expert、worker)", "unknown role (sysadmin, city, district, town, department, unit, expert, worker)"))));
    };
    let password = if password_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(rt_err)?;
        s.trim_end_matches(['\r', '\n']).to_string()
    } else {
        let p1 = rpassword::prompt_password(msg(cfg, "密码:", "Password: ")).map_err(rt_err)?;
        let p2 = rpassword::prompt_password(msg(cfg, "再次输入:", "Again: ")).map_err(rt_err)?;
        if p1 != p2 {
            return Err((
                EXIT_REJECTED,
                msg(cfg, "两次输入的密码不一致", "the passwords differ"),
            ));
        }
        p1
    };
    let svc = open(cfg).await.map_err(|e| (EXIT_RUNTIME, e))?;
    let actor = Actor::system("cli");
    let u = svc
        .create_user(
            &actor,
            name,
            display.as_deref().unwrap_or(""),
            role,
            org,
            &password,
            false,
        )
        .await
        .map_err(|e| store_err(cfg, e))?;
    eprintln!(
        "{} {} ({}, {})",
        msg(cfg, "已创建用户", "created user"),
        u.username,
        role.code(),
        u.attached_to()
    );
    Ok(())
}

async fn backup(cfg: &Config, out: &std::path::Path) -> CmdResult {
    let svc = open(cfg).await.map_err(|e| (EXIT_RUNTIME, e))?;
    let tmp = out.with_extension("partial");
    let file = std::fs::File::create(&tmp)
        .map_err(|e| (EXIT_RUNTIME, format!("{}: {e}", tmp.display())))?;
    let mut w = std::io::BufWriter::new(file);
    let summary =
        match gongjiang_storage::backup::backup_with_files(&svc.db, &svc.files, &mut w).await {
            Ok(s) => s,
            Err(e) => {
                drop(w);
                let _ = std::fs::remove_file(&tmp);
                return Err(store_err(cfg, e));
            }
        };
    std::io::Write::flush(&mut w).map_err(rt_err)?;
    drop(w);
    std::fs::rename(&tmp, out).map_err(rt_err)?;
    let rows: i64 = summary.tables.iter().map(|(_, n)| n).sum();
    eprintln!(
        "{} {} ({} {}, {} {}, {:.1} MB)",
        msg(cfg, "备份完成:", "backup written:"),
        out.display(),
        rows,
        msg(cfg, "行", "rows"),
        summary.files,
        msg(cfg, "个文件", "files"),
        summary.file_bytes as f64 / 1_048_576.0
    );
    Ok(())
}

async fn restore(cfg: &Config, file: &std::path::Path) -> CmdResult {
    let svc = open(cfg).await.map_err(|e| (EXIT_RUNTIME, e))?;
    let f = std::fs::File::open(file)
        .map_err(|e| (EXIT_RUNTIME, format!("{}: {e}", file.display())))?;
    let mut r = BufReader::new(f);
    let summary = gongjiang_storage::backup::restore_with_files(&svc.db, &svc.files, &mut r)
        .await
        .map_err(|e| {
            let prefix = msg(
                cfg,
                "备份文件无法恢复,数据库未作任何改动:",
                "the backup cannot be restored; nothing was changed: ",
            );
            match e {
                // The file store failed, not the backup.
                e @ gongjiang_storage::StoreError::Unavailable { .. } => {
                    let (_, m) = store_err(cfg, e);
                    (EXIT_RUNTIME, format!("{prefix}{m}"))
                }
                e => (EXIT_REJECTED, format!("{prefix}{e}")),
            }
        })?;
    svc.record(
        &Actor::system("cli"),
        gongjiang_storage::audit::action::RESTORE,
        "system",
        "backup",
        &file.display().to_string(),
    )
    .await
    .map_err(rt_err)?;
    let rows: i64 = summary.tables.iter().map(|(_, n)| n).sum();
    eprintln!(
        "{} {} ({} {}, {} {})",
        msg(cfg, "已从备份恢复:", "restored from"),
        file.display(),
        rows,
        msg(cfg, "行", "rows"),
        summary.files,
        msg(cfg, "个文件", "files")
    );
    if summary.missing_files > 0 {
        eprintln!(
            "{} {} ({})",
            summary.missing_files,
            msg(
                cfg,
                "个已登记文件的内容不在文件存储中:此备份不含文件内容,请从原 files/ 目录复制",
                "registered files have no content in the file store: this backup holds no file contents; copy the old files/ directory"
            ),
            svc.files.describe()
        );
    }
    Ok(())
}

async fn audit_verify(cfg: &Config) -> CmdResult {
    let svc = open(cfg).await.map_err(|e| (EXIT_RUNTIME, e))?;
    match svc.verify_audit().await.map_err(rt_err)? {
        gongjiang_storage::audit::Verdict::Intact { entries } => {
            println!(
                "{} ({entries} {})",
                msg(cfg, "审计日志哈希链完整", "audit log hash chain intact"),
                msg(cfg, "条", "entries")
            );
            Ok(())
        }
        gongjiang_storage::audit::Verdict::Broken { seq, reason } => Err((
            EXIT_RUNTIME,
            format!(
                "{} #{seq}: {reason}",
                msg(
                    cfg,
                    "审计日志哈希链断裂,第一处断点为第",
                    "audit log hash chain broken at entry"
                )
            ),
        )),
    }
}

fn import_err(cfg: &Config, e: gongjiang_io::run::ImportError) -> (u8, String) {
    use gongjiang_io::run::ImportError as E;
    let code = match &e {
        E::UnknownKind(_) | E::BadOption(_) => EXIT_USAGE,
        E::Store(gongjiang_storage::StoreError::Db(_))
        | E::Store(gongjiang_storage::StoreError::Other(_)) => EXIT_RUNTIME,
        _ => EXIT_REJECTED,
    };
    (code, e.message(cfg.english))
}

async fn import(
    cfg: &Config,
    kind: &str,
    file: &std::path::Path,
    period: Option<&str>,
    dry_run: bool,
    skip_invalid: bool,
) -> CmdResult {
    let bytes =
        std::fs::read(file).map_err(|e| (EXIT_RUNTIME, format!("{}: {e}", file.display())))?;
    let svc = open(cfg).await.map_err(|e| (EXIT_RUNTIME, e))?;
    let actor = Actor::system("cli");
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(100);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {percent}%") {
            b.set_style(style.progress_chars("=> "));
        }
        b.set_message(msg(cfg, "校验并导入", "validating and importing"));
        b
    });
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let opts = gongjiang_storage::import::Options {
        dry_run,
        skip_invalid,
        job: None,
    };
    let report = gongjiang_io::run::import_file_in_period(
        &svc,
        &actor,
        kind,
        &bytes,
        &name,
        period,
        opts,
        &mut |done, total| {
            if let Some(b) = &bar {
                b.set_position((done * 100 / total.max(1)) as u64);
            }
        },
    )
    .await
    .map_err(|e| import_err(cfg, e))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let o = &report.outcome;
    for p in &o.problems {
        let col = p.field.as_deref().unwrap_or("");
        eprintln!(
            "{} {} {col}: {}",
            msg(cfg, "第", "row"),
            p.row,
            if cfg.english {
                &p.message_en
            } else {
                &p.message_zh
            }
        );
    }
    if cfg.english {
        eprintln!(
            "{} rows: {} valid, {} rejected; {}",
            o.total,
            o.valid,
            o.total - o.valid,
            if o.written {
                format!(
                    "created {}, updated {}, unchanged {}",
                    o.created, o.updated, o.unchanged
                )
            } else {
                format!(
                    "nothing written (had it been, {} would have been created and {} existing records updated)",
                    o.would_create, o.would_update
                )
            }
        );
    } else {
        eprintln!(
            "共 {} 行:有效 {},拒绝 {};{}",
            o.total,
            o.valid,
            o.total - o.valid,
            if o.written {
                format!("新增 {},更新 {},未变 {}", o.created, o.updated, o.unchanged)
            } else {
                format!(
                    "未写入任何数据(如写入,将新增 {},更新已有记录 {})",
                    o.would_create, o.would_update
                )
            }
        );
    }
    if o.total > o.valid {
        if skip_invalid {
            if let Some(spec) = gongjiang_io::spec(kind) {
                let out = file.with_extension("rejected.xlsx");
                let wb = report
                    .rejected_workbook(spec, cfg.english)
                    .map_err(rt_err)?;
                std::fs::write(&out, wb).map_err(rt_err)?;
                eprintln!(
                    "{} {}",
                    msg(cfg, "被拒绝的行已写入", "rejected rows written to"),
                    out.display()
                );
            }
        }
        return Err((
            EXIT_REJECTED,
            msg(cfg, "文件中有无效的行", "the file has invalid rows"),
        ));
    }
    Ok(())
}

async fn export(
    cfg: &Config,
    kind: &str,
    org: Option<&str>,
    period: Option<&str>,
    out: &std::path::Path,
) -> CmdResult {
    let svc = open(cfg).await.map_err(|e| (EXIT_RUNTIME, e))?;
    let name = out.to_string_lossy().to_string();
    let bytes =
        gongjiang_io::run::export_file(&svc, &Actor::system("cli"), kind, org, period, &name)
            .await
            .map_err(|e| import_err(cfg, e))?;
    std::fs::write(out, bytes).map_err(|e| (EXIT_RUNTIME, format!("{}: {e}", out.display())))?;
    eprintln!("{} {}", msg(cfg, "已导出", "exported"), out.display());
    Ok(())
}

fn template(cfg: &Config, kind: &str, out: &std::path::Path) -> CmdResult {
    let Some(spec) = gongjiang_io::spec(kind) else {
        return Err((
            EXIT_USAGE,
            format!(
                "{}: {kind}",
                msg(
                    cfg,
                    "未知的模板类型(orgs、pilots、reports、workers、designations)",
                    "unknown template kind (orgs, pilots, reports, workers, designations)"
                )
            ),
        ));
    };
    let bytes = gongjiang_io::template(spec).map_err(rt_err)?;
    std::fs::write(out, bytes).map_err(|e| (EXIT_RUNTIME, format!("{}: {e}", out.display())))?;
    eprintln!(
        "{} {}",
        msg(cfg, "模板已写入", "template written to"),
        out.display()
    );
    Ok(())
}

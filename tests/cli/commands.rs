//! The command line, run as a user would run it.

use crate::common::*;
use std::io::Write;
use std::process::{Command, Output, Stdio};

impl Env {
    fn cmd(&self, args: &[&str], stdin: Option<&str>) -> Output {
        self.cmd_in(None, args, stdin)
    }

    /// The command run with `GONGJIANG_LANG` set to `lang` (none: the default, Chinese).
    fn cmd_in(&self, lang: Option<&str>, args: &[&str], stdin: Option<&str>) -> Output {
        let mut c = self.command();
        if let Some(lang) = lang {
            c.env("GONGJIANG_LANG", lang);
        }
        c.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(s) = stdin {
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }

    /// `gongjiang user add NAME --role ROLE --org ORG --password-stdin`, the password
    /// typed on standard input.
    fn user_add(&self, lang: Option<&str>, [name, role, org, password]: [&str; 4]) -> Output {
        let args = [
            "user",
            "add",
            name,
            "--role",
            role,
            "--org",
            org,
            "--password-stdin",
        ];
        self.cmd_in(lang, &args, Some(&format!("{password}\n")))
    }
}

#[tokio::test]
async fn user_add_on_a_fresh_database() {
    let e = env("cli").await;
    let chief = ["chief", "sysadmin", "320400", "Chief-Admin-2024"];
    let o = e.user_add(None, chief);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("已创建用户 chief"));
    // What is refused, with its exit code (3: input rejected, in Chinese by default;
    // 2: bad usage) and what the message says.
    let refused = [
        (chief, 3, "已存在"),
        (["weak", "city", "320400", "abc"], 3, "密码至少10个字符"),
        (["lost", "district", "999999", "Lost-Pass-2024"], 3, ""),
        (["x", "emperor", "320400", "x"], 2, ""),
    ];
    for (line, code, says) in refused {
        let o = e.user_add(None, line);
        assert_eq!(o.status.code(), Some(code), "{line:?}: {}", err(&o));
        assert!(err(&o).contains(says), "{line:?}: {}", err(&o));
    }
    let o = e.cmd(&["frobnicate"], None);
    assert_eq!(o.status.code(), Some(2));
    // English on request.
    let o = e.user_add(Some("en"), chief);
    assert!(err(&o).contains("is taken"), "{}", err(&o));
}

#[tokio::test]
async fn demo_backup_restore_and_audit_verify() {
    let e = env("cli").await;
    let o = e.cmd(&["demo"], None);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("1301 个单位"));
    // Loading twice is refused, nothing changes.
    let o = e.cmd(&["demo"], None);
    assert_eq!(o.status.code(), Some(3));
    let file = e.dir.join("backup.jsonl");
    let o = e.cmd(&["backup", "-o", file.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", err(&o));
    let o = e.cmd(&["audit", "verify"], None);
    assert!(o.status.success(), "{}", err(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("完整"));

    // Tamper with a row: verify names the entry and fails.
    let db = e.db().await;
    sqlx::query("UPDATE audit_log SET username = 'mallory' WHERE seq = 2")
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE orgs SET name = 'tampered' WHERE id = (SELECT MAX(id) FROM orgs)")
        .execute(&db.pool)
        .await
        .unwrap();
    db.close().await;
    let o = e.cmd(&["audit", "verify"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("#2"), "{}", err(&o));

    // Restore brings back the backed-up state.
    let o = e.cmd(&["restore", file.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", err(&o));
    let o = e.cmd(&["audit", "verify"], None);
    assert!(o.status.success(), "{}", err(&o));
    let db = e.db().await;
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orgs").await, 1301);
    let tampered = count(&db, "SELECT COUNT(*) FROM orgs WHERE name = 'tampered'").await;
    assert_eq!(tampered, 0, "restore brought the original name back");
    db.close().await;
    // A file that is not a backup is rejected.
    let junk = e.dir.join("junk.jsonl");
    std::fs::write(&junk, "hello\n").unwrap();
    let o = e.cmd(&["restore", junk.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(3));
    assert!(err(&o).contains("数据库未作任何改动"), "{}", err(&o));
}

/// One number read from the database.
async fn count(db: &gongjiang_storage::Db, sql: &str) -> i64 {
    let row = sqlx::query(sql).fetch_one(&db.pool).await.unwrap();
    sqlx::Row::try_get(&row, 0).unwrap()
}

#[test]
fn help_never_shows_secrets_and_config_file_is_read() {
    let o = Command::new(env!("CARGO_BIN_EXE_gongjiang"))
        .arg("--help")
        .env(
            "GONGJIANG_DATABASE_URL",
            "postgres://gj:s3cr3t-pw@127.0.0.1/gj",
        )
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("serve") && help.contains("backup"));
    assert!(!help.contains("s3cr3t"), "{help}");
    // A bad config file is a usage error naming the file.
    let dir = std::env::temp_dir().join(format!("gongjiang-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("gongjiang.toml");
    std::fs::write(&cfg, "adr = 1\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gongjiang"))
        .args(["--config", cfg.to_str().unwrap(), "audit", "verify"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("gongjiang.toml"));
    // The file's data_dir is used unless a flag says otherwise.
    let data = dir.join("from-config");
    std::fs::write(&cfg, format!("data_dir = \"{}\"\n", data.display())).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gongjiang"))
        .args(["--config", cfg.to_str().unwrap(), "audit", "verify"])
        .env_remove("GONGJIANG_DATABASE_URL")
        .env_remove("GONGJIANG_DATA_DIR")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(data.join("gongjiang.db").exists());
}

#[tokio::test]
async fn import_export_template_on_the_command_line() {
    let e = env("cli").await;
    assert!(e.cmd(&["demo"], None).status.success());
    let tpl = e.dir.join("t.xlsx");
    let o = e.cmd(&["template", "pilots", "-o", tpl.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(&std::fs::read(&tpl).unwrap()[..2], b"PK");
    assert_eq!(
        e.cmd(&["template", "nonsense", "-o", tpl.to_str().unwrap()], None)
            .status
            .code(),
        Some(2)
    );
    // Export, then import the same file: nothing changes.
    let out = e.dir.join("pilots.csv");
    let o = e.cmd(
        &[
            "export",
            "pilots",
            "--org",
            "320402",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", err(&o));
    let o = e.cmd(&["import", "pilots", out.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("新增 0,更新 0"), "{}", err(&o));
    // A file with a bad row: exit 3, nothing written; --dry-run writes nothing either.
    let bad = e.dir.join("orgs.csv");
    let good = gongjiang_domain::Uscc::from_first17("91320402MA0000777")
        .unwrap()
        .to_string();
    std::fs::write(&bad, format!("单位名称,统一社会信用代码,单位类型,所属区划代码\n命令行企业有限公司,{good},企业,320402\n坏企业有限公司,91320402MA1XXXXX00,企业,320402\n")).unwrap();
    let o = e.cmd(&["import", "orgs", bad.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        err(&o).contains("第 3") && err(&o).contains("校验码") && err(&o).contains("未写入"),
        "{}",
        err(&o)
    );
    let o = e.cmd(
        &["import", "orgs", bad.to_str().unwrap(), "--skip-invalid"],
        None,
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(err(&o).contains("新增 1"), "{}", err(&o));
    assert!(e.dir.join("orgs.rejected.xlsx").exists());
    let o = e.cmd(
        &["import", "orgs", bad.to_str().unwrap(), "--skip-invalid"],
        None,
    );
    assert!(
        err(&o).contains("新增 0"),
        "re-import is idempotent: {}",
        err(&o)
    );
    let junk = e.dir.join("junk.xlsx");
    std::fs::write(&junk, b"not a spreadsheet").unwrap();
    assert_eq!(
        e.cmd(&["import", "orgs", junk.to_str().unwrap()], None)
            .status
            .code(),
        Some(3)
    );
}

#[tokio::test]
async fn import_reports_with_a_period() {
    let e = env("cli").await;
    let uscc = |n: u32| {
        gongjiang_domain::Uscc::from_first17(&format!("91320402MA{n:07}"))
            .unwrap()
            .to_string()
    };
    let (a, b, c) = (uscc(1), uscc(2), uscc(3));
    let orgs = e.dir.join("orgs.csv");
    std::fs::write(
        &orgs,
        format!("单位名称,统一社会信用代码,单位类型,所属区划代码\n甲有限公司,{a},企业,320402\n乙有限公司,{b},企业,320402\n丙有限公司,{c},企业,320402\n"),
    )
    .unwrap();
    let o = e.cmd(&["import", "orgs", orgs.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", err(&o));
    let periods = || async {
        let db = e.db().await;
        let rows = sqlx::query("SELECT o.uscc, r.period, r.status, r.workers FROM reports r JOIN orgs o ON o.id = r.org_id ORDER BY o.uscc, r.period")
            .fetch_all(&db.pool)
            .await
            .unwrap();
        let out: Vec<(String, String, String, i64)> = rows
            .iter()
            .map(|r| {
                use sqlx::Row;
                (
                    r.try_get(0).unwrap(),
                    r.try_get(1).unwrap(),
                    r.try_get(2).unwrap(),
                    r.try_get(3).unwrap(),
                )
            })
            .collect();
        db.close().await;
        out
    };

    // No 报告期 column: without --period the file is refused, with it every row takes P.
    let no_col = e.dir.join("reports.csv");
    std::fs::write(
        &no_col,
        format!("统一社会信用代码,职工总数,高技能人才数\n{a},100,10\n{b},200,20\n"),
    )
    .unwrap();
    let o = e.cmd(&["import", "reports", no_col.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(3));
    assert!(err(&o).contains("缺少必填列“报告期”"), "{}", err(&o));
    let o = e.cmd(
        &[
            "import",
            "reports",
            no_col.to_str().unwrap(),
            "--period",
            "2024",
        ],
        None,
    );
    assert!(o.status.success(), "{}", err(&o));
    assert!(err(&o).contains("新增 2"), "{}", err(&o));
    assert_eq!(
        periods().await,
        [
            (a.clone(), "2024".into(), "approved".into(), 100),
            (b.clone(), "2024".into(), "approved".into(), 200)
        ]
    );

    // A 报告期 column: empty cells take P, equal ones pass, another period is rejected
    // with a message naming 报告期; all or nothing unless --skip-invalid.
    let with_col = e.dir.join("reports2.csv");
    std::fs::write(
        &with_col,
        format!("统一社会信用代码,报告期,职工总数\n{a},2025,110\n{b},,210\n{c},2023,300\n"),
    )
    .unwrap();
    let o = e.cmd(
        &[
            "import",
            "reports",
            with_col.to_str().unwrap(),
            "--period",
            "２０２５",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert!(
        err(&o).contains("第 4 报告期: 报告期“2023”与导入指定的报告期 2025(--period)不一致")
            && err(&o).contains("未写入"),
        "{}",
        err(&o)
    );
    assert_eq!(periods().await.len(), 2, "nothing written");
    let o = e.cmd(
        &[
            "import",
            "reports",
            with_col.to_str().unwrap(),
            "--period",
            "2025",
            "--skip-invalid",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(err(&o).contains("新增 2"), "{}", err(&o));
    let now = periods().await;
    assert!(now.contains(&(a.clone(), "2025".into(), "approved".into(), 110)));
    assert!(now.contains(&(b.clone(), "2025".into(), "approved".into(), 210)));
    assert!(!now.iter().any(|r| r.0 == c), "{now:?}");

    // A bad period, or a period for a kind without one: bad usage, nothing read.
    let o = e.cmd(
        &[
            "import",
            "reports",
            no_col.to_str().unwrap(),
            "--period",
            "2025Q5",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("--period 参数有误") && err(&o).contains("报告期"),
        "{}",
        err(&o)
    );
    let o = e.cmd(
        &["import", "orgs", orgs.to_str().unwrap(), "--period", "2024"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("只适用于产改统计表"), "{}", err(&o));
}

//! The append-only, hash-chained audit log.
use crate::error::Result;
use crate::scope::Actor;
use crate::sql::Sql;
use crate::Page;
use gongjiang_domain::audit::{chain_hash, ChainFields, GENESIS};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub seq: i64,
    pub at_ms: i64,
    pub user_id: Option<i64>,
    pub username: String,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: String,
    pub summary: String,
    pub before_json: String,
    pub after_json: String,
    pub ip: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What happened, in stable codes.
pub mod action {
    pub const CREATE: &str = "create";
    pub const UPDATE: &str = "update";
    pub const DELETE: &str = "delete";
    pub const LOGIN: &str = "login";
    pub const LOGIN_FAILED: &str = "login_failed";
    pub const LOGOUT: &str = "logout";
    pub const ROLE_CHANGE: &str = "role_change";
    pub const PASSWORD_CHANGE: &str = "password_change";
    pub const PASSWORD_RESET: &str = "password_reset";
    pub const DISABLE: &str = "disable";
    pub const ENABLE: &str = "enable";
    pub const RESTORE: &str = "restore";
    pub const IMPORT: &str = "import";
    pub const ALL: &[&str] = &[
        CREATE,
        UPDATE,
        DELETE,
        LOGIN,
        LOGIN_FAILED,
        LOGOUT,
        ROLE_CHANGE,
        PASSWORD_CHANGE,
        PASSWORD_RESET,
        DISABLE,
        ENABLE,
        RESTORE,
        IMPORT,
        "export",
        "liuyou_submit",
        "liuyou_accept",
        "liuyou_return",
        "case_submit",
        "case_accept",
        "case_return",
        "case_reject",
        "case_withdraw",
        "task_progress",
        "task_done",
        "task_supervise",
        "task_cancel",
        "contact_end",
        "pair_end",
        "report_submit",
        "report_approve",
        "report_return",
        "report_lock",
        "report_unlock",
        "remind",
        "reveal",
        "problem_start",
        "problem_resolve",
        "problem_close",
        "asm_publish",
        "asm_submit",
        "asm_score",
        "asm_recusal",
    ];
}

/// Every action the log records, with its name in Chinese and English (the console's
/// filter and table never show a code).
pub const ACTION_LABELS: &[(&str, &str, &str)] = &[
    ("create", "新增", "Created"),
    ("update", "修改", "Updated"),
    ("delete", "删除", "Deleted"),
    ("login", "登录", "Signed in"),
    ("login_failed", "登录失败", "Failed sign-in"),
    ("logout", "退出登录", "Signed out"),
    ("role_change", "角色变更", "Role changed"),
    ("password_change", "修改密码", "Password changed"),
    ("password_reset", "重置密码", "Password reset"),
    ("disable", "停用账号", "Account disabled"),
    ("enable", "启用账号", "Account enabled"),
    ("restore", "恢复备份", "Backup restored"),
    ("import", "导入", "Imported"),
    ("export", "导出", "Exported"),
    ("reveal", "查看完整个人信息", "Personal data revealed"),
    ("remind", "催报", "Reminder sent"),
    ("case_submit", "提交申报", "Case submitted"),
    ("case_accept", "审核通过", "Case accepted"),
    ("case_return", "退回修改", "Case returned"),
    ("case_reject", "不予通过", "Case rejected"),
    ("case_withdraw", "撤回申报", "Case withdrawn"),
    ("case_item_accept", "佐证通过", "Evidence accepted"),
    ("case_item_return", "佐证退回", "Evidence returned"),
    ("case_object", "提出异议", "Objection lodged"),
    ("case_answer_objection", "答复异议", "Objection answered"),
    ("case_assign_expert", "指派专家", "Expert assigned"),
    ("case_score", "专家评分", "Expert scored"),
    ("case_recusal", "专家回避", "Expert recused"),
    ("liuyou_submit", "六有提交", "六有 submitted"),
    ("liuyou_accept", "六有通过", "六有 accepted"),
    ("liuyou_return", "六有退回", "六有 returned"),
    ("task_progress", "报告任务进展", "Task progress"),
    ("task_done", "任务销号", "Task done"),
    ("task_supervise", "督办", "Task supervised"),
    ("task_cancel", "撤销任务", "Task cancelled"),
    ("contact_end", "结束联系", "Contact ended"),
    ("pair_end", "结束结对", "Pair ended"),
    ("problem_start", "开始办理问题", "Problem taken up"),
    ("problem_resolve", "问题办结", "Problem resolved"),
    ("problem_close", "关闭问题", "Problem closed"),
    ("report_submit", "报送统计表", "Report submitted"),
    ("report_approve", "审核通过统计表", "Report approved"),
    ("report_return", "退回统计表", "Report returned"),
    ("report_lock", "锁定统计表", "Report locked"),
    ("report_unlock", "解锁统计表", "Report unlocked"),
    ("lock", "锁定", "Locked"),
    ("unlock", "解除锁定", "Unlocked"),
    ("asm_publish", "发布考核结果", "Assessment published"),
    ("asm_submit", "提交考核自评", "Self-assessment submitted"),
    ("asm_score", "考核评分", "Assessment scored"),
    ("asm_recusal", "考核回避", "Assessment recusal"),
];

/// Every kind of record the log names, with its name in Chinese and English.
pub const KIND_LABELS: &[(&str, &str, &str)] = &[
    ("org", "单位", "Organisation"),
    ("user", "账号", "Account"),
    ("system", "系统", "System"),
    ("policy", "政策文件", "Policy document"),
    ("pilot", "试点", "Pilot"),
    ("designation", "认定与荣誉", "Designation"),
    ("class", "培训班", "Training class"),
    ("class_trainee", "培训班学员", "Class trainee"),
    ("engagement", "产业教授聘任", "Professor engagement"),
    ("contest", "竞赛", "Contest"),
    ("contest_entry", "参赛报名", "Contest entry"),
    ("contest_judge", "竞赛评委", "Contest judge"),
    ("contest_mark", "竞赛评分", "Contest mark"),
    ("contest_result", "竞赛结果", "Contest result"),
    (
        "craftsman_round",
        "工匠评选批次",
        "Craftsman selection round",
    ),
    ("craftsman_nomination", "工匠推荐", "Craftsman nomination"),
    ("studio", "创新工作室", "Innovation studio"),
    ("studio_member", "工作室成员", "Studio member"),
    ("studio_review", "工作室年度评估", "Studio review"),
    ("report", "统计报表", "Statistics report"),
    ("worker", "职工", "Worker"),
    ("workers", "职工库", "Worker registry"),
    ("case", "申报事项", "Case"),
    ("task", "任务", "Task"),
    ("meeting", "会议", "Meeting"),
    ("meeting_body", "议事机构", "Meeting body"),
    ("meeting_decision", "会议议定事项", "Meeting decision"),
    ("contact_point", "联系点", "Contact point"),
    ("visit", "走访", "Visit"),
    ("problem", "企业诉求", "Problem"),
    ("pair", "结对", "Pair"),
    ("pair_activity", "结对活动", "Pair activity"),
    ("liuyou", "六有建设", "六有 item"),
    ("import", "导入", "Import"),
    ("asm_scheme", "考核方案", "Assessment scheme"),
    ("asm_version", "考核方案版本", "Assessment scheme version"),
    ("asm_round", "考核", "Assessment round"),
    ("asm_target", "考核对象", "Assessment target"),
];

/// The name of an action or record kind from one of the tables above; the code itself
/// when unknown (a test keeps the tables complete).
pub fn label(
    table: &[(&str, &'static str, &'static str)],
    code: &str,
    en: bool,
) -> Option<&'static str> {
    table
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, e)| if en { *e } else { *zh })
}

/// One audit entry, built by name: what happened (`action`) to which record
/// (`kind`, `id`), a summary, and the record before and after.
///
/// ```ignore
/// audit::Note::new(action::UPDATE, "policy", id)
///     .summary(&title)
///     .before(&before)
///     .after(&after)
///     .write(conn, actor, now)
///     .await?;
/// ```
#[derive(Debug, Clone)]
#[must_use = "an audit note does nothing until it is written"]
pub struct Note {
    action: String,
    kind: String,
    id: String,
    summary: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

impl Note {
    pub fn new(action: &str, kind: &str, id: impl ToString) -> Note {
        Note {
            action: action.to_string(),
            kind: kind.to_string(),
            id: id.to_string(),
            summary: String::new(),
            before: None,
            after: None,
        }
    }

    pub fn summary(mut self, summary: impl Into<String>) -> Note {
        self.summary = summary.into();
        self
    }

    /// The record before the change (anything serialisable; a value that cannot be
    /// serialised is kept as null).
    pub fn before(mut self, v: &impl Serialize) -> Note {
        self.before = Some(serde_json::to_value(v).unwrap_or_default());
        self
    }

    /// The record after the change.
    pub fn after(mut self, v: &impl Serialize) -> Note {
        self.after = Some(serde_json::to_value(v).unwrap_or_default());
        self
    }

    /// Appends the entry inside the caller's transaction ([`append`]).
    pub async fn write(self, conn: &mut AnyConnection, actor: &Actor, now: i64) -> Result<i64> {
        append(
            conn,
            actor,
            &self.action,
            &self.kind,
            &self.id,
            &self.summary,
            self.before.as_ref(),
            self.after.as_ref(),
            now,
        )
        .await
    }
}

/// Appends an entry inside the caller's transaction. The head row is updated first,
/// which serialises concurrent appenders (a row lock on PostgreSQL, the single writer on
/// SQLite), so the chain never forks.
#[allow(clippy::too_many_arguments)]
pub async fn append(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    entity_kind: &str,
    entity_id: &str,
    summary: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
    now: i64,
) -> Result<i64> {
    let head =
        sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash")
            .fetch_one(&mut *conn)
            .await?;
    let seq: i64 = head.try_get(0)?;
    let prev: String = head.try_get(1)?;
    let before = before.map(|v| v.to_string()).unwrap_or_default();
    let after = after.map(|v| v.to_string()).unwrap_or_default();
    let fields = ChainFields {
        seq,
        at_ms: now,
        user_id: actor.user_id,
        username: &actor.username,
        action,
        entity_kind,
        entity_id,
        summary,
        before: &before,
        after: &after,
        ip: &actor.ip,
    };
    let hash = chain_hash(&prev, &fields);
    sqlx::query(
        "INSERT INTO audit_log (seq, at_ms, user_id, username, action, entity_kind, entity_id, summary, before_json, after_json, ip, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(seq)
    .bind(now)
    .bind(actor.user_id)
    .bind(&actor.username)
    .bind(action)
    .bind(entity_kind)
    .bind(entity_id)
    .bind(summary)
    .bind(&before)
    .bind(&after)
    .bind(&actor.ip)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Entry> {
    Ok(Entry {
        seq: r.try_get("seq")?,
        at_ms: r.try_get("at_ms")?,
        user_id: r.try_get("user_id")?,
        username: r.try_get("username")?,
        action: r.try_get("action")?,
        entity_kind: r.try_get("entity_kind")?,
        entity_id: r.try_get("entity_id")?,
        summary: r.try_get("summary")?,
        before_json: r.try_get("before_json")?,
        after_json: r.try_get("after_json")?,
        ip: r.try_get("ip")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub username: Option<String>,
    pub action: Option<String>,
    pub entity_kind: Option<String>,
    pub entity_id: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Changes to records only: no sign-ins and sign-outs, views or exports.
    pub changes_only: bool,
    pub page: i64,
    pub per_page: i64,
}

pub async fn list(conn: &mut AnyConnection, f: &Filter) -> Result<Page<Entry>> {
    let mut w = Sql::new(" WHERE 1 = 1");
    if let Some(u) = &f.username {
        w.push(" AND username = ").bind_text(u.clone());
    }
    if let Some(a) = &f.action {
        w.push(" AND action = ").bind_text(a.clone());
    }
    if let Some(k) = &f.entity_kind {
        w.push(" AND entity_kind = ").bind_text(k.clone());
    }
    if let Some(k) = &f.entity_id {
        w.push(" AND entity_id = ").bind_text(k.clone());
    }
    if let Some(t) = f.from_ms {
        w.push(" AND at_ms >= ").bind_int(t);
    }
    if let Some(t) = f.to_ms {
        w.push(" AND at_ms < ").bind_int(t);
    }
    if f.changes_only {
        w.push(" AND action NOT IN ('login', 'login_failed', 'logout', 'reveal', 'export', 'password_change')");
    }
    crate::sql::page_of(
        &mut *conn,
        ("SELECT COUNT(*) FROM audit_log", "SELECT * FROM audit_log"),
        &w,
        " ORDER BY seq DESC",
        (f.page, f.per_page),
        from_row,
    )
    .await
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Verdict {
    Intact {
        entries: i64,
    },
    /// The first entry whose stored hash or link does not match, and why.
    Broken {
        seq: i64,
        reason: String,
    },
}

/// Recomputes every hash in order, streaming in batches.
pub async fn verify(conn: &mut AnyConnection) -> Result<Verdict> {
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1i64;
    let mut count = 0i64;
    loop {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 2000")
            .bind(expected_seq)
            .fetch_all(&mut *conn)
            .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let e = from_row(r)?;
            if e.seq != expected_seq {
                return Ok(Verdict::Broken {
                    seq: expected_seq,
                    reason: format!("entry {expected_seq} is missing (next is {})", e.seq),
                });
            }
            if e.prev_hash != prev {
                return Ok(Verdict::Broken {
                    seq: e.seq,
                    reason: "prev_hash does not match the previous entry".into(),
                });
            }
            let h = chain_hash(
                &prev,
                &ChainFields {
                    seq: e.seq,
                    at_ms: e.at_ms,
                    user_id: e.user_id,
                    username: &e.username,
                    action: &e.action,
                    entity_kind: &e.entity_kind,
                    entity_id: &e.entity_id,
                    summary: &e.summary,
                    before: &e.before_json,
                    after: &e.after_json,
                    ip: &e.ip,
                },
            );
            if h != e.hash {
                return Ok(Verdict::Broken {
                    seq: e.seq,
                    reason: "content does not match its hash (the row was altered)".into(),
                });
            }
            prev = e.hash;
            expected_seq += 1;
            count += 1;
        }
    }
    let head = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    let head_seq: i64 = head.try_get(0)?;
    let head_hash: String = head.try_get(1)?;
    if head_seq != count || head_hash != prev {
        return Ok(Verdict::Broken {
            seq: count + 1,
            reason: format!("the log ends at entry {count} but the head records {head_seq} (entries were removed from the end)"),
        });
    }
    Ok(Verdict::Intact { entries: count })
}

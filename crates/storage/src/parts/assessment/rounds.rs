//! Rounds: a frozen scheme version applied to targets for a year; listing, creating,
//! reading, closing and reopening them.

use crate::audit;
use crate::error::{Result, StoreError};
use crate::now_ms;
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::assessment::{expert_label, TargetKind};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};

use super::guards::{acts_for, manage, may_manage};
use super::sql::{load_experts, load_round, load_targets, notify_targets, round_row, ROUND_COLS};
use super::types::{Conflict, Expert, Round, RoundDetail, RoundInput};

impl Service {
    // ------------------------------------------------------------ rounds

    /// Rounds the caller takes part in: all for region staff; for experts the rounds
    /// they are assigned to; for targets the rounds they are a target of.
    pub async fn list_rounds(&self, actor: &Actor, en: bool) -> Result<Vec<Round>> {
        let mut conn = self.db.pool.acquire().await?;
        let rows = sqlx::query(&format!(
            "SELECT {ROUND_COLS} ORDER BY r.year DESC, r.id DESC"
        ))
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let round = round_row(&r, en)?;
            if self.may_see_round(&mut conn, actor, &round).await? {
                out.push(round);
            }
        }
        Ok(out)
    }

    async fn may_see_round(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        r: &Round,
    ) -> Result<bool> {
        if crate::access::may(
            actor,
            crate::access::Permission::SeeRound {
                published: r.status == "published",
            },
        ) {
            return Ok(true);
        }
        if crate::access::may(actor, crate::access::Permission::ScoreAsExpert) {
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) FROM asm_experts WHERE round_id = $1 AND user_id = $2",
            )
            .bind(r.id)
            .bind(actor.user_id.unwrap_or(-1))
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            return Ok(n > 0);
        }
        Ok(load_targets(conn, r.id)
            .await?
            .iter()
            .any(|t| acts_for(actor, &r.target_kind, &t.key)))
    }

    pub async fn create_round(&self, actor: &Actor, input: &RoundInput, en: bool) -> Result<Round> {
        manage(actor)?;
        let mut errs = Vec::new();
        if !(2000..=2100).contains(&input.year) {
            errs.push(FieldError::new(
                "year",
                Rule::BadFormat,
                format!("考核年度{}无效，应为2000–2100之间的年份", input.year),
                format!("Year {} must be between 2000 and 2100", input.year),
            ));
        }
        let title = match gongjiang_domain::error::text(
            "title",
            ("考核名称", "Title"),
            &input.title,
            true,
            100,
        ) {
            Ok(t) => t.unwrap_or_default(),
            Err(e) => {
                errs.push(e);
                String::new()
            }
        };
        let kind = TargetKind::parse(&input.target_kind);
        if kind.is_none() {
            errs.push(FieldError::new(
                "target_kind",
                Rule::UnknownValue,
                format!(
                    "考核对象类型“{}”无效，应为 district、member_unit 或 pilot_unit",
                    input.target_kind
                ),
                format!(
                    "Target kind '{}' must be district, member_unit or pilot_unit",
                    input.target_kind
                ),
            ));
        }
        let now = now_ms();
        let mut wr = self.write(actor).await?;
        let status: Option<String> = sqlx::query("SELECT status FROM asm_versions WHERE id = $1")
            .bind(input.version_id)
            .fetch_optional(wr.conn())
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        match status.as_deref() {
            None => errs.push(FieldError::new(
                "version_id",
                Rule::UnknownValue,
                "所选考核方案版本不存在",
                "The scheme version does not exist",
            )),
            Some("published") => {}
            Some(_) => errs.push(FieldError::new(
                "version_id",
                Rule::Forbidden,
                "考核只能引用已发布（冻结）的方案版本；请先发布该版本",
                "A round must reference a published (frozen) scheme version; publish it first",
            )),
        }
        let mut targets: Vec<(String, String)> = Vec::new();
        if let Some(kind) = kind {
            let wanted: Vec<String> = input
                .targets
                .iter()
                .map(|t| gongjiang_domain::error::normalise_code(t))
                .filter(|t| !t.is_empty())
                .collect();
            let candidates: Vec<(String, String)> = match kind {
                TargetKind::District => sqlx::query(
                    "SELECT code, name FROM regions WHERE level IN ('district', 'zone') ORDER BY code",
                )
                .fetch_all(wr.conn())
                .await?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_>>()?,
                TargetKind::MemberUnit => sqlx::query(
                    "SELECT CAST(id AS TEXT), name FROM orgs WHERE kind = 'member_unit' ORDER BY id",
                )
                .fetch_all(wr.conn())
                .await?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_>>()?,
                TargetKind::PilotUnit => {
                    if wanted.is_empty() {
                        errs.push(FieldError::new(
                            "targets",
                            Rule::Required,
                            "试点单位考核须列出考核对象（组织编号）",
                            "A pilot-unit round must list its targets (organisation ids)",
                        ));
                    }
                    let mut v = Vec::new();
                    for w in &wanted {
                        if let Ok(id) = w.parse::<i64>() {
                            if let Some(r) = sqlx::query(
                                "SELECT CAST(id AS TEXT), name FROM orgs WHERE id = $1 AND id IN (SELECT org_id FROM pilots)",
                            )
                            .bind(id)
                            .fetch_optional(wr.conn())
                            .await?
                            {
                                v.push((r.try_get(0)?, r.try_get(1)?));
                            }
                        }
                    }
                    v
                }
            };
            if wanted.is_empty() {
                targets = candidates;
            } else {
                for w in &wanted {
                    match candidates.iter().find(|(k, _)| k == w) {
                        Some(c) if !targets.iter().any(|(k, _)| k == w) => targets.push(c.clone()),
                        Some(_) => {}
                        None => errs.push(FieldError::new(
                            "targets",
                            Rule::UnknownValue,
                            format!("考核对象“{w}”不是{}", kind.label(false)),
                            format!("Target '{w}' is not one of the {}", kind.label(true)),
                        )),
                    }
                }
            }
            if targets.is_empty() && errs.is_empty() {
                errs.push(FieldError::new(
                    "targets",
                    Rule::Required,
                    "没有可考核的对象",
                    "There is nothing to assess",
                ));
            }
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let kind = kind.map(|k| k.code()).unwrap_or_default();
        let exists: i64 =
            sqlx::query("SELECT COUNT(*) FROM asm_rounds WHERE year = $1 AND target_kind = $2")
                .bind(input.year)
                .bind(kind)
                .fetch_one(wr.conn())
                .await?
                .try_get(0)?;
        if exists > 0 {
            return Err(StoreError::conflict(
                Code::RoundExists,
                Some("year"),
                format!(
                    "{}年度的{}考核已存在",
                    input.year,
                    TargetKind::parse(kind)
                        .map(|k| k.label(false))
                        .unwrap_or("")
                ),
                format!("A {} round of {} exists already", kind, input.year),
            ));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO asm_rounds (year, title, version_id, target_kind, status, created_by, version, created_at, updated_at) VALUES ($1, $2, $3, $4, 'open', $5, 1, $6, $6) RETURNING id",
        )
        .bind(input.year)
        .bind(&title)
        .bind(input.version_id)
        .bind(kind)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(wr.conn())
        .await?
        .try_get(0)?;
        for (i, (k, n)) in targets.iter().enumerate() {
            sqlx::query(
                "INSERT INTO asm_targets (round_id, target_key, name, self_status, sort) VALUES ($1, $2, $3, 'draft', $4)",
            )
            .bind(id)
            .bind(k)
            .bind(n)
            .bind(i as i64)
            .execute(wr.conn())
            .await?;
        }
        audit::Note::new(audit::action::CREATE, "asm_round", id)
            .summary(format!(
                "{}年度考核「{title}」，{}个对象",
                input.year,
                targets.len()
            ))
            .after(
                &serde_json::json!({"targets": targets.iter().map(|t| &t.0).collect::<Vec<_>>()}),
            )
            .write(wr.conn(), actor, now)
            .await?;
        // Tell the targets' users that their self-report is open.
        let round = load_round(wr.conn(), id, en).await?;
        notify_targets(wr.conn(), &round, &targets, now).await?;
        wr.commit().await?;
        Ok(round)
    }

    pub async fn round_detail(&self, actor: &Actor, id: i64, en: bool) -> Result<RoundDetail> {
        let mut conn = self.db.pool.acquire().await?;
        let round = load_round(&mut conn, id, en).await?;
        if !self.may_see_round(&mut conn, actor, &round).await? {
            return Err(StoreError::NotFound);
        }
        let targets = load_targets(&mut conn, id).await?;
        let experts = load_experts(&mut conn, id).await?;
        let city = may_manage(actor);
        let mut conflicts = Vec::new();
        if city {
            let rows = sqlx::query(
                "SELECT c.user_id, t.target_key, t.name, c.kind, c.reason, c.created_at FROM asm_conflicts c JOIN asm_targets t ON t.id = c.target_id WHERE c.round_id = $1 ORDER BY c.id",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            for r in rows {
                let uid: i64 = r.try_get(0)?;
                let idx = experts
                    .iter()
                    .position(|(u, _)| *u == uid)
                    .unwrap_or(usize::MAX);
                conflicts.push(Conflict {
                    user_id: uid,
                    expert_label: if idx == usize::MAX {
                        String::new()
                    } else {
                        format!("{}({})", expert_label(idx, en), experts[idx].1)
                    },
                    target_key: r.try_get(1)?,
                    target_name: r.try_get(2)?,
                    kind: r.try_get(3)?,
                    reason: r.try_get(4)?,
                    created_at: r.try_get(5)?,
                });
            }
        }
        let mut may = Vec::new();
        if city {
            may.push("manage".to_string());
        }
        if targets
            .iter()
            .any(|t| acts_for(actor, &round.target_kind, &t.key))
        {
            may.push("self_report".to_string());
        }
        if crate::access::may(actor, crate::access::Permission::ScoreAsExpert)
            && experts.iter().any(|(u, _)| Some(*u) == actor.user_id)
        {
            may.push("score".to_string());
        }
        let experts = experts
            .iter()
            .enumerate()
            .map(|(i, (u, n))| Expert {
                user_id: *u,
                label: expert_label(i, en),
                name: city.then(|| n.clone()),
            })
            .collect();
        Ok(RoundDetail {
            round,
            targets,
            experts,
            conflicts,
            may,
        })
    }

    /// close (no more self-reports or scores) or reopen (for corrections; published
    /// results stay as they are until published again with a reason).
    pub async fn round_action(
        &self,
        actor: &Actor,
        round_id: i64,
        action: &str,
        en: bool,
    ) -> Result<Round> {
        manage(actor)?;
        let now = now_ms();
        let mut w = self.write(actor).await?;
        let round = load_round(w.conn(), round_id, en).await?;
        let to = match (action, round.status.as_str()) {
            ("close", "open") => "closed",
            ("reopen", "closed" | "published") => "open",
            _ => {
                return Err(StoreError::conflict(
                    Code::RoundState,
                    Some("action"),
                    format!("考核当前状态（{}）下不能执行“{action}”", round.status),
                    format!(
                        "'{action}' is not possible while the round is {}",
                        round.status
                    ),
                ))
            }
        };
        sqlx::query("UPDATE asm_rounds SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(to)
            .bind(now)
            .bind(round_id)
            .execute(w.conn())
            .await?;
        audit::Note::new(audit::action::UPDATE, "asm_round", round_id)
            .summary(format!("考核「{}」{} → {to}", round.title, round.status))
            .write(w.conn(), actor, now)
            .await?;
        let r = load_round(w.conn(), round_id, en).await?;
        w.commit().await?;
        Ok(r)
    }
}

//! Experts and their scores: assignment, conflicts of interest (recusal), the scoring
//! sheet and putting a score.

use crate::audit;
use crate::error::{Result, StoreError};
use crate::now_ms;
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::assessment::{
    self as dom, cents, check_score, expert_label, leaves, ScoringRule,
};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

use super::guards::{closed_conflict, denied_conflict, manage};
use super::sql::{
    attached_to, find_target, load_experts, load_round, load_targets, load_version, self_values,
};
use super::types::{ConflictInput, RoundDetail, ScoreInput, ScoringSheet, SheetLeaf, SheetTarget};

impl Service {
    /// Assigns an expert (a user with role expert, by user name or id) to a round and
    /// records a recusal for every target the expert belongs to.
    pub async fn assign_expert(
        &self,
        actor: &Actor,
        round_id: i64,
        who: &str,
    ) -> Result<RoundDetail> {
        manage(actor)?;
        let now = now_ms();
        let mut w = self.write(actor).await?;
        let round = load_round(w.conn(), round_id, false).await?;
        if round.status != "open" {
            return Err(closed_conflict());
        }
        let who = who.trim();
        let u = sqlx::query(
            "SELECT id, role, region_code, org_id, display_name FROM users WHERE username = $1 OR CAST(id AS TEXT) = $1",
        )
        .bind(who)
        .fetch_optional(w.conn())
        .await?;
        let Some(u) = u else {
            return Err(StoreError::invalid(FieldError::new(
                "expert",
                Rule::UnknownValue,
                format!("用户“{who}”不存在"),
                format!("There is no user '{who}'"),
            )));
        };
        let uid: i64 = u.try_get(0)?;
        let role: String = u.try_get(1)?;
        let region: Option<String> = u.try_get(2)?;
        let org: Option<i64> = u.try_get(3)?;
        let name: String = u.try_get(4)?;
        if role != "expert" {
            return Err(StoreError::invalid(FieldError::new(
                "expert",
                Rule::Forbidden,
                format!("用户“{who}”不是评审专家（角色须为 expert）"),
                format!("User '{who}' is not an expert (role expert)"),
            )));
        }
        let n: i64 =
            sqlx::query("SELECT COUNT(*) FROM asm_experts WHERE round_id = $1 AND user_id = $2")
                .bind(round_id)
                .bind(uid)
                .fetch_one(w.conn())
                .await?
                .try_get(0)?;
        if n > 0 {
            return Err(StoreError::conflict(
                Code::ExpertAssigned,
                Some("expert"),
                format!("专家“{name}”已分配到本次考核"),
                format!("{name} is assigned already"),
            ));
        }
        let sort: i64 =
            sqlx::query("SELECT COALESCE(MAX(sort), -1) + 1 FROM asm_experts WHERE round_id = $1")
                .bind(round_id)
                .fetch_one(w.conn())
                .await?
                .try_get(0)?;
        sqlx::query(
            "INSERT INTO asm_experts (round_id, user_id, sort, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(round_id)
        .bind(uid)
        .bind(sort)
        .bind(now)
        .execute(w.conn())
        .await?;
        for t in load_targets(w.conn(), round_id).await? {
            if attached_to(w.conn(), region.as_deref(), org, &round.target_kind, &t.key).await? {
                sqlx::query(
                    "INSERT INTO asm_conflicts (round_id, user_id, target_id, kind, reason, created_by, created_at) VALUES ($1, $2, $3, 'attached', $4, $5, $6)",
                )
                .bind(round_id)
                .bind(uid)
                .bind(t.id)
                .bind("专家所属单位或地区即被考核对象")
                .bind(actor.user_id)
                .bind(now)
                .execute(w.conn())
                .await?;
            }
        }
        crate::notify::notify(
            w.conn(),
            &[uid],
            &format!("您已被分配为「{}」的评审专家，请独立评分", round.title),
            "/assessment/scoring",
            now,
        )
        .await?;
        audit::Note::new(audit::action::UPDATE, "asm_round", round_id)
            .summary(format!("分配评审专家 {name}"))
            .after(&serde_json::json!({"expert": uid}))
            .write(w.conn(), actor, now)
            .await?;
        w.commit().await?;
        self.round_detail(actor, round_id, false).await
    }

    /// Declares a conflict of interest: an expert for themselves, or the city for an
    /// assigned expert.
    pub async fn declare_conflict(
        &self,
        actor: &Actor,
        round_id: i64,
        input: &ConflictInput,
    ) -> Result<()> {
        crate::access::check(
            actor,
            crate::access::Permission::DeclareConflict {
                expert: input.user_id,
            },
        )?;
        let uid = input
            .user_id
            .or(actor.user_id)
            .ok_or(StoreError::Forbidden)?;
        let reason = gongjiang_domain::error::text(
            "reason",
            ("关联说明", "Reason"),
            &input.reason,
            true,
            500,
        )
        .map_err(StoreError::invalid)?
        .unwrap_or_default();
        let now = now_ms();
        let mut w = self.write(actor).await?;
        let round = load_round(w.conn(), round_id, false).await?;
        let assigned: i64 =
            sqlx::query("SELECT COUNT(*) FROM asm_experts WHERE round_id = $1 AND user_id = $2")
                .bind(round_id)
                .bind(uid)
                .fetch_one(w.conn())
                .await?
                .try_get(0)?;
        if assigned == 0 {
            return Err(StoreError::NotFound);
        }
        let target = find_target(w.conn(), round_id, &input.target).await?;
        sqlx::query(
            "INSERT INTO asm_conflicts (round_id, user_id, target_id, kind, reason, created_by, created_at) VALUES ($1, $2, $3, 'declared', $4, $5, $6)",
        )
        .bind(round_id)
        .bind(uid)
        .bind(target.id)
        .bind(&reason)
        .bind(actor.user_id)
        .bind(now)
        .execute(w.conn())
        .await?;
        audit::Note::new("asm_recusal", "asm_round", round_id)
            .summary(format!(
                "「{}」申报利益关联：专家#{uid} 与 {}:{reason}",
                round.title, target.name
            ))
            .write(w.conn(), actor, now)
            .await?;
        w.commit().await
    }

    // ------------------------------------------------------------ scoring

    async fn expert_of(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        round_id: i64,
    ) -> Result<usize> {
        crate::access::check(actor, crate::access::Permission::ScoreAsExpert)?;
        let experts = load_experts(conn, round_id).await?;
        experts
            .iter()
            .position(|(u, _)| Some(*u) == actor.user_id)
            .ok_or(StoreError::NotFound)
    }

    /// The caller's scoring sheet: the round's expert leaves, every target with the
    /// caller's own scores (never another expert's) and whether the caller is recused.
    pub async fn scoring_sheet(
        &self,
        actor: &Actor,
        round_id: i64,
        en: bool,
    ) -> Result<ScoringSheet> {
        let mut conn = self.db.pool.acquire().await?;
        let idx = self.expert_of(&mut conn, actor, round_id).await?;
        let uid = actor.user_id.unwrap_or(-1);
        let round = load_round(&mut conn, round_id, en).await?;
        let tree = load_version(&mut conn, round.version_id).await?.tree;
        let sheet_leaves: Vec<SheetLeaf> = leaves(&tree)
            .into_iter()
            .filter_map(|l| match &l.rule {
                Some(ScoringRule::Expert { max, criteria }) => Some(SheetLeaf {
                    code: l.code.clone(),
                    name: l.name.clone(),
                    max: *max,
                    criteria: criteria.clone(),
                }),
                _ => None,
            })
            .collect();
        let recused: Vec<i64> = sqlx::query(
            "SELECT DISTINCT target_id FROM asm_conflicts WHERE round_id = $1 AND user_id = $2",
        )
        .bind(round_id)
        .bind(uid)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
        let mut targets = Vec::new();
        for t in load_targets(&mut conn, round_id).await? {
            let mut scores = BTreeMap::new();
            for r in sqlx::query(
                "SELECT leaf, score_x100 FROM asm_scores WHERE target_id = $1 AND user_id = $2",
            )
            .bind(t.id)
            .bind(uid)
            .fetch_all(&mut *conn)
            .await?
            {
                scores.insert(
                    r.try_get::<String, _>(0)?,
                    r.try_get::<i64, _>(1)? as f64 / 100.0,
                );
            }
            let evidence = self_values(&mut conn, t.id)
                .await?
                .into_iter()
                .filter_map(|(k, (_, e))| e.map(|e| (k, e)))
                .collect();
            targets.push(SheetTarget {
                recused: recused.contains(&t.id),
                key: t.key,
                name: t.name,
                scores,
                evidence,
            });
        }
        Ok(ScoringSheet {
            editable: round.status == "open",
            label: expert_label(idx, en),
            round,
            leaves: sheet_leaves,
            targets,
        })
    }

    /// Records the caller's score for one expert leaf of one target. Refused for a
    /// target the expert is related to (the refusal is recorded as a recusal).
    pub async fn put_score(&self, actor: &Actor, round_id: i64, input: &ScoreInput) -> Result<()> {
        let now = now_ms();
        let uid = actor.user_id.unwrap_or(-1);
        let mut w = self.write(actor).await?;
        self.expert_of(w.conn(), actor, round_id).await?;
        let round = load_round(w.conn(), round_id, false).await?;
        if round.status != "open" {
            return Err(closed_conflict());
        }
        let target = find_target(w.conn(), round_id, &input.target).await?;
        let conflicted: i64 = sqlx::query("SELECT COUNT(*) FROM asm_conflicts WHERE round_id = $1 AND user_id = $2 AND target_id = $3 AND kind <> 'refused'")
            .bind(round_id)
            .bind(uid)
            .bind(target.id)
            .fetch_one(w.conn())
            .await?
            .try_get(0)?;
        let attached = attached_to(
            w.conn(),
            actor.region_code.as_deref(),
            actor.org_id,
            &round.target_kind,
            &target.key,
        )
        .await?;
        if conflicted > 0 || attached {
            sqlx::query(
                "INSERT INTO asm_conflicts (round_id, user_id, target_id, kind, reason, created_by, created_at) VALUES ($1, $2, $3, 'refused', $4, $5, $6)",
            )
            .bind(round_id)
            .bind(uid)
            .bind(target.id)
            .bind(format!("为关联对象评分被拒绝（指标{}）", input.leaf))
            .bind(actor.user_id)
            .bind(now)
            .execute(w.conn())
            .await?;
            audit::Note::new("asm_recusal", "asm_round", round_id)
                .summary(format!(
                    "利益冲突回避：拒绝 {} 为 {} 评分",
                    actor.display_name, target.name
                ))
                .write(w.conn(), actor, now)
                .await?;
            w.commit().await?;
            return Err(denied_conflict(&target.name));
        }
        let tree = load_version(w.conn(), round.version_id).await?.tree;
        let leaf = dom::find(&tree, &input.leaf)
            .filter(|n| n.is_leaf())
            .ok_or_else(|| {
                StoreError::invalid(FieldError::new(
                    "leaf",
                    Rule::UnknownValue,
                    format!("指标“{}”不是本方案的末级指标", input.leaf),
                    format!("'{}' is not a leaf of the scheme", input.leaf),
                ))
            })?;
        check_score(leaf, input.score).map_err(StoreError::invalid)?;
        let comment = gongjiang_domain::error::text(
            "comment",
            ("评分意见", "Comment"),
            input.comment.as_deref().unwrap_or(""),
            false,
            1000,
        )
        .map_err(StoreError::invalid)?;
        sqlx::query("DELETE FROM asm_scores WHERE target_id = $1 AND user_id = $2 AND leaf = $3")
            .bind(target.id)
            .bind(uid)
            .bind(&leaf.code)
            .execute(w.conn())
            .await?;
        sqlx::query(
            "INSERT INTO asm_scores (target_id, user_id, leaf, score_x100, comment, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(target.id)
        .bind(uid)
        .bind(&leaf.code)
        .bind(cents(input.score))
        .bind(comment)
        .bind(now)
        .execute(w.conn())
        .await?;
        audit::Note::new("asm_score", "asm_target", target.id)
            .summary(format!("{} 指标{} 评分", target.name, leaf.code))
            .after(&serde_json::json!({"leaf": leaf.code, "score": input.score}))
            .write(w.conn(), actor, now)
            .await?;
        w.commit().await
    }
}

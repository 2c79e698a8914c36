//! Self-reports by the targets, each carried by a workflow case.

use crate::audit;
use crate::error::{Result, StoreError};
use crate::now_ms;
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::assessment::{self as dom, cents, leaves, ScoringRule};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

use super::guards::{acts_for, closed_conflict, may_manage};
use super::sql::{
    find_target, load_round, load_targets, load_version, round_row, self_values, ROUND_COLS,
};
use super::types::{Round, SelfInput, SelfLeaf, SelfReport, Target};

impl Service {
    // ------------------------------------------------------------ self-reports

    /// The (round, target) pairs the caller reports for.
    pub async fn my_self_reports(&self, actor: &Actor, en: bool) -> Result<Vec<(Round, Target)>> {
        let mut conn = self.db.pool.acquire().await?;
        let rows = sqlx::query(&format!(
            "SELECT {ROUND_COLS} ORDER BY r.year DESC, r.id DESC"
        ))
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let round = round_row(&r, en)?;
            for t in load_targets(&mut conn, round.id).await? {
                if acts_for(actor, &round.target_kind, &t.key) {
                    out.push((round.clone(), t));
                }
            }
        }
        Ok(out)
    }

    /// A target's self-report: the target's own users, and the city.
    pub async fn self_report(
        &self,
        actor: &Actor,
        round_id: i64,
        key: &str,
        en: bool,
    ) -> Result<SelfReport> {
        let mut conn = self.db.pool.acquire().await?;
        let round = load_round(&mut conn, round_id, en).await?;
        let target = find_target(&mut conn, round_id, key).await?;
        let own = acts_for(actor, &round.target_kind, &target.key);
        if !own && !may_manage(actor) {
            return Err(StoreError::NotFound);
        }
        let tree = load_version(&mut conn, round.version_id).await?.tree;
        let saved = self_values(&mut conn, target.id).await?;
        let leaves = leaves(&tree)
            .into_iter()
            .filter_map(|l| {
                let rule = l.rule.as_ref()?;
                let (value, evidence) = saved.get(&l.code).cloned().unwrap_or((None, None));
                Some(SelfLeaf {
                    code: l.code.clone(),
                    name: l.name.clone(),
                    points: l.points,
                    rule: rule.code().to_string(),
                    rule_text: rule.describe(l.points, en),
                    needs_value: rule.needs_value(),
                    value,
                    evidence,
                })
            })
            .collect();
        let case = sqlx::query(
            "SELECT id, status FROM wf_cases WHERE process = 'assessment_self_report' AND subject = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(self_report_subject(round.id, &target))
        .fetch_optional(&mut *conn)
        .await?;
        let (case_id, returned_reason) = match case {
            Some(r) => {
                let id: i64 = r.try_get(0)?;
                let status: String = r.try_get(1)?;
                let reason: Option<String> = if status == "returned" {
                    sqlx::query_scalar(
                        "SELECT comment FROM wf_events WHERE case_id = $1 AND action = 'return' ORDER BY id DESC LIMIT 1",
                    )
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?
                    .flatten()
                } else {
                    None
                };
                (Some(id), reason)
            }
            None => (None, None),
        };
        Ok(SelfReport {
            editable: own && round.status == "open" && target.self_status == "draft",
            round,
            target,
            leaves,
            case_id,
            returned_reason,
        })
    }

    /// Saves (and optionally submits, which locks) a target's self-report.
    pub async fn save_self_report(
        &self,
        actor: &Actor,
        round_id: i64,
        key: &str,
        input: &SelfInput,
        en: bool,
    ) -> Result<SelfReport> {
        let now = now_ms();
        let mut w = self.write(actor).await?;
        let round = load_round(w.conn(), round_id, en).await?;
        let target = find_target(w.conn(), round_id, key).await?;
        if !acts_for(actor, &round.target_kind, &target.key) {
            return Err(if may_manage(actor) {
                StoreError::denied(
                    Code::NotTheTarget,
                    "自评由被考核对象本身填报",
                    "The self-report is filled in by the target itself",
                )
            } else {
                StoreError::NotFound
            });
        }
        if round.status != "open" {
            return Err(closed_conflict());
        }
        if target.self_status != "draft" {
            return Err(StoreError::conflict(
                Code::SelfReportLocked,
                None,
                "自评已提交并锁定，不能再修改",
                "The self-report is submitted and locked",
            ));
        }
        let tree = load_version(w.conn(), round.version_id).await?.tree;
        let mut errs = Vec::new();
        for (i, e) in input.entries.iter().enumerate() {
            let Some(leaf) = dom::find(&tree, &e.leaf).filter(|n| n.is_leaf()) else {
                errs.push(FieldError::new(
                    format!("entries.{i}.leaf"),
                    Rule::UnknownValue,
                    format!("指标“{}”不是本方案的末级指标", e.leaf),
                    format!("'{}' is not a leaf of the scheme", e.leaf),
                ));
                continue;
            };
            let field = format!("value.{}", leaf.code);
            if let Some(v) = e.value {
                let rule = leaf.rule.as_ref();
                if !rule.is_some_and(|r| r.needs_value()) {
                    errs.push(FieldError::new(
                        field,
                        Rule::Forbidden,
                        format!("指标「{}」（{}）不需填报数值", leaf.name, leaf.code),
                        format!("{} ({}) takes no reported value", leaf.code, leaf.name),
                    ));
                } else if !v.is_finite() || !(0.0..=1e12).contains(&v) {
                    errs.push(FieldError::new(
                        field,
                        Rule::BadFormat,
                        format!(
                            "指标「{}」（{}）的填报值应为不小于0的数",
                            leaf.name, leaf.code
                        ),
                        format!(
                            "The value of {} ({}) must be a number ≥ 0",
                            leaf.code, leaf.name
                        ),
                    ));
                } else if matches!(rule, Some(ScoringRule::Checklist)) && v != 0.0 && v != 1.0 {
                    errs.push(FieldError::new(
                        field,
                        Rule::BadFormat,
                        format!(
                            "指标「{}」（{}）为达标项，只能填“是”（1）或“否”（0）",
                            leaf.name, leaf.code
                        ),
                        format!(
                            "{} ({}) is a checklist item: 1 (yes) or 0 (no)",
                            leaf.code, leaf.name
                        ),
                    ));
                }
            }
            if let Some(ev) = &e.evidence {
                if let Err(fe) = gongjiang_domain::error::text(
                    &format!("evidence.{}", leaf.code),
                    ("佐证材料说明", "Evidence"),
                    ev,
                    false,
                    2000,
                ) {
                    errs.push(fe);
                }
            }
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        for e in &input.entries {
            let ev = e
                .evidence
                .as_deref()
                .map(gongjiang_domain::error::normalise_spaces)
                .filter(|s| !s.is_empty());
            sqlx::query("DELETE FROM asm_self WHERE target_id = $1 AND leaf = $2")
                .bind(target.id)
                .bind(&e.leaf)
                .execute(w.conn())
                .await?;
            if e.value.is_some() || ev.is_some() {
                sqlx::query(
                    "INSERT INTO asm_self (target_id, leaf, value_x100, evidence, updated_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(target.id)
                .bind(&e.leaf)
                .bind(e.value.map(cents))
                .bind(ev)
                .bind(now)
                .execute(w.conn())
                .await?;
            }
        }
        if input.submit {
            // Every value-reported leaf must have a value before submitting.
            let saved = self_values(w.conn(), target.id).await?;
            let missing: Vec<FieldError> = leaves(&tree)
                .into_iter()
                .filter(|l| l.rule.as_ref().is_some_and(|r| r.needs_value()))
                .filter(|l| saved.get(&l.code).and_then(|s| s.0).is_none())
                .map(|l| {
                    FieldError::new(
                        format!("value.{}", l.code),
                        Rule::Required,
                        format!("提交前须填报指标「{}」（{}）", l.name, l.code),
                        format!("{} ({}) must be reported before submitting", l.code, l.name),
                    )
                })
                .collect();
            if !missing.is_empty() {
                return Err(StoreError::Invalid(missing));
            }
            // The city checks it on the workflow engine (return with a reason, or
            // accept); the engine keeps `self_status` in step.
            let case = self
                .self_report_case(w.conn(), actor, &round, &target, now)
                .await?;
            self.act_in(
                w.conn(),
                actor,
                case,
                &crate::workflow::ActInput {
                    action: "submit".into(),
                    comment: None,
                    version: None,
                    changes: Default::default(),
                },
            )
            .await?;
        }
        audit::Note::new(
            if input.submit {
                "asm_submit"
            } else {
                audit::action::UPDATE
            },
            "asm_target",
            target.id,
        )
        .summary(format!(
            "「{}」{}自评{}",
            round.title,
            target.name,
            if input.submit { "提交" } else { "保存" }
        ))
        .write(w.conn(), actor, now)
        .await?;
        w.commit().await?;
        self.self_report(actor, round_id, key, en).await
    }
}

/// The engine subject of a target's self-report: `self_report:<round>:<target id>:<key>`.
fn self_report_subject(round: i64, target: &Target) -> String {
    format!("self_report:{round}:{}:{}", target.id, target.key)
}

impl Service {
    /// The open self-report case of a target (one not withdrawn), opened if missing. Its
    /// organisation is the unit itself, or for a district its trade union (区总工会), where
    /// the district's reform office sits.
    async fn self_report_case(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        round: &Round,
        target: &Target,
        now: i64,
    ) -> Result<i64> {
        let subject = self_report_subject(round.id, target);
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM wf_cases WHERE process = 'assessment_self_report' AND subject = $1 AND status NOT IN ('withdrawn', 'rejected') ORDER BY id DESC LIMIT 1",
        )
        .bind(&subject)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = found {
            return Ok(id);
        }
        let org: Option<i64> = if round.target_kind == "district" {
            sqlx::query_scalar(
                "SELECT id FROM orgs WHERE region_code = $1 ORDER BY CASE WHEN kind = 'union' THEN 0 ELSE 1 END, id LIMIT 1",
            )
            .bind(&target.key)
            .fetch_optional(&mut *conn)
            .await?
        } else {
            target.key.parse().ok()
        };
        let org = org.ok_or_else(|| {
            StoreError::Invalid(vec![FieldError::new(
                "target",
                Rule::UnknownValue,
                format!("考核对象“{}”在组织树中没有对应的单位", target.name),
                format!(
                    "the target '{}' has no organisation in the tree",
                    target.name
                ),
            )])
        })?;
        let data: BTreeMap<String, String> = [
            ("year", round.year.to_string()),
            ("round", round.title.chars().take(200).collect()),
            ("target_kind", round.target_kind.clone()),
            ("target_key", target.key.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let title = format!("「{}」{}自评", round.title, target.name);
        let id = self
            .open_subject_case(
                conn,
                actor,
                &crate::engines::workflow::SubjectCase {
                    process: "assessment_self_report",
                    org_id: org,
                    title: &title,
                    data: &data,
                    subject: &subject,
                },
                now,
            )
            .await?;
        Ok(id)
    }
}

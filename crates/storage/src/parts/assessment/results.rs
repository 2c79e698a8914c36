//! Results: computed from self-reports, live indicators and expert scores; read with
//! or without expert identities; published as versions.

use crate::audit;
use crate::error::{Result, StoreError};
use crate::now_ms;
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::assessment::{
    cents, check_republish, expert_label, leaves, rank, round2, score_leaf, subtotals, LeafInput,
    Method, Node, ScoringRule,
};
use gongjiang_domain::Code;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashMap};

use super::guards::{acts_for, manage, may_manage};
use super::sql::{
    bump_score, json, load_experts, load_round, load_targets, load_version, self_values,
    target_node, target_users,
};
use super::types::{ExpertScore, NodeResult, ResultVersion, Results, Round, TargetResult};

fn strip_identities(t: &mut TargetResult) {
    for n in &mut t.nodes {
        for e in &mut n.experts {
            e.user_id = None;
            e.name = None;
        }
    }
}

impl Service {
    // ------------------------------------------------------------ results

    /// Computes every target's result from self-reports, live indicators and expert
    /// scores (not stored).
    async fn compute(&self, conn: &mut AnyConnection, round: &Round) -> Result<Vec<TargetResult>> {
        let tree = load_version(conn, round.version_id).await?.tree;
        let experts = load_experts(conn, round.id).await?;
        let targets = load_targets(conn, round.id).await?;
        let all_leaves = leaves(&tree);
        let system = Actor::system("assessment");
        let mut out = Vec::new();
        for t in &targets {
            let saved = self_values(conn, t.id).await?;
            let mut scores: HashMap<(String, i64), f64> = HashMap::new();
            for r in
                sqlx::query("SELECT leaf, user_id, score_x100 FROM asm_scores WHERE target_id = $1")
                    .bind(t.id)
                    .fetch_all(&mut *conn)
                    .await?
            {
                scores.insert(
                    (r.try_get(0)?, r.try_get(1)?),
                    r.try_get::<i64, _>(2)? as f64 / 100.0,
                );
            }
            // Live indicator values, once per target (the dashboard's service method).
            let needs_ind = all_leaves
                .iter()
                .any(|l| matches!(l.rule, Some(ScoringRule::Indicator { .. })));
            let ind_values: HashMap<String, Option<f64>> = if needs_ind {
                match self
                    .indicators(&system, &t.key, &round.year.to_string(), false)
                    .await
                {
                    Ok(rep) => rep
                        .values
                        .iter()
                        .map(|v| (v.code.to_string(), v.value))
                        .collect(),
                    Err(StoreError::NotFound) => HashMap::new(),
                    Err(e) => return Err(e),
                }
            } else {
                HashMap::new()
            };
            let mut leaf_points: HashMap<String, f64> = HashMap::new();
            let mut leaf_rows: HashMap<String, NodeResult> = HashMap::new();
            let mut outliers = 0;
            for l in &all_leaves {
                let (value, evidence) = saved.get(&l.code).cloned().unwrap_or((None, None));
                let mut input = LeafInput::default();
                let mut who: Vec<(usize, i64, String)> = Vec::new();
                match &l.rule {
                    Some(ScoringRule::Indicator { code, .. }) => {
                        input.value = ind_values.get(code).copied().flatten();
                    }
                    Some(ScoringRule::Expert { .. }) => {
                        for (i, (uid, name)) in experts.iter().enumerate() {
                            if let Some(s) = scores.get(&(l.code.clone(), *uid)) {
                                input.expert_scores.push(*s);
                                who.push((i, *uid, name.clone()));
                            }
                        }
                    }
                    _ => input.value = value,
                }
                let s = score_leaf(l, &input);
                let mut expert_rows = Vec::new();
                let (mut method, mut agg) = (None, None);
                if let Some(a) = &s.aggregate {
                    outliers += a.outliers.len() as i64;
                    method = Some(
                        match a.method {
                            Method::Mean => "mean",
                            Method::TrimmedMean => "trimmed_mean",
                            Method::None => "none",
                        }
                        .to_string(),
                    );
                    agg = (a.method != Method::None).then(|| round2(a.value));
                    for (j, (i, uid, name)) in who.iter().enumerate() {
                        expert_rows.push(ExpertScore {
                            label: expert_label(*i, false),
                            user_id: Some(*uid),
                            name: Some(name.clone()),
                            score: input.expert_scores[j],
                            dropped: a.dropped.contains(&j),
                            outlier: a.outliers.contains(&j),
                        });
                    }
                }
                leaf_points.insert(l.code.clone(), s.points);
                let rule = l.rule.as_ref();
                leaf_rows.insert(
                    l.code.clone(),
                    NodeResult {
                        code: l.code.clone(),
                        name: l.name.clone(),
                        depth: 0,
                        max_points: l.points,
                        points: s.points,
                        leaf: true,
                        rule: rule.map(|r| r.code().to_string()).unwrap_or_default(),
                        rule_zh: rule
                            .map(|r| r.describe(l.points, false))
                            .unwrap_or_default(),
                        rule_en: rule.map(|r| r.describe(l.points, true)).unwrap_or_default(),
                        value: input.value,
                        evidence,
                        experts: expert_rows,
                        method,
                        aggregate: agg,
                        explain_zh: s.explain_zh,
                        explain_en: s.explain_en,
                    },
                );
            }
            let sub = subtotals(&tree, &leaf_points);
            let mut nodes = Vec::new();
            flatten(&tree, 1, &sub, &mut leaf_rows, &mut nodes);
            let total = round2(
                tree.iter()
                    .map(|n| sub.get(&n.code).copied().unwrap_or(0.0))
                    .sum(),
            );
            out.push(TargetResult {
                key: t.key.clone(),
                name: t.name.clone(),
                total,
                rank: 0,
                outliers,
                nodes,
            });
        }
        let ranks = rank(&out.iter().map(|t| t.total).collect::<Vec<_>>());
        for (t, r) in out.iter_mut().zip(ranks) {
            t.rank = r;
        }
        out.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.key.cmp(&b.key)));
        Ok(out)
    }

    /// The results of a round: `result_no` None = the newest published version (or, for
    /// the city before the first publication, a live preview). Experts' names only for
    /// the city; breakdowns only for the city, the round's experts and each target's
    /// own row (other targets keep their totals and ranks).
    pub async fn round_results(
        &self,
        actor: &Actor,
        round_id: i64,
        result_no: Option<i64>,
        en: bool,
    ) -> Result<Results> {
        let mut conn = self.db.pool.acquire().await?;
        let round = load_round(&mut conn, round_id, en).await?;
        let city = may_manage(actor);
        let versions: Vec<ResultVersion> = sqlx::query(
            "SELECT x.result_no, x.reason, x.published_at, u.display_name FROM asm_results x LEFT JOIN users u ON u.id = x.published_by WHERE x.round_id = $1 ORDER BY x.result_no DESC",
        )
        .bind(round_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(ResultVersion {
                result_no: r.try_get(0)?,
                reason: r.try_get(1)?,
                published_at: r.try_get(2)?,
                published_by: r.try_get(3)?,
            })
        })
        .collect::<Result<_>>()?;
        if versions.is_empty() {
            if !city {
                return Err(StoreError::NotFound);
            }
            let targets = self.compute(&mut conn, &round).await?;
            return Ok(Results {
                round,
                result_no: None,
                versions,
                targets,
                superseded: false,
            });
        }
        let newest = versions[0].result_no;
        let no = result_no.unwrap_or(newest);
        let data: String =
            sqlx::query("SELECT data FROM asm_results WHERE round_id = $1 AND result_no = $2")
                .bind(round_id)
                .bind(no)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::NotFound)?
                .try_get(0)?;
        let mut targets: Vec<TargetResult> =
            serde_json::from_str(&data).map_err(|e| StoreError::Other(format!("result: {e}")))?;
        let expert = crate::access::may(actor, crate::access::Permission::ScoreAsExpert)
            && load_experts(&mut conn, round_id)
                .await?
                .iter()
                .any(|(u, _)| Some(*u) == actor.user_id);
        for t in &mut targets {
            if !city {
                strip_identities(t);
                if !expert && !acts_for(actor, &round.target_kind, &t.key) {
                    t.nodes.clear();
                }
            }
            if en {
                for n in &mut t.nodes {
                    for e in &mut n.experts {
                        e.label = e.label.replace("专家", "Expert ");
                    }
                }
            }
        }
        Ok(Results {
            round,
            result_no: Some(no),
            superseded: no != newest,
            versions,
            targets,
        })
    }

    /// Publishes the results of a closed round as a new result version. The first
    /// publication needs no reason; every later one does, and the earlier versions stay
    /// readable. The totals enter the indicator engine (`assessment_score`).
    pub async fn publish_results(
        &self,
        actor: &Actor,
        round_id: i64,
        reason: &str,
        en: bool,
    ) -> Result<Results> {
        manage(actor)?;
        let now = now_ms();
        let mut w = self.write(actor).await?;
        let round = load_round(w.conn(), round_id, en).await?;
        if round.status == "open" {
            return Err(StoreError::conflict(
                Code::RoundOpen,
                None,
                "考核仍在进行（自评和评分未截止）：请先结束评分再发布结果",
                "The round is still open: close it before publishing",
            ));
        }
        let reason = check_republish(round.results, reason).map_err(StoreError::invalid)?;
        let targets = self.compute(w.conn(), &round).await?;
        let no = round.results + 1;
        let rid: i64 = sqlx::query(
            "INSERT INTO asm_results (round_id, result_no, reason, data, published_by, published_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(round_id)
        .bind(no)
        .bind(&reason)
        .bind(json(&targets)?)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        // Previous totals leave the indicator engine, the new ones enter it.
        let mut previous: HashMap<String, i64> = HashMap::new();
        if no > 1 {
            for r in sqlx::query(
                "SELECT t.target_key, t.total_x100 FROM asm_totals t JOIN asm_results x ON x.id = t.result_id WHERE x.round_id = $1 AND x.result_no = $2",
            )
            .bind(round_id)
            .bind(no - 1)
            .fetch_all(w.conn())
            .await?
            {
                previous.insert(r.try_get(0)?, r.try_get(1)?);
            }
        }
        for t in &targets {
            sqlx::query("INSERT INTO asm_totals (result_id, target_key, total_x100, rank_no) VALUES ($1, $2, $3, $4)")
                .bind(rid)
                .bind(&t.key)
                .bind(cents(t.total))
                .bind(t.rank)
                .execute(w.conn())
                .await?;
            let before = previous.remove(&t.key).unwrap_or(0);
            bump_score(
                w.conn(),
                &target_node(&round.target_kind, &t.key),
                round.year,
                cents(t.total) - before,
            )
            .await?;
        }
        for (k, v) in previous {
            bump_score(
                w.conn(),
                &target_node(&round.target_kind, &k),
                round.year,
                -v,
            )
            .await?;
        }
        sqlx::query("UPDATE asm_rounds SET status = 'published', version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(round_id)
            .execute(w.conn())
            .await?;
        let pairs: Vec<(String, String)> = targets
            .iter()
            .map(|t| (t.key.clone(), t.name.clone()))
            .collect();
        let users = target_users(w.conn(), &round.target_kind, &pairs).await?;
        crate::notify::notify(
            w.conn(),
            &users,
            &format!("「{}」考核结果已发布（第{no}版）", round.title),
            &format!("/assessment/results/{round_id}"),
            now,
        )
        .await?;
        let why = reason
            .as_deref()
            .map(|r| format!(",原因：{r}"))
            .unwrap_or_default();
        let totals: Vec<_> = targets
            .iter()
            .map(|t| (t.key.clone(), t.total, t.rank))
            .collect();
        audit::Note::new("asm_publish", "asm_round", round_id)
            .summary(format!("发布「{}」考核结果第{no}版{why}", round.title))
            .after(&serde_json::json!({ "totals": totals }))
            .write(w.conn(), actor, now)
            .await?;
        w.commit().await?;
        self.round_results(actor, round_id, Some(no), en).await
    }
}

fn flatten(
    nodes: &[Node],
    depth: i64,
    sub: &BTreeMap<String, f64>,
    leaf_rows: &mut HashMap<String, NodeResult>,
    out: &mut Vec<NodeResult>,
) {
    for n in nodes {
        if let Some(mut row) = leaf_rows.remove(&n.code) {
            row.depth = depth;
            out.push(row);
        } else {
            out.push(NodeResult {
                code: n.code.clone(),
                name: n.name.clone(),
                depth,
                max_points: n.points,
                points: sub.get(&n.code).copied().unwrap_or(0.0),
                leaf: false,
                rule: String::new(),
                rule_zh: "下级指标得分之和".into(),
                rule_en: "Sum of the sub-items".into(),
                value: None,
                evidence: None,
                experts: Vec::new(),
                method: None,
                aggregate: None,
                explain_zh: String::new(),
                explain_en: String::new(),
            });
            flatten(&n.children, depth + 1, sub, leaf_rows, out);
        }
    }
}

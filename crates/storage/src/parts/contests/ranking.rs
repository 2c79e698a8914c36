//! The live ranking: every entrant's points from the marks kept so far — confirmed
//! paper marks, and judgement aspects once three judges have scored them — ranked with
//! ties sharing a rank. The same computation locks and publishes the results.
use super::sql;
use super::AspectOut;
use crate::error::Result;
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::contests::{needs_rescoring, rank, AspectKind, JUDGES_PER_ASPECT};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// One entrant's standing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Standing {
    pub entry_id: i64,
    pub worker_id: i64,
    pub worker_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub rank: i64,
    /// Points so far (of 100).
    pub total: f64,
    /// Every aspect marked, confirmed and scored by three judges, nothing flagged.
    pub complete: bool,
    /// Aspects still to mark, confirm or score.
    pub missing: Vec<String>,
    /// Judgement aspects whose judges differ by more than one point.
    pub flagged: Vec<String>,
    /// Marks kept so far (confirmed paper marks and judges' scores, up to three per
    /// judgement aspect) of `marks_expected`: the marking's progress.
    pub marks_kept: i64,
    pub marks_expected: i64,
}

/// The ranking.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ranking {
    pub contest_id: i64,
    pub entries: i64,
    pub complete: i64,
    pub flagged: i64,
    pub standings: Vec<Standing>,
}

#[derive(Default)]
struct Cell {
    paper: Option<(f64, bool)>,
    scores: Vec<i64>,
}

/// Computes the ranking of a contest from its marks.
pub(super) async fn compute(conn: &mut AnyConnection, contest: i64) -> Result<Ranking> {
    let aspects: Vec<AspectOut> = sql::aspects(conn, contest).await?;
    let rules: Vec<_> = aspects.iter().map(AspectOut::rule).collect();
    let entries = sqlx::query(
        "SELECT e.id, e.worker_id, w.name, e.org_id, o.name FROM contest_entries e JOIN workers w ON w.id = e.worker_id \
         JOIN orgs o ON o.id = e.org_id WHERE e.contest_id = $1",
    )
    .bind(contest)
    .fetch_all(&mut *conn)
    .await?;
    let marks = sqlx::query(
        "SELECT entry_id, aspect_id, judge_id, value_e4, confirmed_by FROM contest_marks WHERE contest_id = $1",
    )
    .bind(contest)
    .fetch_all(&mut *conn)
    .await?;
    let mut cells: HashMap<(i64, i64), Cell> = HashMap::new();
    for m in &marks {
        let key = (m.try_get::<i64, _>(0)?, m.try_get::<i64, _>(1)?);
        let judge: i64 = m.try_get(2)?;
        let v = sql::from_e4(m.try_get(3)?);
        let cell = cells.entry(key).or_default();
        if judge == 0 {
            cell.paper = Some((v, m.try_get::<Option<i64>, _>(4)?.is_some()));
        } else {
            cell.scores.push(v.round() as i64);
        }
    }
    let mut totals = Vec::with_capacity(entries.len());
    let mut info = HashMap::with_capacity(entries.len());
    for e in &entries {
        let id: i64 = e.try_get(0)?;
        let mut total = 0.0;
        let mut missing = Vec::new();
        let mut flagged = Vec::new();
        let (mut kept, mut expected) = (0i64, 0i64);
        for (a, rule) in aspects.iter().zip(&rules) {
            let cell = cells.get(&(id, a.id));
            match rule.kind {
                AspectKind::Measurement => {
                    expected += 1;
                    match cell.and_then(|c| c.paper) {
                        Some((v, true)) => {
                            kept += 1;
                            total += rule.measured_points(v);
                        }
                        _ => missing.push(a.name.clone()),
                    }
                }
                AspectKind::Judgement => {
                    let scores = cell.map(|c| c.scores.as_slice()).unwrap_or(&[]);
                    expected += JUDGES_PER_ASPECT as i64;
                    kept += scores.len().min(JUDGES_PER_ASPECT) as i64;
                    if needs_rescoring(scores) {
                        flagged.push(a.name.clone());
                    }
                    if scores.len() >= JUDGES_PER_ASPECT {
                        total += rule.judged_points(scores);
                    } else {
                        missing.push(a.name.clone());
                    }
                }
            }
        }
        totals.push((id, total));
        info.insert(id, (e, missing, flagged, kept, expected));
    }
    let ranked = rank(&totals);
    let mut standings = Vec::with_capacity(ranked.len());
    for (id, total, r) in ranked {
        let Some((e, missing, flagged, kept, expected)) = info.remove(&id) else {
            continue;
        };
        standings.push(Standing {
            entry_id: id,
            worker_id: e.try_get(1)?,
            worker_name: e.try_get(2)?,
            org_id: e.try_get(3)?,
            org_name: e.try_get(4)?,
            rank: r,
            total: (total * 100.0).round() / 100.0,
            complete: missing.is_empty() && flagged.is_empty() && !aspects.is_empty(),
            missing,
            flagged,
            marks_kept: kept,
            marks_expected: expected,
        });
    }
    Ok(Ranking {
        contest_id: contest,
        entries: standings.len() as i64,
        complete: standings.iter().filter(|s| s.complete).count() as i64,
        flagged: standings.iter().filter(|s| !s.flagged.is_empty()).count() as i64,
        standings,
    })
}

impl Service {
    /// The live ranking (anyone who sees the contest).
    pub async fn contest_ranking(&self, actor: &Actor, id: i64) -> Result<Ranking> {
        let mut conn = self.db.pool.acquire().await?;
        sql::visible(&mut conn, actor, id).await?;
        compute(&mut conn, id).await
    }
}

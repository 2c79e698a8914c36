//! The indicator engine. Every register contributes *facts* — (measure, period, value)
//! per organisation — and every fact is added to maintained aggregates for each tree node
//! above the organisation (its ancestor regions and ancestor organisations) in the same
//! transaction as the change. An indicator for any subtree and period is then one small
//! indexed range read, whatever the size of the data, and always live.
use crate::error::Result;
use gongjiang_domain::indicators::{Formula, Indicator, CATALOGUE};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashMap};

/// A tree node: `r:<region code>` (a region's subtree) or `o:<org id>` (an organisation's).
pub fn region_node(code: &str) -> String {
    format!("r:{code}")
}
pub fn org_node(id: i64) -> String {
    format!("o:{id}")
}

/// (measure, period) → value
pub type Facts = BTreeMap<(String, String), i64>;

/// What a future returned by a registered part looks like.
pub type PartFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T>> + Send + 'a>>;

/// A part's contribution to the indicators: its facts for one organisation. A part
/// registers one with `#[distributed_slice(FACT_SOURCES)]` (see `crate::parts::registry`);
/// the engine never names it.
pub struct FactSource {
    /// The part, for documentation and tests.
    pub part: &'static str,
    /// Adds the organisation's facts (measure, period) → value.
    pub facts: for<'a> fn(&'a mut AnyConnection, i64, &'a mut Facts) -> PartFuture<'a, ()>,
    /// The organisations holding any of the part's records (for a rebuild): a query
    /// `SELECT DISTINCT <org id> FROM …`.
    pub orgs: &'static str,
}

/// Facts that sit on one tree node and are not summed upwards (e.g. a published
/// assessment total): (node, period, value) for one measure.
pub struct NodeFactSource {
    pub part: &'static str,
    pub measure: &'static str,
    pub facts: NodeFacts,
}

/// `(node, period, value)` rows of one measure.
pub type NodeFacts =
    for<'a> fn(&'a mut AnyConnection) -> PartFuture<'a, Vec<(String, String, i64)>>;

/// Every part's facts, registered by the parts.
#[linkme::distributed_slice]
pub static FACT_SOURCES: [FactSource];

/// Every part's node facts, registered by the parts.
#[linkme::distributed_slice]
pub static NODE_FACT_SOURCES: [NodeFactSource];

/// Everything an organisation contributes, from every registered part.
pub async fn facts(conn: &mut AnyConnection, org_id: i64) -> Result<Facts> {
    let mut f = Facts::new();
    for source in FACT_SOURCES {
        (source.facts)(&mut *conn, org_id, &mut f).await?;
    }
    Ok(f)
}

/// The nodes an organisation's facts count towards: its ancestor regions and its
/// ancestor organisations (itself included).
pub async fn nodes(conn: &mut AnyConnection, org_id: i64) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if let Some(r) =
        sqlx::query("SELECT region_l1, region_l2, region_l3, region_l4 FROM orgs WHERE id = $1")
            .bind(org_id)
            .fetch_optional(&mut *conn)
            .await?
    {
        for i in 0..4 {
            if let Some(c) = r.try_get::<Option<String>, _>(i)? {
                out.push(region_node(&c));
            }
        }
    }
    for r in sqlx::query("SELECT ancestor_id FROM org_closure WHERE descendant_id = $1")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await?
    {
        out.push(org_node(r.try_get(0)?));
    }
    Ok(out)
}

async fn bump(
    conn: &mut AnyConnection,
    nodes: &[String],
    measure: &str,
    period: &str,
    delta: i64,
) -> Result<()> {
    if delta == 0 {
        return Ok(());
    }
    for n in nodes {
        sqlx::query(
            "INSERT INTO agg (node, period, measure, value) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (node, measure, period) DO UPDATE SET value = agg.value + excluded.value",
        )
        .bind(n)
        .bind(period)
        .bind(measure)
        .bind(delta)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Before a change to an organisation's registers: what it contributed, and where.
pub struct Snapshot {
    org_id: i64,
    facts: Facts,
    nodes: Vec<String>,
}

pub async fn snapshot(conn: &mut AnyConnection, org_id: i64) -> Result<Snapshot> {
    Ok(Snapshot {
        org_id,
        facts: facts(conn, org_id).await?,
        nodes: nodes(conn, org_id).await?,
    })
}

/// A new organisation's own facts (a 院校 counts as soon as it exists): settled against
/// nothing before it.
pub async fn settle_new(conn: &mut AnyConnection, org_id: i64) -> Result<()> {
    let before = Snapshot {
        org_id,
        facts: Facts::new(),
        nodes: nodes(conn, org_id).await?,
    };
    settle(conn, before).await
}

/// After the change: moves the difference into the aggregates. Handles both changed
/// facts and a moved organisation (other region or parent).
pub async fn settle(conn: &mut AnyConnection, before: Snapshot) -> Result<()> {
    let after_facts = facts(conn, before.org_id).await?;
    let after_nodes = nodes(conn, before.org_id).await?;
    let changed = if after_nodes == before.nodes {
        after_facts != before.facts
    } else {
        !after_facts.is_empty() || !before.facts.is_empty()
    };
    if changed {
        crate::version::data_changed(conn).await?;
    }
    if after_nodes == before.nodes {
        let mut keys: Vec<&(String, String)> =
            before.facts.keys().chain(after_facts.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let d = after_facts.get(k).copied().unwrap_or(0)
                - before.facts.get(k).copied().unwrap_or(0);
            bump(conn, &after_nodes, &k.0, &k.1, d).await?;
        }
    } else {
        for ((m, p), v) in &before.facts {
            bump(conn, &before.nodes, m, p, -v).await?;
        }
        for ((m, p), v) in &after_facts {
            bump(conn, &after_nodes, m, p, *v).await?;
        }
    }
    Ok(())
}

/// Recomputes every aggregate from the facts (after a restore, or to verify).
pub async fn rebuild(conn: &mut AnyConnection) -> Result<()> {
    crate::version::data_changed(conn).await?;
    sqlx::query("DELETE FROM agg").execute(&mut *conn).await?;
    let union = FACT_SOURCES
        .iter()
        .map(|s| s.orgs)
        .collect::<Vec<_>>()
        .join(" UNION ");
    if union.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = sqlx::query(&union)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<std::result::Result<_, _>>()?;
    let mut acc: HashMap<(String, String, String), i64> = HashMap::new();
    for id in ids {
        let f = facts(conn, id).await?;
        let n = nodes(conn, id).await?;
        for ((m, p), v) in f {
            for node in &n {
                *acc.entry((node.clone(), m.clone(), p.clone())).or_default() += v;
            }
        }
    }
    // Node facts (e.g. published assessment totals) sit on their own node.
    for source in NODE_FACT_SOURCES {
        for (node, period, v) in (source.facts)(&mut *conn).await? {
            *acc.entry((node, source.measure.to_string(), period))
                .or_default() += v;
        }
    }
    // Multi-row inserts: a few hundred statements instead of one per row.
    let rows: Vec<(String, String, String, i64)> = acc
        .into_iter()
        .filter(|(_, v)| *v != 0)
        .map(|((n, m, p), v)| (n, m, p, v))
        .collect();
    for chunk in rows.chunks(200) {
        let ph: Vec<String> = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, ${}, ${}, ${})",
                    i * 4 + 1,
                    i * 4 + 2,
                    i * 4 + 3,
                    i * 4 + 4
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO agg (node, period, measure, value) VALUES {}",
            ph.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (node, m, p, v) in chunk {
            q = q
                .bind(node.as_str())
                .bind(p.as_str())
                .bind(m.as_str())
                .bind(*v);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// One computed indicator.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Value {
    pub code: &'static str,
    pub value: Option<f64>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    /// The issue that will make a pending indicator computable.
    pub pending_issue: Option<u32>,
}

fn compute(
    ind: &Indicator,
    cumulative: &HashMap<&str, i64>,
    in_period: &HashMap<&str, i64>,
) -> Value {
    let get = |m: &HashMap<&str, i64>, k: &str| m.get(k).copied().unwrap_or(0);
    let plain = |v: i64| Value {
        code: ind.code,
        value: Some(v as f64),
        numerator: None,
        denominator: None,
        pending_issue: None,
    };
    match ind.formula {
        Formula::Cumulative(m) => plain(get(cumulative, m)),
        Formula::CumulativeAny(ms) => plain(ms.iter().map(|m| get(cumulative, m)).sum()),
        Formula::InPeriod(m) => plain(get(in_period, m)),
        Formula::InPeriodCents(m) => Value {
            code: ind.code,
            value: Some(get(in_period, m) as f64 / 100.0),
            numerator: None,
            denominator: None,
            pending_issue: None,
        },
        Formula::Ratio {
            numerator,
            denominator,
            factor,
        } => {
            let (n, d) = (get(in_period, numerator), get(in_period, denominator));
            Value {
                code: ind.code,
                value: (d != 0).then(|| n as f64 * factor as f64 / d as f64),
                numerator: Some(n),
                denominator: Some(d),
                pending_issue: None,
            }
        }
        Formula::RatioToCumulative {
            numerator,
            denominators,
            factor,
        } => {
            let n = get(in_period, numerator);
            let d: i64 = denominators.iter().map(|m| get(cumulative, m)).sum();
            Value {
                code: ind.code,
                value: (d != 0).then(|| n as f64 * factor as f64 / d as f64),
                numerator: Some(n),
                denominator: Some(d),
                pending_issue: None,
            }
        }
        Formula::Pending(issue) => Value {
            code: ind.code,
            value: None,
            numerator: None,
            denominator: None,
            pending_issue: Some(issue),
        },
    }
}

/// Every indicator of the catalogue for each node, for the period (`year` bounds the
/// cumulative ones; `period` selects the in-period ones). One query for all nodes.
pub async fn values(
    conn: &mut AnyConnection,
    nodes: &[String],
    year: i32,
    period: &str,
) -> Result<Vec<Vec<Value>>> {
    let mut out = Vec::with_capacity(nodes.len());
    for chunk in nodes.chunks(500) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        // The database sums: per node and measure, the cumulative total (yearly rows up
        // to the year) and the period's own value — one row per measure, not one per
        // stored period (a city node holds ~240 rows for ~36 measures).
        let sql = format!(
            "SELECT node, measure, \
             CAST(SUM(CASE WHEN LENGTH(period) = 4 AND period <= $1 THEN value ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN period = $2 THEN value ELSE 0 END) AS BIGINT), \
             SUM(CASE WHEN LENGTH(period) = 4 AND period <= $1 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN period = $2 THEN 1 ELSE 0 END) \
             FROM agg WHERE (period <= $1 OR period = $2) AND node IN ({}) GROUP BY node, measure",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql)
            .bind(year.to_string())
            .bind(period.to_string());
        for n in chunk {
            q = q.bind(n.as_str());
        }
        let rows = q.fetch_all(&mut *conn).await?;
        let mut cum: HashMap<String, HashMap<String, i64>> = HashMap::new();
        let mut inp: HashMap<String, HashMap<String, i64>> = HashMap::new();
        for r in rows {
            let node: String = r.try_get(0)?;
            let m: String = r.try_get(1)?;
            let c: i64 = r.try_get(2)?;
            let i: i64 = r.try_get(3)?;
            // A measure counts as present only where a row of that kind exists (an
            // indicator with no input stays "no data", not 0).
            if r.try_get::<i64, _>(4)? > 0 {
                cum.entry(node.clone()).or_default().insert(m.clone(), c);
            }
            if r.try_get::<i64, _>(5)? > 0 {
                inp.entry(node).or_default().insert(m, i);
            }
        }
        for n in chunk {
            let empty = HashMap::new();
            let c: HashMap<&str, i64> = cum
                .get(n)
                .unwrap_or(&empty)
                .iter()
                .map(|(k, v)| (k.as_str(), *v))
                .collect();
            let i: HashMap<&str, i64> = inp
                .get(n)
                .unwrap_or(&empty)
                .iter()
                .map(|(k, v)| (k.as_str(), *v))
                .collect();
            out.push(CATALOGUE.iter().map(|ind| compute(ind, &c, &i)).collect());
        }
    }
    Ok(out)
}

/// Cumulative count of one measure per year (for trend charts), for one node.
pub async fn yearly(
    conn: &mut AnyConnection,
    node: &str,
    measures: &[&str],
) -> Result<BTreeMap<i32, i64>> {
    let mut out = BTreeMap::new();
    for m in measures {
        let rows = sqlx::query("SELECT period, CAST(SUM(value) AS BIGINT) FROM agg WHERE node = $1 AND measure = $2 GROUP BY period").bind(node).bind(*m).fetch_all(&mut *conn).await?;
        for r in rows {
            let p: String = r.try_get(0)?;
            if let Ok(y) = p.parse::<i32>() {
                *out.entry(y).or_default() += r.try_get::<i64, _>(1)?;
            }
        }
    }
    Ok(out)
}

/// Registry workers at 高级工 or above, as a BIGINT sum over `workers`.
pub(crate) const HIGH_SKILLED_SUM: &str = "CAST(COALESCE(SUM(CASE WHEN skill_level IN ('senior', 'technician', 'senior_technician', 'principal', 'chief') THEN 1 ELSE 0 END), 0) AS BIGINT)";

/// After a bulk change to the worker registry: moves each touched organisation's change
/// in registry counts (workers, high-skilled), as counted by the importer row by row,
/// into the aggregates, summed per node first (one upsert per node and measure, however
/// many rows changed). Deltas rather than a recount: nothing is read back from the
/// registry, and a concurrent import into the same organisations (PostgreSQL) adds its
/// own deltas instead of counting this one's rows again.
pub async fn settle_worker_deltas(
    conn: &mut AnyConnection,
    changes: &std::collections::HashMap<i64, (i64, i64)>,
) -> Result<()> {
    let mut deltas: std::collections::BTreeMap<(String, &str), i64> = Default::default();
    let touched: Vec<i64> = changes
        .iter()
        .filter(|(_, (dn, dh))| *dn != 0 || *dh != 0)
        .map(|(org, _)| *org)
        .collect();
    let all_nodes = nodes_of(conn, &touched).await?;
    for (org, node_list) in all_nodes {
        let Some((dn, dh)) = changes.get(&org) else {
            continue;
        };
        for node in node_list {
            *deltas.entry((node.clone(), "reg:workers")).or_default() += dn;
            *deltas.entry((node, "reg:high_skilled")).or_default() += dh;
        }
    }
    deltas.retain(|_, d| *d != 0);
    if !deltas.is_empty() {
        crate::version::data_changed(conn).await?;
    }
    // Many nodes, one statement per few hundred (keys are distinct within a statement,
    // as PostgreSQL's ON CONFLICT requires).
    let list: Vec<_> = deltas.into_iter().collect();
    for batch in list.chunks(200) {
        let mut sql =
            crate::sql::Sql::new("INSERT INTO agg (node, period, measure, value) VALUES ");
        for (i, ((node, measure), d)) in batch.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind_text(node.clone())
                .push(", '0000', ")
                .bind_text(*measure)
                .push(", ")
                .bind_int(*d)
                .push(")");
        }
        sql.push(
            " ON CONFLICT (node, measure, period) DO UPDATE SET value = agg.value + excluded.value",
        );
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}

/// [`nodes`] of many organisations, a few queries for all.
pub async fn nodes_of(
    conn: &mut AnyConnection,
    org_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<String>>> {
    let mut out: std::collections::HashMap<i64, Vec<String>> = Default::default();
    for batch in org_ids.chunks(500) {
        let list = batch
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        for r in sqlx::query(&format!(
            "SELECT id, region_l1, region_l2, region_l3, region_l4 FROM orgs WHERE id IN ({list})"
        ))
        .fetch_all(&mut *conn)
        .await?
        {
            let entry = out.entry(r.try_get(0)?).or_default();
            for i in 1..5 {
                if let Some(c) = r.try_get::<Option<String>, _>(i)? {
                    entry.push(region_node(&c));
                }
            }
        }
        for r in sqlx::query(&format!(
            "SELECT descendant_id, ancestor_id FROM org_closure WHERE descendant_id IN ({list})"
        ))
        .fetch_all(&mut *conn)
        .await?
        {
            let org: i64 = r.try_get(0)?;
            let node = org_node(r.try_get(1)?);
            out.entry(org).or_default().push(node);
        }
    }
    Ok(out)
}

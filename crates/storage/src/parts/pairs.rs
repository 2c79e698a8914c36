//! Pairing (结对共建): 国企↔民企 pairs (state-owned with private, by `orgs.ownership`) and
//! 链主↔配套 pairs (a chain leader, `orgs.chain_leader`, with its supplier, named by the
//! chain), their activities, and the graph of each chain's pairs.
//!
//! A pair is visible to whoever sees either side; region staff create pairs between
//! enterprises of their area and record activities for pairs with a side in their area;
//! a unit records activities of its own pairs. Region staff with both sides in their area edit a pair
//! or end it (结束结对, with a date and a reason; it keeps its activities, takes none
//! dated later, and the graphs mark it); whoever records activities corrects or deletes
//! them.
use crate::audit;
use crate::error::{Result, StoreError};
use crate::orgs;
use crate::scope::{Actor, Resolved, Scope};
use crate::service::Service;
use crate::sql::Sql;
use crate::{now_ms, Page};
use gongjiang_domain::contacts::{self as dc, PairKind, PairSide};
use gongjiang_domain::error::text;
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Role, Rule};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Pair {
    pub id: i64,
    /// state_private, chain
    pub kind: String,
    pub kind_label: String,
    /// The state-owned enterprise, or the chain leader.
    pub org_a: i64,
    pub org_a_name: String,
    /// The private enterprise, or the supplier.
    pub org_b: i64,
    pub org_b_name: String,
    pub chain: Option<String>,
    pub start_year: i64,
    pub goals: Option<String>,
    pub activities: i64,
    pub last_activity: Option<String>,
    /// Ended (结束结对): the last day and why. An ended pair keeps its activities and
    /// takes none dated after that day.
    pub ended_on: Option<String>,
    pub end_reason: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairInput {
    /// state_private (国企↔民企) or chain (链主↔配套)
    pub kind: String,
    /// The state-owned enterprise or the chain leader: id or 统一社会信用代码.
    pub org_a: String,
    /// The private enterprise or the supplier: id or 统一社会信用代码.
    pub org_b: String,
    /// The chain or industry, e.g. 新能源汽车 (required for chain pairs).
    #[serde(default)]
    pub chain: Option<String>,
    pub start_year: i64,
    #[serde(default)]
    pub goals: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Activity {
    pub id: i64,
    pub pair_id: i64,
    pub held_on: String,
    pub title: String,
    pub summary: Option<String>,
    pub participants: i64,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// YYYY-MM-DD, not in the future.
    pub held_on: String,
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    pub participants: i64,
}

#[derive(Debug, Clone, Default)]
pub struct PairFilter {
    /// active (not ended) or ended; none = both.
    pub status: Option<String>,
    pub kind: Option<String>,
    pub chain: Option<String>,
    pub region: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// One node of a chain's graph: an enterprise.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GraphNode {
    pub id: i64,
    pub name: String,
    pub leader: bool,
    /// Pairs it takes part in within the chain.
    pub pairs: i64,
}

/// One edge: a pair.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GraphLink {
    pub pair_id: i64,
    pub source: i64,
    pub target: i64,
    pub activities: i64,
    /// The pair has ended (drawn apart from the active ones).
    pub ended: bool,
}

/// The pairing of one chain (or, with `chain` = null, the 国企↔民企 pairs).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChainGraph {
    pub chain: Option<String>,
    pub kind: String,
    pub nodes: Vec<GraphNode>,
    pub links: Vec<GraphLink>,
}

const SELECT: &str = "SELECT p.id, p.kind, p.org_a, oa.name AS a_name, oa.chain_leader AS a_leader, p.org_b, ob.name AS b_name, ob.chain_leader AS b_leader, \
    p.chain, p.start_year, p.goals, p.created_at, p.ended_on, p.end_reason, p.version, \
    (SELECT COUNT(*) FROM pair_activities x WHERE x.pair_id = p.id) AS n_act, \
    (SELECT MAX(held_on) FROM pair_activities x WHERE x.pair_id = p.id) AS last_act \
    FROM pairs p JOIN orgs oa ON oa.id = p.org_a JOIN orgs ob ON ob.id = p.org_b";

fn row(r: &sqlx::any::AnyRow, en: bool) -> Result<Pair> {
    let kind: String = r.try_get("kind")?;
    Ok(Pair {
        id: r.try_get("id")?,
        kind_label: PairKind::from_any(&kind)
            .map(|k| k.label(en))
            .unwrap_or("")
            .to_string(),
        kind,
        org_a: r.try_get("org_a")?,
        org_a_name: r.try_get("a_name")?,
        org_b: r.try_get("org_b")?,
        org_b_name: r.try_get("b_name")?,
        chain: r.try_get("chain")?,
        start_year: r.try_get("start_year")?,
        goals: r.try_get("goals")?,
        activities: r.try_get("n_act")?,
        last_activity: r.try_get("last_act")?,
        active: r.try_get::<Option<String>, _>("ended_on")?.is_none(),
        ended_on: r.try_get("ended_on")?,
        end_reason: r.try_get("end_reason")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
    })
}

/// ` AND (side a in scope OR side b in scope)`.
fn either_side(sql: &mut Sql, r: &Resolved) {
    if *r == Resolved::All {
        return;
    }
    sql.push(" AND ((1 = 1");
    r.org_filter(sql, "oa");
    sql.push(") OR (1 = 1");
    r.org_filter(sql, "ob");
    sql.push("))");
}

fn nz(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl Service {
    async fn pair_in(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        id: i64,
        en: bool,
    ) -> Result<Option<Pair>> {
        let r = scope.resolve(&mut *conn).await?;
        let mut sql = Sql::new(&format!("{SELECT} WHERE p.id = "));
        sql.bind_int(id);
        either_side(&mut sql, &r);
        sql.query()
            .fetch_optional(conn)
            .await?
            .as_ref()
            .map(|x| row(x, en))
            .transpose()
    }

    /// Creates a pair between two enterprises of the caller's area (region staff).
    /// The kinds must fit: 国企↔民企 = state-owned `org_a`, private `org_b`;
    /// 链主↔配套 = chain-leader `org_a`, supplier `org_b`, with the chain's name.
    pub async fn create_pair(&self, actor: &Actor, i: &PairInput, en: bool) -> Result<Pair> {
        if !actor.role.is_region_staff() {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.db.begin().await?;
        let mut errs = Vec::new();
        let kind = dc::pair_kind(&i.kind);
        let scope = actor.write_scope();
        let a = find_side(tx.conn(), &scope, "org_a", ("甲方", "Side A"), &i.org_a).await?;
        let b = find_side(tx.conn(), &scope, "org_b", ("乙方", "Side B"), &i.org_b).await?;
        let chain = text(
            "chain",
            ("产业链", "Chain"),
            i.chain.as_deref().unwrap_or(""),
            false,
            50,
        );
        let goals = dc::long_text(
            "goals",
            ("结对目标", "Goals"),
            i.goals.as_deref().unwrap_or(""),
            false,
        );
        let year = dc::start_year(
            i.start_year,
            chrono::Datelike::year(&crate::contacts::today()),
        );
        let (kind, a, b, chain, goals, year) = match (kind, a, b, chain, goals, year) {
            (Ok(k), Ok(a), Ok(b), Ok(c), Ok(g), Ok(y)) => (k, a, b, c, g, y),
            (k, a, b, c, g, y) => {
                errs.extend(k.err());
                errs.extend(a.err());
                errs.extend(b.err());
                errs.extend(c.err());
                errs.extend(g.err());
                errs.extend(y.err());
                return Err(StoreError::Invalid(errs));
            }
        };
        let errs = dc::check_pair(kind, &side(&a), &side(&b), chain.as_deref());
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let now = now_ms();
        let id: i64 = match sqlx::query(
            "INSERT INTO pairs (kind, org_a, org_b, chain, start_year, goals, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(kind.code())
        .bind(a.id)
        .bind(b.id)
        .bind(chain.as_deref())
        .bind(year)
        .bind(goals.as_deref())
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(tx.conn())
        .await
        {
            Ok(r) => r.try_get(0)?,
            Err(e) => {
                let e = StoreError::from(e);
                if e.is_unique_violation() {
                    return Err(StoreError::conflict(
                        Code::PairExists,
                        Some("org_b"),
                        format!("“{}”与“{}”已结对", a.name, b.name),
                        format!("{} and {} are already paired", a.name, b.name),
                    ));
                }
                return Err(e);
            }
        };
        audit::append(
            tx.conn(),
            actor,
            audit::action::CREATE,
            "pair",
            &id.to_string(),
            &format!("{} 结对 {}", a.name, b.name),
            None,
            Some(&json!({"kind": kind.code(), "org_a": a.id, "org_b": b.id, "chain": chain, "start_year": year})),
            now,
        )
        .await?;
        let p = self
            .pair_in(tx.conn(), &Scope::All, id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(p)
    }

    /// One pair (404 when neither side is in the caller's area) with its activities,
    /// newest first, whether the caller may record (and correct) activities, and whether
    /// they may edit or end the pair.
    pub async fn get_pair(
        &self,
        actor: &Actor,
        id: i64,
        en: bool,
    ) -> Result<(Pair, Vec<Activity>, bool, bool)> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.db.pool.acquire().await?;
        let p = self
            .pair_in(&mut conn, &actor.read_scope(), id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        let acts = activities(&mut conn, id).await?;
        let may = self.may_record(&mut conn, actor, &p).await?;
        let edit = p.active && self.may_change_pair(&mut conn, actor, &p).await?;
        Ok((p, acts, may, edit))
    }

    async fn may_record(&self, conn: &mut AnyConnection, actor: &Actor, p: &Pair) -> Result<bool> {
        if actor.role == Role::Unit {
            return Ok(actor.org_id.is_some_and(|o| o == p.org_a || o == p.org_b));
        }
        if !actor.role.is_region_staff() {
            return Ok(false);
        }
        Ok(self
            .pair_in(&mut *conn, &actor.write_scope(), p.id, false)
            .await?
            .is_some())
    }

    /// Records an activity of a pair.
    pub async fn add_activity(
        &self,
        actor: &Actor,
        pair_id: i64,
        i: &ActivityInput,
    ) -> Result<Activity> {
        let mut tx = self.db.begin().await?;
        let p = self
            .pair_in(tx.conn(), &actor.read_scope(), pair_id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !self.may_record(tx.conn(), actor, &p).await? {
            return Err(StoreError::denied(
                Code::PairNotYours,
                "只有结对双方或其辖区工作人员可以记录活动",
                "only the paired enterprises or staff of their area can record activities",
            ));
        }
        let held = dc::date(
            "held_on",
            ("活动日期", "Date"),
            &i.held_on,
            crate::contacts::today(),
        );
        let title = text("title", ("活动名称", "Title"), &i.title, true, 100);
        let summary = dc::long_text(
            "summary",
            ("活动内容", "Summary"),
            i.summary.as_deref().unwrap_or(""),
            false,
        );
        let n = dc::participants(i.participants);
        let held = held.and_then(|h| after_end(&p, h));
        let (held, title, summary, n) = match (held, title, summary, n) {
            (Ok(h), Ok(Some(t)), Ok(s), Ok(n)) => (h, t, s, n),
            (h, t, s, n) => {
                let mut errs = Vec::new();
                errs.extend(h.err());
                errs.extend(t.err());
                errs.extend(s.err());
                errs.extend(n.err());
                return Err(StoreError::Invalid(errs));
            }
        };
        let now = now_ms();
        let id: i64 = sqlx::query(
            "INSERT INTO pair_activities (pair_id, held_on, title, summary, participants, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(pair_id)
        .bind(held.to_string())
        .bind(&title)
        .bind(summary.as_deref())
        .bind(n)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::CREATE,
            "pair_activity",
            &id.to_string(),
            &format!("{} 结对 {}:{}", p.org_a_name, p.org_b_name, title),
            None,
            Some(&json!({"pair_id": pair_id, "held_on": held.to_string(), "participants": n})),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Activity {
            id,
            pair_id,
            held_on: held.to_string(),
            title,
            summary,
            participants: n,
            version: 1,
        })
    }

    /// Pairs visible to the caller (either side in their area), by chain and start year.
    pub async fn list_pairs(&self, actor: &Actor, f: &PairFilter, en: bool) -> Result<Page<Pair>> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        let w = pair_where(&mut conn, actor, f).await?;
        let per_page = f.per_page.clamp(1, 500);
        let page = f.page.max(1);
        let mut count = Sql::new(&format!(
            "SELECT COUNT(*) FROM pairs p JOIN orgs oa ON oa.id = p.org_a JOIN orgs ob ON ob.id = p.org_b{}",
            w.text()
        ));
        count.set_args(w.args().to_vec());
        let total: i64 = count.query().fetch_one(&mut *conn).await?.try_get(0)?;
        let mut q = Sql::new(&format!(
            "{SELECT}{} ORDER BY p.kind, p.chain, oa.name, ob.name LIMIT ",
            w.text()
        ));
        q.set_args(w.args().to_vec());
        q.bind_int(per_page)
            .push(" OFFSET ")
            .bind_int((page - 1).saturating_mul(per_page));
        let items = q
            .query()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| row(r, en))
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// The chain names in use among the pairs the caller sees.
    pub async fn pair_chains(&self, actor: &Actor) -> Result<Vec<String>> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        let w = pair_where(&mut conn, actor, &PairFilter::default()).await?;
        let mut q = Sql::new(&format!(
            "SELECT DISTINCT p.chain FROM pairs p JOIN orgs oa ON oa.id = p.org_a JOIN orgs ob ON ob.id = p.org_b{} AND p.chain IS NOT NULL ORDER BY p.chain",
            w.text()
        ));
        q.set_args(w.args().to_vec());
        q.query()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok(r.try_get(0)?))
            .collect()
    }

    /// The graph of each chain's pairs (chain pairs grouped by chain), and one graph of
    /// the 国企↔民企 pairs, for the filtered pairs (at most 2,000).
    pub async fn pair_graphs(&self, actor: &Actor, f: &PairFilter) -> Result<Vec<ChainGraph>> {
        let all = self
            .list_pairs(
                actor,
                &PairFilter {
                    page: 1,
                    per_page: 500,
                    ..f.clone()
                },
                false,
            )
            .await?;
        let mut groups: BTreeMap<(String, Option<String>), Vec<&Pair>> = BTreeMap::new();
        for p in &all.items {
            let chain = if p.kind == "chain" {
                p.chain.clone()
            } else {
                None
            };
            groups.entry((p.kind.clone(), chain)).or_default().push(p);
        }
        let mut out = Vec::new();
        for ((kind, chain), pairs) in groups {
            let mut nodes: BTreeMap<i64, GraphNode> = BTreeMap::new();
            let mut links = Vec::new();
            for p in pairs {
                for (id, name, leader_side) in [
                    (p.org_a, &p.org_a_name, true),
                    (p.org_b, &p.org_b_name, false),
                ] {
                    let e = nodes.entry(id).or_insert_with(|| GraphNode {
                        id,
                        name: name.clone(),
                        leader: kind == "chain" && leader_side,
                        pairs: 0,
                    });
                    e.pairs += 1;
                }
                links.push(GraphLink {
                    pair_id: p.id,
                    source: p.org_a,
                    target: p.org_b,
                    activities: p.activities,
                    ended: !p.active,
                });
            }
            if kind == "state_private" {
                // Mark state-owned enterprises as the larger nodes of that graph.
                for l in &links {
                    if let Some(n) = nodes.get_mut(&l.source) {
                        n.leader = true;
                    }
                }
            }
            out.push(ChainGraph {
                chain,
                kind,
                nodes: nodes.into_values().collect(),
                links,
            });
        }
        // Chains first (by name), the 国企↔民企 graph last.
        out.sort_by(|a, b| (a.kind != "chain", &a.chain).cmp(&(b.kind != "chain", &b.chain)));
        Ok(out)
    }
}

async fn find_side(
    conn: &mut AnyConnection,
    scope: &Scope,
    field: &'static str,
    label: (&'static str, &'static str),
    key: &str,
) -> Result<std::result::Result<orgs::Org, FieldError>> {
    let key = key.trim();
    if key.is_empty() {
        return Ok(Err(FieldError::required(field, label.0, label.1)));
    }
    Ok(orgs::find(conn, scope, key).await?.ok_or_else(|| {
        FieldError::new(
            field,
            Rule::UnknownValue,
            format!("{}“{}”不存在或不在您的管辖范围内", label.0, key),
            format!(
                "{} '{}' does not exist or is outside your area",
                label.1, key
            ),
        )
    }))
}

async fn activities(conn: &mut AnyConnection, pair_id: i64) -> Result<Vec<Activity>> {
    sqlx::query(
        "SELECT id, pair_id, held_on, title, summary, participants, version FROM pair_activities WHERE pair_id = $1 ORDER BY held_on DESC, id DESC",
    )
    .bind(pair_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(Activity {
            id: r.try_get(0)?,
            pair_id: r.try_get(1)?,
            held_on: r.try_get(2)?,
            title: r.try_get(3)?,
            summary: r.try_get(4)?,
            participants: r.try_get(5)?,
            version: r.try_get(6)?,
        })
    })
    .collect()
}

async fn pair_where(conn: &mut AnyConnection, actor: &Actor, f: &PairFilter) -> Result<Sql> {
    let mut w = Sql::new(" WHERE 1 = 1");
    let r = actor.read_scope().resolve(&mut *conn).await?;
    either_side(&mut w, &r);
    if let Some(reg) = nz(f.region.as_deref()) {
        let r = Resolved::region(&mut *conn, reg).await?;
        either_side(&mut w, &r);
    }
    if let Some(k) = nz(f.kind.as_deref()) {
        w.push(" AND p.kind = ").bind_text(k);
    }
    if let Some(c) = nz(f.chain.as_deref()) {
        w.push(" AND p.chain = ").bind_text(c);
    }
    match nz(f.status.as_deref()) {
        Some("active") => {
            w.push(" AND p.ended_on IS NULL");
        }
        Some("ended") => {
            w.push(" AND p.ended_on IS NOT NULL");
        }
        _ => {}
    }
    Ok(w)
}

// ----- corrections: editing and ending pairs, editing and deleting activities -----

/// Changes to a pair; left out = unchanged (an empty `chain` or `goals` clears it).
/// The same rules as for a new pair apply to the result.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairEdit {
    /// The version the client last saw (another answers 409 `stale_version`).
    #[serde(default)]
    pub version: Option<i64>,
    /// state_private or chain
    #[serde(default)]
    pub kind: Option<String>,
    /// id or 统一社会信用代码
    #[serde(default)]
    pub org_a: Option<String>,
    /// id or 统一社会信用代码
    #[serde(default)]
    pub org_b: Option<String>,
    #[serde(default)]
    pub chain: Option<String>,
    #[serde(default)]
    pub start_year: Option<i64>,
    #[serde(default)]
    pub goals: Option<String>,
}

/// Ends a pair (结束结对).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairEndInput {
    /// The last day, YYYY-MM-DD: not before its start year or its latest activity, not
    /// after today.
    pub ended_on: String,
    /// Why it ended (required).
    pub reason: String,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Changes to an activity; left out = unchanged (an empty `summary` clears it).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityEdit {
    /// The version the client last saw (another answers 409 `stale_version`).
    #[serde(default)]
    pub version: Option<i64>,
    /// YYYY-MM-DD, not in the future (nor after the pair's end).
    #[serde(default)]
    pub held_on: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub participants: Option<i64>,
}

/// An activity date after the pair ended is refused (`held_on`).
fn after_end(
    p: &Pair,
    held: chrono::NaiveDate,
) -> std::result::Result<chrono::NaiveDate, FieldError> {
    match p.ended_on.as_deref() {
        Some(e) if held.to_string().as_str() > e => Err(FieldError::new(
            "held_on",
            Rule::Forbidden,
            format!("该结对已于 {e} 结束，活动日期不能晚于结束日期"),
            format!("the pair ended on {e}; an activity cannot be dated after that"),
        )),
        _ => Ok(held),
    }
}

fn pair_changed() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该结对刚刚已被他人修改，请刷新后再编辑",
        "someone else changed this pair a moment ago; reload and edit again",
    )
}

fn activity_changed() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该活动记录刚刚已被他人修改，请刷新后再编辑",
        "someone else changed this activity a moment ago; reload and edit again",
    )
}

fn pair_json(p: &Pair) -> serde_json::Value {
    json!({"kind": p.kind, "org_a": p.org_a, "org_b": p.org_b, "chain": p.chain, "start_year": p.start_year, "goals": p.goals, "ended_on": p.ended_on, "end_reason": p.end_reason})
}

fn activity_json(a: &Activity) -> serde_json::Value {
    json!({"pair_id": a.pair_id, "held_on": a.held_on, "title": a.title, "summary": a.summary, "participants": a.participants})
}

impl Service {
    /// May `actor` edit or end the pair: region staff with both sides in their area (as
    /// for creating it).
    async fn may_change_pair(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        p: &Pair,
    ) -> Result<bool> {
        if !actor.role.is_region_staff() {
            return Ok(false);
        }
        let scope = actor.write_scope();
        Ok(orgs::get(&mut *conn, &scope, p.org_a).await?.is_some()
            && orgs::get(&mut *conn, &scope, p.org_b).await?.is_some())
    }

    /// The pair as `actor` may change it (404 outside their area, 403 without both sides
    /// in it, 409 once ended or at another version).
    async fn pair_for_change(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
    ) -> Result<Pair> {
        if !actor.role.is_region_staff() {
            return Err(StoreError::Forbidden);
        }
        let p = self
            .pair_in(&mut *conn, &actor.read_scope(), id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !self.may_change_pair(&mut *conn, actor, &p).await? {
            return Err(StoreError::denied(
                Code::PairNotYours,
                "只有结对双方所在区域（或其上级）的工作人员可以修改或结束结对",
                "only staff whose area holds both paired enterprises may edit or end the pair",
            ));
        }
        if let Some(e) = &p.ended_on {
            return Err(StoreError::conflict(
                Code::PairEnded,
                None,
                format!("该结对已于 {e} 结束，不能再修改"),
                format!("the pair ended on {e}; it can no longer be changed"),
            ));
        }
        if version.is_some_and(|v| v != p.version) {
            return Err(pair_changed());
        }
        Ok(p)
    }

    /// Edits a pair with the rules of a new one; audit-logged with before and after.
    pub async fn update_pair(
        &self,
        actor: &Actor,
        id: i64,
        i: &PairEdit,
        en: bool,
    ) -> Result<Pair> {
        let mut tx = self.db.begin().await?;
        let p = self
            .pair_for_change(tx.conn(), actor, id, i.version)
            .await?;
        let scope = actor.write_scope();
        let kind = dc::pair_kind(i.kind.as_deref().unwrap_or(&p.kind));
        let a = find_side(
            tx.conn(),
            &scope,
            "org_a",
            ("甲方", "Side A"),
            &i.org_a.clone().unwrap_or_else(|| p.org_a.to_string()),
        )
        .await?;
        let b = find_side(
            tx.conn(),
            &scope,
            "org_b",
            ("乙方", "Side B"),
            &i.org_b.clone().unwrap_or_else(|| p.org_b.to_string()),
        )
        .await?;
        let chain = text(
            "chain",
            ("产业链", "Chain"),
            i.chain.as_deref().or(p.chain.as_deref()).unwrap_or(""),
            false,
            50,
        );
        let goals = dc::long_text(
            "goals",
            ("结对目标", "Goals"),
            i.goals.as_deref().or(p.goals.as_deref()).unwrap_or(""),
            false,
        );
        let year = match i.start_year {
            Some(y) if y != p.start_year => {
                dc::start_year(y, chrono::Datelike::year(&crate::contacts::today()))
            }
            _ => Ok(p.start_year),
        };
        let (kind, a, b, chain, goals, year) = match (kind, a, b, chain, goals, year) {
            (Ok(k), Ok(a), Ok(b), Ok(c), Ok(g), Ok(y)) => (k, a, b, c, g, y),
            (k, a, b, c, g, y) => {
                let mut errs = Vec::new();
                errs.extend(k.err());
                errs.extend(a.err());
                errs.extend(b.err());
                errs.extend(c.err());
                errs.extend(g.err());
                errs.extend(y.err());
                return Err(StoreError::Invalid(errs));
            }
        };
        let errs = dc::check_pair(kind, &side(&a), &side(&b), chain.as_deref());
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        // A 国企↔民企 pair names no chain.
        let chain = if kind == PairKind::Chain { chain } else { None };
        if let Some(first) = first_activity(tx.conn(), id).await? {
            if first
                .get(..4)
                .and_then(|y| y.parse::<i64>().ok())
                .is_some_and(|y| y < year)
            {
                return Err(StoreError::invalid(FieldError::new(
                    "start_year",
                    Rule::Forbidden,
                    format!("起始年份不能晚于最早一次共建活动的年份（{first}）"),
                    format!("the start year cannot be after the first activity ({first})"),
                )));
            }
        }
        if kind.code() == p.kind
            && a.id == p.org_a
            && b.id == p.org_b
            && chain == p.chain
            && year == p.start_year
            && goals == p.goals
        {
            return Ok(p);
        }
        let now = now_ms();
        let n = match sqlx::query(
            "UPDATE pairs SET kind = $1, org_a = $2, org_b = $3, chain = $4, start_year = $5, goals = $6, version = version + 1, updated_at = $7 \
             WHERE id = $8 AND version = $9 AND ended_on IS NULL",
        )
        .bind(kind.code())
        .bind(a.id)
        .bind(b.id)
        .bind(chain.as_deref())
        .bind(year)
        .bind(goals.as_deref())
        .bind(now)
        .bind(id)
        .bind(p.version)
        .execute(tx.conn())
        .await
        {
            Ok(r) => r.rows_affected(),
            Err(e) => {
                let e = StoreError::from(e);
                if e.is_unique_violation() {
                    return Err(StoreError::conflict(
                        Code::PairExists,
                        Some("org_b"),
                        format!("“{}”与“{}”已结对", a.name, b.name),
                        format!("{} and {} are already paired", a.name, b.name),
                    ));
                }
                return Err(e);
            }
        };
        if n != 1 {
            return Err(pair_changed());
        }
        let after = self
            .pair_in(tx.conn(), &Scope::All, id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::UPDATE,
            "pair",
            &id.to_string(),
            &format!("{} 结对 {}", after.org_a_name, after.org_b_name),
            Some(&pair_json(&p)),
            Some(&pair_json(&after)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Ends a pair (结束结对) with a date and a reason. It stays listed as ended with
    /// its activities; the graphs draw it apart or leave it out.
    pub async fn end_pair(
        &self,
        actor: &Actor,
        id: i64,
        i: &PairEndInput,
        en: bool,
    ) -> Result<Pair> {
        let mut tx = self.db.begin().await?;
        let p = self
            .pair_for_change(tx.conn(), actor, id, i.version)
            .await?;
        let mut errs = Vec::new();
        let ended = dc::date(
            "ended_on",
            ("结束日期", "End date"),
            &i.ended_on,
            crate::contacts::today(),
        )
        .map_err(|e| errs.push(e))
        .ok()
        .map(|d| d.to_string());
        let reason = dc::long_text("reason", ("结束原因", "Reason"), &i.reason, true)
            .map_err(|e| errs.push(e))
            .ok()
            .flatten();
        if let Some(e) = &ended {
            let start = format!("{}-01-01", p.start_year);
            if *e < start {
                errs.push(FieldError::new(
                    "ended_on",
                    Rule::Forbidden,
                    format!("结束日期不能早于起始年份（{}）", p.start_year),
                    format!("the end cannot be before the start year ({})", p.start_year),
                ));
            } else if let Some(l) = p.last_activity.as_ref().filter(|l| *l > e) {
                errs.push(FieldError::new(
                    "ended_on",
                    Rule::Forbidden,
                    format!("结束日期不能早于最近一次共建活动的日期（{l}）"),
                    format!("the end cannot be before the latest activity ({l})"),
                ));
            }
        }
        let (Some(ended), Some(reason), true) = (ended, reason, errs.is_empty()) else {
            return Err(StoreError::Invalid(errs));
        };
        let now = now_ms();
        let n = sqlx::query(
            "UPDATE pairs SET ended_on = $1, end_reason = $2, ended_at = $3, version = version + 1, updated_at = $3 \
             WHERE id = $4 AND version = $5 AND ended_on IS NULL",
        )
        .bind(&ended)
        .bind(&reason)
        .bind(now)
        .bind(id)
        .bind(p.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(pair_changed());
        }
        let after = self
            .pair_in(tx.conn(), &Scope::All, id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::append(
            tx.conn(),
            actor,
            "pair_end",
            "pair",
            &id.to_string(),
            &format!(
                "{} 结束结对 {}（{ended}，{reason}）",
                after.org_a_name, after.org_b_name
            ),
            Some(&pair_json(&p)),
            Some(&pair_json(&after)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The pair and the activity as `actor` may correct it (who may record activities).
    async fn activity_for_change(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
    ) -> Result<(Pair, Activity)> {
        let (p, a) = self.activity_in(&mut *conn, actor, id).await?;
        if !self.may_record(&mut *conn, actor, &p).await? {
            return Err(StoreError::denied(
                Code::PairNotYours,
                "只有结对双方或其辖区工作人员可以修改或删除活动记录",
                "only the paired enterprises or staff of their area can correct or delete activities",
            ));
        }
        if version.is_some_and(|v| v != a.version) {
            return Err(activity_changed());
        }
        Ok((p, a))
    }

    /// An activity and its pair, when the pair is visible to `actor`.
    async fn activity_in(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
    ) -> Result<(Pair, Activity)> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::NotFound);
        }
        let pair_id: i64 = sqlx::query("SELECT pair_id FROM pair_activities WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get(0)?;
        let p = self
            .pair_in(&mut *conn, &actor.read_scope(), pair_id, false)
            .await?
            .ok_or(StoreError::NotFound)?;
        let a = activities(&mut *conn, pair_id)
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(StoreError::NotFound)?;
        Ok((p, a))
    }

    /// One activity with its pair (404 outside the caller's area) and whether the caller
    /// may correct or delete it.
    pub async fn get_activity(&self, actor: &Actor, id: i64) -> Result<(Pair, Activity, bool)> {
        let mut conn = self.db.pool.acquire().await?;
        let (p, a) = self.activity_in(&mut conn, actor, id).await?;
        let may = self.may_record(&mut conn, actor, &p).await?;
        Ok((p, a, may))
    }

    /// Corrects an activity; audit-logged with before and after.
    pub async fn update_activity(
        &self,
        actor: &Actor,
        id: i64,
        i: &ActivityEdit,
    ) -> Result<Activity> {
        let mut tx = self.db.begin().await?;
        let (p, a) = self
            .activity_for_change(tx.conn(), actor, id, i.version)
            .await?;
        let pair_id = p.id;
        let held = dc::date(
            "held_on",
            ("活动日期", "Date"),
            i.held_on.as_deref().unwrap_or(&a.held_on),
            crate::contacts::today(),
        )
        .and_then(|h| after_end(&p, h));
        let title = text(
            "title",
            ("活动名称", "Title"),
            i.title.as_deref().unwrap_or(&a.title),
            true,
            100,
        );
        let summary = dc::long_text(
            "summary",
            ("活动内容", "Summary"),
            i.summary.as_deref().or(a.summary.as_deref()).unwrap_or(""),
            false,
        );
        let n = dc::participants(i.participants.unwrap_or(a.participants));
        let (held, title, summary, n) = match (held, title, summary, n) {
            (Ok(h), Ok(Some(t)), Ok(s), Ok(n)) => (h.to_string(), t, s, n),
            (h, t, s, n) => {
                let mut errs = Vec::new();
                errs.extend(h.err());
                errs.extend(t.err());
                errs.extend(s.err());
                errs.extend(n.err());
                return Err(StoreError::Invalid(errs));
            }
        };
        if held == a.held_on && title == a.title && summary == a.summary && n == a.participants {
            return Ok(a);
        }
        let now = now_ms();
        let changed = sqlx::query(
            "UPDATE pair_activities SET held_on = $1, title = $2, summary = $3, participants = $4, version = version + 1, updated_at = $5 \
             WHERE id = $6 AND pair_id = $7 AND version = $8",
        )
        .bind(&held)
        .bind(&title)
        .bind(summary.as_deref())
        .bind(n)
        .bind(now)
        .bind(id)
        .bind(pair_id)
        .bind(a.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(activity_changed());
        }
        let after = Activity {
            id,
            pair_id,
            held_on: held,
            title,
            summary,
            participants: n,
            version: a.version + 1,
        };
        audit::append(
            tx.conn(),
            actor,
            audit::action::UPDATE,
            "pair_activity",
            &id.to_string(),
            &format!("{} 结对 {}:{}", p.org_a_name, p.org_b_name, after.title),
            Some(&activity_json(&a)),
            Some(&activity_json(&after)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes an activity recorded by mistake; audit-logged with what it was.
    pub async fn delete_activity(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let (p, a) = self
            .activity_for_change(tx.conn(), actor, id, version)
            .await?;
        let pair_id = p.id;
        let n = sqlx::query(
            "DELETE FROM pair_activities WHERE id = $1 AND pair_id = $2 AND version = $3",
        )
        .bind(id)
        .bind(pair_id)
        .bind(a.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(activity_changed());
        }
        audit::append(
            tx.conn(),
            actor,
            audit::action::DELETE,
            "pair_activity",
            &id.to_string(),
            &format!(
                "{} 结对 {}:删除活动 {}",
                p.org_a_name, p.org_b_name, a.title
            ),
            Some(&activity_json(&a)),
            None,
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn side(o: &orgs::Org) -> PairSide<'_> {
    PairSide {
        id: o.id,
        name: &o.name,
        kind: &o.kind,
        ownership: o.ownership.as_deref(),
        chain_leader: o.chain_leader,
    }
}

async fn first_activity(conn: &mut AnyConnection, pair_id: i64) -> Result<Option<String>> {
    Ok(
        sqlx::query("SELECT MIN(held_on) FROM pair_activities WHERE pair_id = $1")
            .bind(pair_id)
            .fetch_one(conn)
            .await?
            .try_get(0)?,
    )
}

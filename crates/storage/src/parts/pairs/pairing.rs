//! Pairs: creating, reading, listing them and the chain graphs; the corrections
//! (editing a pair, ending it with 结束结对).

use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::orgs;
use crate::scope::{Actor, Scope};
use crate::service::Service;
use crate::sql::Sql;
use crate::Page;
use gongjiang_domain::contacts::{self as dc, PairKind};
use gongjiang_domain::error::text;
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Rule};
use serde_json::json;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

use super::sql::{
    activities, either_side, find_side, first_activity, pair_where, row, side, SELECT,
};
use super::types::{
    Activity, ChainGraph, GraphLink, GraphNode, Pair, PairEdit, PairEndInput, PairFilter, PairInput,
};

fn pair_changed() -> StoreError {
    StoreError::conflict(
        Code::StaleVersion,
        None,
        "该结对刚刚已被他人修改，请刷新后再编辑",
        "someone else changed this pair a moment ago; reload and edit again",
    )
}

fn pair_json(p: &Pair) -> serde_json::Value {
    json!({"kind": p.kind, "org_a": p.org_a, "org_b": p.org_b, "chain": p.chain, "start_year": p.start_year, "goals": p.goals, "ended_on": p.ended_on, "end_reason": p.end_reason})
}

impl Service {
    pub(super) async fn pair_in(
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
        access::check(actor, Permission::Coordinate)?;
        let mut w = self.write(actor).await?;
        let mut errs = Vec::new();
        let kind = dc::pair_kind(&i.kind);
        let scope = actor.write_scope();
        let a = find_side(w.conn(), &scope, "org_a", ("甲方", "Side A"), &i.org_a).await?;
        let b = find_side(w.conn(), &scope, "org_b", ("乙方", "Side B"), &i.org_b).await?;
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
        let now = w.now;
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
        .fetch_one(w.conn())
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
        w.audit(
            audit::Note::new(audit::action::CREATE, "pair", id)
                .summary(format!("{} 结对 {}", a.name, b.name))
                .after(&json!({
                    "kind": kind.code(),
                    "org_a": a.id,
                    "org_b": b.id,
                    "chain": chain,
                    "start_year": year,
                })),
        )
        .await?;
        let p = self
            .pair_in(w.conn(), &Scope::All, id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.commit().await?;
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
        if !access::may(actor, Permission::ReadRegisters) {
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

    /// Pairs visible to the caller (either side in their area), by chain and start year.
    pub async fn list_pairs(&self, actor: &Actor, f: &PairFilter, en: bool) -> Result<Page<Pair>> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        let w = pair_where(&mut conn, actor, f).await?;
        crate::sql::page_of(
            &mut conn,
            (
                "SELECT COUNT(*) FROM pairs p JOIN orgs oa ON oa.id = p.org_a JOIN orgs ob ON \
                 ob.id = p.org_b",
                SELECT,
            ),
            &w,
            " ORDER BY p.kind, p.chain, oa.name, ob.name",
            (f.page, f.per_page),
            |r| row(r, en),
        )
        .await
    }

    /// The chain names in use among the pairs the caller sees.
    pub async fn pair_chains(&self, actor: &Actor) -> Result<Vec<String>> {
        access::check(actor, Permission::ReadRegisters)?;
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

    /// May `actor` edit or end the pair: region staff with both sides in their area (as
    /// for creating it).
    async fn may_change_pair(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        p: &Pair,
    ) -> Result<bool> {
        if !access::may(actor, Permission::Coordinate) {
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
        access::check(actor, Permission::Coordinate)?;
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
        let mut w = self.write(actor).await?;
        let p = self.pair_for_change(w.conn(), actor, id, i.version).await?;
        let scope = actor.write_scope();
        let kind = dc::pair_kind(i.kind.as_deref().unwrap_or(&p.kind));
        let a = find_side(
            w.conn(),
            &scope,
            "org_a",
            ("甲方", "Side A"),
            &i.org_a.clone().unwrap_or_else(|| p.org_a.to_string()),
        )
        .await?;
        let b = find_side(
            w.conn(),
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
        if let Some(first) = first_activity(w.conn(), id).await? {
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
        let now = w.now;
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
        .execute(w.conn())
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
            .pair_in(w.conn(), &Scope::All, id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            audit::Note::new(audit::action::UPDATE, "pair", id)
                .summary(format!("{} 结对 {}", after.org_a_name, after.org_b_name))
                .before(&pair_json(&p))
                .after(&pair_json(&after)),
        )
        .await?;
        w.commit().await?;
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
        let mut w = self.write(actor).await?;
        let p = self.pair_for_change(w.conn(), actor, id, i.version).await?;
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
        let now = w.now;
        let n = sqlx::query(
            "UPDATE pairs SET ended_on = $1, end_reason = $2, ended_at = $3, version = version + 1, updated_at = $3 \
             WHERE id = $4 AND version = $5 AND ended_on IS NULL",
        )
        .bind(&ended)
        .bind(&reason)
        .bind(now)
        .bind(id)
        .bind(p.version)
        .execute(w.conn())
        .await?
        .rows_affected();
        if n != 1 {
            return Err(pair_changed());
        }
        let after = self
            .pair_in(w.conn(), &Scope::All, id, en)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            audit::Note::new("pair_end", "pair", id)
                .summary(format!(
                    "{} 结束结对 {}（{ended}，{reason}）",
                    after.org_a_name, after.org_b_name
                ))
                .before(&pair_json(&p))
                .after(&pair_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }
}

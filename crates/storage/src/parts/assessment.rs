//! The yearly assessment (评价考核): schemes as versioned indicator trees, rounds that
//! apply a frozen scheme version to districts, member units or pilot units for a year,
//! self-reports by the targets, experts with conflict-of-interest recusal who score
//! independently, results computed from self-reports, live indicators and expert scores,
//! and versioned publication (a published result never changes silently).
//!
//! Targets: a district or functional zone is its region code (`320402`); a member unit
//! or pilot unit is its organisation id as text (`"17"`). The users who act for a target:
//! district staff attached to that region code; department or unit users attached to
//! that organisation.
//!
//! Who does what: the city (and sysadmin) builds schemes, sets up rounds, assigns
//! experts, closes rounds and publishes results; targets self-report; assigned experts
//! score expert leaves of targets they are not related to; every signed-in user may read
//! published rankings; a breakdown is shown to the city, to the target itself and to
//! the round's experts, with expert identities (names) for the city only — everyone else
//! sees 专家A/B/C.
use crate::audit;
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::now_ms;
use crate::scope::Actor;
use crate::service::Service;
use gongjiang_domain::assessment::{
    self as dom, cents, check_republish, check_score, expert_label, leaves, rank, round2,
    score_leaf, subtotals, validate_tree, LeafInput, Method, Node, ScoringRule, TargetKind,
};
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, Role, Rule};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashMap};

/// The measure under which published totals (×100) enter the indicator engine, kept on
/// the target's own node (`r:<region>` or `o:<org id>`) for the round's year.
pub const SCORE_MEASURE: &str = "asm:score";

fn may_manage(actor: &Actor) -> bool {
    crate::access::decide(actor, crate::access::Permission::ManageAssessment).allowed()
}

fn manage(actor: &Actor) -> Result<()> {
    if may_manage(actor) {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

fn parse_tree(s: &str) -> Result<Vec<Node>> {
    serde_json::from_str(s).map_err(|e| StoreError::Other(format!("scheme tree: {e}")))
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(e.to_string()))
}

// ---------------------------------------------------------------- schemes

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionInfo {
    pub id: i64,
    pub version_no: i64,
    /// draft or published
    pub status: String,
    pub published_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Scheme {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub versions: Vec<VersionInfo>,
}

/// One version of a scheme with its tree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchemeVersion {
    pub id: i64,
    pub scheme_id: i64,
    pub scheme_name: String,
    pub version_no: i64,
    /// draft (editable) or published (frozen)
    pub status: String,
    /// The indicator tree: nodes `{code, name, points, rule?, children?}`; a leaf's rule
    /// is `{kind: checklist | bands {bands:[{min, percent}]} | ratio {target} |
    /// indicator {code, target} | expert {max, criteria}}`.
    #[schema(value_type = Vec<Object>)]
    pub tree: Vec<Node>,
    pub published_at: Option<i64>,
    /// For optimistic locking of draft edits.
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemeInput {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub tree: Vec<Node>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TreeInput {
    #[schema(value_type = Vec<Object>)]
    pub tree: Vec<Node>,
    /// The version last read (409 `stale_version` when someone saved in between).
    #[serde(default)]
    pub version: Option<i64>,
}

async fn load_version(conn: &mut AnyConnection, id: i64) -> Result<SchemeVersion> {
    let r = sqlx::query(
        "SELECT v.id, v.scheme_id, s.name, v.version_no, v.status, v.tree, v.published_at, v.version \
         FROM asm_versions v JOIN asm_schemes s ON s.id = v.scheme_id WHERE v.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(SchemeVersion {
        id: r.try_get(0)?,
        scheme_id: r.try_get(1)?,
        scheme_name: r.try_get(2)?,
        version_no: r.try_get(3)?,
        status: r.try_get(4)?,
        tree: parse_tree(&r.try_get::<String, _>(5)?)?,
        published_at: r.try_get(6)?,
        version: r.try_get(7)?,
    })
}

fn scheme_name(name: &str) -> Result<String> {
    gongjiang_domain::error::text("name", ("方案名称", "Scheme name"), name, true, 100)
        .map_err(StoreError::invalid)?
        .ok_or_else(|| StoreError::invalid(FieldError::required("name", "方案名称", "Scheme name")))
}

// ---------------------------------------------------------------- rounds

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Round {
    pub id: i64,
    pub year: i64,
    pub title: String,
    pub version_id: i64,
    pub scheme_name: String,
    pub version_no: i64,
    /// district, member_unit, pilot_unit
    pub target_kind: String,
    pub target_kind_label: String,
    /// open (self-reports and scoring), closed, published
    pub status: String,
    /// The number of result versions published.
    pub results: i64,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundInput {
    pub year: i64,
    pub title: String,
    /// A published scheme version.
    pub version_id: i64,
    /// district, member_unit, pilot_unit
    pub target_kind: String,
    /// Region codes (districts) or organisation ids; empty = every district and zone, or
    /// every member unit (pilot units must be listed).
    #[serde(default)]
    pub targets: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Target {
    pub id: i64,
    pub key: String,
    pub name: String,
    /// draft, submitted (locked, waiting for the city's check) or accepted
    pub self_status: String,
    pub submitted_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Expert {
    pub user_id: i64,
    /// 专家A, 专家B …
    pub label: String,
    /// The expert's name: for the city only.
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Conflict {
    pub user_id: i64,
    pub expert_label: String,
    pub target_key: String,
    pub target_name: String,
    /// attached (belongs to the target), declared, refused (a refused attempt to score)
    pub kind: String,
    pub reason: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoundDetail {
    pub round: Round,
    pub targets: Vec<Target>,
    pub experts: Vec<Expert>,
    /// Recusals (city only; empty for everyone else).
    pub conflicts: Vec<Conflict>,
    /// What the caller may do: manage, self_report, score.
    pub may: Vec<String>,
}

const ROUND_COLS: &str = "r.id, r.year, r.title, r.version_id, s.name, v.version_no, r.target_kind, r.status, r.version, \
     (SELECT COUNT(*) FROM asm_results x WHERE x.round_id = r.id) \
     FROM asm_rounds r JOIN asm_versions v ON v.id = r.version_id JOIN asm_schemes s ON s.id = v.scheme_id";

fn round_row(r: &sqlx::any::AnyRow, en: bool) -> Result<Round> {
    let kind: String = r.try_get(6)?;
    Ok(Round {
        id: r.try_get(0)?,
        year: r.try_get(1)?,
        title: r.try_get(2)?,
        version_id: r.try_get(3)?,
        scheme_name: r.try_get(4)?,
        version_no: r.try_get(5)?,
        target_kind_label: TargetKind::parse(&kind)
            .map(|k| k.label(en).to_string())
            .unwrap_or_default(),
        target_kind: kind,
        status: r.try_get(7)?,
        version: r.try_get(8)?,
        results: r.try_get(9)?,
    })
}

async fn load_round(conn: &mut AnyConnection, id: i64, en: bool) -> Result<Round> {
    let r = sqlx::query(&format!("SELECT {ROUND_COLS} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    round_row(&r, en)
}

async fn load_targets(conn: &mut AnyConnection, round_id: i64) -> Result<Vec<Target>> {
    let rows = sqlx::query(
        "SELECT id, target_key, name, self_status, submitted_at FROM asm_targets WHERE round_id = $1 ORDER BY sort, id",
    )
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Target {
                id: r.try_get(0)?,
                key: r.try_get(1)?,
                name: r.try_get(2)?,
                self_status: r.try_get(3)?,
                submitted_at: r.try_get(4)?,
            })
        })
        .collect()
}

/// (user id, display name) of the round's experts in assignment order.
async fn load_experts(conn: &mut AnyConnection, round_id: i64) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query(
        "SELECT e.user_id, u.display_name FROM asm_experts e JOIN users u ON u.id = e.user_id WHERE e.round_id = $1 ORDER BY e.sort, e.id",
    )
    .bind(round_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Whether the actor acts for the target (its district staff, its member unit or unit).
pub(crate) fn acts_for(actor: &Actor, kind: &str, key: &str) -> bool {
    match kind {
        "district" => actor.role == Role::District && actor.region_code.as_deref() == Some(key),
        "member_unit" => {
            actor.role == Role::Department
                && actor.org_id.map(|i| i.to_string()).as_deref() == Some(key)
        }
        "pilot_unit" => {
            actor.role == Role::Unit && actor.org_id.map(|i| i.to_string()).as_deref() == Some(key)
        }
        _ => false,
    }
}

/// Whether a user (expert) belongs to the target: attached to the region or one below
/// it (districts), or to the organisation, one above or one below it (organisations).
async fn attached_to(
    conn: &mut AnyConnection,
    region_code: Option<&str>,
    org_id: Option<i64>,
    kind: &str,
    key: &str,
) -> Result<bool> {
    if kind == "district" {
        if let Some(rc) = region_code {
            if rc == key {
                return Ok(true);
            }
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) FROM regions WHERE code = $1 AND (l1 = $2 OR l2 = $2 OR l3 = $2 OR l4 = $2)",
            )
            .bind(rc)
            .bind(key)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            if n > 0 {
                return Ok(true);
            }
        }
        if let Some(o) = org_id {
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) FROM orgs WHERE id = $1 AND (region_l2 = $2 OR region_l3 = $2 OR region_code = $2)",
            )
            .bind(o)
            .bind(key)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            return Ok(n > 0);
        }
        return Ok(false);
    }
    let (Some(o), Ok(t)) = (org_id, key.parse::<i64>()) else {
        return Ok(false);
    };
    if o == t {
        return Ok(true);
    }
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) FROM org_closure WHERE (ancestor_id = $1 AND descendant_id = $2) OR (ancestor_id = $2 AND descendant_id = $1)",
    )
    .bind(o)
    .bind(t)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    Ok(n > 0)
}

// ---------------------------------------------------------------- self-reports

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SelfLeaf {
    pub code: String,
    pub name: String,
    pub points: f64,
    /// checklist, bands, ratio, indicator, expert
    pub rule: String,
    pub rule_text: String,
    /// Whether a value is reported (checklist: 1 yes / 0 no).
    pub needs_value: bool,
    pub value: Option<f64>,
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SelfReport {
    pub round: Round,
    pub target: Target,
    pub leaves: Vec<SelfLeaf>,
    pub editable: bool,
    /// The workflow case that carries the city's check of the self-report.
    pub case_id: Option<i64>,
    /// Why the city returned it, while it waits for correction.
    pub returned_reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfEntry {
    pub leaf: String,
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfInput {
    pub entries: Vec<SelfEntry>,
    /// Submit (lock) after saving.
    #[serde(default)]
    pub submit: bool,
}

// ---------------------------------------------------------------- scoring

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    /// The target's key (region code or organisation id).
    pub target: String,
    /// The leaf's code, e.g. "4.1".
    pub leaf: String,
    pub score: f64,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SheetLeaf {
    pub code: String,
    pub name: String,
    pub max: f64,
    pub criteria: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SheetTarget {
    pub key: String,
    pub name: String,
    /// The expert may not score this target (conflict of interest).
    pub recused: bool,
    /// The caller's own scores: leaf code → score.
    pub scores: BTreeMap<String, f64>,
    /// The target's evidence per leaf.
    pub evidence: BTreeMap<String, String>,
}

/// What an expert sees: only their own scores while the round is open.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScoringSheet {
    pub round: Round,
    pub label: String,
    pub leaves: Vec<SheetLeaf>,
    pub targets: Vec<SheetTarget>,
    pub editable: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictInput {
    /// The expert (user id); an expert declaring their own conflict may omit it.
    #[serde(default)]
    pub user_id: Option<i64>,
    /// The target's key.
    pub target: String,
    pub reason: String,
}

// ---------------------------------------------------------------- results

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExpertScore {
    /// 专家A …
    pub label: String,
    /// For the city only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub score: f64,
    /// Dropped by the trimmed mean.
    pub dropped: bool,
    /// Further than 20 % of the maximum from the others' median.
    pub outlier: bool,
}

/// One node of a target's breakdown.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NodeResult {
    pub code: String,
    pub name: String,
    /// 1, 2 or 3
    pub depth: i64,
    pub max_points: f64,
    pub points: f64,
    pub leaf: bool,
    /// checklist, bands, ratio, indicator, expert ("" for an inner node)
    pub rule: String,
    pub rule_zh: String,
    pub rule_en: String,
    /// The reported value or the indicator's value.
    pub value: Option<f64>,
    pub evidence: Option<String>,
    pub experts: Vec<ExpertScore>,
    /// mean, trimmed_mean, none (expert leaves)
    pub method: Option<String>,
    pub aggregate: Option<f64>,
    pub explain_zh: String,
    pub explain_en: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetResult {
    pub key: String,
    pub name: String,
    pub total: f64,
    pub rank: i64,
    /// How many expert scores were flagged as outliers.
    pub outliers: i64,
    pub nodes: Vec<NodeResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResultVersion {
    pub result_no: i64,
    pub reason: Option<String>,
    pub published_at: i64,
    pub published_by: Option<String>,
}

/// Published (or, for the city, previewed) results of a round.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Results {
    pub round: Round,
    /// None for a preview that is not published.
    pub result_no: Option<i64>,
    /// Every published version, newest first.
    pub versions: Vec<ResultVersion>,
    /// Ranked, best first.
    pub targets: Vec<TargetResult>,
    /// True when this is not the newest published version.
    pub superseded: bool,
}

fn strip_identities(t: &mut TargetResult) {
    for n in &mut t.nodes {
        for e in &mut n.experts {
            e.user_id = None;
            e.name = None;
        }
    }
}

/// Totals (×100) of the newest result of every published round, as indicator facts:
/// (node, period, value). Used by [`indicators::rebuild`].
pub async fn score_facts(conn: &mut AnyConnection) -> Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT r.target_kind, r.year, t.target_key, t.total_x100 FROM asm_totals t \
         JOIN asm_results x ON x.id = t.result_id JOIN asm_rounds r ON r.id = x.round_id \
         WHERE x.result_no = (SELECT MAX(y.result_no) FROM asm_results y WHERE y.round_id = x.round_id)",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let kind: String = r.try_get(0)?;
        let year: i64 = r.try_get(1)?;
        let key: String = r.try_get(2)?;
        out.push((target_node(&kind, &key), year.to_string(), r.try_get(3)?));
    }
    Ok(out)
}

fn target_node(kind: &str, key: &str) -> String {
    if kind == "district" {
        indicators::region_node(key)
    } else {
        format!("o:{key}")
    }
}

async fn bump_score(conn: &mut AnyConnection, node: &str, year: i64, delta: i64) -> Result<()> {
    if delta == 0 {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO agg (node, period, measure, value) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (node, measure, period) DO UPDATE SET value = agg.value + excluded.value",
    )
    .bind(node)
    .bind(year.to_string())
    .bind(SCORE_MEASURE)
    .bind(delta)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn denied_conflict(target: &str) -> StoreError {
    StoreError::denied(
        Code::ConflictOfInterest,
        format!("利益冲突回避：您与被考核对象「{target}」存在关联（所属单位或已申报关联），不能为其评分；本次回避已记录"),
        format!("Conflict of interest: you are related to {target} (attached or declared) and cannot score it; the recusal has been recorded"),
    )
}

impl Service {
    // ------------------------------------------------------------ schemes

    /// Every scheme with its versions (region staff read; experts and targets see the
    /// scheme through their rounds).
    pub async fn list_schemes(&self, actor: &Actor) -> Result<Vec<Scheme>> {
        if !actor.role.is_region_staff() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        let rows = sqlx::query("SELECT id, name, description FROM asm_schemes ORDER BY id DESC")
            .fetch_all(&mut *conn)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let id: i64 = r.try_get(0)?;
            let vs = sqlx::query(
                "SELECT id, version_no, status, published_at FROM asm_versions WHERE scheme_id = $1 ORDER BY version_no DESC",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            out.push(Scheme {
                id,
                name: r.try_get(1)?,
                description: r.try_get(2)?,
                versions: vs
                    .iter()
                    .map(|v| {
                        Ok(VersionInfo {
                            id: v.try_get(0)?,
                            version_no: v.try_get(1)?,
                            status: v.try_get(2)?,
                            published_at: v.try_get(3)?,
                        })
                    })
                    .collect::<Result<_>>()?,
            });
        }
        Ok(out)
    }

    /// Creates a scheme with its first (draft) version. The tree must be valid.
    pub async fn create_scheme(&self, actor: &Actor, input: &SchemeInput) -> Result<SchemeVersion> {
        manage(actor)?;
        let name = scheme_name(&input.name);
        let mut tree = input.tree.clone();
        let mut errs = Vec::new();
        if let Err(StoreError::Invalid(e)) = &name {
            errs.extend(e.iter().cloned());
        }
        if let Err(e) = validate_tree(&mut tree) {
            errs.extend(e);
        }
        let description = gongjiang_domain::error::text(
            "description",
            ("说明", "Description"),
            input.description.as_deref().unwrap_or(""),
            false,
            2000,
        );
        let description = match description {
            Ok(d) => d,
            Err(e) => {
                errs.push(e);
                None
            }
        };
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let name = name?;
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let sid: i64 = sqlx::query(
            "INSERT INTO asm_schemes (name, description, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(&name)
        .bind(&description)
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        let vid: i64 = sqlx::query(
            "INSERT INTO asm_versions (scheme_id, version_no, status, tree, version, created_at, updated_at) VALUES ($1, 1, 'draft', $2, 1, $3, $3) RETURNING id",
        )
        .bind(sid)
        .bind(json(&tree)?)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        let after = serde_json::json!({"name": name, "tree": tree});
        audit::append(
            tx.conn(),
            actor,
            audit::action::CREATE,
            "asm_scheme",
            &sid.to_string(),
            &format!("考核方案「{name}」第1版（草稿）"),
            None,
            Some(&after),
            now,
        )
        .await?;
        let v = load_version(tx.conn(), vid).await?;
        tx.commit().await?;
        Ok(v)
    }

    pub async fn scheme_version(&self, actor: &Actor, id: i64) -> Result<SchemeVersion> {
        if !actor.role.is_region_staff() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        load_version(&mut conn, id).await
    }

    /// Saves a draft's tree (validated; a published version is frozen: 409).
    pub async fn save_draft(
        &self,
        actor: &Actor,
        id: i64,
        input: &TreeInput,
    ) -> Result<SchemeVersion> {
        manage(actor)?;
        let mut tree = input.tree.clone();
        validate_tree(&mut tree).map_err(StoreError::Invalid)?;
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let before = load_version(tx.conn(), id).await?;
        if before.status != "draft" {
            return Err(StoreError::conflict(
                Code::VersionFrozen,
                None,
                format!(
                    "第{}版已发布并冻结，不能修改；请基于它新建草稿版本",
                    before.version_no
                ),
                format!(
                    "Version {} is published and frozen; start a new draft from it",
                    before.version_no
                ),
            ));
        }
        if input.version.is_some_and(|v| v != before.version) {
            return Err(StoreError::conflict(
                Code::StaleVersion,
                None,
                "方案已被他人修改，请刷新后重试",
                "The scheme was changed by someone else; reload and try again",
            ));
        }
        let n = sqlx::query(
            "UPDATE asm_versions SET tree = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(json(&tree)?)
        .bind(now)
        .bind(id)
        .bind(before.version)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::conflict(
                Code::StaleVersion,
                None,
                "方案已被他人修改，请刷新后重试",
                "The scheme was changed by someone else; reload and try again",
            ));
        }
        audit::append(
            tx.conn(),
            actor,
            audit::action::UPDATE,
            "asm_version",
            &id.to_string(),
            &format!(
                "修改考核方案「{}」第{}版草稿",
                before.scheme_name, before.version_no
            ),
            Some(&serde_json::json!({"tree": before.tree})),
            Some(&serde_json::json!({"tree": tree})),
            now,
        )
        .await?;
        let v = load_version(tx.conn(), id).await?;
        tx.commit().await?;
        Ok(v)
    }

    /// Publishes (freezes) a draft version.
    pub async fn publish_version(&self, actor: &Actor, id: i64) -> Result<SchemeVersion> {
        manage(actor)?;
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let v = load_version(tx.conn(), id).await?;
        if v.status != "draft" {
            return Err(StoreError::conflict(
                Code::VersionFrozen,
                None,
                format!("第{}版已发布", v.version_no),
                format!("Version {} is already published", v.version_no),
            ));
        }
        let mut tree = v.tree.clone();
        validate_tree(&mut tree).map_err(StoreError::Invalid)?;
        sqlx::query(
            "UPDATE asm_versions SET status = 'published', published_at = $1, published_by = $2, version = version + 1, updated_at = $1 WHERE id = $3 AND status = 'draft'",
        )
        .bind(now)
        .bind(actor.user_id)
        .bind(id)
        .execute(tx.conn())
        .await?;
        audit::append(
            tx.conn(),
            actor,
            "asm_publish",
            "asm_version",
            &id.to_string(),
            &format!(
                "发布考核方案「{}」第{}版（冻结）",
                v.scheme_name, v.version_no
            ),
            None,
            None,
            now,
        )
        .await?;
        let v = load_version(tx.conn(), id).await?;
        tx.commit().await?;
        Ok(v)
    }

    /// Starts a new draft from a version (the newest draft if one exists already: 409).
    pub async fn new_draft(&self, actor: &Actor, from: i64) -> Result<SchemeVersion> {
        manage(actor)?;
        let now = now_ms();
        let mut tx = self.db.begin().await?;
        let v = load_version(tx.conn(), from).await?;
        let drafts: i64 = sqlx::query(
            "SELECT COUNT(*) FROM asm_versions WHERE scheme_id = $1 AND status = 'draft'",
        )
        .bind(v.scheme_id)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        if drafts > 0 {
            return Err(StoreError::conflict(
                Code::DraftExists,
                None,
                "该方案已有未发布的草稿版本，请直接编辑草稿",
                "This scheme has an unpublished draft already; edit it",
            ));
        }
        let no: i64 = sqlx::query(
            "SELECT COALESCE(MAX(version_no), 0) + 1 FROM asm_versions WHERE scheme_id = $1",
        )
        .bind(v.scheme_id)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        let id: i64 = sqlx::query(
            "INSERT INTO asm_versions (scheme_id, version_no, status, tree, version, created_at, updated_at) VALUES ($1, $2, 'draft', $3, 1, $4, $4) RETURNING id",
        )
        .bind(v.scheme_id)
        .bind(no)
        .bind(json(&v.tree)?)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .try_get(0)?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::CREATE,
            "asm_version",
            &id.to_string(),
            &format!(
                "考核方案「{}」新建第{}版草稿（基于第{}版）",
                v.scheme_name, no, v.version_no
            ),
            None,
            None,
            now,
        )
        .await?;
        let out = load_version(tx.conn(), id).await?;
        tx.commit().await?;
        Ok(out)
    }

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
        if actor.role.is_region_staff() || actor.role == Role::Department && r.status == "published"
        {
            return Ok(true);
        }
        if actor.role == Role::Expert {
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
        let mut tx = self.db.begin().await?;
        let status: Option<String> = sqlx::query("SELECT status FROM asm_versions WHERE id = $1")
            .bind(input.version_id)
            .fetch_optional(tx.conn())
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
                .fetch_all(tx.conn())
                .await?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_>>()?,
                TargetKind::MemberUnit => sqlx::query(
                    "SELECT CAST(id AS TEXT), name FROM orgs WHERE kind = 'member_unit' ORDER BY id",
                )
                .fetch_all(tx.conn())
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
                            .fetch_optional(tx.conn())
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
                .fetch_one(tx.conn())
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
        .fetch_one(tx.conn())
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
            .execute(tx.conn())
            .await?;
        }
        audit::append(
            tx.conn(),
            actor,
            audit::action::CREATE,
            "asm_round",
            &id.to_string(),
            &format!("{}年度考核「{title}」，{}个对象", input.year, targets.len()),
            None,
            Some(&serde_json::json!({"targets": targets.iter().map(|t| &t.0).collect::<Vec<_>>()})),
            now,
        )
        .await?;
        // Tell the targets' users that their self-report is open.
        let round = load_round(tx.conn(), id, en).await?;
        notify_targets(tx.conn(), &round, &targets, now).await?;
        tx.commit().await?;
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
        if actor.role == Role::Expert && experts.iter().any(|(u, _)| Some(*u) == actor.user_id) {
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
        let mut tx = self.db.begin().await?;
        let round = load_round(tx.conn(), round_id, false).await?;
        if round.status != "open" {
            return Err(closed_conflict());
        }
        let who = who.trim();
        let u = sqlx::query(
            "SELECT id, role, region_code, org_id, display_name FROM users WHERE username = $1 OR CAST(id AS TEXT) = $1",
        )
        .bind(who)
        .fetch_optional(tx.conn())
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
                .fetch_one(tx.conn())
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
                .fetch_one(tx.conn())
                .await?
                .try_get(0)?;
        sqlx::query(
            "INSERT INTO asm_experts (round_id, user_id, sort, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(round_id)
        .bind(uid)
        .bind(sort)
        .bind(now)
        .execute(tx.conn())
        .await?;
        for t in load_targets(tx.conn(), round_id).await? {
            if attached_to(
                tx.conn(),
                region.as_deref(),
                org,
                &round.target_kind,
                &t.key,
            )
            .await?
            {
                sqlx::query(
                    "INSERT INTO asm_conflicts (round_id, user_id, target_id, kind, reason, created_by, created_at) VALUES ($1, $2, $3, 'attached', $4, $5, $6)",
                )
                .bind(round_id)
                .bind(uid)
                .bind(t.id)
                .bind("专家所属单位或地区即被考核对象")
                .bind(actor.user_id)
                .bind(now)
                .execute(tx.conn())
                .await?;
            }
        }
        crate::notify::notify(
            tx.conn(),
            &[uid],
            &format!("您已被分配为「{}」的评审专家，请独立评分", round.title),
            "/assessment/scoring",
            now,
        )
        .await?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::UPDATE,
            "asm_round",
            &round_id.to_string(),
            &format!("分配评审专家 {name}"),
            None,
            Some(&serde_json::json!({"expert": uid})),
            now,
        )
        .await?;
        tx.commit().await?;
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
        let uid = match (actor.role, input.user_id) {
            (Role::Expert, None) => actor.user_id.ok_or(StoreError::Forbidden)?,
            (Role::Expert, Some(u)) if Some(u) == actor.user_id => u,
            (_, Some(u)) if may_manage(actor) => u,
            _ => return Err(StoreError::Forbidden),
        };
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
        let mut tx = self.db.begin().await?;
        let round = load_round(tx.conn(), round_id, false).await?;
        let assigned: i64 =
            sqlx::query("SELECT COUNT(*) FROM asm_experts WHERE round_id = $1 AND user_id = $2")
                .bind(round_id)
                .bind(uid)
                .fetch_one(tx.conn())
                .await?
                .try_get(0)?;
        if assigned == 0 {
            return Err(StoreError::NotFound);
        }
        let target = find_target(tx.conn(), round_id, &input.target).await?;
        sqlx::query(
            "INSERT INTO asm_conflicts (round_id, user_id, target_id, kind, reason, created_by, created_at) VALUES ($1, $2, $3, 'declared', $4, $5, $6)",
        )
        .bind(round_id)
        .bind(uid)
        .bind(target.id)
        .bind(&reason)
        .bind(actor.user_id)
        .bind(now)
        .execute(tx.conn())
        .await?;
        audit::append(
            tx.conn(),
            actor,
            "asm_recusal",
            "asm_round",
            &round_id.to_string(),
            &format!(
                "「{}」申报利益关联：专家#{uid} 与 {}:{reason}",
                round.title, target.name
            ),
            None,
            None,
            now,
        )
        .await?;
        tx.commit().await
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
        let mut tx = self.db.begin().await?;
        let round = load_round(tx.conn(), round_id, en).await?;
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
            .execute(tx.conn())
            .await?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::UPDATE,
            "asm_round",
            &round_id.to_string(),
            &format!("考核「{}」{} → {to}", round.title, round.status),
            None,
            None,
            now,
        )
        .await?;
        let r = load_round(tx.conn(), round_id, en).await?;
        tx.commit().await?;
        Ok(r)
    }

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
        let mut tx = self.db.begin().await?;
        let round = load_round(tx.conn(), round_id, en).await?;
        let target = find_target(tx.conn(), round_id, key).await?;
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
        let tree = load_version(tx.conn(), round.version_id).await?.tree;
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
                .execute(tx.conn())
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
                .execute(tx.conn())
                .await?;
            }
        }
        if input.submit {
            // Every value-reported leaf must have a value before submitting.
            let saved = self_values(tx.conn(), target.id).await?;
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
                .self_report_case(tx.conn(), actor, &round, &target, now)
                .await?;
            self.act_in(
                tx.conn(),
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
        audit::append(
            tx.conn(),
            actor,
            if input.submit {
                "asm_submit"
            } else {
                audit::action::UPDATE
            },
            "asm_target",
            &target.id.to_string(),
            &format!(
                "「{}」{}自评{}",
                round.title,
                target.name,
                if input.submit { "提交" } else { "保存" }
            ),
            None,
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        self.self_report(actor, round_id, key, en).await
    }

    // ------------------------------------------------------------ scoring

    async fn expert_of(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        round_id: i64,
    ) -> Result<usize> {
        if actor.role != Role::Expert {
            return Err(StoreError::Forbidden);
        }
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
        let mut tx = self.db.begin().await?;
        self.expert_of(tx.conn(), actor, round_id).await?;
        let round = load_round(tx.conn(), round_id, false).await?;
        if round.status != "open" {
            return Err(closed_conflict());
        }
        let target = find_target(tx.conn(), round_id, &input.target).await?;
        let conflicted: i64 = sqlx::query("SELECT COUNT(*) FROM asm_conflicts WHERE round_id = $1 AND user_id = $2 AND target_id = $3 AND kind <> 'refused'")
            .bind(round_id)
            .bind(uid)
            .bind(target.id)
            .fetch_one(tx.conn())
            .await?
            .try_get(0)?;
        let attached = attached_to(
            tx.conn(),
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
            .execute(tx.conn())
            .await?;
            audit::append(
                tx.conn(),
                actor,
                "asm_recusal",
                "asm_round",
                &round_id.to_string(),
                &format!(
                    "利益冲突回避：拒绝 {} 为 {} 评分",
                    actor.display_name, target.name
                ),
                None,
                None,
                now,
            )
            .await?;
            tx.commit().await?;
            return Err(denied_conflict(&target.name));
        }
        let tree = load_version(tx.conn(), round.version_id).await?.tree;
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
            .execute(tx.conn())
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
        .execute(tx.conn())
        .await?;
        audit::append(
            tx.conn(),
            actor,
            "asm_score",
            "asm_target",
            &target.id.to_string(),
            &format!("{} 指标{} 评分", target.name, leaf.code),
            None,
            Some(&serde_json::json!({"leaf": leaf.code, "score": input.score})),
            now,
        )
        .await?;
        tx.commit().await
    }

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
        let expert = actor.role == Role::Expert
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
        let mut tx = self.db.begin().await?;
        let round = load_round(tx.conn(), round_id, en).await?;
        if round.status == "open" {
            return Err(StoreError::conflict(
                Code::RoundOpen,
                None,
                "考核仍在进行（自评和评分未截止）：请先结束评分再发布结果",
                "The round is still open: close it before publishing",
            ));
        }
        let reason = check_republish(round.results, reason).map_err(StoreError::invalid)?;
        let targets = self.compute(tx.conn(), &round).await?;
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
        .fetch_one(tx.conn())
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
            .fetch_all(tx.conn())
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
                .execute(tx.conn())
                .await?;
            let before = previous.remove(&t.key).unwrap_or(0);
            bump_score(
                tx.conn(),
                &target_node(&round.target_kind, &t.key),
                round.year,
                cents(t.total) - before,
            )
            .await?;
        }
        for (k, v) in previous {
            bump_score(
                tx.conn(),
                &target_node(&round.target_kind, &k),
                round.year,
                -v,
            )
            .await?;
        }
        sqlx::query("UPDATE asm_rounds SET status = 'published', version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(round_id)
            .execute(tx.conn())
            .await?;
        let pairs: Vec<(String, String)> = targets
            .iter()
            .map(|t| (t.key.clone(), t.name.clone()))
            .collect();
        let users = target_users(tx.conn(), &round.target_kind, &pairs).await?;
        crate::notify::notify(
            tx.conn(),
            &users,
            &format!("「{}」考核结果已发布（第{no}版）", round.title),
            &format!("/assessment/results/{round_id}"),
            now,
        )
        .await?;
        audit::append(
            tx.conn(),
            actor,
            "asm_publish",
            "asm_round",
            &round_id.to_string(),
            &format!(
                "发布「{}」考核结果第{no}版{}",
                round.title,
                reason.as_deref().map(|r| format!(",原因：{r}")).unwrap_or_default()
            ),
            None,
            Some(&serde_json::json!({"totals": targets.iter().map(|t| (t.key.clone(), t.total, t.rank)).collect::<Vec<_>>()})),
            now,
        )
        .await?;
        tx.commit().await?;
        self.round_results(actor, round_id, Some(no), en).await
    }
}

fn closed_conflict() -> StoreError {
    StoreError::conflict(
        Code::RoundClosed,
        None,
        "考核已结束评分，不能再修改（如需更正请由市产改办重新开启）",
        "The round is closed; the city can reopen it for corrections",
    )
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

async fn find_target(conn: &mut AnyConnection, round_id: i64, key: &str) -> Result<Target> {
    let key = gongjiang_domain::error::normalise_code(key);
    load_targets(conn, round_id)
        .await?
        .into_iter()
        .find(|t| t.key == key)
        .ok_or(StoreError::NotFound)
}

async fn self_values(
    conn: &mut AnyConnection,
    target_id: i64,
) -> Result<HashMap<String, (Option<f64>, Option<String>)>> {
    let mut out = HashMap::new();
    for r in sqlx::query("SELECT leaf, value_x100, evidence FROM asm_self WHERE target_id = $1")
        .bind(target_id)
        .fetch_all(&mut *conn)
        .await?
    {
        out.insert(
            r.try_get(0)?,
            (
                r.try_get::<Option<i64>, _>(1)?.map(|v| v as f64 / 100.0),
                r.try_get(2)?,
            ),
        );
    }
    Ok(out)
}

/// The users who act for the given targets.
async fn target_users(
    conn: &mut AnyConnection,
    kind: &str,
    targets: &[(String, String)],
) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for (key, _) in targets {
        let rows = match kind {
            "district" => {
                sqlx::query("SELECT id FROM users WHERE role = 'district' AND region_code = $1 AND disabled = 0")
                    .bind(key)
                    .fetch_all(&mut *conn)
                    .await?
            }
            _ => {
                let role = if kind == "member_unit" { "department" } else { "unit" };
                sqlx::query("SELECT id FROM users WHERE role = $1 AND org_id = $2 AND disabled = 0")
                    .bind(role)
                    .bind(key.parse::<i64>().unwrap_or(-1))
                    .fetch_all(&mut *conn)
                    .await?
            }
        };
        for r in rows {
            out.push(r.try_get(0)?);
        }
    }
    Ok(out)
}

async fn notify_targets(
    conn: &mut AnyConnection,
    round: &Round,
    targets: &[(String, String)],
    now: i64,
) -> Result<()> {
    let users = target_users(conn, &round.target_kind, targets).await?;
    crate::notify::notify(
        conn,
        &users,
        &format!("「{}」已开始，请填报自评和佐证材料", round.title),
        "/assessment/self",
        now,
    )
    .await?;
    Ok(())
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
        let data: BTreeMap<&str, String> = [
            ("year", round.year.to_string()),
            ("round", round.title.chars().take(200).collect()),
            ("target_kind", round.target_kind.clone()),
            ("target_key", target.key.clone()),
        ]
        .into_iter()
        .collect();
        let title = format!("「{}」{}自评", round.title, target.name);
        let id: i64 = sqlx::query(
            "INSERT INTO wf_cases (process, org_id, title, status, data, created_by, subject, version, created_at, updated_at) \
             VALUES ('assessment_self_report', $1, $2, 'draft', $3, $4, $5, 1, $6, $6) RETURNING id",
        )
        .bind(org)
        .bind(&title)
        .bind(json(&data)?)
        .bind(actor.user_id)
        .bind(&subject)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
        audit::append(
            conn,
            actor,
            audit::action::CREATE,
            "case",
            &id.to_string(),
            &title,
            None,
            None,
            now,
        )
        .await?;
        Ok(id)
    }
}

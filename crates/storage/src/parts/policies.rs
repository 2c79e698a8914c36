//! 政策文件库: the programme's documents (the city's 40+ supporting documents, the
//! 产改工作手册 …), classified, with Chinese full-text search.
//!
//! Search uses a character-bigram index (`policy_grams`), the usual way to search
//! Chinese without a word segmenter: "技能人才" is found through 技能, 能人, 人才. Latin
//! letters and digits form whole lower-case words. The same SQL runs on SQLite and
//! PostgreSQL; results are ranked by matches in the title, then in the body, then date,
//! and carry a snippet around the first match.
use crate::access::{self, Permission};
use crate::audit::{self, Note};
use crate::error::{Result, StoreError};
use crate::scope::Actor;
use crate::service::Service;
use crate::Page;
use gongjiang_domain::{FieldError, Rule};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::HashMap;

pub const CATEGORIES: &[(&str, &str, &str)] = &[
    ("general", "综合政策", "General policy"),
    ("skills", "技能形成", "Skills"),
    ("education", "产教融合", "Industry–education"),
    ("innovation", "创新创效", "Innovation"),
    ("rights", "权益保障", "Rights and pay"),
    ("work", "工作制度", "Working rules"),
    ("manual", "工作手册", "Handbooks"),
];

pub use gongjiang_domain::policy::{label, LEVELS};

/// The longest text (正文) a document may have, in characters.
pub const MAX_BODY_CHARS: usize = 200_000;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Policy {
    pub id: i64,
    pub title: String,
    pub doc_no: Option<String>,
    pub issuer: Option<String>,
    pub category: String,
    pub level: String,
    /// YYYY-MM-DD
    pub issued_on: Option<String>,
    pub body: String,
    pub file_id: Option<i64>,
    /// The region whose office published the document (its owner).
    pub owner_region: Option<String>,
    pub owner_name: Option<String>,
    /// The owner's region path, root first (for the access policy).
    #[serde(skip)]
    pub owner_path: Vec<String>,
    pub version: i64,
    pub updated_at: i64,
    /// Around the first match of a search (plain text; the UI highlights the terms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    pub title: Option<String>,
    pub doc_no: Option<String>,
    pub issuer: Option<String>,
    /// general, skills, education, innovation, rights, work, manual (or the Chinese names)
    pub category: Option<String>,
    /// national, provincial, city, district, town (or 国家/省级/市级/区级/镇(街道)级).
    /// The city records national, provincial and city documents; a district publishes
    /// district and town documents; a town its own.
    pub level: Option<String>,
    pub issued_on: Option<String>,
    pub body: Option<String>,
    /// For an edit: the version read (a stale one is 409 `stale_version`).
    #[serde(default)]
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct PolicyFilter {
    pub q: Option<String>,
    pub category: Option<String>,
    pub level: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The search terms of a text: CJK character bigrams (a lone CJK character stays a
/// unigram) and lower-case Latin/digit words.
pub fn grams(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_run = |run: &mut Vec<char>, out: &mut Vec<String>| {
        if run.len() == 1 {
            out.push(run[0].to_string());
        }
        for w in run.windows(2) {
            out.push(w.iter().collect());
        }
        run.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            run.push(c);
        } else if c.is_alphanumeric() {
            flush_run(&mut run, &mut out);
            word.extend(c.to_lowercase());
        } else {
            flush_run(&mut run, &mut out);
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        }
    }
    flush_run(&mut run, &mut out);
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Policy> {
    Ok(Policy {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        doc_no: r.try_get("doc_no")?,
        issuer: r.try_get("issuer")?,
        category: r.try_get("category")?,
        level: r.try_get("level")?,
        issued_on: r.try_get("issued_on")?,
        body: r.try_get("body")?,
        file_id: r.try_get("file_id")?,
        owner_region: r.try_get("owner_region")?,
        owner_name: r.try_get("owner_name")?,
        owner_path: ["l1", "l2", "l3", "l4"]
            .iter()
            .filter_map(|c| r.try_get::<Option<String>, _>(*c).ok().flatten())
            .collect(),
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
        snippet: None,
    })
}

/// Columns of a document with its owner (`p` the document, `r` the owning region).
const COLUMNS: &str = "p.id, p.title, p.doc_no, p.issuer, p.category, p.level, p.issued_on, p.body, p.file_id, p.version, p.updated_at, p.owner_region, r.name AS owner_name, r.l1, r.l2, r.l3, r.l4";
const FROM: &str = "FROM policies p LEFT JOIN regions r ON r.code = p.owner_region";

/// About 80 characters around the first place a query term occurs.
/// What the audit log keeps of a document (the text itself is long: its length only).
fn audit_view(p: &Policy) -> serde_json::Value {
    serde_json::json!({
        "title": p.title,
        "doc_no": p.doc_no,
        "issuer": p.issuer,
        "category": p.category,
        "level": p.level,
        "issued_on": p.issued_on,
        "owner_region": p.owner_region,
        "body_chars": p.body.chars().count(),
    })
}

fn snippet(body: &str, terms: &[String]) -> String {
    let chars: Vec<char> = body.chars().collect();
    let lower: String = body.to_lowercase();
    let pos = terms
        .iter()
        .filter_map(|t| lower.find(t.as_str()))
        .min()
        .map(|byte| lower[..byte].chars().count())
        .unwrap_or(0);
    let start = pos.saturating_sub(30);
    let end = (start + 90).min(chars.len());
    let mut s: String = chars[start..end].iter().collect();
    s = s.replace('\n', " ");
    format!(
        "{}{}{}",
        if start > 0 { "…" } else { "" },
        s,
        if end < chars.len() { "…" } else { "" }
    )
}

fn check(i: &PolicyInput) -> std::result::Result<PolicyInput, Vec<FieldError>> {
    use gongjiang_domain::error::text;
    let mut errors = Vec::new();
    let mut t = |f: &str, l: (&str, &str), v: &Option<String>, req: bool, max: usize| {
        text(f, l, v.as_deref().unwrap_or(""), req, max).unwrap_or_else(|e| {
            errors.push(e);
            None
        })
    };
    let title = t("title", ("标题", "Title"), &i.title, true, 200);
    let doc_no = t("doc_no", ("文号", "Document number"), &i.doc_no, false, 100);
    let issuer = t("issuer", ("发文单位", "Issuer"), &i.issuer, false, 100);
    let body = i.body.as_deref().map(str::trim).unwrap_or("").to_string();
    if body.is_empty() {
        errors.push(FieldError::required("body", "正文", "Text"));
    } else if body.chars().count() > MAX_BODY_CHARS {
        errors.push(FieldError::new(
            "body",
            Rule::TooLong,
            "正文不能超过20万字",
            "the text is longer than 200,000 characters",
        ));
    }
    let pick = |f: &str,
                zh: &str,
                table: &[(&str, &str, &str)],
                v: &Option<String>,
                errors: &mut Vec<FieldError>| {
        let v = v.as_deref().map(str::trim).unwrap_or("");
        if v.is_empty() {
            errors.push(FieldError::required(f, zh, f));
            return None;
        }
        // 镇（街道）级 is also accepted typed with half-width parentheses.
        let wide = v.replace('(', "（").replace(')', "）");
        match table
            .iter()
            .find(|(c, z, e)| *c == v || *z == v || *z == wide || e.eq_ignore_ascii_case(v))
        {
            Some((c, _, _)) => Some(c.to_string()),
            None => {
                let list: Vec<&str> = table.iter().map(|(_, z, _)| *z).collect();
                errors.push(FieldError::new(
                    f,
                    Rule::UnknownValue,
                    format!("{zh}“{v}”无效，应为：{}", list.join("、")),
                    format!("{f} '{v}' is not one of the choices"),
                ));
                None
            }
        }
    };
    let category = pick("category", "分类", CATEGORIES, &i.category, &mut errors);
    let level = pick("level", "层级", LEVELS, &i.level, &mut errors);
    let issued_on = match i
        .issued_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d.to_string()),
            Err(_) => {
                errors.push(FieldError::new(
                    "issued_on",
                    Rule::BadFormat,
                    format!("发文日期“{s}”无效，应为 YYYY-MM-DD"),
                    format!("issued_on '{s}' must be YYYY-MM-DD"),
                ));
                None
            }
        },
    };
    if errors.is_empty() {
        Ok(PolicyInput {
            title,
            doc_no,
            issuer,
            category,
            level,
            issued_on,
            body: Some(body),
            version: i.version,
        })
    } else {
        Err(errors)
    }
}

impl Service {
    /// The region in whose name the actor publishes: their own, or the root of the tree
    /// for a system administrator (who acts for the city's office).
    async fn publishing_region(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
    ) -> Result<String> {
        if let Some(r) = actor.region_code.clone() {
            return Ok(r);
        }
        let r: Option<String> =
            sqlx::query("SELECT MIN(code) FROM regions WHERE parent_code IS NULL")
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?;
        r.ok_or(StoreError::Forbidden)
    }

    async fn load_policy(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Policy> {
        let r = sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&r)
    }

    /// Adds a document in the name of the actor's office (and its file, if any) and
    /// indexes it for search. The level must be one the actor publishes at
    /// ([`access::policy_levels`]); otherwise 422 on `level`.
    pub async fn create_policy(
        &self,
        actor: &Actor,
        i: &PolicyInput,
        file: Option<(String, Vec<u8>)>,
    ) -> Result<Policy> {
        if access::policy_levels(actor.role).is_empty() {
            return Err(StoreError::Forbidden);
        }
        let v = check(i).map_err(StoreError::Invalid)?;
        access::check(
            actor,
            Permission::PublishPolicy {
                level: v.level.as_deref().unwrap_or(""),
            },
        )?;
        let mut w = self.write(actor).await?;
        let owner = self.publishing_region(w.conn(), actor).await?;
        let file_id = match &file {
            Some((name, bytes)) => Some(
                self.store_file(w.conn(), actor, None, name, bytes)
                    .await?
                    .id,
            ),
            None => None,
        };
        let id: i64 = sqlx::query(
            "INSERT INTO policies (title, doc_no, issuer, category, level, issued_on, body, file_id, created_by, version, created_at, updated_at, owner_region) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10, $11) RETURNING id",
        )
        .bind(v.title.as_deref())
        .bind(v.doc_no.as_deref())
        .bind(v.issuer.as_deref())
        .bind(v.category.as_deref())
        .bind(v.level.as_deref())
        .bind(v.issued_on.as_deref())
        .bind(v.body.as_deref())
        .bind(file_id)
        .bind(actor.user_id)
        .bind(w.now)
        .bind(&owner)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        index(
            w.conn(),
            self.db.backend,
            id,
            v.title.as_deref().unwrap_or(""),
            v.body.as_deref().unwrap_or(""),
        )
        .await?;
        let p = Self::load_policy(w.conn(), id).await?;
        w.audit(
            Note::new(audit::action::CREATE, "policy", id)
                .summary(&p.title)
                .after(&audit_view(&p)),
        )
        .await?;
        w.commit().await?;
        Ok(p)
    }

    /// Edits a document of the actor's own office or one below it (others' documents
    /// answer 404). Fields left out keep their value; `version` guards against lost
    /// updates. The level rule of [`Service::create_policy`] applies to the new level.
    pub async fn update_policy(&self, actor: &Actor, id: i64, i: &PolicyInput) -> Result<Policy> {
        if access::policy_levels(actor.role).is_empty() {
            return Err(StoreError::Forbidden);
        }
        let mut w = self.write(actor).await?;
        let before = Self::load_policy(w.conn(), id).await?;
        access::check(
            actor,
            Permission::ChangePolicy {
                owner_path: &before.owner_path,
            },
        )?;
        w.check_version(i.version, before.version)?;
        let pick = |new: &Option<String>, old: Option<&str>| -> Option<String> {
            new.clone().or_else(|| old.map(str::to_string))
        };
        let merged = PolicyInput {
            title: pick(&i.title, Some(&before.title)),
            doc_no: pick(&i.doc_no, before.doc_no.as_deref()),
            issuer: pick(&i.issuer, before.issuer.as_deref()),
            category: pick(&i.category, Some(&before.category)),
            level: pick(&i.level, Some(&before.level)),
            issued_on: pick(&i.issued_on, before.issued_on.as_deref()),
            body: pick(&i.body, Some(&before.body)),
            version: i.version,
        };
        let v = check(&merged).map_err(StoreError::Invalid)?;
        if v.level.as_deref() != Some(before.level.as_str()) {
            access::check(
                actor,
                Permission::PublishPolicy {
                    level: v.level.as_deref().unwrap_or(""),
                },
            )?;
        }
        let n = sqlx::query(
            "UPDATE policies SET title = $1, doc_no = $2, issuer = $3, category = $4, level = $5, \
             issued_on = $6, body = $7, version = version + 1, updated_at = $8 \
             WHERE id = $9 AND version = $10",
        )
        .bind(v.title.as_deref())
        .bind(v.doc_no.as_deref())
        .bind(v.issuer.as_deref())
        .bind(v.category.as_deref())
        .bind(v.level.as_deref())
        .bind(v.issued_on.as_deref())
        .bind(v.body.as_deref())
        .bind(w.now)
        .bind(id)
        .bind(before.version)
        .execute(w.conn())
        .await?
        .rows_affected();
        w.expect_one(n)?;
        if v.title.as_deref() != Some(before.title.as_str())
            || v.body.as_deref() != Some(before.body.as_str())
        {
            index(
                w.conn(),
                self.db.backend,
                id,
                v.title.as_deref().unwrap_or(""),
                v.body.as_deref().unwrap_or(""),
            )
            .await?;
        }
        let after = Self::load_policy(w.conn(), id).await?;
        w.audit(
            Note::new(audit::action::UPDATE, "policy", id)
                .summary(&after.title)
                .before(&audit_view(&before))
                .after(&audit_view(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Deletes a document of the actor's own office or one below it (others' answer 404).
    pub async fn delete_policy(&self, actor: &Actor, id: i64) -> Result<()> {
        if access::policy_levels(actor.role).is_empty() {
            return Err(StoreError::Forbidden);
        }
        let mut w = self.write(actor).await?;
        let before = Self::load_policy(w.conn(), id).await?;
        access::check(
            actor,
            Permission::ChangePolicy {
                owner_path: &before.owner_path,
            },
        )?;
        sqlx::query("DELETE FROM policy_grams WHERE policy_id = $1")
            .bind(id)
            .execute(w.conn())
            .await?;
        let n = sqlx::query("DELETE FROM policies WHERE id = $1")
            .bind(id)
            .execute(w.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        w.audit(
            Note::new(audit::action::DELETE, "policy", id)
                .summary(&before.title)
                .before(&audit_view(&before)),
        )
        .await?;
        w.commit().await?;
        Ok(())
    }

    /// True when the actor may edit and delete this document (for the console's
    /// buttons; the use cases decide again).
    pub fn may_change_policy(actor: &Actor, p: &Policy) -> bool {
        access::decide(
            actor,
            Permission::ChangePolicy {
                owner_path: &p.owner_path,
            },
        )
        .allowed()
    }

    /// True when the actor may publish documents at all.
    pub fn may_publish_policies(actor: &Actor) -> bool {
        !access::policy_levels(actor.role).is_empty()
    }

    pub async fn get_policy(&self, actor: &Actor, id: i64) -> Result<Policy> {
        access::check(actor, Permission::ReadPolicies)?;
        let mut conn = self.db.pool.acquire().await?;
        Self::load_policy(&mut conn, id).await
    }

    /// Documents by category and level, or by a search (every term must occur).
    pub async fn search_policies(&self, actor: &Actor, f: &PolicyFilter) -> Result<Page<Policy>> {
        access::check(actor, Permission::ReadPolicies)?;
        let mut conn = self.db.pool.acquire().await?;
        let per_page = f.per_page.clamp(1, 100);
        let page = f.page.max(1);
        let mut terms: Vec<String> = f.q.as_deref().map(grams).unwrap_or_default();
        terms.sort();
        terms.dedup();
        let mut w = crate::sql::Sql::new(" WHERE 1 = 1");
        if let Some(c) = f.category.as_deref().filter(|c| !c.is_empty()) {
            w.push(" AND p.category = ").bind_text(c);
        }
        if let Some(l) = f.level.as_deref().filter(|l| !l.is_empty()) {
            w.push(" AND p.level = ").bind_text(l);
        }
        if terms.is_empty() {
            return crate::sql::page_of(
                &mut conn,
                (
                    "SELECT COUNT(*) FROM policies p",
                    &format!("SELECT {COLUMNS} {FROM}"),
                ),
                &w,
                " ORDER BY p.issued_on DESC, p.id DESC",
                (page, per_page),
                from_row,
            )
            .await;
        }
        // Documents holding every term, ranked by title then body matches.
        let mut m = crate::sql::Sql::new(
            "SELECT g.policy_id, CAST(SUM(g.in_title) AS BIGINT) AS t, CAST(SUM(g.hits) AS BIGINT) AS h FROM policy_grams g WHERE g.gram IN (",
        );
        for (k, t) in terms.iter().enumerate() {
            if k > 0 {
                m.push(", ");
            }
            m.bind_text(t.clone());
        }
        m.push(") GROUP BY g.policy_id HAVING COUNT(*) = ")
            .bind_int(terms.len() as i64);
        let hits: HashMap<i64, (i64, i64)> = m
            .query()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?))))
            .collect::<Result<_>>()?;
        if hits.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                total: 0,
                page,
                per_page,
            });
        }
        let ids = hits
            .keys()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = crate::sql::Sql::new(&format!(
            "SELECT {COLUMNS} {FROM}{} AND p.id IN ({ids})",
            w.text()
        ));
        q.set_args(w.args().to_vec());
        let mut items = q
            .query()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>>>()?;
        // Bigrams can all occur without the phrase: keep documents holding every word
        // of the query as typed.
        let words: Vec<String> =
            f.q.as_deref()
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_lowercase)
                .collect();
        items.retain(|p| {
            let hay = format!("{}\n{}", p.title, p.body).to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
        });
        items.sort_by(|a, b| {
            let ka = hits.get(&a.id).copied().unwrap_or((0, 0));
            let kb = hits.get(&b.id).copied().unwrap_or((0, 0));
            kb.cmp(&ka)
                .then_with(|| b.issued_on.cmp(&a.issued_on))
                .then_with(|| b.id.cmp(&a.id))
        });
        let total = items.len() as i64;
        let start = ((page - 1).saturating_mul(per_page)) as usize;
        let mut items: Vec<Policy> = items
            .into_iter()
            .skip(start)
            .take(per_page as usize)
            .collect();
        let q_terms: Vec<String> =
            f.q.as_deref()
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_lowercase)
                .collect();
        for p in &mut items {
            p.snippet = Some(snippet(&p.body, &q_terms));
        }
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }
}

/// (Re)builds a document's search terms.
async fn index(
    conn: &mut sqlx::AnyConnection,
    backend: crate::Backend,
    id: i64,
    title: &str,
    body: &str,
) -> Result<()> {
    sqlx::query("DELETE FROM policy_grams WHERE policy_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let mut counts: HashMap<String, (i64, i64)> = HashMap::new();
    for g in grams(title) {
        counts.entry(g).or_default().0 += 1;
    }
    for g in grams(body) {
        counts.entry(g).or_default().1 += 1;
    }
    let all: Vec<(String, (i64, i64))> = counts.into_iter().collect();
    for chunk in all.chunks(400) {
        let mut sql = crate::sql::Sql::for_backend(
            "INSERT INTO policy_grams (policy_id, gram, in_title, hits) VALUES ",
            backend,
        );
        for (k, (g, (t, h))) in chunk.iter().enumerate() {
            sql.push(if k == 0 { "(" } else { ", (" });
            sql.bind_int(id)
                .push(", ")
                .bind_text(g.clone())
                .push(", ")
                .bind_int(*t)
                .push(", ")
                .bind_int(*h)
                .push(")");
        }
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_for_chinese_words_for_latin() {
        assert_eq!(grams("技能人才"), ["技能", "能人", "人才"]);
        assert_eq!(grams("产改 OK-2023"), ["产改", "ok", "2023"]);
        assert_eq!(grams("才"), ["才"]);
    }
}

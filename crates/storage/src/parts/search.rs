//! The global search of the top bar: one query over organisations (name or 统一社会信用代码),
//! workers (name, or an exact 身份证号 through the keyed hash — never a partial number),
//! cases, tasks and policy documents (title). Each group is read through the list of its
//! own part, so it keeps that list's role rule and scope: what the actor could not find
//! on the list page, the search does not find either.
use crate::error::{Result, StoreError};
use crate::scope::Actor;
use crate::service::Service;
use crate::sql::{like_escape, Sql};
use gongjiang_domain::{FieldError, OrgKind, Rule};
use serde::Serialize;
use sqlx::Row;

/// Queries shorter than this (in characters, after trimming) are refused: they would
/// match nearly everything.
pub const MIN_CHARS: usize = 2;
/// Queries longer than this are refused.
pub const MAX_CHARS: usize = 100;
/// Hits shown per group; the group's `total` counts them all.
pub const PER_GROUP: i64 = 10;

/// What a group holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Orgs,
    Workers,
    Cases,
    Tasks,
    Policies,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Orgs => "orgs",
            Kind::Workers => "workers",
            Kind::Cases => "cases",
            Kind::Tasks => "tasks",
            Kind::Policies => "policies",
        }
    }
}

/// One record found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub id: i64,
    /// Name or title.
    pub title: String,
    /// A code shown beside the title: the 统一社会信用代码, the masked 身份证号
    /// (`320402********123X`, never the full number), the 文号.
    pub code: Option<String>,
    /// One line of context (kind and region, employer, process and status …).
    pub detail: String,
    /// The record's console page.
    pub url: String,
}

/// The hits of one kind.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Group {
    pub kind: Kind,
    /// Every match in the actor's scope (at most [`PER_GROUP`] are in `items`).
    pub total: i64,
    pub items: Vec<Hit>,
    /// The list page filtered by the query, when the group has more than `items` and
    /// such a page exists.
    pub more_url: Option<String>,
}

/// How the query was read.
#[derive(Debug, Clone)]
pub struct Query {
    /// Trimmed.
    pub text: String,
    /// The query is a complete 身份证号 (18 characters, folded and upper-cased): workers
    /// are looked up by it exactly.
    pub id_number: Option<String>,
}

impl Query {
    /// Checks the length; recognises a 身份证号.
    pub fn parse(q: &str) -> Result<Query> {
        let text = q.trim().to_string();
        let n = text.chars().count();
        if n < MIN_CHARS {
            return Err(StoreError::invalid(FieldError::new(
                "q",
                Rule::TooShort,
                format!("请输入至少{MIN_CHARS}个字再搜索。可搜索：单位名称或统一社会信用代码、职工姓名或完整的18位身份证号、审批事项、年度任务或政策文件的标题。"),
                format!("Type at least {MIN_CHARS} characters: an organisation's name or credit code, a worker's name or full ID number, or the title of a case, task or policy document"),
            )));
        }
        if n > MAX_CHARS {
            return Err(StoreError::invalid(FieldError::new(
                "q",
                Rule::TooLong,
                format!("搜索内容不能超过{MAX_CHARS}个字，请缩短后再搜索。"),
                format!("The query is longer than {MAX_CHARS} characters: shorten it"),
            )));
        }
        let folded = gongjiang_domain::error::normalise_code(&text).to_ascii_uppercase();
        let id_number = is_id_number(&folded).then_some(folded);
        Ok(Query { text, id_number })
    }

    /// The query as it may be shown back: a 身份证号 masked like everywhere else.
    pub fn shown(&self) -> String {
        match &self.id_number {
            // 18 ASCII characters (checked when read).
            Some(n) => format!("{}********{}", &n[..6], &n[14..]),
            None => self.text.clone(),
        }
    }

    /// Digits in the query: names are not searched (a partial number never finds anyone).
    pub fn has_digits(&self) -> bool {
        self.text.chars().any(|c| c.is_ascii_digit())
            || gongjiang_domain::error::normalise_code(&self.text)
                .chars()
                .any(|c| c.is_ascii_digit())
    }
}

/// 17 digits and a check character (digit or X): the shape of a 身份证号.
fn is_id_number(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X')
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn join(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

fn more(total: i64, shown: usize, url: impl FnOnce() -> Option<String>) -> Option<String> {
    if total > shown as i64 {
        url()
    } else {
        None
    }
}

impl Service {
    /// The groups the actor may search, in a fixed order (organisations, workers, cases,
    /// tasks, policies); a group the actor's role may not read is left out. A query
    /// under [`MIN_CHARS`] characters is 422 on `q`.
    pub async fn search(&self, actor: &Actor, q: &str, en: bool) -> Result<Vec<Group>> {
        let q = Query::parse(q)?;
        let mut groups = Vec::new();
        use crate::access::{may, Permission};
        if may(actor, Permission::ReadRegisters) {
            groups.push(self.search_orgs(actor, &q, en).await?);
            groups.push(self.search_workers(actor, &q).await?);
            groups.push(self.search_cases(actor, &q, en).await?);
            groups.push(self.search_tasks(actor, &q, en).await?);
        }
        if may(actor, Permission::ReadPolicies) {
            groups.push(self.search_policy_titles(&q).await?);
        }
        Ok(groups)
    }

    async fn search_orgs(&self, actor: &Actor, q: &Query, en: bool) -> Result<Group> {
        let f = crate::orgs::Filter {
            q: Some(q.text.clone()),
            page: 1,
            per_page: PER_GROUP,
            ..Default::default()
        };
        let p = self.list_orgs(actor, &f).await?;
        let items: Vec<Hit> = p
            .items
            .into_iter()
            .map(|o| Hit {
                detail: join(&[
                    OrgKind::from_any(&o.kind).map(|k| k.label(en)),
                    o.region_name.as_deref(),
                ]),
                url: format!("/orgs/{}", o.id),
                id: o.id,
                title: o.name,
                code: o.uscc,
            })
            .collect();
        Ok(Group {
            kind: Kind::Orgs,
            total: p.total,
            more_url: more(p.total, items.len(), || {
                Some(format!("/orgs?q={}", enc(&q.text)))
            }),
            items,
        })
    }

    async fn search_workers(&self, actor: &Actor, q: &Query) -> Result<Group> {
        let f = match &q.id_number {
            // Exactly this number, through the keyed hash.
            Some(n) => Some(crate::workers::Filter {
                id_number: Some(n.clone()),
                page: 1,
                per_page: PER_GROUP,
                ..Default::default()
            }),
            // Any other digits: a partial number, which finds nobody.
            None if q.has_digits() => None,
            None => Some(crate::workers::Filter {
                q: Some(q.text.clone()),
                page: 1,
                per_page: PER_GROUP,
                ..Default::default()
            }),
        };
        let Some(f) = f else {
            return Ok(Group {
                kind: Kind::Workers,
                total: 0,
                items: Vec::new(),
                more_url: None,
            });
        };
        let p = self.list_workers(actor, &f).await?;
        let items: Vec<Hit> = p
            .items
            .into_iter()
            .map(|w| Hit {
                id: w.id,
                url: format!("/workers/{}", w.id),
                title: w.name,
                code: Some(w.id_masked),
                detail: w.org_name,
            })
            .collect();
        Ok(Group {
            kind: Kind::Workers,
            total: p.total,
            // Only name searches have more than one hit (a number is unique).
            more_url: more(p.total, items.len(), || {
                q.id_number
                    .is_none()
                    .then(|| format!("/workers?q={}", enc(&q.text)))
            }),
            items,
        })
    }

    async fn search_cases(&self, actor: &Actor, q: &Query, en: bool) -> Result<Group> {
        let f = crate::workflow::CaseFilter {
            q: Some(q.text.clone()),
            page: 1,
            per_page: PER_GROUP,
            ..Default::default()
        };
        let p = self.list_cases(actor, &f, en).await?;
        let items: Vec<Hit> = p
            .items
            .into_iter()
            .map(|c| Hit {
                id: c.id,
                url: format!("/cases/{}", c.id),
                detail: join(&[
                    Some(c.process_name.as_str()),
                    Some(c.status_label.as_str()),
                    Some(c.org_name.as_str()),
                ]),
                title: c.title,
                code: None,
            })
            .collect();
        Ok(Group {
            kind: Kind::Cases,
            total: p.total,
            more_url: more(p.total, items.len(), || {
                Some(format!("/cases?q={}", enc(&q.text)))
            }),
            items,
        })
    }

    async fn search_tasks(&self, actor: &Actor, q: &Query, en: bool) -> Result<Group> {
        let f = crate::tasks::TaskFilter {
            q: Some(q.text.clone()),
            page: 1,
            per_page: PER_GROUP,
            ..Default::default()
        };
        let p = self.list_tasks(actor, &f, en).await?;
        // The task list shows one year at a time: "more" opens the newest year found.
        let newest = p.items.iter().map(|t| t.year).max();
        let items: Vec<Hit> = p
            .items
            .into_iter()
            .map(|t| Hit {
                id: t.id,
                url: format!("/tasks/{}", t.id),
                detail: join(&[
                    Some(t.year.to_string().as_str()),
                    Some(t.status_label.as_str()),
                    Some(t.owner_name.as_str()),
                ]),
                title: t.title,
                code: None,
            })
            .collect();
        Ok(Group {
            kind: Kind::Tasks,
            total: p.total,
            more_url: more(p.total, items.len(), || {
                newest.map(|y| format!("/tasks?year={y}&q={}", enc(&q.text)))
            }),
            items,
        })
    }

    /// Policy documents whose title holds the query (the library is open to every role
    /// but workers, as on its own page).
    async fn search_policy_titles(&self, q: &Query) -> Result<Group> {
        let mut conn = self.db.pool.acquire().await?;
        let mut w = Sql::new(" WHERE p.title LIKE ");
        w.bind_text(format!("%{}%", like_escape(&q.text)))
            .push(" ESCAPE '\\'");
        let mut count = Sql::new(&format!("SELECT COUNT(*) FROM policies p{}", w.text()));
        count.set_args(w.args().to_vec());
        let total: i64 = count.query().fetch_one(&mut *conn).await?.try_get(0)?;
        let mut sel = Sql::new(&format!(
            "SELECT p.id, p.title, p.doc_no, p.issuer, p.issued_on FROM policies p{} \
             ORDER BY p.issued_on DESC, p.id DESC LIMIT ",
            w.text()
        ));
        sel.set_args(w.args().to_vec());
        sel.bind_int(PER_GROUP);
        let mut items = Vec::new();
        for r in sel.query().fetch_all(&mut *conn).await? {
            let id: i64 = r.try_get("id")?;
            let issuer: Option<String> = r.try_get("issuer")?;
            let issued_on: Option<String> = r.try_get("issued_on")?;
            items.push(Hit {
                id,
                title: r.try_get("title")?,
                code: r.try_get("doc_no")?,
                detail: join(&[issuer.as_deref(), issued_on.as_deref()]),
                url: format!("/policies/{id}"),
            });
        }
        Ok(Group {
            kind: Kind::Policies,
            total,
            more_url: more(total, items.len(), || {
                Some(format!("/policies?q={}", enc(&q.text)))
            }),
            items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_read() {
        assert!(Query::parse("").is_err());
        assert!(Query::parse(" 张 ").is_err());
        assert!(Query::parse(&"长".repeat(MAX_CHARS + 1)).is_err());
        let q = Query::parse(" 张三 ").ok();
        assert_eq!(q.as_ref().map(|q| q.text.as_str()), Some("张三"));
        assert!(q.is_some_and(|q| q.id_number.is_none()));
        // Full-width digits and a lower-case x are folded; the number is shown masked.
        let q = Query::parse("３２０４０２１９９００３０７１２３x").ok();
        assert_eq!(
            q.as_ref().and_then(|q| q.id_number.as_deref()),
            Some("32040219900307123X")
        );
        assert_eq!(q.map(|q| q.shown()), Some("320402********123X".to_string()));
        // A partial number is not a number, and names are not searched with it.
        let q = Query::parse("3204021990").ok();
        assert!(q.as_ref().is_some_and(|q| q.id_number.is_none()));
        assert!(q.is_some_and(|q| q.has_digits()));
    }
}

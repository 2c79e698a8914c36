//! Who is acting, and which part of the organisation tree they may see and change.
//! Every scoped query takes a [`Scope`] and adds [`Scope::org_filter`] to its WHERE
//! clause; a record outside it is simply not found.
use crate::sql::Sql;
use gongjiang_domain::Role;

/// A part of the organisation tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything (the platform operator).
    All,
    /// A region and every region below it, with their organisations.
    Region(String),
    /// One organisation and the organisations below it (an enterprise inside a park).
    Org(i64),
    /// Nothing at all.
    Nothing,
}

/// The user (or command-line operator) on whose behalf the service acts.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub region_code: Option<String>,
    pub org_id: Option<i64>,
    pub ip: String,
}

/// The region codes of `code`'s subtree, as a subquery.
const REGION_SUBTREE: &str = "WITH RECURSIVE sub(code) AS (SELECT code FROM regions WHERE code = ";
const REGION_SUBTREE_TAIL: &str =
    " UNION ALL SELECT r.code FROM regions r JOIN sub ON r.parent_code = sub.code) SELECT code FROM sub";
const ORG_SUBTREE: &str = "WITH RECURSIVE osub(id) AS (SELECT id FROM orgs WHERE id = ";
const ORG_SUBTREE_TAIL: &str =
    " UNION ALL SELECT o2.id FROM orgs o2 JOIN osub ON o2.parent_id = osub.id) SELECT id FROM osub";

impl Scope {
    /// Appends ` AND <condition>` restricting the organisations aliased `alias`.
    pub fn org_filter(&self, sql: &mut Sql, alias: &str) {
        match self {
            Scope::All => {}
            Scope::Nothing => {
                sql.push(" AND 1 = 0");
            }
            Scope::Region(code) => {
                sql.push(&format!(" AND {alias}.region_code IN ("))
                    .push(REGION_SUBTREE)
                    .bind_text(code.clone())
                    .push(REGION_SUBTREE_TAIL)
                    .push(")");
            }
            Scope::Org(id) => {
                sql.push(&format!(" AND {alias}.id IN ("))
                    .push(ORG_SUBTREE)
                    .bind_int(*id)
                    .push(ORG_SUBTREE_TAIL)
                    .push(")");
            }
        }
    }

    /// Appends ` AND <condition>` restricting regions aliased `alias` to those the
    /// scope reaches (for an organisation scope: the organisation's own region).
    pub fn region_filter(&self, sql: &mut Sql, alias: &str) {
        match self {
            Scope::All => {}
            Scope::Nothing => {
                sql.push(" AND 1 = 0");
            }
            Scope::Region(code) => {
                sql.push(&format!(" AND {alias}.code IN ("))
                    .push(REGION_SUBTREE)
                    .bind_text(code.clone())
                    .push(REGION_SUBTREE_TAIL)
                    .push(")");
            }
            Scope::Org(id) => {
                sql.push(&format!(
                    " AND {alias}.code IN (SELECT region_code FROM orgs WHERE id = "
                ))
                .bind_int(*id)
                .push(")");
            }
        }
    }

    /// A subquery of region codes inside `code`'s subtree (for an explicit filter).
    pub fn region_subtree(sql: &mut Sql, column: &str, code: &str) {
        sql.push(&format!(" AND {column} IN ("))
            .push(REGION_SUBTREE)
            .bind_text(code.to_string())
            .push(REGION_SUBTREE_TAIL)
            .push(")");
    }
}

impl Actor {
    /// The command-line operator: acts with full scope, recorded under this name.
    pub fn system(name: &str) -> Actor {
        Actor {
            user_id: None,
            username: name.to_string(),
            display_name: name.to_string(),
            role: Role::Sysadmin,
            region_code: None,
            org_id: None,
            ip: String::new(),
        }
    }

    fn own(&self) -> Scope {
        if let Some(org) = self.org_id {
            Scope::Org(org)
        } else if let Some(r) = &self.region_code {
            Scope::Region(r.clone())
        } else {
            Scope::Nothing
        }
    }

    /// What the actor may read.
    pub fn read_scope(&self) -> Scope {
        match self.role {
            Role::Sysadmin => Scope::All,
            Role::City | Role::District | Role::Town => match &self.region_code {
                Some(r) => Scope::Region(r.clone()),
                None => Scope::Nothing,
            },
            // Member units read the city's published directory; they change only their own.
            Role::Department => match &self.region_code {
                Some(r) => Scope::Region(r.clone()),
                None => self.own(),
            },
            Role::Unit => self.own(),
            Role::Expert | Role::Worker => Scope::Nothing,
        }
    }

    /// What the actor may change.
    pub fn write_scope(&self) -> Scope {
        match self.role {
            Role::Department => match self.org_id {
                Some(o) => Scope::Org(o),
                None => Scope::Nothing,
            },
            _ => self.read_scope(),
        }
    }
}

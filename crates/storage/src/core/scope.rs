//! Who is acting, and which part of the organisation tree they may see and change.
//! Every scoped query resolves a [`Scope`] and adds [`Resolved::org_filter`] to its
//! WHERE clause (one indexed comparison); a record outside it is simply not found.
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

/// A scope resolved against the database: which indexed column to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    All,
    Nothing,
    /// Ancestor-region column (`region_l{depth}` on orgs, `l{depth}` on regions) = code.
    Region {
        depth: i64,
        code: String,
    },
    /// The organisation and its descendants (via `org_closure`).
    Org(i64),
}

impl Scope {
    pub async fn resolve(&self, conn: &mut sqlx::AnyConnection) -> crate::error::Result<Resolved> {
        Ok(match self {
            Scope::All => Resolved::All,
            Scope::Nothing => Resolved::Nothing,
            Scope::Org(id) => Resolved::Org(*id),
            Scope::Region(code) => Resolved::region(conn, code).await?,
        })
    }

    /// The filter of a list that offers a region: the organisations (`alias`) this scope
    /// may read, narrowed to `region`'s subtree when one is chosen. A blank choice is no
    /// choice (every list treats `?region=` alike); a region that does not exist, nothing.
    pub async fn org_filter_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        region: Option<&str>,
        sql: &mut Sql,
        alias: &str,
    ) -> crate::error::Result<()> {
        self.resolve(&mut *conn).await?.org_filter(sql, alias);
        if let Some(r) = region.map(str::trim).filter(|r| !r.is_empty()) {
            Resolved::region(conn, r).await?.org_filter(sql, alias);
        }
        Ok(())
    }
}

impl Resolved {
    /// A region's subtree (Nothing if the region does not exist).
    pub async fn region(
        conn: &mut sqlx::AnyConnection,
        code: &str,
    ) -> crate::error::Result<Resolved> {
        Ok(match crate::tree::region_depth(conn, code).await? {
            Some(depth) if crate::tree::level_column(depth).is_some() => Resolved::Region {
                depth,
                code: code.to_string(),
            },
            _ => Resolved::Nothing,
        })
    }

    /// Appends ` AND <condition>` restricting the organisations aliased `alias`.
    pub fn org_filter(&self, sql: &mut Sql, alias: &str) {
        match self {
            Resolved::All => {}
            Resolved::Nothing => {
                sql.push(" AND 1 = 0");
            }
            Resolved::Region { depth, code } => {
                let col = crate::tree::level_column(*depth).unwrap_or("region_l1");
                sql.push(&format!(" AND {alias}.{col} = "))
                    .bind_text(code.clone());
            }
            Resolved::Org(id) => {
                sql.push(&format!(" AND {alias}.id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = "))
                    .bind_int(*id)
                    .push(")");
            }
        }
    }

    /// Appends ` AND <condition>` restricting regions aliased `alias` to those the scope
    /// reaches (for an organisation scope: the organisation's own region).
    pub fn region_filter(&self, sql: &mut Sql, alias: &str) {
        match self {
            Resolved::All => {}
            Resolved::Nothing => {
                sql.push(" AND 1 = 0");
            }
            Resolved::Region { depth, code } => {
                let col = crate::tree::region_level_column(*depth).unwrap_or("l1");
                sql.push(&format!(" AND {alias}.{col} = "))
                    .bind_text(code.clone());
            }
            Resolved::Org(id) => {
                sql.push(&format!(
                    " AND {alias}.code IN (SELECT region_code FROM orgs WHERE id = "
                ))
                .bind_int(*id)
                .push(")");
            }
        }
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

/// The row `id` of a query whose text ends in `WHERE <alias>.id = `, when its
/// organisation (aliased `org`) is in `scope`: what every "one record in scope" read is.
pub async fn one_in<T>(
    conn: &mut sqlx::AnyConnection,
    head: &str,
    id: i64,
    (scope, org): (&Resolved, &str),
    row: impl Fn(&sqlx::any::AnyRow) -> crate::error::Result<T>,
) -> crate::error::Result<Option<T>> {
    let mut sql = crate::sql::Sql::new(head);
    sql.bind_int(id);
    scope.org_filter(&mut sql, org);
    sql.query()
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(row)
        .transpose()
}

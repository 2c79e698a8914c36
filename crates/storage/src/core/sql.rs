//! A small builder for dynamic SQL with numbered parameters (`$1`, `$2`, …), which both
//! SQLite and PostgreSQL accept.
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::Any;

#[derive(Debug, Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
    OptInt(Option<i64>),
    OptText(Option<String>),
}

#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
    /// Plain `?` placeholders (SQLite only): SQLite looks numbered parameters up by
    /// name, one linear search per parameter, which makes a statement with thousands of
    /// `$N` parameters quadratic (a 500-row INSERT spent 80 % of its time there).
    anonymous: bool,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
            anonymous: false,
        }
    }

    /// For statements with many parameters: `?` on SQLite, `$N` on PostgreSQL.
    pub fn for_backend(text: &str, backend: crate::Backend) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
            anonymous: backend == crate::Backend::Sqlite,
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `arg` and records it.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        if self.anonymous {
            self.text.push('?');
        } else {
            self.text.push('$');
            self.text.push_str(&self.args.len().to_string());
        }
        self
    }

    pub fn bind_text(&mut self, s: impl Into<String>) -> &mut Self {
        self.bind(Arg::Text(s.into()))
    }

    /// ` AND (a LIKE … OR b LIKE …)`: any of `columns` contains `q` (a literal text: `%`,
    /// `_` and `\` in it are escaped).
    pub fn contains_any(&mut self, columns: &[&str], q: &str) -> &mut Self {
        let pattern = format!("%{}%", like_escape(q));
        for (n, c) in columns.iter().enumerate() {
            self.push(if n == 0 { " AND (" } else { " OR " })
                .push(c)
                .push(" LIKE ")
                .bind_text(pattern.clone())
                .push(" ESCAPE '\\'");
        }
        if !columns.is_empty() {
            self.push(")");
        }
        self
    }

    pub fn bind_int(&mut self, i: i64) -> &mut Self {
        self.bind(Arg::Int(i))
    }

    pub fn args(&self) -> &[Arg] {
        &self.args
    }

    pub fn set_args(&mut self, args: Vec<Arg>) {
        self.args = args;
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Int(i) => q.bind(*i),
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::OptInt(i) => q.bind(*i),
                Arg::OptText(s) => q.bind(s.as_deref()),
            };
        }
        q
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A list's page and page size from what was asked: page 1 and 20 rows by default, at
/// most 500 rows.
pub fn paging(page: i64, per_page: i64) -> (i64, i64) {
    let per_page = if per_page <= 0 { 20 } else { per_page.min(500) };
    (page.max(1), per_page)
}

/// One page of a filtered list. `from` is the ` FROM … WHERE …` part with its bound
/// arguments; the count and the page run over it with the same arguments, the page as
/// `select` + `from` + `order` + `LIMIT … OFFSET …`. `page` and `per_page` as asked
/// (see [`paging`]).
pub async fn fetch_page<T>(
    conn: &mut sqlx::AnyConnection,
    select: &str,
    from: &Sql,
    order: &str,
    (page, per_page): (i64, i64),
    row: impl Fn(&sqlx::any::AnyRow) -> crate::error::Result<T>,
) -> crate::error::Result<crate::Page<T>> {
    let paged = paging(page, per_page);
    page_of(conn, ("SELECT COUNT(*)", select), from, order, paged, row).await
}

/// One page of a filtered list whose `WHERE` part `w` (with its bound arguments) follows
/// both heads: `count` (`SELECT COUNT(*) FROM …`) and `select` (`SELECT … FROM …`); the
/// page runs as `select` + `w` + `order` + `LIMIT … OFFSET …`. `page` from 1 and
/// `per_page` from 1 to 500, whatever was asked.
pub async fn page_of<T>(
    conn: &mut sqlx::AnyConnection,
    heads: (&str, &str),
    w: &Sql,
    order: &str,
    asked: (i64, i64),
    row: impl Fn(&sqlx::any::AnyRow) -> crate::error::Result<T>,
) -> crate::error::Result<crate::Page<T>> {
    page_up_to(conn, heads, w, order, asked, 500, row).await
}

/// [`page_of`] for a list whose pages may hold up to `max` rows.
pub async fn page_up_to<T>(
    conn: &mut sqlx::AnyConnection,
    (count, select): (&str, &str),
    w: &Sql,
    order: &str,
    (page, per_page): (i64, i64),
    max: i64,
    row: impl Fn(&sqlx::any::AnyRow) -> crate::error::Result<T>,
) -> crate::error::Result<crate::Page<T>> {
    use sqlx::Row;
    let (page, per_page) = (page.max(1), per_page.clamp(1, max));
    let mut c = Sql::new(&format!("{count}{}", w.text()));
    c.set_args(w.args().to_vec());
    let total: i64 = c.query().fetch_one(&mut *conn).await?.try_get(0)?;
    let mut q = Sql::new(&format!("{select}{}{order} LIMIT ", w.text()));
    q.set_args(w.args().to_vec());
    q.bind_int(per_page)
        .push(" OFFSET ")
        .bind_int((page - 1).saturating_mul(per_page));
    let rows = q.query().fetch_all(&mut *conn).await?;
    Ok(crate::Page {
        items: rows.iter().map(row).collect::<crate::error::Result<_>>()?,
        total,
        page,
        per_page,
    })
}

/// Every item of a paged list, page after page (`fetch` gets the page number, from 1):
/// what an export of "everything the caller may see" reads.
pub async fn every_page<T, F, Fut>(mut fetch: F) -> crate::error::Result<Vec<T>>
where
    F: FnMut(i64) -> Fut,
    Fut: std::future::Future<Output = crate::error::Result<crate::Page<T>>>,
{
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let p = fetch(page).await?;
        let pages = p.pages();
        out.extend(p.items);
        if page >= pages {
            return Ok(out);
        }
        page += 1;
    }
}

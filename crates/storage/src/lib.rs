//! Storage: one layer over SQLite and PostgreSQL (sqlx's `Any` driver), migrations
//! written once, and the scope filter that keeps every query inside the caller's
//! organisation subtree. Handlers never write SQL; they call [`service::Service`].

pub mod core;
pub mod engines;
pub mod parts;

// The old flat paths (`gongjiang_storage::tasks`, `crate::audit`) stay valid.
pub use crate::core::{
    access, audit, backup, crypto, db, error, files, jobs, live, login_throttle, mail, notify,
    orgs, regions, s3, scope, service, sql, tree, users, version,
};
pub use engines::{designations, indicators, workflow};
pub use parts::{
    assessment, contacts, contests, craftsmen, import, innovations, liuyou, pairs, pilots,
    policies, registers, report_service, reports, search, studios, task_completion, tasks,
    training, worker_bulk, workers,
};

pub use db::{Backend, Db, Tx};
pub use error::StoreError;
pub use scope::{Actor, Scope};

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A page of results: the one page type of every list, in the store, the console and
/// the API (`{items, total, page, per_page}`).
///
/// In the OpenAPI document a page of `T` is the schema `{T}Page` (`WorkerPage` for
/// `Page<Worker>`). A handler names it through a type alias, so that the path macro
/// references it by that name: `pub type WorkerPage = Page<Worker>;` then
/// `responses((status = 200, body = WorkerPage))` and `Result<Json<WorkerPage>, ApiError>`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T: utoipa::ToSchema> utoipa::PartialSchema for Page<T> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type,
        };
        use utoipa::openapi::Ref;
        let int = || {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        };
        ObjectBuilder::new()
            .property(
                "items",
                ArrayBuilder::new().items(Ref::from_schema_name(T::name())),
            )
            .property("total", int())
            .property("page", int())
            .property("per_page", int())
            .required("items")
            .required("total")
            .required("page")
            .required("per_page")
            .into()
    }
}

impl<T: utoipa::ToSchema> utoipa::ToSchema for Page<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        format!("{}Page", T::name()).into()
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((T::name().into(), T::schema()));
        T::schemas(schemas);
    }
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        if self.per_page <= 0 {
            1
        } else {
            ((self.total + self.per_page - 1) / self.per_page).max(1)
        }
    }

    /// The same page with each item turned into another.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

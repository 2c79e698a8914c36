//! The data version (issue #11, the request path): one number in the database that
//! every transaction changing what a server may keep — the indicator aggregates, the
//! organisations, the regions — raises before it commits. Requests read it with their
//! session; `web/src/reads.rs` keeps answers under it. Depends on nothing else in the
//! core (the tree, the organisations and the indicator engine call it).
use crate::error::Result;

/// The table, also run by `Db::migrate` before the first migration (every commit may
/// raise the version): migration 0030.
pub(crate) const SCHEMA: &str = include_str!("../../migrations/0030_data_version.sql");

/// PostgreSQL: raises the data version as the transaction's last statement when
/// [`data_changed`] marked it (the one row is then locked only from here to the commit,
/// after every other lock the transaction took, so two writers cannot deadlock on it).
/// Returns the new version (no row: not raised); its trigger tells the other servers
/// (`crate::live`).
pub(crate) const RAISE_IF_CHANGED: &str = "UPDATE data_version SET version = version + 1 \
     WHERE id = 1 AND current_setting('gongjiang.changed', true) = '1' RETURNING version";

/// Marks the caller's transaction as changing what cached reads depend on (the
/// indicator aggregates, the organisations, the regions): the data version is raised
/// before it commits. SQLite has one writer at a time and raises it at once; PostgreSQL
/// sets a flag for the transaction and `Tx::commit` raises it last.
pub async fn data_changed(conn: &mut sqlx::AnyConnection) -> Result<()> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT set_config('gongjiang.changed', '1', true)")
            .execute(conn)
            .await?;
    } else {
        sqlx::query("UPDATE data_version SET version = version + 1 WHERE id = 1")
            .execute(conn)
            .await?;
    }
    Ok(())
}

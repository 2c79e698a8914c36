//! The audit trail: reading and verifying the log, the names beside its entries, and
//! recording events that are not data changes.

use crate::access::{self, Permission};
use crate::audit;
use crate::error::Result;
use crate::scope::Actor;
use crate::{now_ms, Page};

use super::Service;

impl Service {
    // ----- audit -----

    pub async fn audit_log(&self, actor: &Actor, f: &audit::Filter) -> Result<Page<audit::Entry>> {
        access::check(actor, Permission::ReadAudit)?;
        let mut conn = self.db.pool.acquire().await?;
        audit::list(&mut conn, f).await
    }

    /// Account names to show beside log entries (user id → display name).
    pub async fn display_names(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, String>> {
        let mut out = std::collections::HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let mut conn = self.db.pool.acquire().await?;
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        for r in sqlx::query(&format!(
            "SELECT id, display_name FROM users WHERE id IN ({list})"
        ))
        .fetch_all(&mut *conn)
        .await?
        {
            out.insert(sqlx::Row::try_get(&r, 0)?, sqlx::Row::try_get(&r, 1)?);
        }
        Ok(out)
    }

    pub async fn verify_audit(&self) -> Result<audit::Verdict> {
        let mut conn = self.db.pool.acquire().await?;
        audit::verify(&mut conn).await
    }

    /// Records an event that is not a data change (a restore, an import).
    pub async fn record(
        &self,
        actor: &Actor,
        act: &str,
        kind: &str,
        id: &str,
        summary: &str,
    ) -> Result<()> {
        let mut w = self.write(actor).await?;
        audit::Note::new(act, kind, id)
            .summary(summary)
            .write(w.conn(), actor, now_ms())
            .await?;
        w.commit().await?;
        Ok(())
    }
}

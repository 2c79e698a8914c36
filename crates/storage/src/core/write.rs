//! The write skeleton. Every change to a record goes the same way:
//!
//! 1. the access policy decides whether the actor may do this at all
//!    ([`crate::access::check`]);
//! 2. [`Service::write`] opens the transaction for the actor, with the time of the
//!    change and the actor's write scope;
//! 3. the record is loaded *in that scope* (outside it: 404), and the version the
//!    caller last saw is checked ([`Write::check_version`]: one error, 409
//!    `stale_version`);
//! 4. the SQL runs (an `UPDATE … WHERE id = $1 AND version = $2` that touches no row is
//!    the same 409: [`Write::expect_one`]);
//! 5. the audit entry is written through the builder ([`Write::audit`]);
//! 6. [`Write::commit`].
//!
//! ```ignore
//! pub async fn rename_body(&self, actor: &Actor, id: i64, i: &Rename) -> Result<Body> {
//!     access::check(actor, Permission::EditRegisters)?;
//!     let mut w = self.write(actor).await?;
//!     let before = load_body(w.conn(), &w.scope().await?, id).await?.ok_or(StoreError::NotFound)?;
//!     w.check_version(i.version, before.version)?;
//!     let n = sqlx::query("UPDATE bodies SET name = $1, version = version + 1 WHERE id = $2 AND version = $3")
//!         .bind(&i.name).bind(id).bind(before.version)
//!         .execute(w.conn()).await?.rows_affected();
//!     w.expect_one(n)?;
//!     let after = load_body(w.conn(), &Resolved::All, id).await?.ok_or(StoreError::NotFound)?;
//!     w.audit(Note::new(action::UPDATE, "body", id).summary(&after.name).before(&before).after(&after)).await?;
//!     w.commit().await?;
//!     Ok(after)
//! }
//! ```
use crate::audit::Note;
use crate::db::Tx;
use crate::error::{Result, StoreError};
use crate::scope::{Actor, Resolved};
use crate::service::Service;
use gongjiang_domain::Code;
use sqlx::AnyConnection;

/// One write in progress: the transaction, the actor and the time of the change.
pub struct Write<'a> {
    tx: Tx,
    pub actor: &'a Actor,
    /// Milliseconds since the epoch, the same for every row and the audit entry.
    pub now: i64,
}

impl Service {
    /// Opens the write transaction for `actor`.
    pub async fn write<'a>(&self, actor: &'a Actor) -> Result<Write<'a>> {
        Ok(Write {
            tx: self.db.begin().await?,
            actor,
            now: crate::now_ms(),
        })
    }
}

impl Write<'_> {
    pub fn conn(&mut self) -> &mut AnyConnection {
        self.tx.conn()
    }

    /// The actor's write scope, resolved inside the transaction.
    pub async fn scope(&mut self) -> Result<Resolved> {
        let scope = self.actor.write_scope();
        scope.resolve(self.tx.conn()).await
    }

    /// The version the caller last saw (`None`: it sent none) against the stored one.
    pub fn check_version(&self, expected: Option<i64>, current: i64) -> Result<()> {
        StoreError::check_version(expected, current)
    }

    /// A conditional update (`… AND version = $n`) must have touched exactly one row;
    /// none means someone changed the record in between.
    pub fn expect_one(&self, rows_affected: u64) -> Result<()> {
        if rows_affected == 0 {
            Err(StoreError::of(Code::StaleVersion))
        } else {
            Ok(())
        }
    }

    /// Writes the audit entry for this change.
    pub async fn audit(&mut self, note: Note) -> Result<i64> {
        note.write(self.tx.conn(), self.actor, self.now).await
    }

    /// This change ends or changes sessions or the accounts they carry
    /// ([`crate::db::Tx::sessions_changed`]).
    pub fn sessions_changed(&mut self) {
        self.tx.sessions_changed();
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await
    }
}

//! The worker registry's contribution to the indicators (registered in
//! `crate::parts::registry`).
use crate::engines::indicators::{Facts, HIGH_SKILLED_SUM};
use crate::error::Result;
use sqlx::{AnyConnection, Row};

/// The indicator facts of the worker registry: a standing count, kept under the period
/// "0000" so that it counts for every year.
pub async fn facts(conn: &mut AnyConnection, org_id: i64, f: &mut Facts) -> Result<()> {
    let r = sqlx::query(&format!(
        "SELECT COUNT(*), {} FROM workers WHERE org_id = $1",
        HIGH_SKILLED_SUM
    ))
    .bind(org_id)
    .fetch_one(&mut *conn)
    .await?;
    let (n, high): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
    if n > 0 {
        f.insert(("reg:workers".into(), "0000".into()), n);
    }
    if high > 0 {
        f.insert(("reg:high_skilled".into(), "0000".into()), high);
    }
    Ok(())
}

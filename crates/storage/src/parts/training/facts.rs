//! What the training part counts for the indicator engine, for one organisation.
use crate::error::Result;
use crate::indicators::Facts;
use gongjiang_domain::indicators::measure;
use sqlx::{AnyConnection, Row};

/// A 院校 counts under its type from the day it is registered (period `0000`, before
/// every year); a class counts under its type and year, with its 学员数 and 结业数.
pub async fn facts(conn: &mut AnyConnection, org_id: i64, f: &mut Facts) -> Result<()> {
    let college = sqlx::query("SELECT college_type FROM orgs WHERE id = $1 AND kind = 'college'")
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(t) = college.and_then(|r| r.try_get::<Option<String>, _>(0).ok().flatten()) {
        *f.entry((measure::college(&t), measure::STANDING.to_string()))
            .or_default() += 1;
    }
    let rows = sqlx::query(
        "SELECT ctype, year, COUNT(*), CAST(SUM(trainees) AS BIGINT), CAST(SUM(completed) AS BIGINT) \
         FROM training_classes WHERE org_id = $1 GROUP BY ctype, year",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let ctype: String = r.try_get(0)?;
        let year: i64 = r.try_get(1)?;
        let y = year.to_string();
        *f.entry((measure::class(&ctype), y.clone())).or_default() += r.try_get::<i64, _>(2)?;
        *f.entry((measure::CLASS_TRAINEES.to_string(), y.clone()))
            .or_default() += r.try_get::<i64, _>(3)?;
        *f.entry((measure::CLASS_COMPLETED.to_string(), y))
            .or_default() += r.try_get::<i64, _>(4)?;
    }
    Ok(())
}

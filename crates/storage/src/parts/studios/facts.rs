//! What studios count for the indicator engine: reviews decided and reviews passed (not
//! revoked), by the studio's enterprise and the review's year.
use crate::error::Result;
use gongjiang_domain::indicators::measure;
use sqlx::{AnyConnection, Row};

pub async fn facts(
    conn: &mut AnyConnection,
    org_id: i64,
    f: &mut crate::indicators::Facts,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT r.year, r.outcome FROM studio_reviews r JOIN studios s ON s.id = r.studio_id \
         WHERE s.org_id = $1 AND r.outcome IS NOT NULL",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let (year, outcome): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
        *f.entry((measure::STUDIO_REVIEWS.to_string(), year.to_string()))
            .or_default() += 1;
        if outcome != "revoked" {
            *f.entry((measure::STUDIO_PASSED.to_string(), year.to_string()))
                .or_default() += 1;
        }
    }
    Ok(())
}

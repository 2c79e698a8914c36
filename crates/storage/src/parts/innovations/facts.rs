//! What results count for the indicator engine: approved and recorded results, those of
//! type 专利 and their benefit, by the result's year and enterprise.
use crate::error::Result;
use gongjiang_domain::indicators::measure;
use sqlx::{AnyConnection, Row};

pub async fn facts(
    conn: &mut AnyConnection,
    org_id: i64,
    f: &mut crate::indicators::Facts,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT year, COUNT(*), CAST(SUM(CASE WHEN itype = 'patent' THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(COALESCE(SUM(benefit_x100), 0) AS BIGINT) FROM innovations \
         WHERE org_id = $1 AND status IN ('approved', 'recorded') GROUP BY year",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let year: i64 = r.try_get(0)?;
        for (m, i) in [
            (measure::INNOVATION_RESULTS, 1),
            (measure::INNOVATION_PATENTS, 2),
            (measure::INNOVATION_BENEFIT, 3),
        ] {
            let n: i64 = r.try_get(i)?;
            if n != 0 {
                *f.entry((m.to_string(), year.to_string())).or_default() += n;
            }
        }
    }
    Ok(())
}

//! What the contests part counts for the indicator engine, for one organisation: a
//! contest under its organiser, from its plan's approval on (`contest:held`); its final
//! results under the entrant's employer (`contest:entrants`, `contest:awards`,
//! `contest:promotions`), by the contest's year.
use crate::error::Result;
use crate::indicators::Facts;
use gongjiang_domain::indicators::measure;
use sqlx::{AnyConnection, Row};

pub async fn facts(conn: &mut AnyConnection, org_id: i64, f: &mut Facts) -> Result<()> {
    let held = sqlx::query(
        "SELECT year, COUNT(*) FROM contests WHERE organiser_org_id = $1 \
         AND status IN ('open', 'locked', 'notice', 'closed') GROUP BY year",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in held {
        let year: i64 = r.try_get(0)?;
        *f.entry((measure::CONTESTS_HELD.to_string(), year.to_string()))
            .or_default() += r.try_get::<i64, _>(1)?;
    }
    let results = sqlx::query(
        "SELECT c.year, COUNT(*), \
         CAST(SUM(CASE WHEN x.award IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN x.promoted_to IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) \
         FROM contest_results x JOIN contests c ON c.id = x.contest_id \
         WHERE x.org_id = $1 AND x.is_final = 1 GROUP BY c.year",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in results {
        let y = r.try_get::<i64, _>(0)?.to_string();
        for (m, i) in [
            (measure::CONTEST_ENTRANTS, 1),
            (measure::CONTEST_AWARDS, 2),
            (measure::CONTEST_PROMOTIONS, 3),
        ] {
            *f.entry((m.to_string(), y.clone())).or_default() += r.try_get::<i64, _>(i)?;
        }
    }
    Ok(())
}

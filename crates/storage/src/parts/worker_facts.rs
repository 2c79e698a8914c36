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
    ladder(conn, org_id, f).await
}

/// The ladder over time, the new high-skilled by source and the platform's promotions,
/// from each worker's certificates (see `measure::ladder`).
async fn ladder(conn: &mut AnyConnection, org_id: i64, f: &mut Facts) -> Result<()> {
    use gongjiang_domain::indicators::measure;
    use gongjiang_domain::SkillLevel;
    let rows = sqlx::query("SELECT skill_level, certificates FROM workers WHERE org_id = $1")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut add = |m: String, year: String, n: i64| *f.entry((m, year)).or_default() += n;
    for r in rows {
        let level: Option<String> = r.try_get(0)?;
        let mut certs: Vec<(String, SkillLevel, Option<String>)> =
            crate::workers::parse_certificates(&r.try_get::<String, _>(1)?)
                .into_iter()
                .filter_map(|c| {
                    let on = c.certified_on.filter(|d| d.len() >= 4)?;
                    let l = SkillLevel::parse(c.skill_level.as_deref()?)?;
                    Some((on, l, c.source))
                })
                .collect();
        certs.sort_by(|a, b| a.0.cmp(&b.0));
        if certs.is_empty() {
            if let Some(l) = level.as_deref().and_then(SkillLevel::parse) {
                add(measure::ladder(l.code()), measure::STANDING.into(), 1);
            }
            continue;
        }
        let mut prev: Option<SkillLevel> = None;
        for (on, l, source) in certs {
            let year = on[..4].to_string();
            add(measure::ladder(l.code()), year.clone(), 1);
            if let Some(p) = prev {
                add(measure::ladder(p.code()), year.clone(), -1);
            }
            if l.is_high_skilled() && !prev.is_some_and(SkillLevel::is_high_skilled) {
                let how = source.as_deref().unwrap_or("certificate");
                add(measure::high_skilled_new(how), year.clone(), 1);
            }
            if source.is_some() {
                add(measure::PROMOTIONS.into(), year.clone(), 1);
                add(measure::promotion(l.code()), year, 1);
            }
            prev = Some(l);
        }
    }
    Ok(())
}

//! What still refers to a registered worker: a worker who is enrolled in a class, a
//! master, a professor with engagements, a contest entrant or result, a nominee, a
//! studio's leader or member, the author of an innovation result, or the holder of a
//! title in the designation registry is not deleted — the 409 names those records (the
//! delete would otherwise fail on a foreign key, or leave a title without its holder).
use crate::error::{Result, StoreError};
use gongjiang_domain::Code;
use sqlx::{AnyConnection, Row};

/// Every table that refers to `workers(id)`: (count query, 中文, English). The test
/// below fails when a migration adds a reference that is not listed.
const REFERRING: &[(&str, &str, &str)] = &[
    (
        "SELECT COUNT(*) FROM class_trainees WHERE worker_id = $1 OR master_worker_id = $1",
        "培训班学员或师傅记录",
        "class enrolments or masterships",
    ),
    (
        "SELECT COUNT(*) FROM professor_engagements WHERE worker_id = $1",
        "产业教授聘任",
        "professor engagements",
    ),
    (
        "SELECT COUNT(*) FROM contest_entries WHERE worker_id = $1",
        "竞赛报名",
        "contest entries",
    ),
    (
        "SELECT COUNT(*) FROM contest_results WHERE worker_id = $1",
        "竞赛成绩",
        "contest results",
    ),
    (
        "SELECT COUNT(*) FROM craftsman_nominations WHERE worker_id = $1",
        "工匠推荐",
        "craftsman nominations",
    ),
    (
        "SELECT COUNT(*) FROM studios WHERE leader_worker_id = $1",
        "领办的创新工作室",
        "studios led",
    ),
    (
        "SELECT COUNT(*) FROM studio_members WHERE worker_id = $1",
        "创新工作室成员记录",
        "studio memberships",
    ),
    (
        "SELECT COUNT(*) FROM innovation_authors WHERE worker_id = $1",
        "创新成果",
        "innovation results",
    ),
    (
        "SELECT COUNT(*) FROM designations WHERE holder_worker_id = $1",
        "认定与荣誉",
        "titles in the registry",
    ),
];

/// 409 `has_records` naming what still refers to worker `id`, if anything does.
pub(crate) async fn check_unreferenced(conn: &mut AnyConnection, id: i64) -> Result<()> {
    let (mut zh, mut en) = (Vec::new(), Vec::new());
    for (sql, name_zh, name_en) in REFERRING {
        let n: i64 = sqlx::query(sql)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        if n > 0 {
            zh.push(format!("{n}条{name_zh}"));
            en.push(format!("{n} {name_en}"));
        }
    }
    if zh.is_empty() {
        return Ok(());
    }
    Err(StoreError::conflict(
        Code::HasRecords,
        None,
        format!("该职工还有{}，不能删除", zh.join("、")),
        format!(
            "this worker still has {}; they cannot be deleted",
            en.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::REFERRING;

    #[test]
    fn every_reference_to_a_worker_is_checked_before_a_delete() {
        let refs = crate::db::references_to("workers");
        assert!(refs.len() > 3, "the migrations are read: {refs:?}");
        let missing: Vec<String> = refs
            .into_iter()
            .filter(|(t, c)| !crate::db::counts(REFERRING, t, c))
            .map(|(t, c)| format!("{t}.{c}"))
            .collect();
        assert!(missing.is_empty(), "not in REFERRING: {missing:?}");
    }
}

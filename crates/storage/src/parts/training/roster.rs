//! Use cases: a class's roster — enrol a registered worker (with a master for a
//! 新型学徒制 apprentice), record completion with the certificate earned, withdraw.
use super::sql;
use super::{Class, CompleteInput, EnrolInput, Trainee};
use crate::access::{self, Permission};
use crate::audit::{action, Note};
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::scope::{Actor, Scope};
use crate::service::Service;
use gongjiang_domain::training::{check_certificate_no, ClassType, TraineeStatus};
use gongjiang_domain::{FieldError, Rule, SkillLevel};
use sqlx::{AnyConnection, Row};

/// A registered worker found by registry id or 身份证号, in `scope`.
pub(crate) struct Found {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub level: Option<SkillLevel>,
    pub occupation: Option<String>,
}

impl Service {
    /// A registered worker by registry id or 身份证号, in `scope` (`None`: not found or
    /// outside it).
    pub(crate) async fn find_worker(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        key: &str,
    ) -> Result<Option<Found>> {
        let key = gongjiang_domain::error::normalise_code(key).to_ascii_uppercase();
        if key.is_empty() {
            return Ok(None);
        }
        let row = match key.parse::<i64>() {
            Ok(id) if key.len() < 15 => {
                sqlx::query(
                    "SELECT id, org_id, name, skill_level, occupation FROM workers WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
            }
            _ => sqlx::query(
                "SELECT id, org_id, name, skill_level, occupation FROM workers WHERE id_hash = $1",
            )
            .bind(self.key.blind_index(&key))
            .fetch_optional(&mut *conn)
            .await?,
        };
        let Some(r) = row else {
            return Ok(None);
        };
        let org: i64 = r.try_get(1)?;
        if crate::orgs::get(conn, scope, org).await?.is_none() {
            return Ok(None);
        }
        Ok(Some(Found {
            id: r.try_get(0)?,
            org_id: org,
            occupation: r.try_get(4)?,
            name: r.try_get(2)?,
            level: r
                .try_get::<Option<String>, _>(3)?
                .as_deref()
                .and_then(SkillLevel::parse),
        }))
    }

    /// A class in the actor's write scope, for a change to its roster.
    async fn class_for_roster(
        conn: &mut AnyConnection,
        actor: &Actor,
        class_id: i64,
    ) -> Result<Class> {
        access::check(actor, Permission::KeepClasses)?;
        let scope = actor.write_scope().resolve(conn).await?;
        sql::get(conn, &scope, class_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The roster of a class (404 outside the actor's area).
    pub async fn class_roster(&self, actor: &Actor, class_id: i64) -> Result<Vec<Trainee>> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        let scope = actor.read_scope().resolve(&mut conn).await?;
        sql::get(&mut conn, &scope, class_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        sql::roster(&mut conn, class_id).await
    }

    /// The classes a registered worker took part in: (trainee, class code, class name).
    pub async fn worker_classes(
        &self,
        actor: &Actor,
        worker_id: i64,
    ) -> Result<Vec<(Trainee, String, String)>> {
        // The worker page already checked the worker is in scope; read the same way.
        self.get_worker(actor, worker_id).await?;
        let mut conn = self.db.pool.acquire().await?;
        sql::of_worker(&mut conn, worker_id).await
    }

    /// Enrols a registered worker: a unit its own, region staff any of their area; once
    /// per class; a 新型学徒制 apprentice with a master at 高级工 or above.
    pub async fn enrol_trainee(
        &self,
        actor: &Actor,
        class_id: i64,
        i: &EnrolInput,
    ) -> Result<Trainee> {
        let mut w = self.write(actor).await?;
        let class = Self::class_for_roster(w.conn(), actor, class_id).await?;
        let ctype = ClassType::from_any(&class.ctype);
        let mut errs = Vec::new();
        let worker = if i.worker.trim().is_empty() {
            errs.push(FieldError::required("worker", "学员", "Trainee"));
            None
        } else {
            let found = self
                .find_worker(w.conn(), &actor.write_scope(), &i.worker)
                .await?;
            if found.is_none() {
                errs.push(FieldError::new(
                    "worker",
                    Rule::UnknownValue,
                    "职工库中没有该职工，或其单位不在您的管辖范围内（单位只能为本单位职工报名）",
                    "no such worker in your area's registry (a unit enrols its own workers)",
                ));
            }
            found
        };
        let master_key = i.master.as_deref().map(str::trim).filter(|m| !m.is_empty());
        let master = match (ctype.is_some_and(ClassType::pairs_masters), master_key) {
            (true, None) => {
                errs.push(FieldError::new(
                    "master",
                    Rule::Required,
                    "新型学徒制学员须配师傅：请填写师傅（职工库中的职工）",
                    "a new-apprenticeship trainee needs a master from the worker registry",
                ));
                None
            }
            (_, Some(k)) => match self.find_worker(w.conn(), &actor.read_scope(), k).await? {
                None => {
                    errs.push(FieldError::new(
                        "master",
                        Rule::UnknownValue,
                        "职工库中没有该师傅，或其单位不在您的管辖范围内",
                        "no such master in your area's registry",
                    ));
                    None
                }
                Some(m) if worker.as_ref().is_some_and(|w| w.id == m.id) => {
                    errs.push(FieldError::new(
                        "master",
                        Rule::Forbidden,
                        "师傅不能是学员本人",
                        "the master cannot be the trainee",
                    ));
                    None
                }
                Some(m) if !m.level.is_some_and(SkillLevel::is_high_skilled) => {
                    errs.push(FieldError::new(
                        "master",
                        Rule::Forbidden,
                        format!("师傅{}须为高级工及以上技能等级", m.name),
                        format!("the master {} must be at 高级工 or above", m.name),
                    ));
                    None
                }
                Some(m) => Some(m.id),
            },
            (false, None) => None,
        };
        if let Some(wk) = &worker {
            let twice =
                sqlx::query("SELECT 1 FROM class_trainees WHERE class_id = $1 AND worker_id = $2")
                    .bind(class_id)
                    .bind(wk.id)
                    .fetch_optional(w.conn())
                    .await?
                    .is_some();
            if twice {
                errs.push(FieldError::new(
                    "worker",
                    Rule::Duplicate,
                    format!("{}已在本班学员名单中", wk.name),
                    format!("{} is already on this class's roster", wk.name),
                ));
            }
        }
        let Some(worker) = worker.filter(|_| errs.is_empty()) else {
            return Err(StoreError::Invalid(errs));
        };
        let snap = indicators::snapshot(w.conn(), class.org_id).await?;
        let now = w.now;
        let id: i64 = sqlx::query(
            "INSERT INTO class_trainees (class_id, worker_id, master_worker_id, status, created_at, updated_at) \
             VALUES ($1, $2, $3, 'enrolled', $4, $4) RETURNING id",
        )
        .bind(class_id)
        .bind(worker.id)
        .bind(master)
        .bind(now)
        .fetch_one(w.conn())
        .await?
        .try_get(0)?;
        sql::recount(w.conn(), class_id, now).await?;
        indicators::settle(w.conn(), snap).await?;
        let t = sql::trainee(w.conn(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            Note::new(action::CREATE, "class_trainee", id)
                .summary(format!("{} · {}", class.code, t.worker_name))
                .after(&t),
        )
        .await?;
        w.commit().await?;
        Ok(t)
    }

    /// Records a trainee's completion, with the certificate earned: a level one step
    /// above the worker's own (the level changes only through the promotion's review).
    pub async fn complete_trainee(
        &self,
        actor: &Actor,
        class_id: i64,
        trainee_id: i64,
        i: &CompleteInput,
    ) -> Result<Trainee> {
        let mut w = self.write(actor).await?;
        let class = Self::class_for_roster(w.conn(), actor, class_id).await?;
        let before = sql::trainee(w.conn(), trainee_id)
            .await?
            .filter(|t| t.class_id == class.id)
            .ok_or(StoreError::NotFound)?;
        let mut errs = Vec::new();
        if before.status != TraineeStatus::Enrolled.code() {
            errs.push(FieldError::new(
                "status",
                Rule::Forbidden,
                format!("{}已结业或已退出，不能再次登记结业", before.worker_name),
                format!("{} has already completed or withdrawn", before.worker_name),
            ));
        }
        let today = chrono::Local::now().format("%Y-%m-%d").to_string();
        let completed_on = if i.completed_on.trim().is_empty() {
            Some(today.clone())
        } else {
            match gongjiang_domain::tasks::date(
                "completed_on",
                ("结业日期", "Completion date"),
                &i.completed_on,
            ) {
                Ok(d) if d > today => {
                    errs.push(FieldError::new(
                        "completed_on",
                        Rule::Forbidden,
                        format!("结业日期 {d} 晚于今天"),
                        format!("the completion date {d} is in the future"),
                    ));
                    None
                }
                Ok(d) => Some(d),
                Err(e) => {
                    errs.push(e);
                    None
                }
            }
        };
        let cert = i
            .certificate_no
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let level = i
            .certified_level
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let certificate_no = cert
            .map(check_certificate_no)
            .transpose()
            .map_err(|e| errs.push(e))
            .ok()
            .flatten();
        let certified = match level {
            None => None,
            Some(l) => match SkillLevel::parse(l) {
                None => {
                    errs.push(FieldError::new(
                        "certified_level",
                        Rule::UnknownValue,
                        format!("“{l}”不是八级工等级"),
                        format!("'{l}' is not a level of the ladder"),
                    ));
                    None
                }
                Some(to) => {
                    let from = before.worker_level.as_deref().and_then(SkillLevel::parse);
                    match check_promotion(from, to) {
                        Ok(()) => Some(to),
                        Err(e) => {
                            errs.push(e);
                            None
                        }
                    }
                }
            },
        };
        if certified.is_some() && certificate_no.is_none() && errs.is_empty() {
            errs.push(FieldError::new(
                "certificate_no",
                Rule::Required,
                "登记取得的等级须填写证书编号",
                "a certified level needs its certificate number",
            ));
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let snap = indicators::snapshot(w.conn(), class.org_id).await?;
        let now = w.now;
        sqlx::query(
            "UPDATE class_trainees SET status = 'completed', completed_on = $1, certificate_no = $2, \
             certified_level = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(completed_on)
        .bind(certificate_no.as_deref())
        .bind(certified.map(|l| l.code()))
        .bind(now)
        .bind(trainee_id)
        .execute(w.conn())
        .await?;
        sql::recount(w.conn(), class_id, now).await?;
        indicators::settle(w.conn(), snap).await?;
        // A certificate one level up goes to the 人社 department's review: the level
        // changes only when that case is approved.
        if let (Some(to), Some(no)) = (certified, certificate_no.as_deref()) {
            let p = super::promotion::Promotion {
                class_id,
                class_code: &class.code,
                trainee_id,
                worker_id: before.worker_id,
                worker_name: &before.worker_name,
                from: before.worker_level.as_deref().and_then(SkillLevel::parse),
                to,
                certificate_no: no,
            };
            self.open_promotion(w.conn(), actor, &p, now).await?;
        }
        let after = sql::trainee(w.conn(), trainee_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            Note::new(action::UPDATE, "class_trainee", trainee_id)
                .summary(format!("{} · {} 结业", class.code, after.worker_name))
                .before(&before)
                .after(&after),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Takes an enrolled trainee off the roster's counts (kept, as withdrawn).
    pub async fn withdraw_trainee(
        &self,
        actor: &Actor,
        class_id: i64,
        trainee_id: i64,
    ) -> Result<Trainee> {
        let mut w = self.write(actor).await?;
        let class = Self::class_for_roster(w.conn(), actor, class_id).await?;
        let before = sql::trainee(w.conn(), trainee_id)
            .await?
            .filter(|t| t.class_id == class.id)
            .ok_or(StoreError::NotFound)?;
        if before.status != TraineeStatus::Enrolled.code() {
            return Err(StoreError::invalid(FieldError::new(
                "status",
                Rule::Forbidden,
                "只有在训学员可以退出",
                "only an enrolled trainee can withdraw",
            )));
        }
        let snap = indicators::snapshot(w.conn(), class.org_id).await?;
        let now = w.now;
        sqlx::query(
            "UPDATE class_trainees SET status = 'withdrawn', updated_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(trainee_id)
        .execute(w.conn())
        .await?;
        sql::recount(w.conn(), class_id, now).await?;
        indicators::settle(w.conn(), snap).await?;
        let after = sql::trainee(w.conn(), trainee_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            Note::new(action::UPDATE, "class_trainee", trainee_id)
                .summary(format!("{} · {} 退出", class.code, after.worker_name))
                .before(&before)
                .after(&after),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }
}

/// A certified level must be above the worker's own and at most one step up (破格 —
/// skipping a level — is not a training outcome).
pub fn check_promotion(
    from: Option<SkillLevel>,
    to: SkillLevel,
) -> std::result::Result<(), FieldError> {
    let from_rank = from.map(SkillLevel::rank);
    match from_rank {
        Some(r) if to.rank() <= r => Err(FieldError::new(
            "certified_level",
            Rule::Forbidden,
            format!(
                "取得等级“{}”不高于职工现有等级“{}”",
                to.label_zh(),
                from.map(|f| f.label_zh()).unwrap_or_default()
            ),
            format!(
                "the certified level {} is not above the worker's level {}",
                to.label_en(),
                from.map(|f| f.label_en()).unwrap_or_default()
            ),
        )),
        _ if to.rank() > from_rank.map_or(1, |r| r + 1) => Err(FieldError::new(
            "certified_level",
            Rule::Forbidden,
            format!(
                "不能越级：职工现有等级之上一级才可登记（“{}”越级）",
                to.label_zh()
            ),
            format!(
                "no skipping levels: {} is more than one step up",
                to.label_en()
            ),
        )),
        _ => Ok(()),
    }
}

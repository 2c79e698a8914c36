//! The worker registry (职工与技能人才库). Personal numbers are encrypted; lists show the
//! masked forms; the full numbers come only from [`Service::reveal_worker`], which is
//! audit-logged.
use crate::audit;
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::orgs;
use crate::scope::{Actor, Resolved, Scope};
use crate::service::Service;
use crate::sql::{like_escape, Sql};
use crate::{now_ms, Page};
use gongjiang_domain::error::text;
use gongjiang_domain::{FieldError, IdNumber, Role, Rule, SkillLevel};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Worker {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    /// `320402********123X`
    pub id_masked: String,
    /// `138****5678`
    pub phone_masked: Option<String>,
    /// 男 / 女, from the ID number.
    pub gender: Option<String>,
    pub birth_year: Option<i64>,
    pub occupation: Option<String>,
    /// The eight-level ladder: apprentice … chief.
    pub skill_level: Option<String>,
    pub certificate_no: Option<String>,
    pub certified_on: Option<String>,
    pub frontline: bool,
    pub political_status: Option<String>,
    pub version: i64,
    pub updated_at: i64,
}

const SELECT: &str = "SELECT w.id, w.org_id, o.name AS org_name, w.name, w.id_masked, w.phone_masked, w.gender, w.birth_year, w.occupation, \
    w.skill_level, w.certificate_no, w.certified_on, w.frontline, w.political_status, w.version, w.updated_at FROM workers w JOIN orgs o ON o.id = w.org_id";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Worker> {
    Ok(Worker {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        name: r.try_get("name")?,
        id_masked: r.try_get("id_masked")?,
        phone_masked: r.try_get("phone_masked")?,
        gender: r.try_get("gender")?,
        birth_year: r.try_get("birth_year")?,
        occupation: r.try_get("occupation")?,
        skill_level: r.try_get("skill_level")?,
        certificate_no: r.try_get("certificate_no")?,
        certified_on: r.try_get("certified_on")?,
        frontline: r.try_get::<i64, _>("frontline")? != 0,
        political_status: r.try_get("political_status")?,
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
    })
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub region: Option<String>,
    pub org_id: Option<i64>,
    /// Name (anywhere).
    pub q: Option<String>,
    /// Exact 身份证号, searched through the keyed hash.
    pub id_number: Option<String>,
    pub skill_level: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// A worker as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkerInput {
    pub name: Option<String>,
    pub id_number: Option<String>,
    /// The employer: 统一社会信用代码 or org id.
    pub org: Option<String>,
    pub phone: Option<String>,
    pub occupation: Option<String>,
    /// 学徒工 … 首席技师, or the codes apprentice … chief.
    pub skill_level: Option<String>,
    pub certificate_no: Option<String>,
    /// YYYY-MM-DD
    pub certified_on: Option<String>,
    pub frontline: Option<bool>,
    pub political_status: Option<String>,
}

struct Valid {
    org_id: i64,
    name: String,
    id: IdNumber,
    phone: Option<String>,
    occupation: Option<String>,
    skill: Option<SkillLevel>,
    certificate_no: Option<String>,
    certified_on: Option<String>,
    frontline: bool,
    political_status: Option<String>,
}

fn parse_phone(s: &str) -> std::result::Result<String, FieldError> {
    let p = gongjiang_domain::error::normalise_code(s).replace('-', "");
    let mobile = p.len() == 11 && p.starts_with('1') && p.chars().all(|c| c.is_ascii_digit());
    let landline =
        (10..=12).contains(&p.len()) && p.starts_with('0') && p.chars().all(|c| c.is_ascii_digit());
    if mobile || landline {
        Ok(p)
    } else {
        Err(FieldError::new(
            "phone",
            Rule::BadFormat,
            format!("手机号“{s}”无效:应为11位手机号或区号开头的固定电话"),
            format!("phone '{s}' is not an 11-digit mobile or a landline with area code"),
        ))
    }
}

impl Service {
    async fn check_worker(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        i: &WorkerInput,
    ) -> Result<Valid> {
        let mut errors = Vec::new();
        let today = chrono::Utc::now().date_naive();
        let name = text(
            "name",
            ("姓名", "Name"),
            i.name.as_deref().unwrap_or(""),
            true,
            50,
        )
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let id = match IdNumber::parse(i.id_number.as_deref().unwrap_or(""), today) {
            Ok(v) => Some(v),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let phone = match i.phone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(p) => parse_phone(p).map_err(|e| errors.push(e)).ok(),
        };
        let skill = match i
            .skill_level
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match SkillLevel::parse(s) {
                Some(l) => Some(l),
                None => {
                    errors.push(FieldError::new("skill_level", Rule::UnknownValue, format!("技能等级“{s}”无效,应为学徒工、初级工、中级工、高级工、技师、高级技师、特级技师、首席技师之一"), format!("unknown skill level '{s}'")));
                    None
                }
            },
        };
        let certified_on = match i
            .certified_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(s) => match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) if d <= today => Some(d.to_string()),
                _ => {
                    errors.push(FieldError::new(
                        "certified_on",
                        Rule::BadFormat,
                        format!("取证日期“{s}”无效,应为不晚于今天的 YYYY-MM-DD"),
                        format!("certification date '{s}' must be YYYY-MM-DD, not in the future"),
                    ));
                    None
                }
            },
        };
        let mut opt = |f: &str, l: (&str, &str), v: &Option<String>, max: usize| {
            text(f, l, v.as_deref().unwrap_or(""), false, max).unwrap_or_else(|e| {
                errors.push(e);
                None
            })
        };
        let occupation = opt("occupation", ("工种", "Occupation"), &i.occupation, 50);
        let certificate_no = opt(
            "certificate_no",
            ("证书编号", "Certificate number"),
            &i.certificate_no,
            50,
        );
        let political_status = opt(
            "political_status",
            ("政治面貌", "Political status"),
            &i.political_status,
            20,
        );
        let org = match i.org.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                errors.push(FieldError::required("org", "单位", "Employer"));
                None
            }
            Some(k) => {
                let o = orgs::find(conn, &actor.write_scope(), k).await?;
                if o.is_none() {
                    errors.push(FieldError::new(
                        "org",
                        Rule::UnknownValue,
                        format!("单位“{k}”不存在或不在您的管辖范围内"),
                        format!("organisation '{k}' does not exist or is outside your area"),
                    ));
                }
                o
            }
        };
        match (name, id, org) {
            (Some(name), Some(id), Some(o)) if errors.is_empty() => Ok(Valid {
                org_id: o.id,
                name,
                id,
                phone,
                occupation,
                skill,
                certificate_no,
                certified_on,
                frontline: i.frontline.unwrap_or(false),
                political_status,
            }),
            _ => Err(StoreError::Invalid(errors)),
        }
    }

    fn may_register_workers(actor: &Actor) -> Result<()> {
        if actor.role.is_region_staff() || actor.role == Role::Unit {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }

    pub async fn list_workers(&self, actor: &Actor, f: &Filter) -> Result<Page<Worker>> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        let mut w = Sql::new(" WHERE 1 = 1");
        actor
            .read_scope()
            .resolve(&mut conn)
            .await?
            .org_filter(&mut w, "o");
        if let Some(r) = &f.region {
            Resolved::region(&mut conn, r)
                .await?
                .org_filter(&mut w, "o");
        }
        if let Some(id) = f.org_id {
            w.push(" AND w.org_id = ").bind_int(id);
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            w.push(" AND w.name LIKE ")
                .bind_text(format!("%{}%", like_escape(q)))
                .push(" ESCAPE '\\'");
        }
        if let Some(n) = f
            .id_number
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let norm = gongjiang_domain::error::normalise_code(n).to_ascii_uppercase();
            w.push(" AND w.id_hash = ")
                .bind_text(self.key.blind_index(&norm));
        }
        if let Some(s) = &f.skill_level {
            w.push(" AND w.skill_level = ").bind_text(s.clone());
        }
        let per_page = f.per_page.clamp(1, 500);
        let page = f.page.max(1);
        let mut count = Sql::new(&format!(
            "SELECT COUNT(*) FROM workers w JOIN orgs o ON o.id = w.org_id{}",
            w.text()
        ));
        count.set_args(w.args().to_vec());
        let total: i64 = count.query().fetch_one(&mut *conn).await?.try_get(0)?;
        let mut q = Sql::new(&format!(
            "{SELECT}{} ORDER BY w.name, w.id LIMIT ",
            w.text()
        ));
        q.set_args(w.args().to_vec());
        q.bind_int(per_page)
            .push(" OFFSET ")
            .bind_int((page - 1) * per_page);
        let rows = q.query().fetch_all(&mut *conn).await?;
        Ok(Page {
            items: rows.iter().map(from_row).collect::<Result<_>>()?,
            total,
            page,
            per_page,
        })
    }

    async fn worker_in(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        id: i64,
    ) -> Result<Option<Worker>> {
        let resolved = scope.resolve(&mut *conn).await?;
        let mut sql = Sql::new(&format!("{SELECT} WHERE w.id = "));
        sql.bind_int(id);
        resolved.org_filter(&mut sql, "o");
        sql.query()
            .fetch_optional(conn)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    pub async fn get_worker(&self, actor: &Actor, id: i64) -> Result<Worker> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        self.worker_in(&mut conn, &actor.read_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Creates or (same 身份证号) updates a worker.
    pub async fn save_worker(&self, actor: &Actor, i: &WorkerInput) -> Result<Worker> {
        Self::may_register_workers(actor)?;
        let mut tx = self.db.begin().await?;
        let v = self.check_worker(tx.conn(), actor, i).await?;
        let id = self.write_worker(tx.conn(), actor, &v, true).await?;
        let w = self
            .worker_in(tx.conn(), &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(w)
    }

    /// Validates and writes one worker inside the caller's transaction without settling
    /// the indicators (bulk loads rebuild them once at the end).
    pub async fn load_worker(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        i: &WorkerInput,
    ) -> Result<i64> {
        let v = self.check_worker(conn, actor, i).await?;
        self.write_worker(conn, actor, &v, false).await
    }

    async fn write_worker(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        v: &Valid,
        settle: bool,
    ) -> Result<i64> {
        let now = now_ms();
        let hash = self.key.blind_index(v.id.expose());
        let existing: Option<(i64, i64)> =
            sqlx::query("SELECT id, org_id FROM workers WHERE id_hash = $1")
                .bind(&hash)
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?)))
                .transpose()?;
        if let Some((_, org)) = existing {
            if orgs::get(conn, &actor.write_scope(), org).await?.is_none() {
                return Err(StoreError::conflict(
                    "worker_elsewhere",
                    Some("id_number"),
                    "该身份证号已登记在您管辖范围以外的单位",
                    "this ID number is registered with an organisation outside your area",
                ));
            }
        }
        let mut snaps = Vec::new();
        if settle {
            snaps.push(indicators::snapshot(conn, v.org_id).await?);
            if let Some((_, old_org)) = existing.filter(|(_, o)| *o != v.org_id) {
                snaps.push(indicators::snapshot(conn, old_org).await?);
            }
        }
        let phone_enc = v.phone.as_deref().map(|p| self.key.encrypt(p));
        let phone_hash = v.phone.as_deref().map(|p| self.key.blind_index(p));
        let phone_masked = v.phone.as_deref().map(crate::crypto::mask_phone);
        let gender = Some(if v.id.is_male() { "男" } else { "女" }.to_string());
        let birth_year =
            v.id.birth_date()
                .map(|d| i64::from(chrono::Datelike::year(&d)));
        let skill = v.skill.map(|s| s.code().to_string());
        let id = match existing {
            Some((id, _)) => {
                sqlx::query(
                    "UPDATE workers SET org_id = $1, name = $2, phone_enc = $3, phone_hash = $4, phone_masked = $5, occupation = $6, skill_level = $7, \
                     certificate_no = $8, certified_on = $9, frontline = $10, political_status = $11, version = version + 1, updated_at = $12 WHERE id = $13",
                )
                .bind(v.org_id)
                .bind(&v.name)
                .bind(phone_enc)
                .bind(phone_hash)
                .bind(phone_masked)
                .bind(v.occupation.as_deref())
                .bind(skill)
                .bind(v.certificate_no.as_deref())
                .bind(v.certified_on.as_deref())
                .bind(i64::from(v.frontline))
                .bind(v.political_status.as_deref())
                .bind(now)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                audit::append(
                    conn,
                    actor,
                    audit::action::UPDATE,
                    "worker",
                    &id.to_string(),
                    &format!("{} {}", v.name, v.id.masked()),
                    None,
                    None,
                    now,
                )
                .await?;
                id
            }
            None => {
                let r = sqlx::query(
                    "INSERT INTO workers (org_id, name, id_enc, id_hash, id_masked, phone_enc, phone_hash, phone_masked, gender, birth_year, occupation, skill_level, \
                     certificate_no, certified_on, frontline, political_status, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $17) RETURNING id",
                )
                .bind(v.org_id)
                .bind(&v.name)
                .bind(self.key.encrypt(v.id.expose()))
                .bind(&hash)
                .bind(v.id.masked())
                .bind(phone_enc)
                .bind(phone_hash)
                .bind(phone_masked)
                .bind(gender)
                .bind(birth_year)
                .bind(v.occupation.as_deref())
                .bind(skill)
                .bind(v.certificate_no.as_deref())
                .bind(v.certified_on.as_deref())
                .bind(i64::from(v.frontline))
                .bind(v.political_status.as_deref())
                .bind(now)
                .fetch_one(&mut *conn)
                .await?;
                let id: i64 = r.try_get(0)?;
                audit::append(
                    conn,
                    actor,
                    audit::action::CREATE,
                    "worker",
                    &id.to_string(),
                    &format!("{} {}", v.name, v.id.masked()),
                    None,
                    None,
                    now,
                )
                .await?;
                id
            }
        };
        for s in snaps {
            indicators::settle(conn, s).await?;
        }
        Ok(id)
    }

    /// The full 身份证号 and phone, for roles that may see them; every call is audited.
    pub async fn reveal_worker(&self, actor: &Actor, id: i64) -> Result<(String, Option<String>)> {
        let mut tx = self.db.begin().await?;
        let w = self
            .worker_in(tx.conn(), &actor.read_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let allowed = actor.role.is_region_staff()
            || (actor.role == Role::Unit && actor.org_id == Some(w.org_id));
        if !allowed {
            return Err(StoreError::Forbidden);
        }
        let r = sqlx::query("SELECT id_enc, phone_enc FROM workers WHERE id = $1")
            .bind(id)
            .fetch_one(tx.conn())
            .await?;
        let id_enc: String = r.try_get(0)?;
        let phone_enc: Option<String> = r.try_get(1)?;
        let id_number = self.key.decrypt(&id_enc).ok_or_else(|| {
            StoreError::Other("personal data cannot be decrypted with the configured key".into())
        })?;
        let phone = phone_enc.and_then(|p| self.key.decrypt(&p));
        audit::append(
            tx.conn(),
            actor,
            "reveal",
            "worker",
            &id.to_string(),
            &format!("{} {}", w.name, w.id_masked),
            None,
            None,
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok((id_number, phone))
    }

    pub async fn delete_worker(&self, actor: &Actor, id: i64) -> Result<()> {
        Self::may_register_workers(actor)?;
        let mut tx = self.db.begin().await?;
        let w = self
            .worker_in(tx.conn(), &actor.write_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let snap = indicators::snapshot(tx.conn(), w.org_id).await?;
        sqlx::query("DELETE FROM workers WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
        indicators::settle(tx.conn(), snap).await?;
        audit::append(
            tx.conn(),
            actor,
            audit::action::DELETE,
            "worker",
            &id.to_string(),
            &format!("{} {}", w.name, w.id_masked),
            None,
            None,
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Service {
    /// Registry workers per skill level in a subtree (a region code, credit code or org id).
    pub async fn skill_distribution(&self, actor: &Actor, key: &str) -> Result<Vec<(String, i64)>> {
        if !actor.role.may_read_orgs() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.db.pool.acquire().await?;
        let key = gongjiang_domain::error::normalise_code(key);
        let subtree = if crate::regions::get(&mut conn, &actor.read_scope(), &key)
            .await?
            .is_some()
        {
            Resolved::region(&mut conn, &key).await?
        } else if let Some(o) = orgs::find(&mut conn, &actor.read_scope(), &key).await? {
            Resolved::Org(o.id)
        } else {
            return Err(StoreError::NotFound);
        };
        let mut sql = Sql::new("SELECT COALESCE(w.skill_level, ''), COUNT(*) FROM workers w JOIN orgs o ON o.id = w.org_id WHERE 1 = 1");
        actor
            .read_scope()
            .resolve(&mut conn)
            .await?
            .org_filter(&mut sql, "o");
        subtree.org_filter(&mut sql, "o");
        sql.push(" GROUP BY w.skill_level");
        let rows = sql.query().fetch_all(&mut *conn).await?;
        let counts: std::collections::HashMap<String, i64> = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_>>()?;
        Ok(SkillLevel::ALL
            .iter()
            .map(|l| {
                (
                    l.code().to_string(),
                    counts.get(l.code()).copied().unwrap_or(0),
                )
            })
            .collect())
    }
}

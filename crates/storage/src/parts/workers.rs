//! The worker registry (职工与技能人才库). Personal numbers are encrypted; lists show the
//! masked forms; the full numbers come only from [`Service::reveal_worker`], which is
//! audit-logged.
use crate::access::{self, Permission};
use crate::audit;
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::orgs;
use crate::scope::{Actor, Resolved, Scope};
use crate::service::Service;
use crate::sql::{like_escape, Sql};
use crate::{now_ms, Page};
use gongjiang_domain::error::text;
use gongjiang_domain::Code;
use gongjiang_domain::{FieldError, IdNumber, Rule, SkillLevel};
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
    /// Every certificate held (the current one included).
    pub certificates: Vec<Certificate>,
    pub version: i64,
    pub updated_at: i64,
}

const SELECT: &str = "SELECT w.id, w.org_id, o.name AS org_name, w.name, w.id_masked, w.phone_masked, w.gender, w.birth_year, w.occupation, \
    w.skill_level, w.certificate_no, w.certified_on, w.frontline, w.political_status, w.certificates, w.version, w.updated_at FROM workers w JOIN orgs o ON o.id = w.org_id";

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
        certificates: parse_certificates(&r.try_get::<String, _>("certificates")?),
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
    /// Replaces the certificate list when given; the current certificate
    /// (certificate_no …) is always added to it.
    #[serde(default)]
    pub certificates: Option<Vec<Certificate>>,
}

struct Valid {
    org_id: i64,
    f: Fields,
}

/// A worker's own fields, checked without the database (the employer is resolved apart).
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub name: String,
    pub id: IdNumber,
    pub phone: Option<String>,
    pub occupation: Option<String>,
    pub skill: Option<SkillLevel>,
    pub certificate_no: Option<String>,
    pub certified_on: Option<String>,
    pub frontline: bool,
    pub political_status: Option<String>,
    /// `Some` replaces the worker's certificate list; `None` keeps it.
    pub certificates: Option<Vec<Certificate>>,
}

/// One vocational certificate (职业技能等级证书) of a worker.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// 证书编号
    pub no: String,
    /// The level it certifies (codes apprentice … chief, or the Chinese names).
    #[serde(default)]
    pub skill_level: Option<String>,
    #[serde(default)]
    pub occupation: Option<String>,
    /// YYYY-MM-DD
    #[serde(default)]
    pub certified_on: Option<String>,
    /// 发证机构
    #[serde(default)]
    pub issuer: Option<String>,
    /// How the platform gave it: `training` (a class's promotion) or `contest` (以赛促评);
    /// absent for certificates recorded from outside. Set by the platform only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Parses a stored certificate list (never fails: a damaged value reads as empty).
pub(crate) fn parse_certificates(json: &str) -> Vec<Certificate> {
    serde_json::from_str(json).unwrap_or_default()
}

/// A certificate's `source` is the platform's to set: a list sent from outside keeps the
/// source of each stored certificate with the same number, and cannot give one itself
/// (editing a list must not forget that a promotion gave a certificate).
pub(crate) fn keep_sources(list: &mut [Certificate], stored: &[Certificate]) {
    for c in list {
        c.source = stored
            .iter()
            .find(|s| s.no == c.no)
            .and_then(|s| s.source.clone());
    }
}

/// Adds the current certificate to the list unless a certificate with that number is
/// there; returns whether the list changed.
pub(crate) fn merge_certificate(list: &mut Vec<Certificate>, f: &Fields) -> bool {
    let Some(no) = &f.certificate_no else {
        return false;
    };
    if list.iter().any(|c| &c.no == no) {
        return false;
    }
    list.push(Certificate {
        no: no.clone(),
        skill_level: f.skill.map(|s| s.code().to_string()),
        occupation: f.occupation.clone(),
        certified_on: f.certified_on.clone(),
        issuer: None,
        source: None,
    });
    true
}

/// `YYYY-MM-DD` exactly (the form every reader and form writes), without a format
/// string; other spellings go to chrono.
fn ymd_dashed(t: &str) -> Option<chrono::NaiveDate> {
    let b = t.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    chrono::NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

fn parse_date(
    field: &str,
    label: &str,
    s: &str,
    today: chrono::NaiveDate,
) -> std::result::Result<String, FieldError> {
    let t = s.trim();
    match ymd_dashed(t).or_else(|| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()) {
        Some(d) if d <= today => Ok(d.to_string()),
        _ => Err(FieldError::new(
            field,
            Rule::BadFormat,
            format!("{label}“{s}”无效，应为不晚于今天的 YYYY-MM-DD"),
            format!("{field} '{s}' must be YYYY-MM-DD, not in the future"),
        )),
    }
}

fn parse_skill(field: &str, s: &str) -> std::result::Result<SkillLevel, FieldError> {
    SkillLevel::parse(s.trim()).ok_or_else(|| {
        FieldError::new(
            field,
            Rule::UnknownValue,
            format!("技能等级“{s}”无效，应为学徒工、初级工、中级工、高级工、技师、高级技师、特级技师、首席技师之一"),
            format!("unknown skill level '{s}'"),
        )
    })
}

fn nonblank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Checks a worker's own fields (everything but the employer). Pure: `today` is passed in.
pub(crate) fn check_fields(
    i: &WorkerInput,
    today: chrono::NaiveDate,
) -> std::result::Result<Fields, Vec<FieldError>> {
    let mut errors = Vec::new();
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
    let id = IdNumber::parse(i.id_number.as_deref().unwrap_or(""), today)
        .map_err(|e| errors.push(e))
        .ok();
    let phone = nonblank(&i.phone).and_then(|p| parse_phone(p).map_err(|e| errors.push(e)).ok());
    let skill = nonblank(&i.skill_level).and_then(|s| {
        parse_skill("skill_level", s)
            .map_err(|e| errors.push(e))
            .ok()
    });
    let certified_on = nonblank(&i.certified_on).and_then(|s| {
        parse_date("certified_on", "取证日期", s, today)
            .map_err(|e| errors.push(e))
            .ok()
    });
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
    let certificates = i.certificates.as_ref().map(|list| {
        let (out, errs) = check_certificates(list, today);
        errors.extend(errs);
        out
    });
    match (name, id) {
        (Some(name), Some(id)) if errors.is_empty() => Ok(Fields {
            name,
            id,
            phone,
            occupation,
            skill,
            certificate_no,
            certified_on,
            frontline: i.frontline.unwrap_or(false),
            political_status,
            certificates,
        }),
        _ => Err(errors),
    }
}

/// Checks a certificate list: numbers present, unique and at most 50 characters; levels
/// on the ladder; dates not in the future. Errors name the item (`certificates[1].no`).
pub(crate) fn check_certificates(
    list: &[Certificate],
    today: chrono::NaiveDate,
) -> (Vec<Certificate>, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut out: Vec<Certificate> = Vec::new();
    for (n, c) in list.iter().enumerate() {
        let field = format!("certificates[{n}]");
        let no = normalise_text(&c.no);
        if no.is_empty() {
            errors.push(FieldError::required(
                &format!("{field}.no"),
                "证书编号",
                "Certificate number",
            ));
            continue;
        }
        if no.chars().count() > 50 {
            errors.push(FieldError::new(
                format!("{field}.no"),
                Rule::TooLong,
                "证书编号不能超过50个字符",
                "certificate number is longer than 50 characters",
            ));
            continue;
        }
        if out.iter().any(|o| o.no == no) {
            errors.push(FieldError::new(
                format!("{field}.no"),
                Rule::Duplicate,
                format!("证书编号“{no}”重复"),
                format!("certificate number '{no}' appears twice"),
            ));
            continue;
        }
        let level = match nonblank(&c.skill_level) {
            None => None,
            Some(s) => match parse_skill(&format!("{field}.skill_level"), s) {
                Ok(l) => Some(l.code().to_string()),
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            },
        };
        let date = match nonblank(&c.certified_on) {
            None => None,
            Some(s) => match parse_date(&format!("{field}.certified_on"), "取证日期", s, today)
            {
                Ok(d) => Some(d),
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            },
        };
        let mut opt = |key: &str, label: (&str, &str), v: &Option<String>| {
            text(
                &format!("{field}.{key}"),
                label,
                v.as_deref().unwrap_or(""),
                false,
                50,
            )
            .unwrap_or_else(|e| {
                errors.push(e);
                None
            })
        };
        let occupation = opt("occupation", ("工种", "Occupation"), &c.occupation);
        let issuer = opt("issuer", ("发证机构", "Issuer"), &c.issuer);
        out.push(Certificate {
            no,
            skill_level: level,
            occupation,
            certified_on: date,
            issuer,
            source: None,
        });
    }
    (out, errors)
}

fn normalise_text(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
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
            format!("手机号“{s}”无效：应为11位手机号或区号开头的固定电话"),
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
        let today = chrono::Utc::now().date_naive();
        let (fields, mut errors) = match check_fields(i, today) {
            Ok(f) => (Some(f), Vec::new()),
            Err(e) => (None, e),
        };
        let org = match nonblank(&i.org) {
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
        match (fields, org) {
            (Some(f), Some(o)) if errors.is_empty() => Ok(Valid { org_id: o.id, f }),
            _ => Err(StoreError::Invalid(errors)),
        }
    }

    fn may_register_workers(actor: &Actor) -> Result<()> {
        crate::access::check(actor, crate::access::Permission::RegisterWorkers)
    }

    pub async fn list_workers(&self, actor: &Actor, f: &Filter) -> Result<Page<Worker>> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        let mut w = Sql::new(" WHERE 1 = 1");
        actor
            .read_scope()
            .org_filter_in(&mut conn, f.region.as_deref(), &mut w, "o")
            .await?;
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
        crate::sql::page_of(
            &mut conn,
            (
                "SELECT COUNT(*) FROM workers w JOIN orgs o ON o.id = w.org_id",
                SELECT,
            ),
            &w,
            " ORDER BY w.name, w.id",
            (f.page, f.per_page),
            from_row,
        )
        .await
    }

    async fn worker_in(
        &self,
        conn: &mut AnyConnection,
        scope: &Scope,
        id: i64,
    ) -> Result<Option<Worker>> {
        let resolved = scope.resolve(&mut *conn).await?;
        crate::scope::one_in(
            conn,
            &format!("{SELECT} WHERE w.id = "),
            id,
            (&resolved, "o"),
            from_row,
        )
        .await
    }

    pub async fn get_worker(&self, actor: &Actor, id: i64) -> Result<Worker> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        self.worker_in(&mut conn, &actor.read_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Creates or (same 身份证号) updates a worker.
    pub async fn save_worker(&self, actor: &Actor, i: &WorkerInput) -> Result<Worker> {
        Self::may_register_workers(actor)?;
        let mut wr = self.write(actor).await?;
        let v = self.check_worker(wr.conn(), actor, i).await?;
        let id = self.write_worker(wr.conn(), actor, &v, true).await?;
        let w = self
            .worker_in(wr.conn(), &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        wr.commit().await?;
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
        let org_id = v.org_id;
        let v = &v.f;
        let hash = self.key.blind_index(v.id.expose());
        let found: Option<(i64, i64, String)> =
            sqlx::query("SELECT id, org_id, certificates FROM workers WHERE id_hash = $1")
                .bind(&hash)
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
                .transpose()?;
        let existing = found.as_ref().map(|(id, org, _)| (*id, *org));
        let stored = found
            .as_ref()
            .map(|(_, _, json)| parse_certificates(json))
            .unwrap_or_default();
        let mut certificates = match &v.certificates {
            Some(list) => {
                let mut list = list.clone();
                keep_sources(&mut list, &stored);
                list
            }
            None => stored,
        };
        merge_certificate(&mut certificates, v);
        let certificates =
            serde_json::to_string(&certificates).map_err(|e| StoreError::Other(e.to_string()))?;
        if let Some((_, org)) = existing {
            if orgs::get(conn, &actor.write_scope(), org).await?.is_none() {
                return Err(StoreError::conflict(
                    Code::WorkerElsewhere,
                    Some("id_number"),
                    "该身份证号已登记在您管辖范围以外的单位",
                    "this ID number is registered with an organisation outside your area",
                ));
            }
        }
        let mut snaps = Vec::new();
        if settle {
            snaps.push(indicators::snapshot(conn, org_id).await?);
            if let Some((_, old_org)) = existing.filter(|(_, o)| *o != org_id) {
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
                     certificate_no = $8, certified_on = $9, frontline = $10, political_status = $11, certificates = $14, version = version + 1, updated_at = $12 WHERE id = $13",
                )
                .bind(org_id)
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
                .bind(&certificates)
                .execute(&mut *conn)
                .await?;
                audit::Note::new(audit::action::UPDATE, "worker", id)
                    .summary(format!("{} {}", v.name, v.id.masked()))
                    .write(conn, actor, now)
                    .await?;
                id
            }
            None => {
                let r = sqlx::query(
                    "INSERT INTO workers (org_id, name, id_enc, id_hash, id_masked, phone_enc, phone_hash, phone_masked, gender, birth_year, occupation, skill_level, \
                     certificate_no, certified_on, frontline, political_status, certificates, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $18, 1, $17, $17) RETURNING id",
                )
                .bind(org_id)
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
                .bind(&certificates)
                .fetch_one(&mut *conn)
                .await?;
                let id: i64 = r.try_get(0)?;
                audit::Note::new(audit::action::CREATE, "worker", id)
                    .summary(format!("{} {}", v.name, v.id.masked()))
                    .write(conn, actor, now)
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
        let mut wr = self.write(actor).await?;
        let w = self
            .worker_in(wr.conn(), &actor.read_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        access::check(actor, Permission::SeePersonalData { org_id: w.org_id })?;
        let r = sqlx::query("SELECT id_enc, phone_enc FROM workers WHERE id = $1")
            .bind(id)
            .fetch_one(wr.conn())
            .await?;
        let id_enc: String = r.try_get(0)?;
        let phone_enc: Option<String> = r.try_get(1)?;
        let id_number = self.key.decrypt(&id_enc).ok_or_else(|| {
            StoreError::Other("personal data cannot be decrypted with the configured key".into())
        })?;
        let phone = phone_enc.and_then(|p| self.key.decrypt(&p));
        audit::Note::new("reveal", "worker", id)
            .summary(format!("{} {}", w.name, w.id_masked))
            .write(wr.conn(), actor, now_ms())
            .await?;
        wr.commit().await?;
        Ok((id_number, phone))
    }

    pub async fn delete_worker(&self, actor: &Actor, id: i64) -> Result<()> {
        Self::may_register_workers(actor)?;
        let mut wr = self.write(actor).await?;
        let w = self
            .worker_in(wr.conn(), &actor.write_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        crate::parts::worker_refs::check_unreferenced(wr.conn(), id).await?;
        let snap = indicators::snapshot(wr.conn(), w.org_id).await?;
        sqlx::query("DELETE FROM workers WHERE id = $1")
            .bind(id)
            .execute(wr.conn())
            .await?;
        indicators::settle(wr.conn(), snap).await?;
        audit::Note::new(audit::action::DELETE, "worker", id)
            .summary(format!("{} {}", w.name, w.id_masked))
            .write(wr.conn(), actor, now_ms())
            .await?;
        wr.commit().await?;
        Ok(())
    }
}

impl Service {
    /// Registry workers per skill level in a subtree (a region code, credit code or org id).
    pub async fn skill_distribution(&self, actor: &Actor, key: &str) -> Result<Vec<(String, i64)>> {
        access::check(actor, Permission::ReadRegisters)?;
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

/// One worker as exported, in the import template's terms.
#[derive(Debug, Clone)]
pub struct ExportWorker {
    pub id: i64,
    pub name: String,
    /// The full number when the role may see it, else the masked form.
    pub id_number: String,
    pub uscc: Option<String>,
    pub phone: Option<String>,
    pub occupation: Option<String>,
    pub skill_level: Option<SkillLevel>,
    pub certificate_no: Option<String>,
    pub certified_on: Option<String>,
    pub frontline: bool,
    pub political_status: Option<String>,
}

impl Service {
    /// A page of the registry for an export, in id order after `after`, within the
    /// actor's scope and an optional region or organisation subtree. Region staff get the
    /// full numbers (so that an export imports back to the same registry); a unit gets
    /// them for its own workers; everyone else the masked forms. The caller records one
    /// audit entry per export with [`Service::audit_worker_export`].
    pub async fn export_workers_page(
        &self,
        actor: &Actor,
        subtree: Option<&str>,
        after: i64,
        limit: i64,
    ) -> Result<(Vec<ExportWorker>, usize)> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        let mut sql = Sql::new(
            "SELECT w.id, w.name, w.id_enc, w.id_masked, o.uscc, w.phone_enc, w.phone_masked, w.occupation, w.skill_level, \
             w.certificate_no, w.certified_on, w.frontline, w.political_status, w.org_id FROM workers w JOIN orgs o ON o.id = w.org_id WHERE w.id > ",
        );
        sql.bind_int(after);
        actor
            .read_scope()
            .resolve(&mut conn)
            .await?
            .org_filter(&mut sql, "o");
        if let Some(key) = subtree {
            let key = gongjiang_domain::error::normalise_code(key);
            if crate::regions::get(&mut conn, &actor.read_scope(), &key)
                .await?
                .is_some()
            {
                Resolved::region(&mut conn, &key)
                    .await?
                    .org_filter(&mut sql, "o");
            } else if let Some(o) = orgs::find(&mut conn, &actor.read_scope(), &key).await? {
                Resolved::Org(o.id).org_filter(&mut sql, "o");
            } else {
                return Err(StoreError::NotFound);
            }
        }
        sql.push(" ORDER BY w.id LIMIT ")
            .bind_int(limit.clamp(1, 10_000));
        let rows = sql.query().fetch_all(&mut *conn).await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut revealed = 0;
        for r in rows {
            let org_id: i64 = r.try_get(13)?;
            let full = access::may(actor, Permission::SeePersonalData { org_id });
            let (id_number, phone) = if full {
                revealed += 1;
                let enc: String = r.try_get(2)?;
                let phone: Option<String> = r.try_get(5)?;
                (
                    self.key.decrypt(&enc).ok_or_else(|| {
                        StoreError::Other(
                            "personal data cannot be decrypted with the configured key".into(),
                        )
                    })?,
                    phone.and_then(|p| self.key.decrypt(&p)),
                )
            } else {
                (r.try_get(3)?, r.try_get(6)?)
            };
            out.push(ExportWorker {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                id_number,
                uscc: r.try_get(4)?,
                phone,
                occupation: r.try_get(7)?,
                skill_level: r
                    .try_get::<Option<String>, _>(8)?
                    .and_then(|s| SkillLevel::parse(&s)),
                certificate_no: r.try_get(9)?,
                certified_on: r.try_get(10)?,
                frontline: r.try_get::<i64, _>(11)? != 0,
                political_status: r.try_get(12)?,
            });
        }
        Ok((out, revealed))
    }

    /// One audit entry for an export of the registry: how many rows, how many with the
    /// full personal numbers.
    pub async fn audit_worker_export(
        &self,
        actor: &Actor,
        rows: usize,
        revealed: usize,
    ) -> Result<()> {
        let mut w = self.write(actor).await?;
        audit::Note::new("export", "workers", "")
            .summary(format!(
                "导出职工名册 {rows} 行，其中 {revealed} 行含完整身份证号和手机号"
            ))
            .write(w.conn(), actor, now_ms())
            .await?;
        w.commit().await?;
        Ok(())
    }
}

impl Service {
    /// Adds a certificate to a worker's list (the current certificate is unchanged).
    pub async fn add_certificate(&self, actor: &Actor, id: i64, c: Certificate) -> Result<Worker> {
        self.edit_certificates(actor, id, |list| {
            list.push(c);
            Ok(())
        })
        .await
    }

    /// Removes the certificate with this number from a worker's list.
    pub async fn remove_certificate(&self, actor: &Actor, id: i64, no: &str) -> Result<Worker> {
        self.edit_certificates(actor, id, |list| {
            let n = list.len();
            list.retain(|c| c.no != no);
            if list.len() == n {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    async fn edit_certificates(
        &self,
        actor: &Actor,
        id: i64,
        edit: impl FnOnce(&mut Vec<Certificate>) -> Result<()>,
    ) -> Result<Worker> {
        Self::may_register_workers(actor)?;
        let mut wr = self.write(actor).await?;
        let w = self
            .worker_in(wr.conn(), &actor.write_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut list = w.certificates.clone();
        edit(&mut list)?;
        let (mut list, errors) = check_certificates(&list, chrono::Utc::now().date_naive());
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        keep_sources(&mut list, &w.certificates);
        let json = serde_json::to_string(&list).map_err(|e| StoreError::Other(e.to_string()))?;
        let now = wr.now;
        sqlx::query("UPDATE workers SET certificates = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(&json)
            .bind(now)
            .bind(id)
            .execute(wr.conn())
            .await?;
        wr.audit(
            audit::Note::new(audit::action::UPDATE, "worker", id).summary(format!(
                "{} {} 证书 {} 本",
                w.name,
                w.id_masked,
                list.len()
            )),
        )
        .await?;
        let w = self
            .worker_in(wr.conn(), &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        wr.commit().await?;
        Ok(w)
    }
}

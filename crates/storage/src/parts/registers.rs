//! Service use cases for the programme's registers (pilots, designations) and the
//! indicators computed from them. Same rules as every service call: role check, scope,
//! one transaction, audit entry, and the indicator aggregates settled in that transaction.
use crate::access::{self, Permission};
use crate::audit::{self, action, Note};
use crate::designations::{self, Designation, NewDesignation};
use crate::error::{Result, StoreError};
use crate::indicators::{self, Value};
use crate::orgs::{self, Org};
use crate::pilots::{self, NewPilot, Pilot};
use crate::regions;
use crate::scope::{Actor, Scope};
use crate::service::Service;
use crate::{now_ms, Page};
use gongjiang_domain::error::text;
use gongjiang_domain::programme::{parse_year, Holder};
use gongjiang_domain::Code;
use gongjiang_domain::{
    DesignationLevel, DesignationType, FieldError, Period, PilotLevel, PilotType, Rule,
};
use serde::Deserialize;
use serde_json::json;

/// Pilot input as typed (form, API, spreadsheet row).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PilotInput {
    /// The organisation: 统一社会信用代码 or org id.
    pub org: Option<String>,
    /// province, city, county, town (省级/市级/县级/镇级).
    pub level: Option<String>,
    /// enterprise or park (企业/园区); defaults to the organisation's kind.
    pub ptype: Option<String>,
    pub year: Option<String>,
    pub feature: Option<String>,
    pub benchmark: Option<bool>,
    /// Optimistic locking on update.
    pub version: Option<i64>,
}

/// Designation input as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DesignationInput {
    /// A type code or its Chinese name (产教融合型试点企业, 创新工作室, …).
    pub dtype: Option<String>,
    /// national, province, city, district, town, enterprise (国家级 … 企业级).
    pub level: Option<String>,
    pub year: Option<String>,
    /// The holding organisation: 统一社会信用代码 or org id.
    pub org: Option<String>,
    /// A studio's own name, for example.
    pub holder_name: Option<String>,
    /// For a title held by a person: the holder's 身份证号 (a registered worker).
    pub worker: Option<String>,
    /// 文号.
    pub document_no: Option<String>,
    pub version: Option<i64>,
}

fn may_edit_registers(actor: &Actor) -> Result<()> {
    crate::access::check(actor, crate::access::Permission::EditRegisters)
}

fn parse_enum<T: Copy>(
    field: &str,
    label: (&str, &str),
    v: &Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    allowed: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::required(field, label.0, label.1));
            None
        }
        Some(s) => match parse(s) {
            Some(x) => Some(x),
            None => {
                errors.push(FieldError::new(
                    field,
                    Rule::UnknownValue,
                    format!("{}“{s}”无效，应为：{allowed}", label.0),
                    format!("{} '{s}' is not one of: {allowed}", label.1),
                ));
                None
            }
        },
    }
}

fn opt_year(v: &Option<String>, errors: &mut Vec<FieldError>) -> Option<i64> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::required("year", "年份", "Year"));
            None
        }
        Some(s) => match parse_year("year", s) {
            Ok(y) => Some(i64::from(y)),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    }
}

impl Service {
    /// The organisation a register row refers to, within the caller's write scope.
    async fn register_org(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        key: &Option<String>,
        errors: &mut Vec<FieldError>,
    ) -> Result<Option<Org>> {
        let Some(k) = key.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            errors.push(FieldError::required(
                "org",
                "单位（统一社会信用代码）",
                "Organisation (credit code)",
            ));
            return Ok(None);
        };
        let found = orgs::find(conn, &actor.write_scope(), k).await?;
        if found.is_none() {
            errors.push(FieldError::new(
                "org",
                Rule::UnknownValue,
                format!("单位“{k}”不存在或不在您的管辖范围内"),
                format!("organisation '{k}' does not exist or is outside your area"),
            ));
        }
        Ok(found)
    }

    // ----- pilots -----

    pub async fn list_pilots(&self, actor: &Actor, f: &pilots::Filter) -> Result<Page<Pilot>> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        pilots::list(&mut conn, &actor.read_scope(), f).await
    }

    pub async fn get_pilot(&self, actor: &Actor, id: i64) -> Result<Pilot> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        pilots::get(&mut conn, &actor.read_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Validates a pilot row (for imports).
    pub async fn check_pilot_input(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        i: &PilotInput,
    ) -> Result<NewPilot> {
        may_edit_registers(actor)?;
        self.check_pilot(conn, actor, i).await
    }

    /// Validates a designation row (for imports).
    pub async fn check_designation_input(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        i: &DesignationInput,
    ) -> Result<NewDesignation> {
        may_edit_registers(actor)?;
        self.check_designation(conn, actor, i).await
    }

    async fn check_pilot(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        i: &PilotInput,
    ) -> Result<NewPilot> {
        let mut errors = Vec::new();
        let org = self.register_org(conn, actor, &i.org, &mut errors).await?;
        let level = parse_enum(
            "level",
            ("试点级别", "Pilot level"),
            &i.level,
            PilotLevel::from_any,
            "省级、市级、县级、镇级",
            &mut errors,
        );
        let ptype = match (
            i.ptype.as_deref().map(str::trim).filter(|s| !s.is_empty()),
            &org,
        ) {
            (None, Some(o)) => match o.kind.as_str() {
                "enterprise" => Some(PilotType::Enterprise),
                "park" => Some(PilotType::Park),
                _ => None,
            },
            (None, None) => None,
            (Some(_), _) => parse_enum(
                "ptype",
                ("试点类型", "Pilot type"),
                &i.ptype,
                PilotType::from_any,
                "企业、园区",
                &mut errors,
            ),
        };
        if let (Some(o), true) = (
            &org,
            ptype.is_none() && i.ptype.as_deref().map(str::trim).unwrap_or("").is_empty(),
        ) {
            errors.push(FieldError::new(
                "org",
                Rule::Forbidden,
                format!(
                    "“{}”是{}，只有企业和园区可以成为试点",
                    o.name,
                    o.kind_enum().map(|k| k.label_zh()).unwrap_or("")
                ),
                "only enterprises and parks can be pilots",
            ));
        }
        if let (Some(o), Some(t)) = (&org, ptype) {
            if o.kind != t.org_kind().code() {
                errors.push(FieldError::new(
                    "ptype",
                    Rule::Forbidden,
                    format!(
                        "试点类型“{}”与单位类型“{}”不符",
                        t.label_zh(),
                        o.kind_enum().map(|k| k.label_zh()).unwrap_or("")
                    ),
                    "the pilot type does not match the organisation's kind",
                ));
            }
        }
        let year = opt_year(&i.year, &mut errors);
        let feature = text(
            "feature",
            ("特色", "Feature"),
            i.feature.as_deref().unwrap_or(""),
            false,
            500,
        )
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        match (org, level, ptype, year) {
            (Some(o), Some(level), Some(ptype), Some(year)) if errors.is_empty() => Ok(NewPilot {
                org_id: o.id,
                level: level.code().into(),
                ptype: ptype.code().into(),
                year,
                feature,
                benchmark: i.benchmark.unwrap_or(false),
            }),
            _ => Err(StoreError::Invalid(errors)),
        }
    }

    fn pilot_json(p: &Pilot) -> serde_json::Value {
        json!({"id": p.id, "org_id": p.org_id, "level": p.level, "ptype": p.ptype, "year": p.year, "feature": p.feature, "benchmark": p.benchmark})
    }

    pub async fn create_pilot(&self, actor: &Actor, i: &PilotInput) -> Result<Pilot> {
        may_edit_registers(actor)?;
        let mut w = self.write(actor).await?;
        let p = self.create_pilot_in(w.conn(), actor, i).await?;
        w.commit().await?;
        Ok(p)
    }

    /// Creates a pilot inside the caller's transaction (an approved application does this
    /// in the same transaction as the decision).
    pub(crate) async fn create_pilot_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        i: &PilotInput,
    ) -> Result<Pilot> {
        let new = self.check_pilot(&mut *conn, actor, i).await?;
        if pilots::id_by_key(&mut *conn, new.org_id, &new.level)
            .await?
            .is_some()
        {
            return Err(StoreError::conflict(
                Code::DuplicatePilot,
                Some("level"),
                "该单位已有同一级别的试点记录",
                "this organisation already has a pilot at that level",
            ));
        }
        let snap = indicators::snapshot(&mut *conn, new.org_id).await?;
        let now = now_ms();
        let id = pilots::insert(&mut *conn, &new, now).await.map_err(|e| {
            if e.is_unique_violation() {
                StoreError::conflict(
                    Code::DuplicatePilot,
                    Some("level"),
                    "该单位已有同一级别的试点记录",
                    "this organisation already has a pilot at that level",
                )
            } else {
                e
            }
        })?;
        indicators::settle(&mut *conn, snap).await?;
        let p = pilots::get(&mut *conn, &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        audit::Note::new(action::CREATE, "pilot", id)
            .summary(format!("{} {}", p.org_name, p.year))
            .after(&Self::pilot_json(&p))
            .write(&mut *conn, actor, now)
            .await?;
        Ok(p)
    }

    pub async fn update_pilot(&self, actor: &Actor, id: i64, i: &PilotInput) -> Result<Pilot> {
        may_edit_registers(actor)?;
        let mut w = self.write(actor).await?;
        let before = pilots::get(w.conn(), &actor.write_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.check_version(i.version, before.version)?;
        let merged = PilotInput {
            org: i.org.clone().or_else(|| Some(before.org_id.to_string())),
            level: i.level.clone().or_else(|| Some(before.level.clone())),
            ptype: i.ptype.clone().or_else(|| Some(before.ptype.clone())),
            year: i.year.clone().or_else(|| Some(before.year.to_string())),
            feature: i.feature.clone().or_else(|| before.feature.clone()),
            benchmark: i.benchmark.or(Some(before.benchmark)),
            version: None,
        };
        let new = self.check_pilot(w.conn(), actor, &merged).await?;
        if pilots::id_by_key(w.conn(), new.org_id, &new.level)
            .await?
            .is_some_and(|other| other != id)
        {
            return Err(StoreError::conflict(
                Code::DuplicatePilot,
                Some("level"),
                "该单位已有同一级别的试点记录",
                "this organisation already has a pilot at that level",
            ));
        }
        let snaps = [
            indicators::snapshot(w.conn(), before.org_id).await?,
            indicators::snapshot(w.conn(), new.org_id).await?,
        ];
        let now = w.now;
        pilots::update(w.conn(), id, &new, now).await?;
        let [a, b] = snaps;
        let same = before.org_id == new.org_id;
        indicators::settle(w.conn(), a).await?;
        if !same {
            indicators::settle(w.conn(), b).await?;
        }
        let after = pilots::get(w.conn(), &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            Note::new(action::UPDATE, "pilot", id)
                .summary(after.org_name.clone())
                .before(&Self::pilot_json(&before))
                .after(&Self::pilot_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    pub async fn delete_pilot(&self, actor: &Actor, id: i64) -> Result<()> {
        may_edit_registers(actor)?;
        let mut w = self.write(actor).await?;
        let before = pilots::get(w.conn(), &actor.write_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let snap = indicators::snapshot(w.conn(), before.org_id).await?;
        pilots::delete(w.conn(), id).await?;
        indicators::settle(w.conn(), snap).await?;
        w.audit(
            Note::new(action::DELETE, "pilot", id)
                .summary(before.org_name.clone())
                .before(&Self::pilot_json(&before)),
        )
        .await?;
        w.commit().await?;
        Ok(())
    }

    // ----- designations -----

    pub async fn list_designations(
        &self,
        actor: &Actor,
        f: &designations::Filter,
    ) -> Result<Page<Designation>> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        designations::list(&mut conn, &actor.read_scope(), f).await
    }

    pub async fn get_designation(&self, actor: &Actor, id: i64) -> Result<Designation> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        designations::get(&mut conn, &actor.read_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn check_designation(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        i: &DesignationInput,
    ) -> Result<NewDesignation> {
        let mut errors = Vec::new();
        let dtype = parse_enum(
            "dtype",
            ("类型", "Type"),
            &i.dtype,
            DesignationType::from_any,
            "产教融合型试点企业、现代学徒制试点单位、五一劳动奖状、创新工作室、十佳产改实践案例等",
            &mut errors,
        );
        // A person-held title names a worker of the registry (by 身份证号); the holder
        // organisation is then the worker's employer.
        let worker_key = i.worker.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let mut worker: Option<(i64, i64)> = None;
        match (dtype.map(|t| t.holder()), worker_key) {
            (Some(Holder::Worker), None) => errors.push(FieldError::new(
                "worker",
                Rule::Required,
                "该类荣誉授予个人，须填写获得者的身份证号（职工须已在职工库登记）",
                "this title is held by a person: give the holder's ID number (registered in the worker registry)",
            )),
            (Some(Holder::Organisation), Some(_)) => errors.push(FieldError::new("worker", Rule::Forbidden, "该类荣誉授予单位，不应填写个人身份证号", "this title is held by an organisation, not a person")),
            (Some(Holder::Worker), Some(k)) => {
                let norm = gongjiang_domain::error::normalise_code(k).to_ascii_uppercase();
                let hash = self.key.blind_index(&norm);
                let row = sqlx::query("SELECT w.id, w.org_id FROM workers w WHERE w.id_hash = $1").bind(&hash).fetch_optional(&mut *conn).await?;
                let found = match row {
                    Some(r) => {
                        let (wid, org): (i64, i64) = (sqlx::Row::try_get(&r, 0)?, sqlx::Row::try_get(&r, 1)?);
                        crate::orgs::get(conn, &actor.write_scope(), org).await?.map(|_| (wid, org))
                    }
                    None => None,
                };
                match found {
                    Some(f) => worker = Some(f),
                    None => errors.push(FieldError::new("worker", Rule::UnknownValue, "职工库中没有该身份证号的职工，或其单位不在您的管辖范围内", "no worker with that ID number in your area's registry")),
                }
            }
            _ => {}
        }
        let level = parse_enum(
            "level",
            ("级别", "Level"),
            &i.level,
            DesignationLevel::from_any,
            "国家级、省级、市级、区级、镇级、企业级",
            &mut errors,
        );
        let year = opt_year(&i.year, &mut errors);
        let org = match worker {
            Some((_, org_id)) => crate::orgs::get(conn, &Scope::All, org_id).await?,
            None if dtype.map(|t| t.holder()) == Some(Holder::Worker) => None,
            None => self.register_org(conn, actor, &i.org, &mut errors).await?,
        };
        let mut t = |field: &str, label: (&str, &str), v: &Option<String>, max: usize| {
            text(field, label, v.as_deref().unwrap_or(""), false, max).unwrap_or_else(|e| {
                errors.push(e);
                None
            })
        };
        let holder_name = t("holder_name", ("名称", "Name"), &i.holder_name, 100);
        let document_no = t(
            "document_no",
            ("文号", "Document number"),
            &i.document_no,
            100,
        );
        match (dtype, level, year, org) {
            (Some(d), Some(l), Some(y), Some(o)) if errors.is_empty() => Ok(NewDesignation {
                dtype: d.code().into(),
                level: l.code().into(),
                year: y,
                holder_org_id: o.id,
                holder_worker_id: worker.map(|w| w.0).unwrap_or(0),
                holder_name,
                document_no,
            }),
            _ => Err(StoreError::Invalid(errors)),
        }
    }

    /// A registered worker's 身份证号, for internal use (never returned to a caller).
    async fn worker_number(
        &self,
        conn: &mut sqlx::AnyConnection,
        worker_id: i64,
    ) -> Result<Option<String>> {
        let row = sqlx::query("SELECT id_enc FROM workers WHERE id = $1")
            .bind(worker_id)
            .fetch_optional(conn)
            .await?;
        Ok(match row {
            Some(r) => self.key.decrypt(&sqlx::Row::try_get::<String, _>(&r, 0)?),
            None => None,
        })
    }

    fn designation_json(d: &Designation) -> serde_json::Value {
        json!({"id": d.id, "dtype": d.dtype, "level": d.level, "year": d.year, "holder_org_id": d.holder_org_id, "holder_name": d.holder_name, "document_no": d.document_no})
    }

    fn duplicate_designation() -> StoreError {
        StoreError::conflict(
            Code::DuplicateDesignation,
            Some("dtype"),
            "该单位当年已有同类型、同级别的认定记录",
            "this organisation already holds that title at that level in that year",
        )
    }

    pub async fn create_designation(
        &self,
        actor: &Actor,
        i: &DesignationInput,
    ) -> Result<Designation> {
        may_edit_registers(actor)?;
        let mut w = self.write(actor).await?;
        let new = self.check_designation(w.conn(), actor, i).await?;
        if designations::id_by_key(w.conn(), &new).await?.is_some() {
            return Err(Self::duplicate_designation());
        }
        let snap = indicators::snapshot(w.conn(), new.holder_org_id).await?;
        let now = w.now;
        let id = designations::insert(w.conn(), &new, now)
            .await
            .map_err(|e| {
                if e.is_unique_violation() {
                    Self::duplicate_designation()
                } else {
                    e
                }
            })?;
        indicators::settle(w.conn(), snap).await?;
        let d = designations::get(w.conn(), &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            audit::Note::new(action::CREATE, "designation", id)
                .summary(&d.holder_org_name)
                .after(&Self::designation_json(&d)),
        )
        .await?;
        w.commit().await?;
        Ok(d)
    }

    pub async fn update_designation(
        &self,
        actor: &Actor,
        id: i64,
        i: &DesignationInput,
    ) -> Result<Designation> {
        may_edit_registers(actor)?;
        let mut w = self.write(actor).await?;
        let before = designations::get(w.conn(), &actor.write_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.check_version(i.version, before.version)?;
        let merged = DesignationInput {
            dtype: i.dtype.clone().or_else(|| Some(before.dtype.clone())),
            level: i.level.clone().or_else(|| Some(before.level.clone())),
            year: i.year.clone().or_else(|| Some(before.year.to_string())),
            org: i
                .org
                .clone()
                .or_else(|| Some(before.holder_org_id.to_string())),
            holder_name: i.holder_name.clone().or_else(|| before.holder_name.clone()),
            document_no: i.document_no.clone().or_else(|| before.document_no.clone()),
            worker: match (&i.worker, before.holder_worker_id) {
                (Some(w), _) => Some(w.clone()),
                (None, Some(wid)) => self.worker_number(w.conn(), wid).await?,
                (None, None) => None,
            },
            version: None,
        };
        let new = self.check_designation(w.conn(), actor, &merged).await?;
        if designations::id_by_key(w.conn(), &new)
            .await?
            .is_some_and(|other| other != id)
        {
            return Err(Self::duplicate_designation());
        }
        let a = indicators::snapshot(w.conn(), before.holder_org_id).await?;
        let b = indicators::snapshot(w.conn(), new.holder_org_id).await?;
        let now = w.now;
        designations::update(w.conn(), id, &new, now).await?;
        indicators::settle(w.conn(), a).await?;
        if before.holder_org_id != new.holder_org_id {
            indicators::settle(w.conn(), b).await?;
        }
        let after = designations::get(w.conn(), &Scope::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            Note::new(action::UPDATE, "designation", id)
                .summary(after.holder_org_name.clone())
                .before(&Self::designation_json(&before))
                .after(&Self::designation_json(&after)),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    pub async fn delete_designation(&self, actor: &Actor, id: i64) -> Result<()> {
        may_edit_registers(actor)?;
        let mut w = self.write(actor).await?;
        let before = designations::get(w.conn(), &actor.write_scope(), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let snap = indicators::snapshot(w.conn(), before.holder_org_id).await?;
        designations::delete(w.conn(), id).await?;
        indicators::settle(w.conn(), snap).await?;
        w.audit(
            Note::new(action::DELETE, "designation", id)
                .summary(before.holder_org_name.clone())
                .before(&Self::designation_json(&before)),
        )
        .await?;
        w.commit().await?;
        Ok(())
    }

    // ----- indicators -----

    /// Indicators for a region code, a 统一社会信用代码 or an org id, for a period, with
    /// one entry per child region or organisation when `by_child`.
    pub async fn indicators(
        &self,
        actor: &Actor,
        key: &str,
        period: &str,
        by_child: bool,
    ) -> Result<IndicatorReport> {
        access::check(actor, Permission::ReadRegisters)?;
        let period = Period::parse(period).map_err(StoreError::invalid)?;
        let mut conn = self.db.pool.acquire().await?;
        let scope = actor.read_scope();
        let key = gongjiang_domain::error::normalise_code(key);
        let (node, subject, children) =
            if let Some(r) = regions::get(&mut conn, &scope, &key).await? {
                let mut kids: Vec<(String, Subject)> = Vec::new();
                if by_child {
                    let all = regions::list(&mut conn, &scope).await?;
                    kids = region_children(&mut conn, &scope, &all, &r.code).await?;
                }
                (
                    indicators::region_node(&r.code),
                    Subject {
                        code: r.code.clone(),
                        name: r.name.clone(),
                        kind: r.level.clone(),
                    },
                    kids,
                )
            } else if let Some(o) = orgs::find(&mut conn, &scope, &key).await? {
                let mut kids = Vec::new();
                if by_child {
                    let f = orgs::Filter {
                        parent_id: Some(o.id),
                        per_page: 500,
                        page: 1,
                        ..Default::default()
                    };
                    for c in orgs::list(&mut conn, &scope, &f).await?.items {
                        kids.push((indicators::org_node(c.id), Subject::of_org(&c)));
                    }
                }
                (indicators::org_node(o.id), Subject::of_org(&o), kids)
            } else {
                return Err(StoreError::NotFound);
            };
        let mut nodes = vec![node];
        nodes.extend(children.iter().map(|(n, _)| n.clone()));
        let mut values = indicators::values(&mut conn, &nodes, period.year, &period.to_string())
            .await?
            .into_iter();
        let own = values.next().unwrap_or_default();
        let children = children
            .into_iter()
            .zip(values)
            .map(|((_, s), v)| (s, v))
            .collect();
        Ok(IndicatorReport {
            subject,
            period: period.to_string(),
            values: own,
            children,
        })
    }

    /// One level further down than [`Service::indicators`]: for each child of `report`
    /// that is a region, its own children (sub-regions and the organisations directly
    /// in it) with every indicator, in the same period — districts → towns for the
    /// city, towns → organisations for a district. Organisation children get an empty
    /// list. All the values come from one indicator read.
    pub async fn indicator_grandchildren(
        &self,
        actor: &Actor,
        report: &IndicatorReport,
    ) -> Result<Vec<Vec<(Subject, Vec<Value>)>>> {
        access::check(actor, Permission::ReadRegisters)?;
        let period = Period::parse(&report.period).map_err(StoreError::invalid)?;
        let mut conn = self.db.pool.acquire().await?;
        let scope = actor.read_scope();
        let all = regions::list(&mut conn, &scope).await?;
        let mut groups: Vec<Vec<(String, Subject)>> = Vec::with_capacity(report.children.len());
        for (child, _) in &report.children {
            let is_region = all
                .iter()
                .any(|r| r.code == child.code && r.level == child.kind);
            groups.push(if is_region {
                region_children(&mut conn, &scope, &all, &child.code).await?
            } else {
                Vec::new()
            });
        }
        let nodes: Vec<String> = groups.iter().flatten().map(|(n, _)| n.clone()).collect();
        let mut values = indicators::values(&mut conn, &nodes, period.year, &period.to_string())
            .await?
            .into_iter();
        Ok(groups
            .into_iter()
            .map(|g| {
                g.into_iter()
                    .map(|(_, s)| (s, values.next().unwrap_or_default()))
                    .collect()
            })
            .collect())
    }

    /// Cumulative pilot counts per year for a subtree (trend chart).
    pub async fn pilot_trend(&self, actor: &Actor, key: &str) -> Result<Vec<(i32, i64, i64)>> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        let scope = actor.read_scope();
        let key = gongjiang_domain::error::normalise_code(key);
        let node = if let Some(r) = regions::get(&mut conn, &scope, &key).await? {
            indicators::region_node(&r.code)
        } else if let Some(o) = orgs::find(&mut conn, &scope, &key).await? {
            indicators::org_node(o.id)
        } else {
            return Err(StoreError::NotFound);
        };
        let e = indicators::yearly(
            &mut conn,
            &node,
            &[gongjiang_domain::indicators::measure::PILOT_ENTERPRISE],
        )
        .await?;
        let p = indicators::yearly(
            &mut conn,
            &node,
            &[gongjiang_domain::indicators::measure::PILOT_PARK],
        )
        .await?;
        let mut years: Vec<i32> = e.keys().chain(p.keys()).copied().collect();
        years.sort();
        years.dedup();
        let (mut ce, mut cp) = (0, 0);
        Ok(years
            .into_iter()
            .map(|y| {
                ce += e.get(&y).copied().unwrap_or(0);
                cp += p.get(&y).copied().unwrap_or(0);
                (y, ce, cp)
            })
            .collect())
    }
}

/// Organisations placed directly in a region (not in a sub-region, not inside another
/// organisation).
/// A region's children for drill-down: its sub-regions (from `all`, the regions in
/// scope), then the organisations directly in it, as (indicator node, subject).
async fn region_children(
    conn: &mut sqlx::AnyConnection,
    scope: &Scope,
    all: &[regions::Region],
    code: &str,
) -> Result<Vec<(String, Subject)>> {
    let mut kids: Vec<(String, Subject)> = all
        .iter()
        .filter(|c| c.parent_code.as_deref() == Some(code))
        .map(|c| {
            (
                indicators::region_node(&c.code),
                Subject {
                    code: c.code.clone(),
                    name: c.name.clone(),
                    kind: c.level.clone(),
                },
            )
        })
        .collect();
    for o in direct_orgs(conn, scope, code).await? {
        kids.push((indicators::org_node(o.id), Subject::of_org(&o)));
    }
    Ok(kids)
}

async fn direct_orgs(
    conn: &mut sqlx::AnyConnection,
    scope: &Scope,
    region: &str,
) -> Result<Vec<Org>> {
    orgs::direct_in_region(conn, scope, region, 2000).await
}

/// What an indicator set is about.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Subject {
    /// A region code, or an organisation's id.
    pub code: String,
    pub name: String,
    /// city, district, town, zone, or an organisation kind.
    pub kind: String,
}

impl Subject {
    fn of_org(o: &Org) -> Subject {
        Subject {
            code: o.id.to_string(),
            name: o.name.clone(),
            kind: o.kind.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct IndicatorReport {
    pub subject: Subject,
    pub period: String,
    pub values: Vec<Value>,
    pub children: Vec<(Subject, Vec<Value>)>,
}

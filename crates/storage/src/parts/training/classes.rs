//! Use cases: list, read, create, change and delete a class; check a class as the
//! `classes` template's importer does.
use super::sql::{self, Place};
use super::{Class, ClassInput, Filter};
use crate::access::{self, Permission};
use crate::audit::{action, Note};
use crate::error::{Result, StoreError};
use crate::indicators;
use crate::orgs;
use crate::scope::{Actor, Resolved, Scope};
use crate::service::Service;
use crate::Page;
use gongjiang_domain::training::{check_class, ClassDraft, ClassFields};
use gongjiang_domain::{FieldError, OrgKind, Rule};
use sqlx::AnyConnection;

fn draft(i: &ClassInput) -> ClassDraft {
    ClassDraft {
        code: i.code.clone(),
        name: i.name.clone(),
        ctype: i.ctype.clone(),
        occupation: i.occupation.clone(),
        target_level: i.target_level.clone(),
        year: i.year,
        starts_on: i.starts_on.clone(),
        ends_on: i.ends_on.clone(),
        trainees: i.trainees,
        completed: i.completed,
    }
}

/// Where the class is held, from the names given: the provider (a 院校 anywhere in the
/// city, or an enterprise in the actor's area) and the enterprise (in the actor's write
/// scope; a unit's own by default). The class belongs to the enterprise, or else to the
/// provider, which must then be in the actor's write scope.
async fn place(
    conn: &mut AnyConnection,
    actor: &Actor,
    i: &ClassInput,
    errs: &mut Vec<FieldError>,
) -> Result<Option<Place>> {
    let key = i.provider.trim();
    let provider = if key.is_empty() {
        errs.push(FieldError::required("provider", "培训机构", "Provider"));
        None
    } else {
        let mut found = orgs::find(conn, &actor.read_scope(), key).await?;
        if found.is_none() {
            // 院校 serve the whole city: any of them may run a class.
            found = orgs::find(conn, &Scope::All, key)
                .await?
                .filter(|o| o.kind_enum() == Some(OrgKind::College));
        }
        match found {
            Some(o) if matches!(o.kind_enum(), Some(OrgKind::College | OrgKind::Enterprise)) => {
                Some(o.id)
            }
            Some(o) => {
                errs.push(FieldError::new(
                    "provider",
                    Rule::Forbidden,
                    format!("培训机构须为院校或企业，“{}”不是", o.name),
                    format!(
                        "a provider is a college or an enterprise; '{}' is not",
                        o.name
                    ),
                ));
                None
            }
            None => {
                errs.push(FieldError::new(
                    "provider",
                    Rule::UnknownValue,
                    format!("培训机构“{key}”不存在或不在您的管辖范围内"),
                    format!("provider '{key}' not found or outside your area"),
                ));
                None
            }
        }
    };
    let given = i
        .enterprise
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let enterprise = if access::bound_to_own_org(actor) {
        let own = orgs::unit_own(conn, actor, given)
            .await
            .map_err(|e| match e {
                StoreError::Invalid(mut v) => {
                    for f in &mut v {
                        f.field = "enterprise".into();
                    }
                    StoreError::Invalid(v)
                }
                other => other,
            })?;
        Some(own.id)
    } else if let Some(k) = given {
        match orgs::find(conn, &actor.write_scope(), k).await? {
            Some(o) if o.kind_enum() == Some(OrgKind::Enterprise) => Some(o.id),
            Some(o) => {
                errs.push(FieldError::new(
                    "enterprise",
                    Rule::Forbidden,
                    format!("举办企业须为企业，“{}”不是", o.name),
                    format!("'{}' is not an enterprise", o.name),
                ));
                None
            }
            None => {
                errs.push(FieldError::new(
                    "enterprise",
                    Rule::UnknownValue,
                    format!("企业“{k}”不存在或不在您的管辖范围内"),
                    format!("enterprise '{k}' not found or outside your area"),
                ));
                None
            }
        }
    } else {
        None
    };
    let Some(provider) = provider else {
        return Ok(None);
    };
    if enterprise.is_none()
        && given.is_none()
        && orgs::get(conn, &actor.write_scope(), provider)
            .await?
            .is_none()
    {
        errs.push(FieldError::new(
            "enterprise",
            Rule::Required,
            "培训机构不在您的管辖范围内：请填写本辖区的举办企业",
            "the provider is outside your area: name the enterprise the class is held for",
        ));
        return Ok(None);
    }
    if given.is_some() && enterprise.is_none() {
        return Ok(None);
    }
    Ok(Some(Place {
        provider,
        enterprise,
    }))
}

impl Service {
    /// Checks a class and resolves where it is held (the importer's row check too).
    pub(super) async fn check_class_input(
        conn: &mut AnyConnection,
        actor: &Actor,
        i: &ClassInput,
    ) -> Result<(ClassFields, Place)> {
        access::check(actor, Permission::KeepClasses)?;
        let mut errs = Vec::new();
        let fields = check_class(&draft(i)).map_err(|e| errs.extend(e)).ok();
        let at = place(conn, actor, i, &mut errs).await?;
        match (fields, at) {
            (Some(f), Some(at)) if errs.is_empty() => Ok((f, at)),
            _ => {
                errs.sort_by_key(|e| field_order(&e.field));
                Err(StoreError::Invalid(errs))
            }
        }
    }

    /// Classes in the actor's area, newest first.
    pub async fn list_classes(&self, actor: &Actor, f: &Filter) -> Result<Page<Class>> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        let scope = actor.read_scope().resolve(&mut conn).await?;
        sql::list(&mut conn, &scope, f).await
    }

    /// One class (404 outside the actor's area).
    pub async fn get_class(&self, actor: &Actor, id: i64) -> Result<Class> {
        access::check(actor, Permission::ReadRegisters)?;
        let mut conn = self.db.pool.acquire().await?;
        let scope = actor.read_scope().resolve(&mut conn).await?;
        sql::get(&mut conn, &scope, id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Opens a class.
    pub async fn create_class(&self, actor: &Actor, i: &ClassInput) -> Result<Class> {
        access::check(actor, Permission::KeepClasses)?;
        let mut w = self.write(actor).await?;
        let (f, at) = Self::check_class_input(w.conn(), actor, i).await?;
        if sql::id_by_code(w.conn(), &f.code).await?.is_some() {
            return Err(duplicate_code(&f.code));
        }
        let snap = indicators::snapshot(w.conn(), at.org()).await?;
        let now = w.now;
        let id = sql::insert(w.conn(), &f, at, actor.user_id, now).await?;
        indicators::settle(w.conn(), snap).await?;
        let after = sql::get(w.conn(), &Resolved::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            Note::new(action::CREATE, "class", id)
                .summary(format!("{} {}", after.code, after.name))
                .after(&after),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Changes a class (its figures only while it has no roster).
    pub async fn update_class(&self, actor: &Actor, id: i64, i: &ClassInput) -> Result<Class> {
        access::check(actor, Permission::KeepClasses)?;
        let mut w = self.write(actor).await?;
        let scope = w.scope().await?;
        let before = sql::get(w.conn(), &scope, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.check_version(i.version, before.version)?;
        let (f, at) = Self::check_class_input(w.conn(), actor, i).await?;
        if sql::id_by_code(w.conn(), &f.code)
            .await?
            .is_some_and(|other| other != id)
        {
            return Err(duplicate_code(&f.code));
        }
        let mut snaps = vec![indicators::snapshot(w.conn(), before.org_id).await?];
        if at.org() != before.org_id {
            snaps.push(indicators::snapshot(w.conn(), at.org()).await?);
        }
        let now = w.now;
        let n = sql::update(w.conn(), id, before.version, &f, at, now).await?;
        w.expect_one(n)?;
        for s in snaps {
            indicators::settle(w.conn(), s).await?;
        }
        let after = sql::get(w.conn(), &Resolved::All, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        w.audit(
            Note::new(action::UPDATE, "class", id)
                .summary(format!("{} {}", after.code, after.name))
                .before(&before)
                .after(&after),
        )
        .await?;
        w.commit().await?;
        Ok(after)
    }

    /// Deletes a class and its roster.
    pub async fn delete_class(&self, actor: &Actor, id: i64) -> Result<()> {
        access::check(actor, Permission::KeepClasses)?;
        let mut w = self.write(actor).await?;
        let scope = w.scope().await?;
        let before = sql::get(w.conn(), &scope, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let snap = indicators::snapshot(w.conn(), before.org_id).await?;
        sql::delete(w.conn(), id).await?;
        indicators::settle(w.conn(), snap).await?;
        w.audit(
            Note::new(action::DELETE, "class", id)
                .summary(format!("{} {}", before.code, before.name))
                .before(&before),
        )
        .await?;
        w.commit().await
    }
}

pub(super) fn duplicate_code(code: &str) -> StoreError {
    StoreError::invalid(FieldError::new(
        "code",
        Rule::Duplicate,
        format!("班级编号“{code}”已存在"),
        format!("class code '{code}' already exists"),
    ))
}

/// The form's order, so that errors read top to bottom.
fn field_order(f: &str) -> usize {
    [
        "code",
        "name",
        "type",
        "provider",
        "enterprise",
        "occupation",
        "target_level",
        "year",
        "starts_on",
        "ends_on",
        "trainees",
        "completed",
    ]
    .iter()
    .position(|x| *x == f)
    .unwrap_or(99)
}

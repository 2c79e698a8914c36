//! The service's own wire types: the partial update of an organisation and the
//! headline figures of the organisation tree.

use crate::orgs::Org;
use crate::regions::Region;
use gongjiang_domain::org::OrgInput;
use serde::Deserialize;

/// A partial update: absent fields keep their value; `parent_id: null` clears the parent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgPatch {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub uscc: Option<String>,
    pub region_code: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub parent_id: Option<Option<i64>>,
    pub industry: Option<String>,
    pub ownership: Option<String>,
    pub chain_leader: Option<bool>,
    pub size: Option<String>,
    pub address: Option<String>,
    pub contact: Option<String>,
    /// 院校类型 (colleges only); absent keeps it, unless the kind changes away from 院校.
    pub college_type: Option<String>,
    /// Optimistic locking: the version the client last saw.
    pub version: Option<i64>,
}

fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<i64>>, D::Error> {
    Ok(Some(Option::<i64>::deserialize(d)?))
}

impl OrgPatch {
    pub(super) fn apply(&self, o: &Org) -> OrgInput {
        OrgInput {
            name: Some(self.name.clone().unwrap_or_else(|| o.name.clone())),
            kind: Some(self.kind.clone().unwrap_or_else(|| o.kind.clone())),
            uscc: self.uscc.clone().or_else(|| o.uscc.clone()),
            region_code: Some(
                self.region_code
                    .clone()
                    .unwrap_or_else(|| o.region_code.clone()),
            ),
            parent_id: self.parent_id.unwrap_or(o.parent_id),
            industry: self.industry.clone().or_else(|| o.industry.clone()),
            ownership: self.ownership.clone().or_else(|| o.ownership.clone()),
            chain_leader: Some(self.chain_leader.unwrap_or(o.chain_leader)),
            size: self.size.clone().or_else(|| o.size.clone()),
            address: self.address.clone().or_else(|| o.address.clone()),
            contact: self.contact.clone().or_else(|| o.contact.clone()),
            college_type: self.college_type.clone().or_else(|| {
                let kind = self.kind.as_deref().unwrap_or(&o.kind);
                (gongjiang_domain::OrgKind::from_any(kind)
                    == Some(gongjiang_domain::OrgKind::College))
                .then(|| o.college_type.clone())
                .flatten()
            }),
        }
    }

    /// A full replacement from a form: every field is given.
    pub fn from_input(i: OrgInput, version: Option<i64>) -> OrgPatch {
        OrgPatch {
            name: Some(i.name.unwrap_or_default()),
            kind: Some(i.kind.unwrap_or_default()),
            uscc: Some(i.uscc.unwrap_or_default()),
            region_code: Some(i.region_code.unwrap_or_default()),
            parent_id: Some(i.parent_id),
            industry: Some(i.industry.unwrap_or_default()),
            ownership: Some(i.ownership.unwrap_or_default()),
            chain_leader: Some(i.chain_leader.unwrap_or(false)),
            size: Some(i.size.unwrap_or_default()),
            address: Some(i.address.unwrap_or_default()),
            contact: Some(i.contact.unwrap_or_default()),
            college_type: Some(i.college_type.unwrap_or_default()),
            version,
        }
    }
}

/// Headline figures of the organisation tree for the home page.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TreeStats {
    pub by_kind: Vec<(String, i64)>,
    pub enterprises_by_district: Vec<(Region, i64)>,
    pub chain_leaders: i64,
}

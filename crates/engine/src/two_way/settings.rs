//! What a two-way flow's user can tune: matching keys and thresholds, and conflict policies.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::mapping::FieldPair;
use crate::record::{FieldValue, Fields, System};

/// The fields that describe a company or a person on one side, for matching.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyFields {
    /// Fields whose texts, joined by a space, make the name (`companyName`; `firstName` and
    /// `lastName`).
    pub name: Vec<String>,
    /// Field with an email address (`email`).
    pub email: Option<String>,
    /// Field with a phone number (`phone`, `Phone`).
    pub phone: Option<String>,
    /// Field with a website (`url`, `Website`).
    pub website: Option<String>,
}

impl KeyFields {
    /// Returns the fields that are set, once each.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        let single = [&self.email, &self.phone, &self.website];
        for field in self.name.iter().chain(single.into_iter().flatten()) {
            if !names.contains(&field.as_str()) {
                names.push(field);
            }
        }
        names
    }

    /// Returns `fields` with the key fields added at the end, once each.
    pub fn added_to(&self, mut fields: Vec<String>) -> Vec<String> {
        for key in self.names() {
            if !fields.iter().any(|field| field == key) {
                fields.push(key.to_string());
            }
        }
        fields
    }

    /// Returns the name of a record: the texts of the name fields that are not blank, joined
    /// by a space.
    pub fn name_text(&self, fields: &Fields) -> Option<String> {
        let parts: Vec<&str> = self
            .name
            .iter()
            .filter_map(|field| fields.get(field)?.as_text())
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// How unlinked records are matched.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchSettings {
    /// Score at or above which a record is linked to its best candidate. Default 0.92.
    pub link_threshold: f64,
    /// Score at or above which a candidate sends the record to the review queue instead of
    /// creating its counterpart. Default 0.75.
    pub review_threshold: f64,
    /// Two-letter country assumed for phone numbers without a country code. Default `US`.
    pub phone_region: String,
    /// Link a record to the one unlinked record on the other side with the same email
    /// address before scoring; several with that address go to review. Default false
    /// (companies share addresses such as billing@); contacts turn it on.
    pub link_by_email: bool,
}

impl Default for MatchSettings {
    fn default() -> MatchSettings {
        MatchSettings {
            link_threshold: 0.92,
            review_threshold: 0.75,
            phone_region: "US".to_string(),
            link_by_email: false,
        }
    }
}

/// Who wins when a field changed on both sides since the last sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictPolicy {
    /// NetSuite's value wins.
    NetSuite,
    /// Salesforce's value wins.
    Salesforce,
    /// The value of the record modified last wins, compared in whole seconds; NetSuite wins a
    /// tie, because its times have whole seconds only.
    Latest,
    /// Neither is written; the field waits in the conflict queue for a person.
    Manual,
}

impl FromStr for ConflictPolicy {
    type Err = String;

    fn from_str(text: &str) -> Result<ConflictPolicy, String> {
        match text {
            "netsuite" => Ok(ConflictPolicy::NetSuite),
            "salesforce" => Ok(ConflictPolicy::Salesforce),
            "latest" => Ok(ConflictPolicy::Latest),
            "manual" => Ok(ConflictPolicy::Manual),
            other => Err(format!(
                "unknown conflict policy {other:?}; expected netsuite, salesforce, latest or manual"
            )),
        }
    }
}

impl fmt::Display for ConflictPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConflictPolicy::NetSuite => "netsuite",
            ConflictPolicy::Salesforce => "salesforce",
            ConflictPolicy::Latest => "latest",
            ConflictPolicy::Manual => "manual",
        })
    }
}

/// What happens to the counterpart of a record deleted on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletePolicy {
    /// Nothing on the other side; the pair is forgotten.
    Ignore,
    /// The pair is forgotten; the other record keeps its data and a link nobody follows.
    Unlink,
    /// The other record is marked inactive, then the pair is forgotten.
    Deactivate,
    /// The other record is deleted too.
    Delete,
}

impl FromStr for DeletePolicy {
    type Err = String;

    fn from_str(text: &str) -> Result<DeletePolicy, String> {
        match text {
            "ignore" => Ok(DeletePolicy::Ignore),
            "unlink" => Ok(DeletePolicy::Unlink),
            "deactivate" => Ok(DeletePolicy::Deactivate),
            "delete" => Ok(DeletePolicy::Delete),
            other => Err(format!(
                "unknown delete policy {other:?}; expected ignore, unlink, deactivate or delete"
            )),
        }
    }
}

impl<'de> serde::Deserialize<'de> for DeletePolicy {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<DeletePolicy, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for DeletePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeletePolicy::Ignore => "ignore",
            DeletePolicy::Unlink => "unlink",
            DeletePolicy::Deactivate => "deactivate",
            DeletePolicy::Delete => "delete",
        })
    }
}

/// How deletions travel, per side where they happen. The defaults never delete: a deleted
/// record only unlinks its counterpart.
#[derive(Debug, Clone, PartialEq)]
pub struct DeleteSettings {
    /// What happens to the Salesforce record when its NetSuite record is deleted.
    pub from_netsuite: DeletePolicy,
    /// What happens to the NetSuite record when its Salesforce record is deleted.
    pub from_salesforce: DeletePolicy,
    /// The field and value that mark a NetSuite record inactive (`isInactive` = true).
    pub netsuite_inactive: Option<(String, FieldValue)>,
    /// The field and value that mark a Salesforce record inactive, if the object has one.
    pub salesforce_inactive: Option<(String, FieldValue)>,
}

impl Default for DeleteSettings {
    fn default() -> DeleteSettings {
        DeleteSettings {
            from_netsuite: DeletePolicy::Unlink,
            from_salesforce: DeletePolicy::Unlink,
            netsuite_inactive: None,
            salesforce_inactive: None,
        }
    }
}

impl DeleteSettings {
    /// Returns the policy for a record deleted on `system`'s side.
    pub fn policy(&self, deleted_on: System) -> DeletePolicy {
        match deleted_on {
            System::NetSuite => self.from_netsuite,
            System::Salesforce => self.from_salesforce,
        }
    }

    /// Returns how to mark a record of `system` inactive, if its object can be.
    pub fn inactive(&self, system: System) -> Option<&(String, FieldValue)> {
        match system {
            System::NetSuite => self.netsuite_inactive.as_ref(),
            System::Salesforce => self.salesforce_inactive.as_ref(),
        }
    }
}

/// The conflict policy of every mapped field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictSettings {
    /// The policy of fields not named in `fields`. Default `latest`.
    pub default: ConflictPolicy,
    /// Policies of single fields, keyed by the NetSuite or the Salesforce field name.
    pub fields: BTreeMap<String, ConflictPolicy>,
}

impl Default for ConflictSettings {
    fn default() -> ConflictSettings {
        ConflictSettings {
            default: ConflictPolicy::Latest,
            fields: BTreeMap::new(),
        }
    }
}

impl ConflictSettings {
    /// Returns the policy of a mapped field pair.
    pub fn policy(&self, pair: &FieldPair) -> ConflictPolicy {
        self.fields
            .get(&pair.netsuite)
            .or_else(|| self.fields.get(&pair.salesforce))
            .copied()
            .unwrap_or(self.default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_policy_found_by_either_name() {
        let settings = ConflictSettings {
            default: ConflictPolicy::Latest,
            fields: BTreeMap::from([("Phone".to_string(), ConflictPolicy::Manual)]),
        };
        let phone = FieldPair::new("phone", "Phone");
        let name = FieldPair::new("companyName", "Name");
        assert_eq!(settings.policy(&phone), ConflictPolicy::Manual);
        assert_eq!(settings.policy(&name), ConflictPolicy::Latest);
    }

    #[test]
    fn unknown_policy_name_is_rejected() {
        assert!("newest".parse::<ConflictPolicy>().is_err());
    }

    #[test]
    fn key_field_names_are_unique() {
        let keys = KeyFields {
            name: vec!["Name".to_string()],
            email: None,
            phone: Some("Phone".to_string()),
            website: Some("Name".to_string()),
        };
        assert_eq!(keys.names(), vec!["Name", "Phone"]);
    }

    #[test]
    fn name_joins_parts_that_are_not_blank() {
        let keys = KeyFields {
            name: vec!["firstName".to_string(), "lastName".to_string()],
            ..KeyFields::default()
        };
        let fields = Fields::from([
            ("firstName".to_string(), FieldValue::text("Ada ")),
            ("lastName".to_string(), FieldValue::text("Lovelace")),
        ]);
        assert_eq!(keys.name_text(&fields).as_deref(), Some("Ada Lovelace"));
        assert_eq!(keys.name_text(&Fields::new()), None);
    }
}

//! `contact-contact`: NetSuite contacts and Salesforce Contacts kept equal in both directions,
//! under the companies that `account-customer` links.
//!
//! Defaults: first name, last name, email, phone and title travel both ways. The contact's
//! company (NetSuite `company`) and the Contact's Account (`AccountId`) are translated through
//! `account-customer`'s links. So a contact whose company is not linked yet waits (a dead
//! letter with `PARENT_NOT_LINKED`, tried again every pass) instead of landing without one.
//! An unlinked contact is linked to the one unlinked contact on the other side with the same
//! email address before any fuzzy matching; several with that address go to review. The link
//! is kept in the NetSuite contact's `externalId` (the Salesforce Contact ID) and in the
//! Contact's `NetSuite_Internal_ID__c` (the NetSuite internal ID).

use chrono::TimeDelta;

use super::support::{StatusFields, with_status};
use crate::flow::{Flow, TwoWayFlow};
use crate::mapping::{Derived, FieldPair, Mapping};
use crate::record::{ObjectSpec, System};
use crate::two_way::{
    ConflictSettings, Creates, DeleteSettings, KeyFields, MatchSettings, TwoWaySpec,
};

/// The flow's name in configuration files, the store, logs and reports.
pub const FLOW: &str = "contact-contact";

/// The flow that links the companies the contacts belong to.
pub const COMPANY_FLOW: &str = "account-customer";

/// The user's settings for the flow, each with its default.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactSettings {
    /// The Salesforce object for people. Default `Contact`.
    pub salesforce_object: String,
    /// The Salesforce external ID field that stores the NetSuite internal ID.
    /// Default `NetSuite_Internal_ID__c`.
    pub salesforce_link_field: String,
    /// The fields kept equal. Default: [`default_mapping`].
    pub fields: Vec<FieldPair>,
    /// Fields written from the other side's record. Default none.
    pub derived: Vec<Derived>,
    /// How far before the watermark each read starts. Default 5 minutes.
    pub overlap: TimeDelta,
    /// Thresholds of fuzzy matching; linking by email is on.
    pub matching: MatchSettings,
    /// The winner of a field changed on both sides. Default: the later change.
    pub conflicts: ConflictSettings,
    /// The effect of a deletion on the counterpart. Default: unlink only.
    pub deletes: DeleteSettings,
    /// The Salesforce fields for the outcome of each record's last trip to NetSuite
    /// (`NetSuite_Sync_Status__c`: Synced or Error, and `NetSuite_Sync_Error__c`: the error).
    pub status: StatusFields,
    /// The custom fields (script IDs) of the NetSuite contact for the outcome of its last trip to
    /// Salesforce. Default none: nothing is written to NetSuite records.
    pub netsuite_status: StatusFields,
    /// The sides on which unmatched records get a counterpart. Default both sides.
    pub creates: Creates,
}

impl Default for ContactSettings {
    fn default() -> ContactSettings {
        ContactSettings {
            salesforce_object: "Contact".to_string(),
            salesforce_link_field: "NetSuite_Internal_ID__c".to_string(),
            fields: default_mapping().pairs,
            derived: Vec::new(),
            overlap: super::DEFAULT_OVERLAP,
            matching: MatchSettings {
                link_by_email: true,
                ..MatchSettings::default()
            },
            conflicts: ConflictSettings::default(),
            deletes: DeleteSettings::default(),
            status: StatusFields::default(),
            netsuite_status: StatusFields::none(),
            creates: Creates::default(),
        }
    }
}

/// Returns the fields the template maps when the configuration names none.
pub fn default_mapping() -> Mapping {
    let mut company = FieldPair::new("company", "AccountId");
    company.lookup = Some(COMPANY_FLOW.to_string());
    Mapping::of_pairs(vec![
        FieldPair::new("firstName", "FirstName"),
        FieldPair::new("lastName", "LastName"),
        FieldPair::new("email", "Email"),
        FieldPair::new("phone", "Phone"),
        FieldPair::new("title", "Title"),
        company,
    ])
}

/// Builds the flow's two-way spec. Contacts are matched by full name, email and phone.
pub fn spec(settings: &ContactSettings) -> TwoWaySpec {
    let mapping = Mapping {
        pairs: settings.fields.clone(),
        derived: settings.derived.clone(),
    };
    let netsuite_keys = KeyFields {
        name: vec!["firstName".to_string(), "lastName".to_string()],
        email: Some("email".to_string()),
        phone: Some("phone".to_string()),
        website: None,
    };
    let salesforce_keys = KeyFields {
        name: vec!["FirstName".to_string(), "LastName".to_string()],
        email: Some("Email".to_string()),
        phone: Some("Phone".to_string()),
        website: None,
    };
    TwoWaySpec {
        flow: FLOW.to_string(),
        netsuite: ObjectSpec {
            name: "contact".to_string(),
            fields: with_status(
                netsuite_keys.added_to(mapping.field_names(System::NetSuite)),
                &settings.netsuite_status,
            ),
            link_field: "externalId".to_string(),
        },
        salesforce: ObjectSpec {
            name: settings.salesforce_object.clone(),
            fields: with_status(
                salesforce_keys.added_to(mapping.field_names(System::Salesforce)),
                &settings.status,
            ),
            link_field: settings.salesforce_link_field.clone(),
        },
        mapping,
        netsuite_keys,
        salesforce_keys,
        matching: settings.matching.clone(),
        conflicts: settings.conflicts.clone(),
        deletes: settings.deletes.clone(),
        overlap: settings.overlap,
        status: settings.status.clone(),
        netsuite_status: settings.netsuite_status.clone(),
        creates: settings.creates,
    }
}

/// Builds the runnable flow.
pub fn flow(settings: &ContactSettings) -> Box<dyn Flow> {
    Box::new(TwoWayFlow {
        spec: spec(settings),
    })
}

#[cfg(test)]
mod tests;

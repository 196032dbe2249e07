//! `account-customer`: Salesforce Accounts and NetSuite customers kept equal in both directions.

use chrono::TimeDelta;

use crate::flow::{Flow, TwoWayFlow};

use super::support::{StatusFields, with_status};
use crate::mapping::{Derived, FieldPair, Mapping};
use crate::record::FieldValue;
use crate::record::ObjectSpec;
use crate::two_way::{
    ConflictSettings, Creates, DeleteSettings, KeyFields, MatchSettings, TwoWaySpec,
};

/// The flow's name in configuration files, the store, logs and reports.
pub const FLOW: &str = "account-customer";

/// The user's settings for the flow, each with its default.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountCustomerSettings {
    /// The Salesforce object that represents companies. Default `Account`.
    pub salesforce_object: String,
    /// The Salesforce external ID field that stores the NetSuite internal ID.
    /// Default `NetSuite_Internal_ID__c`.
    pub salesforce_link_field: String,
    /// The fields kept equal. Default: `companyName`/`Name`, `phone`/`Phone`, `url`/`Website`
    /// and the default billing address (`billingAddress.addr1`/`BillingStreet`, `.city`,
    /// `.state`, `.zip`/`BillingPostalCode`, `.country`/`BillingCountry` as ISO codes).
    pub fields: Vec<FieldPair>,
    /// Fields written from the other side's record: constants and expressions. Default none.
    pub derived: Vec<Derived>,
    /// How far before the watermark each read starts. Default 5 minutes.
    pub overlap: TimeDelta,
    /// Thresholds of fuzzy matching.
    pub matching: MatchSettings,
    /// Who wins a field changed on both sides. Default: the later change.
    pub conflicts: ConflictSettings,
    /// What a deletion does to the counterpart. Default: unlink only. A customer is
    /// deactivated through `isInactive`; Accounts have no inactive field.
    pub deletes: DeleteSettings,
    /// The Salesforce fields for the outcome of each record's last trip to NetSuite
    /// (`NetSuite_Sync_Status__c`: Synced or Error, and `NetSuite_Sync_Error__c`: the error).
    pub status: StatusFields,
    /// The custom fields (script IDs) of the NetSuite customer for the outcome of its last trip to
    /// Salesforce. Default none: nothing is written to NetSuite records.
    pub netsuite_status: StatusFields,
    /// Where unmatched records get a counterpart. Default both sides; with
    /// `customer-onboarding` enabled, customers are created only by it.
    pub creates: Creates,
}

impl Default for AccountCustomerSettings {
    fn default() -> AccountCustomerSettings {
        AccountCustomerSettings {
            salesforce_object: "Account".to_string(),
            salesforce_link_field: "NetSuite_Internal_ID__c".to_string(),
            fields: default_mapping().pairs,
            derived: Vec::new(),
            overlap: super::DEFAULT_OVERLAP,
            matching: MatchSettings::default(),
            conflicts: ConflictSettings::default(),
            deletes: DeleteSettings {
                netsuite_inactive: Some(("isInactive".to_string(), FieldValue::Bool(true))),
                ..DeleteSettings::default()
            },
            status: StatusFields::default(),
            netsuite_status: StatusFields::none(),
            creates: Creates::default(),
        }
    }
}

/// Returns the fields the template maps when the configuration names none.
pub fn default_mapping() -> Mapping {
    Mapping::of_pairs(vec![
        FieldPair::new("companyName", "Name"),
        FieldPair::new("phone", "Phone"),
        FieldPair::new("url", "Website"),
        FieldPair::new("billingAddress.addr1", "BillingStreet"),
        FieldPair::new("billingAddress.city", "BillingCity"),
        FieldPair::new("billingAddress.state", "BillingState"),
        FieldPair::new("billingAddress.zip", "BillingPostalCode"),
        FieldPair::new("billingAddress.country", "BillingCountry"),
    ])
}

/// Builds the runnable flow.
pub fn flow(settings: &AccountCustomerSettings) -> Box<dyn Flow> {
    Box::new(TwoWayFlow {
        spec: spec(settings),
    })
}

/// Builds the flow's two-way spec from its settings. Customers are matched by company name,
/// email, phone and website; Accounts by name, phone and website.
pub fn spec(settings: &AccountCustomerSettings) -> TwoWaySpec {
    let mapping = Mapping {
        pairs: settings.fields.clone(),
        derived: settings.derived.clone(),
    };
    let netsuite_keys = KeyFields {
        name: vec!["companyName".to_string()],
        email: Some("email".to_string()),
        phone: Some("phone".to_string()),
        website: Some("url".to_string()),
    };
    let salesforce_keys = KeyFields {
        name: vec!["Name".to_string()],
        email: None,
        phone: Some("Phone".to_string()),
        website: Some("Website".to_string()),
    };
    TwoWaySpec {
        flow: FLOW.to_string(),
        netsuite: ObjectSpec {
            name: "customer".to_string(),
            fields: with_status(
                netsuite_keys.added_to(mapping.field_names(crate::System::NetSuite)),
                &settings.netsuite_status,
            ),
            link_field: "externalId".to_string(),
        },
        salesforce: ObjectSpec {
            name: settings.salesforce_object.clone(),
            fields: with_status(
                salesforce_keys.added_to(mapping.field_names(crate::System::Salesforce)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_spec_reads_mapped_and_key_fields() {
        let spec = spec(&AccountCustomerSettings::default());
        assert_eq!(spec.netsuite.fields[..3], ["companyName", "phone", "url"]);
        assert!(
            spec.netsuite
                .fields
                .contains(&"billingAddress.city".to_string())
        );
        assert_eq!(
            spec.netsuite.fields.last().map(String::as_str),
            Some("email")
        );
        assert_eq!(spec.salesforce.fields[..3], ["Name", "Phone", "Website"]);
        assert!(spec.salesforce.fields.contains(&"BillingCity".to_string()));
    }

    #[test]
    fn default_spec_links_through_external_ids() {
        let spec = spec(&AccountCustomerSettings::default());
        assert_eq!(spec.netsuite.link_field, "externalId");
        assert_eq!(spec.salesforce.link_field, "NetSuite_Internal_ID__c");
    }
}

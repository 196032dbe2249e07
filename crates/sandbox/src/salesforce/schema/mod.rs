//! sObjects and their fields as data: one table per object, read by validation, SOQL,
//! describe and record rendering. The standard objects are in `standard.rs`; custom objects
//! and fields come from a schema file (`file.rs`), Tandem's own in `tandem.json`, or from
//! [`crate::salesforce::SalesforceEmulator::add_field`] at run time.

mod currency;
mod file;
pub(crate) mod standard;

pub use currency::Currencies;
pub(crate) use currency::{CURRENCY_FIELD, apply_currencies};
pub use file::SchemaError;
pub(crate) use file::{TANDEM_SCHEMA, apply_schema};
pub(crate) use standard::standard_objects;
#[cfg(test)]
pub(crate) use standard::{account, user};

/// Length from which a text area is a long text area, which SOQL cannot filter or sort on.
const LONG_TEXT_AREA_FROM: usize = 256;

/// Data type of a field, as `type` in a describe result names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// The record's own 18-character Id.
    Id,
    /// Single-line text.
    String,
    /// Multi-line text.
    TextArea,
    /// Phone number, stored as text.
    Phone,
    /// Web address, stored as text.
    Url,
    /// Email address, stored as text.
    Email,
    /// One value from a list; the list is enforced only when restricted.
    Picklist,
    /// Id of a record of one of the objects in `reference_to`.
    Reference,
    /// `true` or `false`.
    Boolean,
    /// Floating-point number.
    Double,
    /// Amount of money, a JSON number.
    Currency,
    /// Percentage, a JSON number.
    Percent,
    /// Whole number.
    Int,
    /// Calendar date, `YYYY-MM-DD`.
    Date,
    /// Instant in UTC, rendered `2024-03-05T17:14:02.000+0000`.
    DateTime,
}

impl FieldType {
    /// Returns the type name used in describe results and in SOQL messages.
    pub fn describe_name(self) -> &'static str {
        match self {
            FieldType::Id => "id",
            FieldType::String => "string",
            FieldType::TextArea => "textarea",
            FieldType::Phone => "phone",
            FieldType::Url => "url",
            FieldType::Email => "email",
            FieldType::Picklist => "picklist",
            FieldType::Reference => "reference",
            FieldType::Boolean => "boolean",
            FieldType::Double => "double",
            FieldType::Currency => "currency",
            FieldType::Percent => "percent",
            FieldType::Int => "int",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
        }
    }

    /// Returns whether values are text with a maximum length.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            FieldType::String
                | FieldType::TextArea
                | FieldType::Phone
                | FieldType::Url
                | FieldType::Email
                | FieldType::Picklist
        )
    }

    /// Returns whether values are Ids (the record's own or a reference).
    pub fn is_id(self) -> bool {
        matches!(self, FieldType::Id | FieldType::Reference)
    }

    /// Returns whether values are JSON numbers.
    pub fn is_number(self) -> bool {
        matches!(
            self,
            FieldType::Double | FieldType::Currency | FieldType::Percent | FieldType::Int
        )
    }
}

/// Write access of a field through the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Maintained by the platform (Id, audit fields); rejected in a create or update body.
    System,
    /// Must have a value on create and cannot be cleared on update.
    Required,
    /// May be set, changed and cleared.
    Optional,
    /// Gets a default value on create when absent (OwnerId), cannot be cleared.
    Defaulted,
    /// May be set on create only (a price book entry's product); rejected in an update.
    CreateOnly,
}

/// One field of an sObject.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    /// API name, for example `BillingCity` or `NetSuite_Internal_ID__c`.
    pub name: String,
    /// Label, used in validation messages (`Billing City: data value too large: ...`).
    pub label: String,
    /// Data type.
    pub field_type: FieldType,
    /// Maximum number of characters for text types; 0 for other types.
    pub length: usize,
    /// Write access through the API.
    pub access: Access,
    /// Whether upserts and look-ups may match on this field.
    pub external_id: bool,
    /// Whether upserts and look-ups may match on this field although it is no external ID,
    /// as on a Contact's `Email` (`idLookup` in a describe result).
    pub id_lookup: bool,
    /// Whether two live records may not share a value.
    pub unique: bool,
    /// Whether matching and uniqueness compare case; Salesforce defaults to ignoring case.
    pub case_sensitive: bool,
    /// Values of a picklist, in display order.
    pub picklist_values: Vec<String>,
    /// Whether a picklist rejects values outside `picklist_values`.
    pub restricted_picklist: bool,
    /// Objects a reference may point to.
    pub reference_to: Vec<String>,
    /// Name of the parent in SOQL field paths (`Account` for `AccountId`, `Account__r` for
    /// `Account__c`); `None` for fields that are no reference.
    pub relationship_name: Option<String>,
    /// Name under which the parent lists the records that point to it through this field
    /// (`Contacts` for `Contact.AccountId`), for child subqueries; `None` when it has none.
    pub child_relationship: Option<String>,
    /// Value stored on create when the body has none (a checkbox default, a picklist
    /// default).
    pub default_value: Option<serde_json::Value>,
}

impl FieldDef {
    /// Creates a field that is not an external ID, not unique and has no picklist values.
    pub fn new(
        name: &str,
        label: &str,
        field_type: FieldType,
        length: usize,
        access: Access,
    ) -> FieldDef {
        FieldDef {
            name: name.to_string(),
            label: label.to_string(),
            field_type,
            length,
            access,
            external_id: false,
            id_lookup: false,
            unique: false,
            case_sensitive: false,
            picklist_values: Vec::new(),
            restricted_picklist: false,
            reference_to: Vec::new(),
            relationship_name: None,
            child_relationship: None,
            default_value: None,
        }
    }

    /// Returns whether the field is custom: its API name ends in `__c`.
    pub fn custom(&self) -> bool {
        self.name.ends_with("__c")
    }

    /// Returns whether an update request may change this field.
    pub fn updateable(&self) -> bool {
        // CreateOnly is the one writable access that an update may not use.
        matches!(
            self.access,
            Access::Required | Access::Optional | Access::Defaulted
        )
    }

    /// Marks the field as an external ID, unique or not.
    pub fn external_id(mut self, unique: bool) -> FieldDef {
        self.external_id = true;
        self.unique = unique;
        self
    }

    /// Marks the field as one that upserts and look-ups may match on without being an
    /// external ID.
    pub fn id_lookup(mut self) -> FieldDef {
        self.id_lookup = true;
        self
    }

    /// Returns whether upserts and look-ups by external ID may match on this field: `Id`, an
    /// external ID or an `idLookup` field.
    pub fn matchable(&self) -> bool {
        self.field_type == FieldType::Id || self.external_id || self.id_lookup
    }

    /// Returns whether SOQL may filter and sort on the field. A long text area (a text area
    /// of more than 255 characters) may not, as in Salesforce.
    pub fn filterable(&self) -> bool {
        !(self.field_type == FieldType::TextArea && self.length >= LONG_TEXT_AREA_FROM)
    }

    /// Sets the picklist values and whether other values are rejected.
    pub fn picklist(mut self, values: &[&str], restricted: bool) -> FieldDef {
        self.picklist_values = values.iter().map(|value| value.to_string()).collect();
        self.restricted_picklist = restricted;
        self
    }

    /// Sets the objects a reference field may point to, and its relationship name: the
    /// field name without `Id` (`OwnerId` -> `Owner`), or with `__c` turned into `__r`.
    pub fn references(mut self, objects: &[&str]) -> FieldDef {
        self.reference_to = objects.iter().map(|object| object.to_string()).collect();
        self.relationship_name = relationship_name_of(&self.name);
        self
    }

    /// Sets the name of the parent's child relationship for this reference field.
    pub fn child_relationship(mut self, name: &str) -> FieldDef {
        self.child_relationship = Some(name.to_string());
        self
    }

    /// Sets the value stored on create when the body has none.
    pub fn default(mut self, value: serde_json::Value) -> FieldDef {
        self.default_value = Some(value);
        self
    }

    /// Returns whether a create request may set this field.
    pub fn createable(&self) -> bool {
        self.access != Access::System
    }

    /// Returns whether the field must hold a value after a write.
    pub fn required(&self) -> bool {
        matches!(self.access, Access::Required | Access::Defaulted)
    }

    /// Marks the field required on create; with `create_only`, an update may not change it.
    pub fn required_on_create(mut self, create_only: bool) -> FieldDef {
        self.access = if create_only {
            Access::CreateOnly
        } else {
            Access::Required
        };
        self
    }
}

/// Returns the relationship name of a reference field named `field`.
fn relationship_name_of(field: &str) -> Option<String> {
    if let Some(stem) = field.strip_suffix("__c") {
        return Some(format!("{stem}__r"));
    }
    field
        .strip_suffix("Id")
        .filter(|stem| !stem.is_empty())
        .map(str::to_string)
}

/// One sObject: its names, key prefix and fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectDef {
    /// API name, for example `Account`.
    pub name: String,
    /// Label, for example `Account`.
    pub label: String,
    /// Plural label, for example `Accounts`.
    pub label_plural: String,
    /// First three characters of every Id of this object (`001` for Account).
    pub key_prefix: String,
    /// Whether the API may create records of this object.
    pub createable: bool,
    /// Fields in describe order.
    pub fields: Vec<FieldDef>,
}

impl ObjectDef {
    /// Returns whether the object is custom: its API name ends in `__c`.
    pub fn custom(&self) -> bool {
        self.name.ends_with("__c")
    }

    /// Finds the reference field whose relationship name is `name`, ignoring case.
    pub fn relationship(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|field| {
            field
                .relationship_name
                .as_deref()
                .is_some_and(|relationship| relationship.eq_ignore_ascii_case(name))
        })
    }

    /// Finds a field by API name, ignoring case as Salesforce does.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_lookup_ignores_case() {
        let account = account();
        let field = account.field("billingcity").unwrap();
        assert_eq!(field.name, "BillingCity");
        assert_eq!(field.length, 40);
    }

    #[test]
    fn references_derive_relationship_names() {
        let standard = FieldDef::new(
            "AccountId",
            "Account",
            FieldType::Reference,
            18,
            Access::Optional,
        )
        .references(&["Account"]);
        assert_eq!(standard.relationship_name.as_deref(), Some("Account"));
        let custom = FieldDef::new(
            "Account__c",
            "Account",
            FieldType::Reference,
            18,
            Access::Optional,
        )
        .references(&["Account"]);
        assert_eq!(custom.relationship_name.as_deref(), Some("Account__r"));
    }

    #[test]
    fn key_prefixes_follow_salesforce() {
        let prefixes: Vec<(String, String)> = standard_objects()
            .into_iter()
            .map(|object| (object.name, object.key_prefix))
            .collect();
        for (name, prefix) in [
            ("Account", "001"),
            ("User", "005"),
            ("Contact", "003"),
            ("Opportunity", "006"),
            ("Pricebook2", "01s"),
            ("PricebookEntry", "01u"),
            ("Product2", "01t"),
            ("OpportunityLineItem", "00k"),
            ("Task", "00T"),
        ] {
            assert!(
                prefixes.contains(&(name.to_string(), prefix.to_string())),
                "{name}"
            );
        }
    }
}

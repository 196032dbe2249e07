//! The `listRel:Customer` record: its public model, how a request's fields are applied to a
//! stored record, and NetSuite's field validation.

mod address_lines;
mod addressbook;
mod parse;
mod render;
pub(crate) mod schema;

use chrono::{DateTime, Utc};

use super::faults::StatusDetail;
use super::xml::Element;

pub(crate) use parse::{CustomerInput, parse_bool, parse_customer};
pub(crate) use render::{RecordContext, format_double, write_customer, write_stored_element};

/// A NetSuite customer as the emulator stores it. Fields the emulator does not model are kept
/// apart and written back unchanged (see [`StoredCustomer`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// NetSuite's numeric record ID, as text. When it is empty, [`insert_customer`] assigns
    /// one.
    ///
    /// [`insert_customer`]: super::NetSuiteEmulator::insert_customer
    pub internal_id: String,
    /// The caller's own key, unique among customers; upsert matches on it.
    pub external_id: Option<String>,
    /// The customer ID shown in NetSuite (`entityId`), e.g. `CUST00042`.
    pub entity_id: Option<String>,
    /// `companyName`, required for company (not individual) customers.
    pub company_name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `phone`.
    pub phone: Option<String>,
    /// `url`, the web address.
    pub url: Option<String>,
    /// `isInactive`.
    pub is_inactive: bool,
    /// `dateCreated`, set by NetSuite when the record is added.
    pub date_created: DateTime<Utc>,
    /// `lastModifiedDate`, set by NetSuite on every write.
    pub last_modified: DateTime<Utc>,
    /// The values of `customFieldList` with a string, boolean, double or long type.
    pub custom_fields: Vec<CustomField>,
}

/// One custom field value of a record, named by its script ID (`custentity_...`).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomField {
    /// The script ID, e.g. `custentity_sf_account_id`.
    pub script_id: String,
    /// The custom field's internal ID, when known.
    pub internal_id: Option<String>,
    /// The typed value.
    pub value: CustomFieldValue,
}

/// The value of a custom field, one variant per `*CustomFieldRef` type.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomFieldValue {
    /// `StringCustomFieldRef`.
    String(String),
    /// `BooleanCustomFieldRef`.
    Boolean(bool),
    /// `DoubleCustomFieldRef`.
    Double(f64),
    /// `LongCustomFieldRef`.
    Long(i64),
}

/// A customer with the parts of the record that [`Customer`] does not model: other schema
/// fields (such as `isPerson`, `subsidiary` or `addressbookList`) and custom fields of other
/// types (date, select, multi-select), both kept as the elements the client sent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredCustomer {
    pub customer: Customer,
    pub extras: Vec<Element>,
    pub raw_custom_fields: Vec<Element>,
}

/// Maximum lengths of the text fields the emulator checks, as (element, field ID, characters).
// NOTE: companyName 83 matches a third-party NetSuite import template, and phone 32 matches a
// NetSuite length error quoted in an integration's notes. email 254, url 999 and entityId 83 are not
// confirmed by a NetSuite source (an older import template lists 64, 100 and 80).
pub(crate) const MAX_LENGTHS: [(&str, &str, usize); 5] = [
    ("companyName", "companyname", 83),
    ("email", "email", 254),
    ("phone", "phone", 32),
    ("url", "url", 999),
    ("entityId", "entityid", 83),
];

impl StoredCustomer {
    /// Creates an empty record with this internal ID, created and modified at `now`.
    pub fn new(internal_id: String, now: DateTime<Utc>) -> StoredCustomer {
        StoredCustomer {
            customer: Customer {
                internal_id,
                external_id: None,
                entity_id: None,
                company_name: None,
                email: None,
                phone: None,
                url: None,
                is_inactive: false,
                date_created: now,
                last_modified: now,
                custom_fields: Vec::new(),
            },
            extras: Vec::new(),
            raw_custom_fields: Vec::new(),
        }
    }

    /// Wraps a customer that has no unmodelled fields.
    pub fn from_customer(customer: Customer) -> StoredCustomer {
        StoredCustomer {
            customer,
            extras: Vec::new(),
            raw_custom_fields: Vec::new(),
        }
    }

    /// Applies a write: fields present in `input` replace stored values, fields named in its
    /// `nullFieldList` are cleared, absent fields stay as they are, and `lastModifiedDate`
    /// becomes `now`. Read-only fields in `input` are ignored.
    pub fn apply(&mut self, input: &CustomerInput, now: DateTime<Utc>) {
        self.clear_null_fields(&input.null_fields);
        self.apply_modelled_fields(input);
        for extra in &input.extras {
            let stored = self.extras.iter().find(|e| e.name == extra.name);
            let merged = match extra.name.as_str() {
                "addressbookList" => address_lines::merge_addressbook(stored, extra),
                _ => extra.clone(),
            };
            self.extras.retain(|e| e.name != extra.name);
            self.extras.push(merged);
        }
        for field in &input.custom_fields {
            self.set_custom_field(field.clone());
        }
        for raw in &input.raw_custom_fields {
            self.set_raw_custom_field(raw.clone());
        }
        if input.extras.iter().any(|e| e.name == "addressbookList") {
            self.refresh_default_address();
        }
        self.customer.last_modified = now;
    }

    /// Sets the read-only `defaultAddress` to the text of the default billing address, or of
    /// the first address when none is marked.
    fn refresh_default_address(&mut self) {
        let Some(list) = self.extras.iter().find(|e| e.name == "addressbookList") else {
            return;
        };
        let is_default = |entry: &&Element| {
            entry
                .child_named("defaultBilling")
                .is_some_and(|flag| flag.trimmed_text() == "true")
        };
        let entry = list
            .children
            .iter()
            .find(is_default)
            .or(list.children.first());
        let text = entry
            .and_then(|entry| entry.child_named("addressbookAddress"))
            .and_then(|address| address.child_named("addrText"))
            .map(|text| text.text.clone());
        let template = list.clone();
        self.extras.retain(|e| e.name != "defaultAddress");
        if let Some(text) = text {
            let mut default_address = template;
            default_address.name = "defaultAddress".to_string();
            default_address.attrs.clear();
            default_address.children.clear();
            default_address.text = text;
            self.extras.push(default_address);
        }
    }

    fn apply_modelled_fields(&mut self, input: &CustomerInput) {
        let customer = &mut self.customer;
        if let Some(external_id) = &input.external_id {
            customer.external_id = Some(external_id.clone());
        }
        let texts = [
            (&input.entity_id, &mut customer.entity_id),
            (&input.company_name, &mut customer.company_name),
            (&input.email, &mut customer.email),
            (&input.phone, &mut customer.phone),
            (&input.url, &mut customer.url),
        ];
        for (sent, stored) in texts {
            if let Some(value) = sent {
                *stored = Some(value.clone());
            }
        }
        if let Some(is_inactive) = input.is_inactive {
            customer.is_inactive = is_inactive;
        }
    }

    fn clear_null_fields(&mut self, names: &[String]) {
        for name in names {
            let customer = &mut self.customer;
            match name.as_str() {
                "entityId" => customer.entity_id = None,
                "companyName" => customer.company_name = None,
                "email" => customer.email = None,
                "phone" => customer.phone = None,
                "url" => customer.url = None,
                "isInactive" => customer.is_inactive = false,
                _ => self.clear_other_field(name),
            }
        }
    }

    fn clear_other_field(&mut self, name: &str) {
        self.extras.retain(|e| e.name != name);
        self.customer
            .custom_fields
            .retain(|f| f.script_id != name && f.internal_id.as_deref() != Some(name));
        self.raw_custom_fields.retain(|raw| {
            raw.attr("scriptId") != Some(name) && raw.attr("internalId") != Some(name)
        });
    }

    fn set_custom_field(&mut self, field: CustomField) {
        let fields = &mut self.customer.custom_fields;
        self.raw_custom_fields
            .retain(|raw| raw.attr("scriptId") != Some(field.script_id.as_str()));
        match fields.iter_mut().find(|f| f.script_id == field.script_id) {
            Some(existing) => *existing = field,
            None => fields.push(field),
        }
    }

    fn set_raw_custom_field(&mut self, raw: Element) {
        let script_id = raw.attr("scriptId").unwrap_or_default().to_string();
        self.customer
            .custom_fields
            .retain(|f| f.script_id != script_id);
        match self
            .raw_custom_fields
            .iter_mut()
            .find(|r| r.attr("scriptId") == Some(script_id.as_str()))
        {
            Some(existing) => *existing = raw,
            None => self.raw_custom_fields.push(raw),
        }
    }

    /// Returns true when the record is an individual (`isPerson` true), for which NetSuite does
    /// not require a company name.
    pub fn is_person(&self) -> bool {
        self.extras
            .iter()
            .find(|e| e.name == "isPerson")
            .is_some_and(|e| matches!(e.trimmed_text(), "true" | "1"))
    }
}

/// Checks a write as NetSuite does and returns the first error. `merged` is the record as it
/// would be after the write; `is_add` is true when the write creates the record.
pub(crate) fn validate(
    input: &CustomerInput,
    merged: &StoredCustomer,
    is_add: bool,
    ignore_read_only: bool,
) -> Option<StatusDetail> {
    if !ignore_read_only && let Some(field) = input.read_only_fields.first() {
        return Some(StatusDetail::read_only(&field.to_ascii_lowercase()));
    }
    if let Some(error) = check_lengths(input) {
        return Some(error);
    }
    if let Some(email) = &input.email
        && !looks_like_email(email)
    {
        return Some(StatusDetail::invalid_field_value(email, "email"));
    }
    let touches_company =
        input.company_name.is_some() || input.null_fields.iter().any(|name| name == "companyName");
    let company_missing = merged.customer.company_name.is_none() && !merged.is_person();
    if (is_add || touches_company) && company_missing {
        return Some(StatusDetail::required_fields(&["Company Name"]));
    }
    None
}

fn check_lengths(input: &CustomerInput) -> Option<StatusDetail> {
    let sent = [
        &input.company_name,
        &input.email,
        &input.phone,
        &input.url,
        &input.entity_id,
    ];
    MAX_LENGTHS
        .iter()
        .zip(sent)
        .find(|((_, _, max), value)| value.as_ref().is_some_and(|v| v.chars().count() > *max))
        .map(|((_, field_id, max), _)| StatusDetail::too_long(field_id, *max))
}

/// Accepts `local@domain.tld` without spaces, the shape NetSuite's email fields require.
fn looks_like_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let no_spaces = !value.chars().any(char::is_whitespace);
    let dotted_domain = domain
        .split('.')
        .collect::<Vec<_>>()
        .windows(2)
        .all(|pair| !pair[0].is_empty() && !pair[1].is_empty())
        && domain.contains('.');
    no_spaces && !local.is_empty() && !domain.contains('@') && dotted_domain
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CustomerInput {
        CustomerInput::default()
    }

    #[test]
    fn looks_like_email_accepts_plain_addresses() {
        assert!(looks_like_email("ana@example.com"));
        assert!(looks_like_email("a.b+c@mail.example.co.uk"));
        assert!(!looks_like_email("ana"));
        assert!(!looks_like_email("ana@example"));
        assert!(!looks_like_email("ana@@example.com"));
        assert!(!looks_like_email("an a@example.com"));
        assert!(!looks_like_email("ana@example..com"));
    }

    #[test]
    fn validate_requires_company_name_on_add() {
        let merged = StoredCustomer::new("1".into(), Utc::now());
        let error = validate(&input(), &merged, true, false).unwrap();
        assert_eq!(error.message, "Please enter value(s) for: Company Name");
    }

    #[test]
    fn validate_rejects_long_phone() {
        let mut sent = input();
        sent.phone = Some("1".repeat(33));
        let merged = StoredCustomer::new("1".into(), Utc::now());
        let error = validate(&sent, &merged, false, false).unwrap();
        assert_eq!(error.code, "USER_ERROR");
        assert!(error.message.contains("phone"));
    }

    #[test]
    fn validate_rejects_read_only_unless_ignored() {
        let mut sent = input();
        sent.read_only_fields.push("lastModifiedDate".into());
        let mut merged = StoredCustomer::new("1".into(), Utc::now());
        merged.customer.company_name = Some("Acme".into());
        let error = validate(&sent, &merged, false, false).unwrap();
        assert_eq!(error.code, "INSUFFICIENT_PERMISSION");
        assert_eq!(validate(&sent, &merged, false, true), None);
    }

    #[test]
    fn apply_clears_only_null_fields() {
        let mut stored = StoredCustomer::new("1".into(), Utc::now());
        stored.customer.phone = Some("555".into());
        stored.customer.email = Some("a@b.co".into());
        let mut sent = input();
        sent.null_fields.push("phone".into());
        stored.apply(&sent, Utc::now());
        assert_eq!(stored.customer.phone, None);
        assert_eq!(stored.customer.email.as_deref(), Some("a@b.co"));
    }
}

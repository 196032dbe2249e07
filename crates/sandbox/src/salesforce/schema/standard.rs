//! The standard objects of a new org, reduced to the fields an integration reads and writes.
//!
//! Names, labels, types and lengths follow the describe results of a real org (Account,
//! Contact and Opportunity recorded in the repository's corpus) and Salesforce's object
//! reference for the others.

use serde_json::json;

use super::{Access, FieldDef, FieldType as T, ObjectDef};

use Access::{Defaulted, Optional, Required, System};

/// Picklist values of `Account.Type` in a new org.
const ACCOUNT_TYPES: &[&str] = &[
    "Prospect",
    "Customer - Direct",
    "Customer - Channel",
    "Channel Partner / Reseller",
    "Installation Partner",
    "Technology Partner",
    "Other",
];

/// Opportunity stages of a new org, in sales order, with their default probability.
pub(crate) const OPPORTUNITY_STAGES: &[(&str, f64)] = &[
    ("Prospecting", 10.0),
    ("Qualification", 10.0),
    ("Needs Analysis", 20.0),
    ("Value Proposition", 50.0),
    ("Id. Decision Makers", 60.0),
    ("Perception Analysis", 70.0),
    ("Proposal/Price Quote", 75.0),
    ("Negotiation/Review", 90.0),
    ("Closed Won", 100.0),
    ("Closed Lost", 0.0),
];

fn field(name: &str, label: &str, kind: T, length: usize, access: Access) -> FieldDef {
    FieldDef::new(name, label, kind, length, access)
}

fn reference(name: &str, label: &str, targets: &[&str], access: Access) -> FieldDef {
    field(name, label, T::Reference, 18, access).references(targets)
}

fn owner() -> FieldDef {
    reference("OwnerId", "Owner ID", &["User"], Defaulted)
}

/// Returns the audit fields every object carries, in describe order.
fn audit_fields() -> Vec<FieldDef> {
    vec![
        field("CreatedDate", "Created Date", T::DateTime, 0, System),
        reference("CreatedById", "Created By ID", &["User"], System),
        field(
            "LastModifiedDate",
            "Last Modified Date",
            T::DateTime,
            0,
            System,
        ),
        reference("LastModifiedById", "Last Modified By ID", &["User"], System),
        field("SystemModstamp", "System Modstamp", T::DateTime, 0, System),
    ]
}

/// Builds an object: `Id` and `IsDeleted` first, then `fields`, then the audit fields.
pub(crate) fn object(
    names: (&str, &str, &str),
    key_prefix: &str,
    createable: bool,
    fields: Vec<FieldDef>,
) -> ObjectDef {
    let (name, label, label_plural) = names;
    let mut all = vec![
        field("Id", &format!("{label} ID"), T::Id, 18, System),
        field("IsDeleted", "Deleted", T::Boolean, 0, System),
    ];
    all.extend(fields);
    all.extend(audit_fields());
    ObjectDef {
        name: name.to_string(),
        label: label.to_string(),
        label_plural: label_plural.to_string(),
        key_prefix: key_prefix.to_string(),
        createable,
        fields: all,
    }
}

/// Returns the Account object.
pub(crate) fn account() -> ObjectDef {
    let fields = vec![
        field("Name", "Account Name", T::String, 255, Required),
        field("Type", "Account Type", T::Picklist, 40, Optional).picklist(ACCOUNT_TYPES, false),
        reference("ParentId", "Parent Account ID", &["Account"], Optional)
            .child_relationship("ChildAccounts"),
        field(
            "BillingStreet",
            "Billing Street",
            T::TextArea,
            255,
            Optional,
        ),
        field("BillingCity", "Billing City", T::String, 40, Optional),
        field(
            "BillingState",
            "Billing State/Province",
            T::String,
            80,
            Optional,
        ),
        field(
            "BillingPostalCode",
            "Billing Zip/Postal Code",
            T::String,
            20,
            Optional,
        ),
        field("BillingCountry", "Billing Country", T::String, 80, Optional),
        field("Phone", "Account Phone", T::Phone, 40, Optional),
        field("Website", "Website", T::Url, 255, Optional),
        owner(),
    ];
    object(("Account", "Account", "Accounts"), "001", true, fields)
}

/// Returns the User object, reduced to the fields that identify a user.
pub(crate) fn user() -> ObjectDef {
    let fields = vec![
        field("Username", "Username", T::String, 80, System),
        field("Name", "Full Name", T::String, 121, System),
        field("Email", "Email", T::Email, 128, System),
        field("IsActive", "Active", T::Boolean, 0, System),
    ];
    let mut user = object(("User", "User", "Users"), "005", false, fields);
    // Users are never in the recycle bin, so the object has no IsDeleted.
    user.fields.retain(|field| field.name != "IsDeleted");
    user
}

fn contact() -> ObjectDef {
    let fields = vec![
        reference("AccountId", "Account ID", &["Account"], Optional).child_relationship("Contacts"),
        field("LastName", "Last Name", T::String, 80, Required),
        field("FirstName", "First Name", T::String, 40, Optional),
        field("Name", "Full Name", T::String, 121, System),
        field("Title", "Title", T::String, 128, Optional),
        field("Email", "Email", T::Email, 80, Optional).id_lookup(),
        field("Phone", "Business Phone", T::Phone, 40, Optional),
        owner(),
    ];
    object(("Contact", "Contact", "Contacts"), "003", true, fields)
}

fn opportunity() -> ObjectDef {
    let stages: Vec<&str> = OPPORTUNITY_STAGES.iter().map(|(stage, _)| *stage).collect();
    let fields = vec![
        reference("AccountId", "Account ID", &["Account"], Optional)
            .child_relationship("Opportunities"),
        field("Name", "Name", T::String, 120, Required),
        field("StageName", "Stage", T::Picklist, 255, Required).picklist(&stages, true),
        field("Amount", "Amount", T::Currency, 0, Optional),
        field("Probability", "Probability (%)", T::Percent, 0, Optional),
        field("CloseDate", "Close Date", T::Date, 0, Required),
        field("IsClosed", "Closed", T::Boolean, 0, System),
        field("IsWon", "Won", T::Boolean, 0, System),
        reference("Pricebook2Id", "Price Book ID", &["Pricebook2"], Optional)
            .child_relationship("Opportunities"),
        owner(),
    ];
    object(
        ("Opportunity", "Opportunity", "Opportunities"),
        "006",
        true,
        fields,
    )
}

fn product() -> ObjectDef {
    let fields = vec![
        field("Name", "Product Name", T::String, 255, Required),
        field("ProductCode", "Product Code", T::String, 255, Optional),
        field(
            "Description",
            "Product Description",
            T::TextArea,
            4000,
            Optional,
        ),
        field("IsActive", "Active", T::Boolean, 0, Optional),
        field("Family", "Product Family", T::Picklist, 40, Optional).picklist(&["None"], false),
        field(
            "QuantityUnitOfMeasure",
            "Quantity Unit Of Measure",
            T::Picklist,
            255,
            Optional,
        )
        .picklist(&["Each"], false),
    ];
    object(("Product2", "Product", "Products"), "01t", true, fields)
}

fn pricebook() -> ObjectDef {
    let fields = vec![
        field("Name", "Price Book Name", T::String, 255, Required),
        field("IsActive", "Active", T::Boolean, 0, Optional),
        field(
            "IsStandard",
            "Is Standard Price Book",
            T::Boolean,
            0,
            System,
        ),
        field("Description", "Description", T::String, 255, Optional),
    ];
    object(
        ("Pricebook2", "Price Book", "Price Books"),
        "01s",
        true,
        fields,
    )
}

fn pricebook_entry() -> ObjectDef {
    let fields = vec![
        field("Name", "Product Name", T::String, 255, System),
        reference("Pricebook2Id", "Price Book ID", &["Pricebook2"], Optional)
            .required_on_create(true)
            .child_relationship("PricebookEntries"),
        reference("Product2Id", "Product ID", &["Product2"], Optional)
            .required_on_create(true)
            .child_relationship("PricebookEntries"),
        field("UnitPrice", "List Price", T::Currency, 0, Required),
        field("IsActive", "Active", T::Boolean, 0, Optional),
        field(
            "UseStandardPrice",
            "Use Standard Price",
            T::Boolean,
            0,
            Optional,
        ),
        field("ProductCode", "Product Code", T::String, 255, System),
    ];
    let names = ("PricebookEntry", "Price Book Entry", "Price Book Entries");
    object(names, "01u", true, fields)
}

fn opportunity_line_item() -> ObjectDef {
    let fields = vec![
        reference(
            "OpportunityId",
            "Opportunity ID",
            &["Opportunity"],
            Optional,
        )
        .required_on_create(true)
        .child_relationship("OpportunityLineItems"),
        reference(
            "PricebookEntryId",
            "Price Book Entry ID",
            &["PricebookEntry"],
            Optional,
        )
        .required_on_create(true)
        .child_relationship("OpportunityLineItems"),
        reference("Product2Id", "Product ID", &["Product2"], System),
        field("Name", "Opportunity Product Name", T::String, 376, System),
        field("Quantity", "Quantity", T::Double, 0, Required),
        field("UnitPrice", "Sales Price", T::Currency, 0, Optional),
        field("Discount", "Discount", T::Percent, 0, Optional),
        field("TotalPrice", "Total Price", T::Currency, 0, Optional),
        field("ListPrice", "List Price", T::Currency, 0, System),
        field("Description", "Line Description", T::String, 255, Optional),
    ];
    let names = (
        "OpportunityLineItem",
        "Opportunity Product",
        "Opportunity Product",
    );
    object(names, "00k", true, fields)
}

fn task() -> ObjectDef {
    let fields = vec![
        reference("WhoId", "Name ID", &["Contact"], Optional).child_relationship("Tasks"),
        reference(
            "WhatId",
            "Related To ID",
            &["Account", "Opportunity"],
            Optional,
        )
        .child_relationship("Tasks"),
        field("Subject", "Subject", T::String, 255, Optional),
        field("ActivityDate", "Due Date Only", T::Date, 0, Optional),
        field("Status", "Status", T::Picklist, 255, Required)
            .picklist(
                &[
                    "Not Started",
                    "In Progress",
                    "Completed",
                    "Waiting on someone else",
                    "Deferred",
                ],
                true,
            )
            .default(json!("Not Started")),
        field("Priority", "Priority", T::Picklist, 40, Required)
            .picklist(&["High", "Normal", "Low"], true)
            .default(json!("Normal")),
        field("Description", "Description", T::TextArea, 32000, Optional),
        owner(),
    ];
    object(("Task", "Task", "Tasks"), "00T", true, fields)
}

/// Returns every object of a new org, in the order of a global describe.
pub(crate) fn standard_objects() -> Vec<ObjectDef> {
    vec![
        account(),
        contact(),
        opportunity(),
        opportunity_line_item(),
        pricebook(),
        pricebook_entry(),
        product(),
        task(),
        user(),
    ]
}

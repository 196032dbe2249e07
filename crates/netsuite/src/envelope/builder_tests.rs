//! Exact-XML tests of the list, delete, read, search and other request builders, and of
//! records with sublists.

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::America::Chicago;

use super::*;
use crate::operations::Operation;
use crate::operations::get::{GetAllRequest, GetRequest};
use crate::operations::other::{
    DeletedFilter, GetDeletedRequest, GetSelectValueRequest, GetServerTimeRequest, SelectField,
    SelectFilterOperator,
};
use crate::operations::search::{
    AdvancedSearch, Column, Criterion, CriterionValue, CustomColumnKind, NumberOperator,
    SearchRecord, SearchRequest, StringOperator,
};
use crate::operations::write::{DeleteRequest, DeletionReason, WriteRequest};
use crate::records::typed::Address;
use crate::records::typed::{
    AddressbookEntry, Customer, InventoryItem, Item, Lines, Price, Pricing, SalesOrder,
    SalesOrderLine, TypedRecord,
};
use crate::records::{BodyValue, Record, RecordRef};

const TAIL: &str = "</soapenv:Body></soapenv:Envelope>";

/// Renders `body` without a passport, with optional headers.
fn render_with(
    body: &dyn RequestBody,
    preferences: Option<&WritePreferences>,
    search: Option<&SearchPreferences>,
) -> String {
    let envelope = Envelope {
        version: "2025_2",
        passport: None,
        preferences,
        search_preferences: search,
        body,
    };
    String::from_utf8(envelope.render()).unwrap()
}

fn render(body: &dyn RequestBody) -> String {
    render_with(body, None, None)
}

/// Returns the envelope start, which declares the platform namespaces and `extra`.
fn head(extra: &[(&str, &str)]) -> String {
    let mut head = concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/""#,
        r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#,
        r#" xmlns:platformMsgs="urn:messages_2025_2.platform.webservices.netsuite.com""#,
        r#" xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com""#,
        r#" xmlns:platformCommon="urn:common_2025_2.platform.webservices.netsuite.com""#,
    )
    .to_string();
    for (prefix, uri) in extra {
        head.push_str(&format!(
            r#" xmlns:{prefix}="urn:{uri}.webservices.netsuite.com""#
        ));
    }
    head.push('>');
    head
}

fn expected(extra: &[(&str, &str)], body: &str) -> String {
    format!("{}<soapenv:Body>{body}{TAIL}", head(extra))
}

const LIST_REL: (&str, &str) = ("listRel", "relationships_2025_2.lists");
const LIST_ACCT: (&str, &str) = ("listAcct", "accounting_2025_2.lists");
const TRAN_SALES: (&str, &str) = ("tranSales", "sales_2025_2.transactions");

fn customer(external_id: &str, company: &str) -> Record {
    let mut record = Record::new("customer");
    record.external_id = Some(external_id.to_string());
    record.fields.push((
        "companyName".to_string(),
        BodyValue::Text(company.to_string()),
    ));
    record
}

#[test]
fn add_list_writes_every_record_in_order() {
    let records = [customer("A-1", "Alpha"), customer("A-2", "Beta")];
    let checked = records
        .iter()
        .map(|record| WriteRequest::check(Operation::AddList, record).unwrap())
        .collect();
    let request = WriteRequest::list(Operation::AddList, checked);
    let body = concat!(
        "<platformMsgs:addList>",
        r#"<platformMsgs:record xsi:type="listRel:Customer" externalId="A-1">"#,
        "<listRel:companyName>Alpha</listRel:companyName></platformMsgs:record>",
        r#"<platformMsgs:record xsi:type="listRel:Customer" externalId="A-2">"#,
        "<listRel:companyName>Beta</listRel:companyName></platformMsgs:record>",
        "</platformMsgs:addList>",
    );
    assert_eq!(render(&request), expected(&[LIST_REL], body));
}

#[test]
fn upsert_list_requires_external_ids() {
    let mut record = customer("A-1", "Alpha");
    record.external_id = None;
    let error = WriteRequest::check(Operation::UpsertList, &record).unwrap_err();
    assert!(error.to_string().contains("external ID"), "{error}");
}

#[test]
fn sales_order_writes_item_lines_with_explicit_replace_all() {
    let line = |item: &str, quantity: f64, rate: &str| SalesOrderLine {
        item: Some(RecordRef::id(item)),
        quantity: Some(quantity),
        price: Some(RecordRef::id("-1")),
        rate: Some(rate.to_string()),
        ..SalesOrderLine::default()
    };
    let order = SalesOrder {
        external_id: Some("006A1".to_string()),
        entity: Some(RecordRef::id("988")),
        tran_date: NaiveDate::from_ymd_opt(2025, 2, 21),
        memo: Some("Closed Won".to_string()),
        items: Some(Lines {
            replace_all: false,
            lines: vec![line("55", 2.0, "19.99"), line("56", 1.0, "10%")],
        }),
        ..SalesOrder::default()
    };
    let record = order.to_record(Chicago);
    let request = WriteRequest::new(Operation::Upsert, &record).unwrap();
    let item = |id: &str, quantity: &str, rate: &str| {
        format!(
            concat!(
                "<tranSales:item>",
                r#"<tranSales:item internalId="{id}"/>"#,
                "<tranSales:quantity>{quantity}</tranSales:quantity>",
                r#"<tranSales:price internalId="-1"/>"#,
                "<tranSales:rate>{rate}</tranSales:rate>",
                "</tranSales:item>"
            ),
            id = id,
            quantity = quantity,
            rate = rate
        )
    };
    let body = format!(
        concat!(
            "<platformMsgs:upsert>",
            r#"<platformMsgs:record xsi:type="tranSales:SalesOrder" externalId="006A1">"#,
            r#"<tranSales:entity internalId="988"/>"#,
            "<tranSales:tranDate>2025-02-21T00:00:00.000-06:00</tranSales:tranDate>",
            "<tranSales:memo>Closed Won</tranSales:memo>",
            r#"<tranSales:itemList replaceAll="false">{first}{second}</tranSales:itemList>"#,
            "</platformMsgs:record></platformMsgs:upsert>"
        ),
        first = item("55", "2", "19.99"),
        second = item("56", "1", "10%"),
    );
    assert_eq!(render(&request), expected(&[TRAN_SALES], &body));
}

#[test]
fn customer_addressbook_writes_address_in_common_namespace() {
    let entry = |label: &str, city: &str, billing: bool| AddressbookEntry {
        label: Some(label.to_string()),
        default_billing: Some(billing),
        address: Some(Address {
            country: Some("_unitedStates".to_string()),
            addr1: Some("1 Main St".to_string()),
            city: Some(city.to_string()),
            ..Address::default()
        }),
        ..AddressbookEntry::default()
    };
    let customer = Customer {
        internal_id: Some("988".to_string()),
        addressbook: Some(Lines {
            replace_all: true,
            lines: vec![entry("HQ", "Chicago", true), entry("Plant", "Gary", false)],
        }),
        ..Customer::default()
    };
    let request = WriteRequest::new(Operation::Update, &customer.to_record(Chicago)).unwrap();
    let address = |label: &str, city: &str, billing: bool| {
        format!(
            concat!(
                "<listRel:addressbook>",
                "<listRel:defaultBilling>{billing}</listRel:defaultBilling>",
                "<listRel:label>{label}</listRel:label>",
                "<listRel:addressbookAddress>",
                "<platformCommon:country>_unitedStates</platformCommon:country>",
                "<platformCommon:addr1>1 Main St</platformCommon:addr1>",
                "<platformCommon:city>{city}</platformCommon:city>",
                "</listRel:addressbookAddress></listRel:addressbook>"
            ),
            billing = billing,
            label = label,
            city = city
        )
    };
    let body = format!(
        concat!(
            "<platformMsgs:update>",
            r#"<platformMsgs:record xsi:type="listRel:Customer" internalId="988">"#,
            r#"<listRel:addressbookList replaceAll="true">{first}{second}</listRel:addressbookList>"#,
            "</platformMsgs:record></platformMsgs:update>"
        ),
        first = address("HQ", "Chicago", true),
        second = address("Plant", "Gary", false),
    );
    assert_eq!(render(&request), expected(&[LIST_REL], &body));
}

#[test]
fn inventory_item_writes_pricing_matrix_per_currency() {
    let pricing = |currency: &str, level: &str, value: f64| Pricing {
        currency: Some(RecordRef::id(currency)),
        price_level: Some(RecordRef::id(level)),
        prices: vec![Price {
            value,
            quantity: Some(0.0),
        }],
        ..Pricing::default()
    };
    let item = InventoryItem(Item {
        internal_id: Some("38".to_string()),
        pricing: Some(Lines {
            replace_all: false,
            lines: vec![pricing("1", "1", 899.0), pricing("2", "1", 799.5)],
        }),
        ..Item::default()
    });
    let request = WriteRequest::new(Operation::Update, &item.to_record(Chicago)).unwrap();
    let line = |currency: &str, value: &str| {
        format!(
            concat!(
                "<listAcct:pricing>",
                r#"<listAcct:currency internalId="{currency}"/>"#,
                r#"<listAcct:priceLevel internalId="1"/>"#,
                "<listAcct:priceList><listAcct:price>",
                "<listAcct:value>{value}</listAcct:value>",
                "<listAcct:quantity>0</listAcct:quantity>",
                "</listAcct:price></listAcct:priceList></listAcct:pricing>"
            ),
            currency = currency,
            value = value
        )
    };
    let body = format!(
        concat!(
            "<platformMsgs:update>",
            r#"<platformMsgs:record xsi:type="listAcct:InventoryItem" internalId="38">"#,
            r#"<listAcct:pricingMatrix replaceAll="false">{first}{second}</listAcct:pricingMatrix>"#,
            "</platformMsgs:record></platformMsgs:update>"
        ),
        first = line("1", "899"),
        second = line("2", "799.5"),
    );
    assert_eq!(render(&request), expected(&[LIST_ACCT], &body));
}

#[test]
fn generic_record_keeps_caller_order_and_namespace() {
    let mut record = Record::new("vendorBill");
    record.external_id = Some("BILL-1".to_string());
    record
        .fields
        .push(("memo".to_string(), BodyValue::Text("Q1".to_string())));
    record.fields.push((
        "entity".to_string(),
        BodyValue::Ref(RecordRef::named("Acme Supplies")),
    ));
    let request = WriteRequest::new(Operation::Add, &record).unwrap();
    let body = concat!(
        "<platformMsgs:add>",
        r#"<platformMsgs:record xsi:type="tranPurch:VendorBill" externalId="BILL-1">"#,
        "<tranPurch:memo>Q1</tranPurch:memo>",
        "<tranPurch:entity><platformCore:name>Acme Supplies</platformCore:name></tranPurch:entity>",
        "</platformMsgs:record></platformMsgs:add>",
    );
    let purchases = ("tranPurch", "purchases_2025_2.transactions");
    assert_eq!(render(&request), expected(&[purchases], body));
}

#[test]
fn delete_writes_reason() {
    let reason = DeletionReason {
        code: RecordRef::id("3"),
        memo: Some("Duplicate".to_string()),
    };
    let reference = RecordRef::internal("invoice", "77");
    let request = DeleteRequest::new(Operation::Delete, &[reference], Some(&reason)).unwrap();
    let body = concat!(
        "<platformMsgs:delete>",
        r#"<platformMsgs:baseRef xsi:type="platformCore:RecordRef" internalId="77" type="invoice"/>"#,
        "<platformMsgs:deletionReason>",
        r#"<platformCore:deletionReasonCode internalId="3"/>"#,
        "<platformCore:deletionReasonMemo>Duplicate</platformCore:deletionReasonMemo>",
        "</platformMsgs:deletionReason></platformMsgs:delete>",
    );
    assert_eq!(render(&request), expected(&[], body));
}

#[test]
fn delete_list_and_get_list_write_base_refs() {
    let references = [
        RecordRef::internal("customer", "1"),
        RecordRef::external("customer", "SF-2"),
    ];
    let refs = concat!(
        r#"<platformMsgs:baseRef xsi:type="platformCore:RecordRef" internalId="1" type="customer"/>"#,
        r#"<platformMsgs:baseRef xsi:type="platformCore:RecordRef" externalId="SF-2" type="customer"/>"#,
    );
    let delete = DeleteRequest::new(Operation::DeleteList, &references, None).unwrap();
    let body = format!("<platformMsgs:deleteList>{refs}</platformMsgs:deleteList>");
    assert_eq!(render(&delete), expected(&[], &body));
    let get = GetRequest::list(references.to_vec());
    let body = format!("<platformMsgs:getList>{refs}</platformMsgs:getList>");
    assert_eq!(render(&get), expected(&[], &body));
}

#[test]
fn get_all_writes_record_type() {
    let request = GetAllRequest::new("currency").unwrap();
    let body = r#"<platformMsgs:getAll><platformMsgs:record recordType="currency"/></platformMsgs:getAll>"#;
    assert_eq!(render(&request), expected(&[], body));
}

#[test]
fn get_deleted_writes_window_and_types() {
    let filter = DeletedFilter {
        deleted_from: Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap(),
        deleted_to: Some(Utc.with_ymd_and_hms(2025, 3, 1, 10, 15, 0).unwrap()),
        record_types: vec!["customer".to_string(), "invoice".to_string()],
    };
    let request = GetDeletedRequest::new(&filter, 2).unwrap();
    let body = concat!(
        "<platformMsgs:getDeleted><platformMsgs:getDeletedFilter>",
        r#"<platformCore:deletedDate operator="within">"#,
        "<platformCore:searchValue>2025-03-01T10:00:00.000Z</platformCore:searchValue>",
        "<platformCore:searchValue2>2025-03-01T10:15:00.000Z</platformCore:searchValue2>",
        "</platformCore:deletedDate>",
        r#"<platformCore:type operator="anyOf">"#,
        "<platformCore:searchValue>customer</platformCore:searchValue>",
        "<platformCore:searchValue>invoice</platformCore:searchValue>",
        "</platformCore:type></platformMsgs:getDeletedFilter>",
        "<platformMsgs:pageIndex>2</platformMsgs:pageIndex></platformMsgs:getDeleted>",
    );
    assert_eq!(render(&request), expected(&[], body));
}

#[test]
fn get_select_value_writes_field_description() {
    let field = SelectField {
        record_type: "salesOrder".to_string(),
        sublist: Some("itemList".to_string()),
        field: "item".to_string(),
        filter: Some((SelectFilterOperator::StartsWith, "Widget".to_string())),
    };
    let request = GetSelectValueRequest::new(&field, 1).unwrap();
    let body = concat!(
        "<platformMsgs:getSelectValue><platformMsgs:fieldDescription>",
        "<platformCore:recordType>salesOrder</platformCore:recordType>",
        "<platformCore:sublist>itemList</platformCore:sublist>",
        "<platformCore:field>item</platformCore:field>",
        r#"<platformCore:filter operator="startsWith">"#,
        "<platformCore:filterValue>Widget</platformCore:filterValue></platformCore:filter>",
        "</platformMsgs:fieldDescription>",
        "<platformMsgs:pageIndex>1</platformMsgs:pageIndex></platformMsgs:getSelectValue>",
    );
    assert_eq!(render(&request), expected(&[], body));
}

#[test]
fn get_server_time_writes_empty_element() {
    let body = "<platformMsgs:getServerTime/>";
    assert_eq!(render(&GetServerTimeRequest), expected(&[], body));
}

#[test]
fn joined_search_writes_groups_and_custom_criteria() {
    let search = SearchRecord::new("customer")
        .with_join(
            "contactJoin",
            Criterion::new(
                "email",
                CriterionValue::String {
                    operator: StringOperator::Is,
                    value: "ap@example.com".to_string(),
                },
            ),
        )
        .with(Criterion::new(
            "balance",
            CriterionValue::Number {
                operator: NumberOperator::Between,
                value: 100.0,
                second: Some(500.5),
            },
        ))
        .with_custom("custentity_vip", CriterionValue::Boolean(true));
    let request = SearchRequest::new(&search).unwrap();
    let body = concat!(
        "<platformMsgs:search>",
        r#"<platformMsgs:searchRecord xsi:type="listRel:CustomerSearch"><listRel:basic>"#,
        r#"<platformCommon:balance operator="between">"#,
        "<platformCore:searchValue>100</platformCore:searchValue>",
        "<platformCore:searchValue2>500.5</platformCore:searchValue2></platformCommon:balance>",
        "<platformCommon:customFieldList>",
        r#"<platformCore:customField xsi:type="platformCore:SearchBooleanCustomField" scriptId="custentity_vip">"#,
        "<platformCore:searchValue>true</platformCore:searchValue></platformCore:customField>",
        "</platformCommon:customFieldList></listRel:basic>",
        "<listRel:contactJoin>",
        r#"<platformCommon:email operator="is">"#,
        "<platformCore:searchValue>ap@example.com</platformCore:searchValue>",
        "</platformCommon:email></listRel:contactJoin>",
        "</platformMsgs:searchRecord></platformMsgs:search>",
    );
    assert_eq!(render(&request), expected(&[LIST_REL], body));
}

#[test]
fn transaction_search_keeps_its_own_kind() {
    let search = SearchRecord::new("salesOrder").with(Criterion::new(
        "lastModifiedDate",
        CriterionValue::Date {
            operator: crate::operations::search::DateOperator::After,
            value: Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap(),
            second: None,
        },
    ));
    let request = SearchRequest::new(&search).unwrap();
    let preferences = SearchPreferences {
        body_fields_only: false,
        return_search_columns: false,
        page_size: 100,
    };
    let header = concat!(
        "<soapenv:Header><platformMsgs:searchPreferences>",
        "<platformMsgs:bodyFieldsOnly>false</platformMsgs:bodyFieldsOnly>",
        "<platformMsgs:returnSearchColumns>false</platformMsgs:returnSearchColumns>",
        "<platformMsgs:pageSize>100</platformMsgs:pageSize>",
        "</platformMsgs:searchPreferences></soapenv:Header>",
    );
    let body = concat!(
        "<platformMsgs:search>",
        r#"<platformMsgs:searchRecord xsi:type="tranSales:TransactionSearch"><tranSales:basic>"#,
        r#"<platformCommon:lastModifiedDate operator="after">"#,
        "<platformCore:searchValue>2025-03-01T10:00:00.000Z</platformCore:searchValue>",
        "</platformCommon:lastModifiedDate>",
        r#"<platformCommon:type operator="anyOf">"#,
        "<platformCore:searchValue>_salesOrder</platformCore:searchValue></platformCommon:type>",
        "</tranSales:basic></platformMsgs:searchRecord></platformMsgs:search>",
    );
    assert_eq!(
        render_with(&request, None, Some(&preferences)),
        format!("{}{header}<soapenv:Body>{body}{TAIL}", head(&[TRAN_SALES]))
    );
}

#[test]
fn advanced_search_writes_saved_search_and_columns() {
    let criteria = SearchRecord::new("invoice").with(Criterion::new(
        "otherRefNum",
        CriterionValue::TextNumber {
            operator: NumberOperator::GreaterThanOrEqualTo,
            value: "PO1000".to_string(),
            second: None,
        },
    ));
    let mut search = AdvancedSearch::new("invoice")
        .saved("customsearch_open_invoices_77")
        .column(Column::basic("tranId"))
        .column(Column::basic("amountRemaining"))
        .column(Column::joined("customerJoin", "email"))
        .column(Column::Custom {
            group: "basic".to_string(),
            script_id: "custbody_sf_id".to_string(),
            kind: CustomColumnKind::String,
        });
    search.saved_search_script_id = None;
    search.criteria = Some(criteria);
    let request = SearchRequest::advanced(&search).unwrap();
    let body = concat!(
        "<platformMsgs:search>",
        r#"<platformMsgs:searchRecord xsi:type="tranSales:TransactionSearchAdvanced""#,
        r#" savedSearchId="customsearch_open_invoices_77">"#,
        "<tranSales:criteria><tranSales:basic>",
        r#"<platformCommon:otherRefNum operator="greaterThanOrEqualTo">"#,
        "<platformCore:searchValue>PO1000</platformCore:searchValue></platformCommon:otherRefNum>",
        r#"<platformCommon:type operator="anyOf">"#,
        "<platformCore:searchValue>_invoice</platformCore:searchValue></platformCommon:type>",
        "</tranSales:basic></tranSales:criteria>",
        "<tranSales:columns><tranSales:basic>",
        "<platformCommon:amountRemaining/><platformCommon:tranId/>",
        "<platformCommon:customFieldList>",
        r#"<platformCore:customField xsi:type="platformCore:SearchColumnStringCustomField" scriptId="custbody_sf_id"/>"#,
        "</platformCommon:customFieldList></tranSales:basic>",
        "<tranSales:customerJoin><platformCommon:email/></tranSales:customerJoin>",
        "</tranSales:columns></platformMsgs:searchRecord></platformMsgs:search>",
    );
    assert_eq!(render(&request), expected(&[TRAN_SALES], body));
}

#[test]
fn write_preferences_header_follows_xsd_order() {
    let preferences = WritePreferences {
        warning_as_error: Some(true),
        ..WritePreferences::default()
    };
    let get = GetRequest::new(&RecordRef::internal("customer", "1")).unwrap();
    let header = concat!(
        "<soapenv:Header><platformMsgs:preferences>",
        "<platformMsgs:warningAsError>true</platformMsgs:warningAsError>",
        "<platformMsgs:ignoreReadOnlyFields>true</platformMsgs:ignoreReadOnlyFields>",
        "</platformMsgs:preferences></soapenv:Header>",
    );
    let body = concat!(
        "<platformMsgs:get>",
        r#"<platformMsgs:baseRef xsi:type="platformCore:RecordRef" internalId="1" type="customer"/>"#,
        "</platformMsgs:get>",
    );
    assert_eq!(
        render_with(&get, Some(&preferences), None),
        format!("{}{header}<soapenv:Body>{body}{TAIL}", head(&[]))
    );
}

//! Values read from named recordings of the corpus: list writes with mixed results, deletes,
//! getDeleted, getSelectValue, getAll, advanced search rows, sublists and typed records.

use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::America::Los_Angeles;
use tandem_engine::ErrorClass;

use super::*;
use crate::operations::StatusDetailType;
use crate::records::typed::{Currency, Customer, InventoryItem, Invoice, SalesOrder, TypedRecord};
use crate::records::{BodyValue, CustomValue, FieldAccess};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus/netsuite");
const NETSWEET: &str = "NetSweet__netsuite/spec/support/fixtures";
const ILOVEITALY: &str = "iloveitaly__netsuite_integration/spec/cassettes";
const RAILSDOG: &str = "railsdog__netsuite_integration/spec/cassettes";

fn corpus(path: &str) -> Vec<u8> {
    let full = Path::new(CORPUS).join(path);
    std::fs::read(&full).unwrap_or_else(|error| panic!("cannot read {}: {error}", full.display()))
}

fn netsweet(path: &str) -> Vec<u8> {
    corpus(&format!("{NETSWEET}/{path}"))
}

#[test]
fn add_list_with_errors_keeps_each_record_error() {
    let xml = netsweet("add_list/add_list_with_errors.xml");
    let list = write_list_response(&xml, Operation::AddList, 200)
        .unwrap()
        .body;
    assert_eq!(
        list.status.as_ref().map(|status| status.is_success),
        Some(false)
    );
    assert_eq!(list.responses.len(), 2);
    let second = &list.responses[1];
    assert!(!second.status.is_success);
    assert_eq!(second.status.details[0].code, "USER_ERROR");
    assert_eq!(
        second.status.details[0].message,
        "Please enter value(s) for: Item"
    );
    let base_ref = second.base_ref.as_ref().unwrap();
    assert_eq!(base_ref.external_id.as_deref(), Some("ext2-bad"));
    assert_eq!(base_ref.record_type.as_deref(), Some("customer"));
}

#[test]
fn add_list_with_existing_records_is_dup_entity() {
    let xml = netsweet("add_list/add_list_with_existing_records.xml");
    let list = write_list_response(&xml, Operation::AddList, 200)
        .unwrap()
        .body;
    let codes: Vec<&str> = list
        .responses
        .iter()
        .flat_map(|response| response.status.details.iter())
        .map(|detail| detail.code.as_str())
        .collect();
    assert!(codes.contains(&"DUP_ENTITY"), "{codes:?}");
}

#[test]
fn add_list_customers_returns_internal_ids_in_order() {
    let xml = netsweet("add_list/add_list_customers.xml");
    let list = write_list_response(&xml, Operation::AddList, 200)
        .unwrap()
        .body;
    assert!(list.responses.len() >= 2);
    assert!(
        list.responses
            .iter()
            .all(|response| response.status.is_success)
    );
    let ids: Vec<Option<&str>> = list
        .responses
        .iter()
        .map(|response| response.base_ref.as_ref().unwrap().internal_id.as_deref())
        .collect();
    assert!(ids.iter().all(Option::is_some), "{ids:?}");
}

#[test]
fn upsert_list_with_errors_names_external_ids() {
    let xml = netsweet("upsert_list/upsert_list_with_errors.xml");
    let list = write_list_response(&xml, Operation::UpsertList, 200)
        .unwrap()
        .body;
    assert_eq!(list.status, None);
    let external: Vec<&str> = list
        .responses
        .iter()
        .map(|response| {
            response
                .base_ref
                .as_ref()
                .unwrap()
                .external_id
                .as_deref()
                .unwrap()
        })
        .collect();
    assert_eq!(external, ["ext1", "ext2"]);
}

#[test]
fn update_list_with_errors_names_internal_ids() {
    let xml = netsweet("update_list/update_list_with_errors.xml");
    let list = write_list_response(&xml, Operation::UpdateList, 200)
        .unwrap()
        .body;
    let first = &list.responses[0];
    assert_eq!(
        first.base_ref.as_ref().unwrap().internal_id.as_deref(),
        Some("624172")
    );
    assert_eq!(
        first.status.details[0].message,
        "Please enter value(s) for: ItemId"
    );
}

#[test]
fn delete_list_with_errors_mixes_success_and_failure() {
    let xml = netsweet("delete_list/delete_list_customers_with_errors.xml");
    let list = write_list_response(&xml, Operation::DeleteList, 200)
        .unwrap()
        .body;
    assert_eq!(list.responses.len(), 2);
    assert!(list.responses[0].status.is_success);
    assert_eq!(
        list.responses[0]
            .base_ref
            .as_ref()
            .unwrap()
            .internal_id
            .as_deref(),
        Some("1")
    );
    let failed = &list.responses[1];
    assert!(!failed.status.is_success);
    assert_eq!(failed.status.details[0].code, "USER_EXCEPTION");
    assert_eq!(
        failed.base_ref.as_ref().unwrap().internal_id.as_deref(),
        Some("bad_id")
    );
}

#[test]
fn delete_customer_returns_base_ref() {
    let xml = netsweet("delete/delete_customer.xml");
    let response = write_response(&xml, Operation::Delete, 200).unwrap().body;
    assert!(response.status.is_success);
    let base_ref = response.base_ref.unwrap();
    assert_eq!(base_ref.internal_id.as_deref(), Some("980"));
    assert_eq!(base_ref.record_type.as_deref(), Some("customer"));
}

#[test]
fn get_deleted_invoices_reads_dates_in_utc() {
    let xml = netsweet("get_deleted/get_deleted_invoices.xml");
    let page = get_deleted_response(&xml, 200).unwrap().body;
    assert_eq!(page.total_records, Some(3));
    assert_eq!(page.page_size, Some(1000));
    assert_eq!(page.total_pages, Some(1));
    assert_eq!(page.records.len(), 3);
    let second = &page.records[1];
    assert_eq!(second.record.internal_id.as_deref(), Some("2"));
    assert_eq!(second.record.record_type.as_deref(), Some("invoice"));
    assert_eq!(
        second.deleted_at,
        Some(Utc.with_ymd_and_hms(2016, 12, 9, 21, 0, 0).unwrap())
    );
}

#[test]
fn get_select_value_reads_ship_methods() {
    let xml = netsweet("get_select_value/item_fulfillment_ship_method.xml");
    let page = get_select_value_response(&xml, 200).unwrap().body;
    assert_eq!(page.total_records, Some(8));
    assert_eq!(page.total_pages, Some(1));
    assert_eq!(page.values.len(), 8);
    assert_eq!(page.values[0].internal_id.as_deref(), Some("94"));
    assert_eq!(page.values[0].name.as_deref(), Some("Ground (Custom)"));
    assert_eq!(
        page.values[3].name.as_deref(),
        Some("UPS 2nd Day Air AM&#174;")
    );
}

#[test]
fn get_select_value_empty_result_has_warning() {
    let xml = netsweet("get_select_value/empty_result.xml");
    let page = get_select_value_response(&xml, 200).unwrap().body;
    assert!(page.status.is_success);
    assert_eq!(page.total_records, Some(0));
    assert!(page.values.is_empty());
    let warning = page.status.warnings().next().unwrap();
    assert_eq!(warning.code, "WARNING");
}

#[test]
fn get_all_currencies_reads_typed_currencies() {
    let xml = netsweet("get_all/get_all_currencies.xml");
    let result = get_all_response(&xml, 200).unwrap().body;
    assert_eq!(result.records.len(), 5);
    let pound = Currency::from_record(&result.records[1], Los_Angeles).unwrap();
    assert_eq!(pound.internal_id.as_deref(), Some("2"));
    assert_eq!(pound.name.as_deref(), Some("British pound"));
    assert_eq!(pound.symbol.as_deref(), Some("GBP"));
    assert_eq!(pound.exchange_rate, Some(2.365));
    assert_eq!(pound.is_base_currency, Some(false));
}

#[test]
fn get_all_insufficient_permission_is_config() {
    let xml = netsweet("get_all/get_all_insufficient_permissions.xml");
    let result = get_all_response(&xml, 200).unwrap().body;
    assert!(!result.status.is_success);
    let error = Error::Record {
        operation: "getAll",
        details: result.status.details,
    };
    assert_eq!(error.code(), "INSUFFICIENT_PERMISSION");
    assert_eq!(error.class(), ErrorClass::Config);
}

#[test]
fn get_invoice_reads_typed_invoice_with_lines() {
    let xml = netsweet("get/get_invoice.xml");
    let record = get_response(&xml, 200).unwrap().body.record.unwrap();
    let invoice = Invoice::from_record(&record, Los_Angeles).unwrap();
    assert_eq!(invoice.internal_id.as_deref(), Some("439"));
    assert_eq!(invoice.tran_id.as_deref(), Some("2187"));
    assert_eq!(
        invoice.entity.as_ref().unwrap().internal_id.as_deref(),
        Some("854")
    );
    assert_eq!(invoice.tran_date, NaiveDate::from_ymd_opt(2011, 1, 1));
    assert_eq!(invoice.due_date, NaiveDate::from_ymd_opt(2011, 1, 1));
    assert_eq!(invoice.amount_remaining, Some(15993.6));
    assert_eq!(invoice.total, Some(15993.6));
    assert_eq!(invoice.status.as_deref(), Some("Open"));
    let items = invoice.items.unwrap();
    assert!(items.replace_all);
    assert_eq!(items.lines.len(), 1);
    let line = &items.lines[0];
    assert_eq!(
        line.item.as_ref().unwrap().internal_id.as_deref(),
        Some("217")
    );
    assert_eq!(line.quantity, Some(1.0));
    assert_eq!(line.amount, Some(15993.6));
    assert_eq!(
        line.price.as_ref().unwrap().internal_id.as_deref(),
        Some("-1")
    );
}

#[test]
fn custom_field_with_internal_id_only_is_kept() {
    let xml = netsweet("get/get_invoice.xml");
    let record = get_response(&xml, 200).unwrap().body.record.unwrap();
    let field = record
        .custom_fields
        .iter()
        .find(|field| field.internal_id.as_deref() == Some("custbody_3rd_party"))
        .unwrap();
    assert_eq!(field.script_id, None);
    assert!(matches!(field.value, CustomValue::Boolean(_)));
}

#[test]
fn sales_order_reads_item_lines_and_status() {
    let xml = corpus(&format!(
        "{ILOVEITALY}/order/already_imported/01_get_response.xml"
    ));
    let record = get_response(&xml, 200).unwrap().body.record.unwrap();
    let order = SalesOrder::from_record(&record, Los_Angeles).unwrap();
    assert_eq!(order.internal_id.as_deref(), Some("7281"));
    assert_eq!(order.external_id.as_deref(), Some("R84344936"));
    assert_eq!(order.tran_id.as_deref(), Some("650"));
    assert_eq!(order.tran_date, NaiveDate::from_ymd_opt(2014, 1, 15));
    assert_eq!(order.status.as_deref(), Some("Pending Fulfillment"));
    assert_eq!(order.total, Some(23.0));
    assert_eq!(
        order.entity.as_ref().unwrap().internal_id.as_deref(),
        Some("2807")
    );
    let items = order.items.unwrap();
    assert!(items.lines.len() >= 2);
    let first = &items.lines[0];
    assert_eq!(
        first.item.as_ref().unwrap().internal_id.as_deref(),
        Some("1066")
    );
    assert_eq!(
        first.item.as_ref().unwrap().name.as_deref(),
        Some("APPAREL : Americana Jacket : Americana Jacket-GR-M")
    );
    assert_eq!(first.quantity, Some(1.0));
    assert_eq!(first.amount, Some(2.0));
    assert_eq!(first.line, Some(1));
    assert_eq!(
        first.price.as_ref().unwrap().internal_id.as_deref(),
        Some("-1")
    );
    assert_eq!(
        items.lines[1].item.as_ref().unwrap().internal_id.as_deref(),
        Some("1067")
    );
}

#[test]
fn inventory_item_reads_pricing_matrix_and_locations() {
    let xml = corpus(&format!(
        "{ILOVEITALY}/inventory_item/find_by_item_id/01_get_response.xml"
    ));
    let record = get_response(&xml, 200).unwrap().body.record.unwrap();
    let item = InventoryItem::from_record(&record, Los_Angeles).unwrap().0;
    assert_eq!(item.item_id.as_deref(), Some("Sir Francis Bacon"));
    assert_eq!(
        item.display_name.as_deref(),
        Some("Line Skis Sir Francis Bacon Ski")
    );
    assert_eq!(item.is_inactive, Some(false));
    // This recording carries quantities per location only.
    assert_eq!(item.quantity_available, None);
    let pricing = item.pricing.unwrap();
    assert!(!pricing.replace_all);
    let base = &pricing.lines[0];
    assert_eq!(base.currency.as_ref().unwrap().name.as_deref(), Some("USA"));
    assert_eq!(
        base.price_level.as_ref().unwrap().name.as_deref(),
        Some("Base Price")
    );
    assert_eq!(base.prices[0].value, 498.75);
    assert_eq!(base.prices[0].quantity, Some(0.0));
    let wholesale = &pricing.lines[1];
    assert_eq!(
        wholesale
            .price_level
            .as_ref()
            .unwrap()
            .internal_id
            .as_deref(),
        Some("6")
    );
    assert_eq!(wholesale.discount, Some(-15.0));
    assert_eq!(wholesale.prices[0].value, 423.94);
    let locations = item.locations.unwrap();
    let available: Vec<Option<f64>> = locations
        .lines
        .iter()
        .map(|line| line.quantity_available)
        .collect();
    assert_eq!(available[0], Some(200.0));
    assert_eq!(available.iter().flatten().sum::<f64>(), 400.0);
}

#[test]
fn get_customer_reads_typed_credit_fields() {
    let xml = netsweet("get/get_customer.xml");
    let record = get_response(&xml, 200).unwrap().body.record.unwrap();
    let customer = Customer::from_record(&record, Los_Angeles).unwrap();
    assert_eq!(customer.company_name.as_deref(), Some("Test Inc."));
    assert_eq!(customer.balance, Some(100.0));
    assert_eq!(
        customer.credit_hold_override,
        Some(crate::records::typed::CreditHoldOverride::Auto)
    );
    assert_eq!(
        customer.last_modified,
        Some(Utc.with_ymd_and_hms(2011, 12, 15, 19, 56, 19).unwrap())
    );
    let addressbook = customer.addressbook.unwrap();
    assert_eq!(addressbook.lines[0].internal_id.as_deref(), Some("567"));
    assert_eq!(addressbook.lines[0].default_billing, Some(true));
}

#[test]
fn saved_search_item_rows_read_columns() {
    let xml = netsweet("search/saved_search_item.xml");
    let page = search_response(&xml, Operation::Search, 200).unwrap().body;
    assert_eq!(page.total_records, Some(49));
    assert!(page.records.is_empty());
    assert!(!page.rows.is_empty());
    let basic = page.rows[0].group("basic").unwrap();
    assert_eq!(basic.text("itemId"), Some("9781945179747"));
    assert_eq!(
        basic.double("locationQuantityAvailable").unwrap(),
        Some(3307.0)
    );
    assert_eq!(
        basic
            .reference("department")
            .unwrap()
            .internal_id
            .as_deref(),
        Some("113")
    );
    let line = basic.custom_field_list().first().unwrap();
    assert_eq!(line.internal_id.as_deref(), Some("custitem_productline"));
    let CustomValue::Select(value) = &line.value else {
        panic!("not a select: {:?}", line.value);
    };
    assert_eq!(value.internal_id.as_deref(), Some("123"));
    assert_eq!(value.type_id.as_deref(), Some("37"));
}

#[test]
fn saved_search_joined_rows_read_join_groups() {
    let xml = netsweet("search/saved_search_joined_custom_customer.xml");
    let page = search_response(&xml, Operation::Search, 200).unwrap().body;
    assert_eq!(page.rows.len(), 2);
    let first = &page.rows[0];
    let basic = first.group("basic").unwrap();
    assert_eq!(
        basic
            .reference("internalId")
            .unwrap()
            .internal_id
            .as_deref(),
        Some("123")
    );
    assert_eq!(
        basic
            .reference("externalId")
            .unwrap()
            .external_id
            .as_deref(),
        Some("456")
    );
    assert_eq!(basic.text("altName"), Some("A Awesome Name"));
    assert_eq!(basic.text("billZipCode"), Some("29999"));
    let contact = first.group("contactJoin").unwrap();
    assert_eq!(contact.text("entityId"), Some("Carmina"));
    assert_eq!(
        page.rows[1].group("basic").unwrap().text("billState"),
        Some("NY")
    );
}

#[test]
fn saved_search_customer_row_has_one_row() {
    let xml = netsweet("search/saved_search_customer.xml");
    let page = search_response(&xml, Operation::Search, 200).unwrap().body;
    assert_eq!(page.total_records, Some(1));
    assert!(page.records.is_empty());
    assert_eq!(page.rows.len(), 1);
    assert!(page.rows[0].group("basic").is_some());
}

#[test]
fn basic_search_contact_reads_contacts() {
    let xml = netsweet("search/basic_search_contact.xml");
    let page = search_response(&xml, Operation::Search, 200).unwrap().body;
    assert!(!page.records.is_empty());
    assert!(
        page.records
            .iter()
            .all(|record| record.record_type == "contact")
    );
    assert!(page.records[0].internal_id.is_some());
}

#[test]
fn add_invoice_error_is_invalid_initialize_ref() {
    let xml = netsweet("add/add_invoice_error.xml");
    let response = write_response(&xml, Operation::Add, 200).unwrap().body;
    assert!(!response.status.is_success);
    let detail = &response.status.details[0];
    assert_eq!(detail.detail_type, StatusDetailType::Error);
    assert_eq!(detail.code, "INVALID_INITIALIZE_REF");
}

#[test]
fn railsdog_add_with_user_error_message() {
    let xml = corpus(&format!(
        "{RAILSDOG}/invoice/taxes_and_discounts/03_add_response.xml"
    ));
    let result = write_response(&xml, Operation::Add, 200);
    match result {
        Ok(response) => {
            assert!(!response.body.status.is_success);
            assert!(!response.body.status.details[0].message.is_empty());
        }
        Err(Error::Fault(fault)) => assert!(!fault.faultstring.is_empty()),
        Err(error) => panic!("{error}"),
    }
}

#[test]
fn recorded_inventory_search_reads_every_record_with_sublists() {
    let xml = corpus(&format!(
        "{ILOVEITALY}/inventory_item/search/01_search_response.xml"
    ));
    let page = search_response(&xml, Operation::Search, 200).unwrap().body;
    assert_eq!(page.records.len(), 100);
    let with_pricing = page
        .records
        .iter()
        .filter(|record| record.sublist("pricingMatrix").is_some())
        .count();
    // 13 of the recorded items (kits and other items without prices) have no matrix.
    assert_eq!(with_pricing, 87);
    let first = &page.records[0];
    assert!(matches!(
        first.field("pricingMatrix"),
        Some(BodyValue::Sublist(_))
    ));
}

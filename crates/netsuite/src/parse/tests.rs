//! Parsing recorded NetSuite responses from the corpus.

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use tandem_engine::ErrorClass;

use super::*;
use crate::operations::StatusDetailType;
use crate::records::{BodyValue, CustomValue, FieldAccess, RecordRef};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus/netsuite");

fn corpus(path: &str) -> Vec<u8> {
    let full = Path::new(CORPUS).join(path);
    std::fs::read(&full).unwrap_or_else(|error| panic!("cannot read {}: {error}", full.display()))
}

const NETSWEET: &str = "NetSweet__netsuite/spec/support/fixtures";
const ILOVEITALY: &str = "iloveitaly__netsuite_integration/spec/cassettes";
const RAILSDOG: &str = "railsdog__netsuite_integration/spec/cassettes";

#[test]
fn get_customer_reads_body_fields() {
    let xml = corpus(&format!("{NETSWEET}/get/get_customer.xml"));
    let response = get_response(&xml, 200).unwrap();
    assert_eq!(
        response.ns_request_id.as_deref(),
        Some("WEBSERVICES_3392464_1220201115821392011296470399_67055c545d0")
    );
    assert!(response.body.status.is_success);

    let record = response.body.record.unwrap();
    assert_eq!(record.record_type, "customer");
    assert_eq!(record.internal_id.as_deref(), Some("988"));
    assert_eq!(record.external_id.as_deref(), Some("100157"));
    assert_eq!(record.text("entityId"), Some("100157"));
    assert_eq!(record.text("companyName"), Some("Test Inc."));
    assert_eq!(record.text("isPerson"), Some("false"));
    assert_eq!(record.text("balance"), Some("100.0"));
    assert_eq!(record.text("daysOverdue"), Some("93"));
    assert_eq!(record.text("creditHoldOverride"), Some("_auto"));

    assert_eq!(
        record.field("entityStatus"),
        Some(&BodyValue::Ref(RecordRef {
            record_type: None,
            internal_id: Some("13".to_string()),
            external_id: None,
            name: Some("CUSTOMER-Closed Won".to_string()),
        }))
    );

    let modified = record.last_modified().unwrap().unwrap();
    assert_eq!(
        modified,
        Utc.with_ymd_and_hms(2011, 12, 15, 19, 56, 19).unwrap()
    );
}

/// This 2011_2 recording has the flat address book of endpoints before 2014_2, with `addr1`
/// directly under `addressbook`. The fields the 2023_2 schema does not know are kept as text.
#[test]
fn get_customer_reads_flat_addressbook() {
    let xml = corpus(&format!("{NETSWEET}/get/get_customer.xml"));
    let record = get_response(&xml, 200).unwrap().body.record.unwrap();
    // The sublist's own children must not leak into the body fields.
    assert!(record.field("addr1").is_none());
    let addressbook = record.sublist("addressbookList").unwrap();
    assert_eq!(addressbook.replace_all, None);
    assert_eq!(addressbook.line_name.as_deref(), Some("addressbook"));
    assert_eq!(addressbook.lines.len(), 1);
    let entry = &addressbook.lines[0];
    assert_eq!(entry.boolean("defaultShipping").unwrap(), Some(true));
    assert_eq!(entry.text("label"), Some("123 Happy Lane, #4"));
    assert_eq!(entry.text("addr1"), Some("123 Happy Lane, #4"));
    assert_eq!(entry.text("city"), Some("Chicago"));
    assert_eq!(entry.text("internalId"), Some("567"));
    assert_eq!(entry.text("state"), Some("IL"));
}

#[test]
fn search_first_page_reads_paging_fields() {
    let xml = corpus(&format!(
        "{ILOVEITALY}/inventory_item/search/01_search_response.xml"
    ));
    let page = search_response(&xml, Operation::Search, 200).unwrap().body;
    assert!(page.status.is_success);
    assert_eq!(page.total_records, Some(351));
    assert_eq!(page.page_size, Some(100));
    assert_eq!(page.total_pages, Some(4));
    assert_eq!(page.page_index, Some(1));
    assert_eq!(
        page.search_id.as_deref(),
        Some("WEBSERVICES_test_0121201412564972511981150103_77f27")
    );
    assert_eq!(page.records.len(), 100);
    let first = &page.records[0];
    assert_eq!(first.record_type, "inventoryItem");
    assert_eq!(first.internal_id.as_deref(), Some("38"));
    assert_eq!(
        first.text("purchaseDescription"),
        Some("ManuScript 1000 Laser Printer - 1200 dpi b&w")
    );
    assert_eq!(
        first.last_modified().unwrap().unwrap(),
        Utc.with_ymd_and_hms(2014, 1, 13, 14, 22, 14).unwrap()
    );
}

#[test]
fn empty_search_has_no_page_size_or_index() {
    let xml = corpus(&format!(
        "{ILOVEITALY}/inventory_item/item_not_found/01_search_response.xml"
    ));
    let page = search_response(&xml, Operation::Search, 200).unwrap().body;
    assert!(page.status.is_success);
    assert_eq!(page.total_records, Some(0));
    assert_eq!(page.total_pages, Some(0));
    assert_eq!(page.page_size, None);
    assert_eq!(page.page_index, None);
    assert_eq!(
        page.search_id.as_deref(),
        Some("WEBSERVICES_test_012820146367593661295575754_7cfd9e")
    );
    assert!(page.records.is_empty());
}

#[test]
fn add_error_keeps_dup_entity() {
    let xml = corpus(&format!("{RAILSDOG}/customer/create/01_add_response.xml"));
    let response = write_response(&xml, Operation::Add, 200).unwrap().body;
    assert!(!response.status.is_success);
    assert_eq!(response.base_ref, None);
    let detail = &response.status.details[0];
    assert_eq!(detail.detail_type, StatusDetailType::Error);
    assert_eq!(detail.code, "DUP_ENTITY");
    assert_eq!(detail.message, "This entity already exists.");

    let error = Error::Record {
        operation: "add",
        details: response.status.details,
    };
    assert_eq!(error.class(), ErrorClass::Data);
    let remote = tandem_engine::RemoteError::from(error);
    assert_eq!(remote.code, "DUP_ENTITY");
    assert_eq!(remote.message, "This entity already exists.");
}

#[test]
fn update_success_reads_base_ref() {
    let xml = corpus(&format!("{NETSWEET}/update/update_customer.xml"));
    let response = write_response(&xml, Operation::Update, 200).unwrap().body;
    assert!(response.status.is_success);
    assert_eq!(
        response.base_ref,
        Some(RecordRef {
            record_type: Some("customer".to_string()),
            internal_id: Some("329".to_string()),
            external_id: Some("100001".to_string()),
            name: None,
        })
    );
}

#[test]
fn update_warning_is_success_with_warn_detail() {
    let path = format!("{ILOVEITALY}/order/update_order_customer_address/06_update_response.xml");
    let response = write_response(&corpus(&path), Operation::Update, 200)
        .unwrap()
        .body;
    assert!(response.status.is_success);
    let warnings: Vec<_> = response.status.warnings().collect();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].code, "WARNING");
    assert_eq!(
        response.base_ref.unwrap().internal_id.as_deref(),
        Some("23027")
    );
}

#[test]
fn fault_keeps_detail_name_code_and_status() {
    let xml = corpus(&format!("{NETSWEET}/login/failure_concurrent_requests.xml"));
    let Err(Error::Fault(fault)) = search_response(&xml, Operation::Search, 500) else {
        panic!("the fault was not reported as a fault");
    };
    assert_eq!(fault.http_status, 500);
    assert_eq!(fault.faultcode, "soapenv:Server.userException");
    assert_eq!(
        fault.faultstring,
        "Only one request may be made against a session at a time"
    );
    assert_eq!(
        fault.detail_name.as_deref(),
        Some("exceededRequestLimitFault")
    );
    assert_eq!(fault.code.as_deref(), Some("WS_CONCUR_SESSION_DISALLWD"));
    assert_eq!(
        fault.message.as_deref(),
        Some("Only one request may be made against a session at a time")
    );
    assert_eq!(Error::Fault(fault).class(), ErrorClass::Transient);
}

#[test]
fn invalid_credentials_fault_is_config() {
    let xml = corpus(&format!("{NETSWEET}/login/failure_invalid_credentials.xml"));
    let Err(error) = get_response(&xml, 500) else {
        panic!("the fault was parsed as a response");
    };
    assert_eq!(error.code(), "INVALID_LOGIN_CREDENTIALS");
    assert_eq!(error.class(), ErrorClass::Config);
}

#[test]
fn schema_fault_without_detail() {
    let path = format!("{RAILSDOG}/invoice/import_service/01_update_response.xml");
    let Err(Error::Fault(fault)) = write_response(&corpus(&path), Operation::Update, 500) else {
        panic!("the fault was not reported as a fault");
    };
    assert_eq!(fault.detail_name, None);
    assert_eq!(fault.code, None);
    assert!(
        fault.faultstring.contains("addr1 not found"),
        "{}",
        fault.faultstring
    );
    let error = Error::Fault(fault);
    assert_eq!(error.code(), "soapenv:Server.userException");
    assert_eq!(error.class(), ErrorClass::Config);
}

#[test]
fn custom_fields_of_every_kind() {
    let xml = corpus(&format!("{NETSWEET}/custom_fields/multi_select.xml"));
    let record = get_response(&xml, 200).unwrap().body.record.unwrap();
    assert_eq!(record.record_type, "creditMemo");
    assert_eq!(record.custom_fields.len(), 6);

    let value = |script_id: &str| record.custom_field(script_id).unwrap().value.clone();
    let CustomValue::Select(select) = value("custbody_standard_select") else {
        panic!("not a select");
    };
    assert_eq!(select.internal_id.as_deref(), Some("2"));
    assert_eq!(select.type_id.as_deref(), Some("142"));
    assert_eq!(select.name.as_deref(), Some("Manual"));
    assert_eq!(
        value("custbody_date_field"),
        CustomValue::Date(Utc.with_ymd_and_hms(2021, 7, 14, 5, 0, 0).unwrap())
    );
    assert_eq!(
        value("custbody_string_field"),
        CustomValue::String("a very nice string".to_string())
    );
    assert_eq!(value("custbody_boolean_field"), CustomValue::Boolean(false));
    assert_eq!(
        record
            .custom_field("custbody_date_field")
            .unwrap()
            .internal_id
            .as_deref(),
        Some("26")
    );
}

#[test]
fn multi_select_is_always_a_list() {
    let xml = corpus(&format!("{NETSWEET}/custom_fields/multi_select.xml"));
    let record = get_response(&xml, 200).unwrap().body.record.unwrap();
    let values = |script_id: &str| match &record.custom_field(script_id).unwrap().value {
        CustomValue::MultiSelect(values) => values.clone(),
        other => panic!("{script_id} is {other:?}"),
    };
    let single = values("custbody_multi_select_field");
    assert_eq!(single.len(), 1);
    assert_eq!(single[0].internal_id.as_deref(), Some("7623"));
    assert_eq!(single[0].name.as_deref(), Some("selection value"));
    let double = values("custbody_multi_select_with_multiple");
    assert_eq!(double.len(), 2);
    assert_eq!(double[1].internal_id.as_deref(), Some("7614"));
    assert_eq!(double[1].type_id.as_deref(), Some("165"));
}

#[test]
fn double_custom_field_reads_number() {
    let path = format!("{ILOVEITALY}/inventory_item/find_by_item_id/01_get_response.xml");
    let record = get_response(&corpus(&path), 200)
        .unwrap()
        .body
        .record
        .unwrap();
    assert_eq!(record.internal_id.as_deref(), Some("1100"));
    let msrp = record.custom_field("custitem_msrp").unwrap();
    assert_eq!(msrp.internal_id.as_deref(), Some("101"));
    assert_eq!(msrp.value, CustomValue::Double(498.75));
}

#[test]
fn long_custom_field_reads_integer() {
    let path = format!("{ILOVEITALY}/non_inventory_item/find_or_create/01_search_response.xml");
    let page = search_response(&corpus(&path), Operation::Search, 200)
        .unwrap()
        .body;
    let record = &page.records[0];
    assert_eq!(record.record_type, "nonInventorySaleItem");
    let total = record.custom_field("custitem_review_total_number").unwrap();
    assert_eq!(total.value, CustomValue::Long(0));
}

#[test]
fn saved_search_returns_rows_not_records() {
    let xml = corpus(&format!("{NETSWEET}/search/saved_search_customer.xml"));
    let page = search_response(&xml, Operation::Search, 200).unwrap().body;
    assert_eq!(page.total_records, Some(1));
    assert!(page.records.is_empty());
    assert_eq!(page.rows.len(), 1);
}

#[test]
fn old_namespace_version_is_recognised() {
    // This fixture declares `urn:messages_2_5...` for the response wrapper.
    let xml = corpus(&format!("{NETSWEET}/add/add_customer.xml"));
    let response = write_response(&xml, Operation::Add, 200).unwrap().body;
    assert_eq!(
        response.base_ref.unwrap().internal_id.as_deref(),
        Some("979")
    );
}

#[test]
fn wrong_response_element_is_invalid() {
    let xml = corpus(&format!("{NETSWEET}/get/get_customer.xml"));
    let error = search_response(&xml, Operation::Search, 200).unwrap_err();
    assert!(matches!(error, Error::InvalidResponse(_)), "{error}");
}

#[test]
fn html_body_is_invalid_response() {
    let error = get_response(b"<html><body>Service Unavailable</body></html>", 503).unwrap_err();
    assert!(matches!(error, Error::InvalidResponse(_)), "{error}");
}

/// Every recorded response of an operation this client sends parses as a response or a
/// fault, whatever its version and record type. The recordings of operations the client does
/// not send (login, initialize, attach, asynchronous jobs) are left out.
#[test]
fn every_recorded_response_parses() {
    let mut files = Vec::new();
    for folder in [ILOVEITALY, RAILSDOG] {
        collect_responses(&Path::new(CORPUS).join(folder), &mut files);
    }
    let fixtures = [
        ("get", Operation::Get),
        ("get_all", Operation::GetAll),
        ("add", Operation::Add),
        ("add_list", Operation::AddList),
        ("update", Operation::Update),
        ("update_list", Operation::UpdateList),
        ("upsert", Operation::Upsert),
        ("upsert_list", Operation::UpsertList),
        ("delete", Operation::Delete),
        ("delete_list", Operation::DeleteList),
        ("search", Operation::Search),
        ("get_deleted", Operation::GetDeleted),
        ("get_select_value", Operation::GetSelectValue),
    ];
    for (folder, operation) in fixtures {
        let folder = Path::new(CORPUS).join(NETSWEET).join(folder);
        for entry in std::fs::read_dir(folder).unwrap() {
            files.push((entry.unwrap().path(), operation));
        }
    }
    assert!(
        files.len() > 300,
        "only {} response files found",
        files.len()
    );

    let mut faults = 0;
    for (path, operation) in &files {
        let xml = std::fs::read(path).unwrap();
        let result = match operation {
            Operation::Get => get_response(&xml, 200).map(|_| ()),
            Operation::GetAll => get_all_response(&xml, 200).map(|_| ()),
            Operation::Search => search_response(&xml, *operation, 200).map(|_| ()),
            Operation::GetDeleted => get_deleted_response(&xml, 200).map(|_| ()),
            Operation::GetSelectValue => get_select_value_response(&xml, 200).map(|_| ()),
            Operation::AddList
            | Operation::UpdateList
            | Operation::UpsertList
            | Operation::DeleteList => write_list_response(&xml, *operation, 200).map(|_| ()),
            _ => write_response(&xml, *operation, 200).map(|_| ()),
        };
        match result {
            Ok(()) => {}
            Err(Error::Fault(_)) => faults += 1,
            Err(error) => panic!("{}: {error}", path.display()),
        }
    }
    assert!(faults >= 5, "only {faults} faults found");
}

fn collect_responses(folder: &Path, files: &mut Vec<(PathBuf, Operation)>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_responses(&path, files);
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let operation = [
            ("_get_response.xml", Operation::Get),
            ("_add_response.xml", Operation::Add),
            ("_update_response.xml", Operation::Update),
            ("_search_response.xml", Operation::Search),
            ("_getAll_response.xml", Operation::GetAll),
        ]
        .into_iter()
        .find(|(suffix, _)| name.ends_with(suffix))
        .map(|(_, operation)| operation);
        if let Some(operation) = operation {
            files.push((path, operation));
        }
    }
}

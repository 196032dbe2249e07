//! Exact-XML tests of every request this client builds.

use chrono::{TimeZone, Utc};
use tandem_engine::Secret;

use super::*;
use crate::config::{NetSuiteConfig, TokenCredentials};
use crate::operations::Operation;
use crate::operations::get::GetRequest;
use crate::operations::search::{
    Criterion, CriterionValue, DateOperator, SearchMoreRequest, SearchRecord, SearchRequest,
    StringOperator,
};
use crate::operations::write::WriteRequest;
use crate::parse::cursor::{ElementNamespace, XmlCursor};
use crate::records::{BodyValue, CustomField, CustomValue, ListOrRecordRef, Record, RecordRef};

const HEAD: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
    r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/""#,
    r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#,
    r#" xmlns:platformMsgs="urn:messages_2025_2.platform.webservices.netsuite.com""#,
    r#" xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com""#,
    r#" xmlns:platformCommon="urn:common_2025_2.platform.webservices.netsuite.com""#,
    r#" xmlns:listRel="urn:relationships_2025_2.lists.webservices.netsuite.com">"#,
);

/// The envelope start of requests that carry no record: the three platform namespaces only.
const PLAIN_HEAD: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
    r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/""#,
    r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#,
    r#" xmlns:platformMsgs="urn:messages_2025_2.platform.webservices.netsuite.com""#,
    r#" xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com""#,
    r#" xmlns:platformCommon="urn:common_2025_2.platform.webservices.netsuite.com">"#,
);

const TAIL: &str = "</soapenv:Body></soapenv:Envelope>";

fn render(body: &dyn RequestBody, preferences: Option<&SearchPreferences>) -> String {
    let envelope = Envelope {
        version: "2025_2",
        passport: None,
        preferences: None,
        search_preferences: preferences,
        body,
    };
    String::from_utf8(envelope.render()).unwrap()
}

/// Wraps a body in the expected envelope without headers.
fn expected(body: &str) -> String {
    format!("{HEAD}<soapenv:Body>{body}{TAIL}")
}

/// Wraps a body that carries no record in the expected envelope without headers.
fn expected_plain(body: &str) -> String {
    format!("{PLAIN_HEAD}<soapenv:Body>{body}{TAIL}")
}

fn customer(fields: Vec<(&str, BodyValue)>) -> Record {
    let mut record = Record::new("customer");
    record.fields = fields
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect();
    record
}

fn text(value: &str) -> BodyValue {
    BodyValue::Text(value.to_string())
}

#[test]
fn envelope_writes_token_passport_header() {
    let credentials = TokenCredentials {
        consumer_key: "ck1".to_string(),
        consumer_secret: Secret::new("cs1"),
        token_id: "tk1".to_string(),
        token_secret: Secret::new("ts1"),
    };
    let config = NetSuiteConfig::new("1234567_sb1", credentials);
    let passport = TokenPassport::sign(&config, "AbCdEf0123456789XyZw", 1767225600);
    let get = GetRequest::new(&RecordRef::internal("customer", "988")).unwrap();
    let envelope = Envelope {
        version: "2025_2",
        passport: Some(&passport),
        preferences: None,
        search_preferences: None,
        body: &get,
    };
    let xml = String::from_utf8(envelope.render()).unwrap();
    let header = format!(
        concat!(
            "<soapenv:Header><platformMsgs:tokenPassport>",
            "<platformCore:account>1234567_SB1</platformCore:account>",
            "<platformCore:consumerKey>ck1</platformCore:consumerKey>",
            "<platformCore:token>tk1</platformCore:token>",
            "<platformCore:nonce>AbCdEf0123456789XyZw</platformCore:nonce>",
            "<platformCore:timestamp>1767225600</platformCore:timestamp>",
            r#"<platformCore:signature algorithm="HMAC-SHA256">{}</platformCore:signature>"#,
            "</platformMsgs:tokenPassport></soapenv:Header>",
        ),
        passport.signature
    );
    let body = concat!(
        "<platformMsgs:get>",
        r#"<platformMsgs:baseRef xsi:type="platformCore:RecordRef" internalId="988" type="customer"/>"#,
        "</platformMsgs:get>",
    );
    assert_eq!(
        xml,
        format!("{PLAIN_HEAD}{header}<soapenv:Body>{body}{TAIL}")
    );
    assert!(!xml.contains("applicationInfo"));
}

#[test]
fn get_by_external_id() {
    let get = GetRequest::new(&RecordRef::external("customer", "SF-001")).unwrap();
    let body = concat!(
        "<platformMsgs:get>",
        r#"<platformMsgs:baseRef xsi:type="platformCore:RecordRef" externalId="SF-001" type="customer"/>"#,
        "</platformMsgs:get>",
    );
    assert_eq!(render(&get, None), expected_plain(body));
}

#[test]
fn add_orders_fields_by_xsd_sequence() {
    let mut record = customer(vec![
        ("email", text("ap@example.com")),
        ("companyName", text("Ben & Jerry's <Ice Cream>")),
        ("isInactive", text("false")),
        (
            "subsidiary",
            BodyValue::Ref(RecordRef::internal("subsidiary", "1")),
        ),
        ("creditLimit", text("2500.5")),
        ("entityId", text("CUST-7")),
    ]);
    record.external_id = Some("001A000001".to_string());
    let add = WriteRequest::new(Operation::Add, &record).unwrap();
    let body = concat!(
        "<platformMsgs:add>",
        r#"<platformMsgs:record xsi:type="listRel:Customer" externalId="001A000001">"#,
        "<listRel:entityId>CUST-7</listRel:entityId>",
        "<listRel:companyName>Ben &amp; Jerry&apos;s &lt;Ice Cream&gt;</listRel:companyName>",
        "<listRel:email>ap@example.com</listRel:email>",
        "<listRel:isInactive>false</listRel:isInactive>",
        r#"<listRel:subsidiary internalId="1" type="subsidiary"/>"#,
        "<listRel:creditLimit>2500.5</listRel:creditLimit>",
        "</platformMsgs:record>",
        "</platformMsgs:add>",
    );
    assert_eq!(render(&add, None), expected(body));
}

#[test]
fn update_orders_null_and_custom_fields() {
    let mut record = customer(vec![("phone", text("+1 555 0100"))]);
    record.internal_id = Some("988".to_string());
    record.null_fields = vec!["fax".to_string(), "custentity_region".to_string()];
    record.custom_fields = vec![
        CustomField::new("custentity_note", CustomValue::String("VIP".to_string())),
        CustomField::new("custentity_vip", CustomValue::Boolean(true)),
        CustomField::new("custentity_score", CustomValue::Double(4.25)),
        CustomField::new("custentity_seats", CustomValue::Long(12)),
    ];
    let update = WriteRequest::new(Operation::Update, &record).unwrap();
    let body = concat!(
        "<platformMsgs:update>",
        r#"<platformMsgs:record xsi:type="listRel:Customer" internalId="988">"#,
        "<platformCore:nullFieldList>",
        "<platformCore:name>fax</platformCore:name>",
        "<platformCore:name>custentity_region</platformCore:name>",
        "</platformCore:nullFieldList>",
        "<listRel:phone>+1 555 0100</listRel:phone>",
        "<listRel:customFieldList>",
        r#"<platformCore:customField xsi:type="platformCore:StringCustomFieldRef" scriptId="custentity_note">"#,
        "<platformCore:value>VIP</platformCore:value></platformCore:customField>",
        r#"<platformCore:customField xsi:type="platformCore:BooleanCustomFieldRef" scriptId="custentity_vip">"#,
        "<platformCore:value>true</platformCore:value></platformCore:customField>",
        r#"<platformCore:customField xsi:type="platformCore:DoubleCustomFieldRef" scriptId="custentity_score">"#,
        "<platformCore:value>4.25</platformCore:value></platformCore:customField>",
        r#"<platformCore:customField xsi:type="platformCore:LongCustomFieldRef" scriptId="custentity_seats">"#,
        "<platformCore:value>12</platformCore:value></platformCore:customField>",
        "</listRel:customFieldList>",
        "</platformMsgs:record>",
        "</platformMsgs:update>",
    );
    assert_eq!(render(&update, None), expected(body));
}

#[test]
fn upsert_writes_select_custom_fields() {
    let mut record = customer(vec![("companyName", text("Acme"))]);
    record.external_id = Some("SF-9".to_string());
    let option = |id: &str| ListOrRecordRef {
        internal_id: Some(id.to_string()),
        ..ListOrRecordRef::default()
    };
    record.custom_fields = vec![
        CustomField::new("custentity_tier", CustomValue::Select(option("3"))),
        CustomField::new(
            "custentity_tags",
            CustomValue::MultiSelect(vec![option("7"), option("8")]),
        ),
    ];
    let upsert = WriteRequest::new(Operation::Upsert, &record).unwrap();
    let body = concat!(
        "<platformMsgs:upsert>",
        r#"<platformMsgs:record xsi:type="listRel:Customer" externalId="SF-9">"#,
        "<listRel:companyName>Acme</listRel:companyName>",
        "<listRel:customFieldList>",
        r#"<platformCore:customField xsi:type="platformCore:SelectCustomFieldRef" scriptId="custentity_tier">"#,
        r#"<platformCore:value internalId="3"/></platformCore:customField>"#,
        r#"<platformCore:customField xsi:type="platformCore:MultiSelectCustomFieldRef" scriptId="custentity_tags">"#,
        r#"<platformCore:value internalId="7"/><platformCore:value internalId="8"/>"#,
        "</platformCore:customField>",
        "</listRel:customFieldList>",
        "</platformMsgs:record>",
        "</platformMsgs:upsert>",
    );
    assert_eq!(render(&upsert, None), expected(body));
}

#[test]
fn search_writes_criteria_and_preferences() {
    let since = Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap();
    let search = SearchRecord::new("customer")
        .with(Criterion::new(
            "lastModifiedDate",
            CriterionValue::Date {
                operator: DateOperator::OnOrAfter,
                value: since,
                second: None,
            },
        ))
        .with(Criterion::new("isInactive", CriterionValue::Boolean(false)))
        .with(Criterion::new(
            "email",
            CriterionValue::String {
                operator: StringOperator::Contains,
                value: "@example.com".to_string(),
            },
        ));
    let request = SearchRequest::new(&search).unwrap();
    let preferences = SearchPreferences {
        body_fields_only: true,
        return_search_columns: true,
        page_size: 200,
    };
    let header = concat!(
        "<soapenv:Header><platformMsgs:searchPreferences>",
        "<platformMsgs:bodyFieldsOnly>true</platformMsgs:bodyFieldsOnly>",
        "<platformMsgs:returnSearchColumns>true</platformMsgs:returnSearchColumns>",
        "<platformMsgs:pageSize>200</platformMsgs:pageSize>",
        "</platformMsgs:searchPreferences></soapenv:Header>",
    );
    let body = concat!(
        "<platformMsgs:search>",
        r#"<platformMsgs:searchRecord xsi:type="listRel:CustomerSearch"><listRel:basic>"#,
        r#"<platformCommon:email operator="contains">"#,
        "<platformCore:searchValue>@example.com</platformCore:searchValue></platformCommon:email>",
        "<platformCommon:isInactive>",
        "<platformCore:searchValue>false</platformCore:searchValue></platformCommon:isInactive>",
        r#"<platformCommon:lastModifiedDate operator="onOrAfter">"#,
        "<platformCore:searchValue>2025-03-01T10:00:00.000Z</platformCore:searchValue>",
        "</platformCommon:lastModifiedDate>",
        "</listRel:basic></platformMsgs:searchRecord>",
        "</platformMsgs:search>",
    );
    assert_eq!(
        render(&request, Some(&preferences)),
        format!("{HEAD}{header}<soapenv:Body>{body}{TAIL}")
    );
}

#[test]
fn search_writes_within_and_multi_select() {
    let start = Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2025, 3, 1, 10, 15, 0).unwrap();
    let search = SearchRecord::new("customer")
        .with(Criterion::new(
            "lastModifiedDate",
            CriterionValue::Date {
                operator: DateOperator::Within,
                value: start,
                second: Some(end),
            },
        ))
        .with(Criterion::new(
            "subsidiary",
            CriterionValue::MultiSelect {
                none_of: false,
                values: vec![RecordRef {
                    internal_id: Some("1".to_string()),
                    ..RecordRef::default()
                }],
            },
        ))
        .with(Criterion::new(
            "stage",
            CriterionValue::EnumMultiSelect {
                none_of: true,
                values: vec!["_lead".to_string()],
            },
        ));
    let request = SearchRequest::new(&search).unwrap();
    let body = concat!(
        "<platformMsgs:search>",
        r#"<platformMsgs:searchRecord xsi:type="listRel:CustomerSearch"><listRel:basic>"#,
        r#"<platformCommon:lastModifiedDate operator="within">"#,
        "<platformCore:searchValue>2025-03-01T10:00:00.000Z</platformCore:searchValue>",
        "<platformCore:searchValue2>2025-03-01T10:15:00.000Z</platformCore:searchValue2>",
        "</platformCommon:lastModifiedDate>",
        r#"<platformCommon:stage operator="noneOf">"#,
        "<platformCore:searchValue>_lead</platformCore:searchValue></platformCommon:stage>",
        r#"<platformCommon:subsidiary operator="anyOf">"#,
        r#"<platformCore:searchValue internalId="1"/></platformCommon:subsidiary>"#,
        "</listRel:basic></platformMsgs:searchRecord>",
        "</platformMsgs:search>",
    );
    assert_eq!(render(&request, None), expected(body));
}

#[test]
fn search_more_with_id_writes_id_and_page() {
    let request = SearchMoreRequest::new("WEBSERVICES_1234567_0301_abc", 3).unwrap();
    let preferences = SearchPreferences {
        body_fields_only: false,
        return_search_columns: false,
        page_size: 1000,
    };
    let header = concat!(
        "<soapenv:Header><platformMsgs:searchPreferences>",
        "<platformMsgs:bodyFieldsOnly>false</platformMsgs:bodyFieldsOnly>",
        "<platformMsgs:returnSearchColumns>false</platformMsgs:returnSearchColumns>",
        "<platformMsgs:pageSize>1000</platformMsgs:pageSize>",
        "</platformMsgs:searchPreferences></soapenv:Header>",
    );
    let body = concat!(
        "<platformMsgs:searchMoreWithId>",
        "<platformMsgs:searchId>WEBSERVICES_1234567_0301_abc</platformMsgs:searchId>",
        "<platformMsgs:pageIndex>3</platformMsgs:pageIndex>",
        "</platformMsgs:searchMoreWithId>",
    );
    assert_eq!(
        render(&request, Some(&preferences)),
        format!("{PLAIN_HEAD}{header}<soapenv:Body>{body}{TAIL}")
    );
}

/// A namespace-aware parser must find every element of a built request in the NetSuite
/// namespace of the configured version; a broken declaration (`xmlns:xmlns=...`) fails here.
#[test]
fn built_request_reparses_with_namespaces() {
    let mut record = customer(vec![("companyName", text("Acme"))]);
    record.external_id = Some("SF-9".to_string());
    record.null_fields = vec!["phone".to_string()];
    let upsert = WriteRequest::new(Operation::Upsert, &record).unwrap();
    let xml = render(&upsert, None);

    let mut cursor = XmlCursor::new(xml.as_bytes());
    let root = cursor.root().unwrap();
    assert!(root.is(ElementNamespace::Soap, "Envelope"));
    let body = cursor.next_child(&root).unwrap().unwrap();
    assert!(body.is(ElementNamespace::Soap, "Body"));
    let operation = cursor.next_child(&body).unwrap().unwrap();
    assert!(operation.is_netsuite(Namespace::Messages, "upsert"));
    let written = cursor.next_child(&operation).unwrap().unwrap();
    assert!(written.is_netsuite(Namespace::Messages, "record"));
    let xsi_type = written.xsi_type.clone().unwrap();
    assert_eq!(
        xsi_type.namespace,
        ElementNamespace::NetSuite(Namespace::Relationships)
    );
    assert_eq!(xsi_type.name, "Customer");
    let null_list = cursor.next_child(&written).unwrap().unwrap();
    assert!(null_list.is_netsuite(Namespace::Core, "nullFieldList"));
    cursor.skip(&null_list).unwrap();
    let company = cursor.next_child(&written).unwrap().unwrap();
    assert!(company.is_netsuite(Namespace::Relationships, "companyName"));
    assert!(xml.contains("urn:relationships_2025_2.lists.webservices.netsuite.com"));
}

/// Returns every character outside XML 1.0's `Char` production that a Rust string can hold.
fn characters_xml_forbids() -> Vec<char> {
    let controls = (0x00..=0x1F).filter(|code| !matches!(code, 0x09 | 0x0A | 0x0D));
    controls
        .chain([0xFFFE, 0xFFFF])
        .map(|code| char::from_u32(code).unwrap())
        .collect()
}

#[test]
fn check_xml_text_rejects_forbidden_characters() {
    let forbidden = characters_xml_forbids();
    assert_eq!(forbidden.len(), 31);
    for invalid in forbidden {
        let text = format!("Ac{invalid}me");
        let error = check_xml_text("companyName", &text).unwrap_err();
        let code = format!("U+{:04X}", u32::from(invalid));
        assert!(
            matches!(&error, Error::InvalidValue { field, .. } if field == "companyName"),
            "{code} gave {error}"
        );
        assert!(error.to_string().contains(&code), "{code} gave {error}");
        assert!(
            error.to_string().contains("character 3"),
            "{code} gave {error}"
        );
    }
}

#[test]
fn check_xml_text_names_first_forbidden_character() {
    let error = check_xml_text("phone", "1\u{1F}2\u{0}").unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid value for NetSuite field phone: it contains U+001F (character 2), which XML \
         1.0 does not allow. Remove or replace the character in the source record"
    );
}

#[test]
fn check_xml_text_accepts_allowed_characters() {
    let allowed = [
        '\t',
        '\n',
        '\r',
        ' ',
        '\u{7F}',
        '\u{85}',
        '\u{D7FF}',
        '\u{E000}',
        '\u{FFFD}',
        '\u{10000}',
        '\u{10FFFF}',
    ];
    for valid in allowed {
        let text = format!("Ac{valid}me");
        assert!(
            check_xml_text("companyName", &text).is_ok(),
            "U+{:04X} was rejected",
            u32::from(valid)
        );
    }
}

#[test]
fn add_keeps_tab_lf_and_cr() {
    let record = customer(vec![("comments", text("a\tb\nc\rd"))]);
    let add = WriteRequest::new(Operation::Add, &record).unwrap();
    let body = concat!(
        "<platformMsgs:add>",
        r#"<platformMsgs:record xsi:type="listRel:Customer">"#,
        "<listRel:comments>a\tb\nc&#13;d</listRel:comments>",
        "</platformMsgs:record>",
        "</platformMsgs:add>",
    );
    assert_eq!(render(&add, None), expected(body));
}

#[test]
fn get_rejects_control_character_in_external_id() {
    let reference = RecordRef::external("customer", "SF\u{0}1");
    let error = match GetRequest::new(&reference) {
        Ok(_) => panic!("the reference was accepted"),
        Err(error) => error,
    };
    assert!(
        matches!(&error, Error::InvalidValue { field, .. } if field == "baseRef.externalId"),
        "{error}"
    );
    assert!(error.to_string().contains("U+0000"), "{error}");
}

//! The NetSuite emulator's reference lists (currencies, price levels, locations, subsidiaries,
//! terms) and service sale items over HTTP: `get`, `getList`, `getAll` and `search`, and the
//! names they give the references of other records.

mod netsuite_support;

use chrono::Utc;
use netsuite_support::{Node, Server, parse};
use tandem_sandbox::netsuite::{Currency, Location, PriceLevel, Subsidiary, Term};

fn get(record_type: &str, internal_id: &str) -> String {
    format!(
        r#"<platformMsgs:get><platformMsgs:baseRef xsi:type="platformCore:RecordRef" type="{record_type}" internalId="{internal_id}"/></platformMsgs:get>"#
    )
}

fn get_list(record_type: &str, internal_ids: &[&str]) -> String {
    let refs: String = internal_ids
        .iter()
        .map(|id| {
            format!(
                r#"<platformMsgs:baseRef xsi:type="platformCore:RecordRef" type="{record_type}" internalId="{id}"/>"#
            )
        })
        .collect();
    format!("<platformMsgs:getList>{refs}</platformMsgs:getList>")
}

/// Returns a basic search of a reference list, such as `PriceLevelSearch`, with the criteria
/// given as `platformCommon` elements.
fn search(search_type: &str, criteria: &str) -> String {
    format!(
        r#"<platformMsgs:search><platformMsgs:searchRecord xsi:type="listAcct:{search_type}"><listAcct:basic>{criteria}</listAcct:basic></platformMsgs:searchRecord></platformMsgs:search>"#
    )
}

fn record_ids(result: &Node) -> Vec<String> {
    let mut records = Vec::new();
    result.find_all("record", &mut records);
    records
        .iter()
        .filter_map(|r| r.attr("internalId"))
        .collect()
}

fn euro() -> Currency {
    Currency {
        internal_id: "4".into(),
        name: "Euro".into(),
        symbol: "EUR".into(),
        exchange_rate: 1.08,
        is_base_currency: false,
        is_inactive: false,
    }
}

fn subsidiary(internal_id: &str, name: &str) -> Subsidiary {
    Subsidiary {
        internal_id: internal_id.into(),
        name: name.into(),
        currency_id: "1".into(),
        country: "_unitedStates".into(),
        is_inactive: false,
    }
}

fn location(internal_id: &str, name: &str, subsidiary_id: &str) -> Location {
    Location {
        internal_id: internal_id.into(),
        name: name.into(),
        subsidiary_ids: vec![subsidiary_id.into()],
        is_inactive: false,
    }
}

#[tokio::test]
async fn get_currency_returns_symbol_and_rate() {
    let server = Server::start().await;
    server.emulator.insert_currency(&euro());

    let reply = server.call("get", &get("currency", "4")).await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let document = parse(&reply.body);
    let record = document.find("record").unwrap();
    assert_eq!(record.attr("internalId").as_deref(), Some("4"));
    assert_eq!(
        record.xsi_type.as_deref(),
        Some("{urn:accounting_{V}.lists.webservices.netsuite.com}Currency")
    );
    assert_eq!(document.text_of("name").as_deref(), Some("Euro"));
    assert_eq!(document.text_of("symbol").as_deref(), Some("EUR"));
    assert_eq!(document.text_of("exchangeRate").as_deref(), Some("1.08"));
    assert_eq!(document.text_of("isBaseCurrency").as_deref(), Some("false"));
}

#[tokio::test]
async fn get_of_missing_currency_is_invalid_key() {
    let server = Server::start().await;

    let reply = server.call("get", &get("currency", "99")).await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let document = parse(&reply.body);
    let status = document.find("status").unwrap();
    assert_eq!(status.attr("isSuccess").as_deref(), Some("false"));
    assert_eq!(
        document.text_of("code").as_deref(),
        Some("INVALID_KEY_OR_REF")
    );
}

#[tokio::test]
async fn get_list_reads_price_levels_in_order() {
    let server = Server::start().await;
    server.emulator.insert_price_level(&PriceLevel {
        internal_id: "2".into(),
        name: "Wholesale".into(),
        discount_percent: Some(-10.0),
        is_online: false,
        is_inactive: false,
    });

    let reply = server
        .call("getList", &get_list("priceLevel", &["2", "77", "1"]))
        .await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let document = parse(&reply.body);
    let mut responses = Vec::new();
    document.find_all("readResponse", &mut responses);
    assert_eq!(responses.len(), 3);
    assert_eq!(responses[0].text_of("name").as_deref(), Some("Wholesale"));
    assert_eq!(
        responses[0].text_of("discountpct").as_deref(),
        Some("-10.0")
    );
    assert_eq!(
        responses[1].text_of("code").as_deref(),
        Some("INVALID_KEY_OR_REF")
    );
    assert_eq!(responses[2].text_of("name").as_deref(), Some("Base Price"));
}

#[tokio::test]
async fn get_list_reads_term_and_subsidiary() {
    let server = Server::start().await;
    server.emulator.insert_term(&Term {
        internal_id: "2".into(),
        name: "Net 30".into(),
        days_until_net_due: Some(30),
        is_inactive: false,
    });
    server
        .emulator
        .insert_subsidiary(&subsidiary("1", "Tandem Bikes Inc."));

    let terms = parse(&server.call("getList", &get_list("term", &["2"])).await.body);
    let subsidiaries = parse(
        &server
            .call("getList", &get_list("subsidiary", &["1"]))
            .await
            .body,
    );

    assert_eq!(terms.text_of("name").as_deref(), Some("Net 30"));
    assert_eq!(terms.text_of("daysUntilNetDue").as_deref(), Some("30"));
    assert_eq!(
        subsidiaries.text_of("country").as_deref(),
        Some("_unitedStates")
    );
    let currency = subsidiaries.find("currency").unwrap();
    assert_eq!(currency.attr("internalId").as_deref(), Some("1"));
    assert_eq!(currency.text_of("name").as_deref(), Some("US Dollar"));
}

#[tokio::test]
async fn get_all_lists_inserted_currencies() {
    let server = Server::start().await;
    server.emulator.insert_currency(&Currency {
        internal_id: "7".into(),
        name: "Polish Zloty".into(),
        symbol: "PLN".into(),
        exchange_rate: 0.25,
        is_base_currency: false,
        is_inactive: false,
    });
    let body = r#"<platformMsgs:getAll><platformMsgs:record recordType="currency"/></platformMsgs:getAll>"#;

    let reply = server.call("getAll", body).await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let document = parse(&reply.body);
    assert_eq!(document.text_of("totalRecords").as_deref(), Some("5"));
    assert_eq!(record_ids(&document), ["1", "2", "3", "4", "7"]);
    let mut symbols = Vec::new();
    document.find_all("symbol", &mut symbols);
    assert_eq!(symbols.last().map(|s| s.text.as_str()), Some("PLN"));
}

#[tokio::test]
async fn search_price_levels_by_name_and_discount() {
    let server = Server::start().await;
    server.emulator.insert_price_level(&PriceLevel {
        internal_id: "3".into(),
        name: "Dealer".into(),
        discount_percent: Some(-15.0),
        is_online: false,
        is_inactive: false,
    });
    let by_name = r#"<platformCommon:name operator="startsWith"><platformCore:searchValue>Alternate</platformCore:searchValue></platformCommon:name>"#;
    let by_discount = r#"<platformCommon:discountPct operator="lessThan"><platformCore:searchValue>-12</platformCore:searchValue></platformCommon:discountPct>"#;

    let named = parse(
        &server
            .call("search", &search("PriceLevelSearch", by_name))
            .await
            .body,
    );
    let discounted = parse(
        &server
            .call("search", &search("PriceLevelSearch", by_discount))
            .await
            .body,
    );

    assert_eq!(record_ids(&named), ["2", "4"]);
    assert_eq!(record_ids(&discounted), ["3"]);
}

#[tokio::test]
async fn search_locations_by_subsidiary() {
    let server = Server::start().await;
    server
        .emulator
        .insert_subsidiary(&subsidiary("1", "Tandem Bikes Inc."));
    server
        .emulator
        .insert_subsidiary(&subsidiary("2", "Tandem Bikes GmbH"));
    server
        .emulator
        .insert_location(&location("10", "Seattle Warehouse", "1"));
    server
        .emulator
        .insert_location(&location("11", "Munich Warehouse", "2"));
    let criteria = r#"<platformCommon:subsidiary operator="anyOf"><platformCore:searchValue internalId="2"/></platformCommon:subsidiary>"#;

    let reply = server
        .call("search", &search("LocationSearch", criteria))
        .await;

    let document = parse(&reply.body);
    assert_eq!(record_ids(&document), ["11"], "{}", reply.body);
    let reference = document.find("recordRef").unwrap();
    assert_eq!(
        reference.text_of("name").as_deref(),
        Some("Tandem Bikes GmbH")
    );
}

#[tokio::test]
async fn search_terms_and_subsidiaries_by_value() {
    let server = Server::start().await;
    for (id, name, days) in [("1", "Net 15", 15), ("2", "Net 30", 30)] {
        server.emulator.insert_term(&Term {
            internal_id: id.into(),
            name: name.into(),
            days_until_net_due: Some(days),
            is_inactive: false,
        });
    }
    server
        .emulator
        .insert_subsidiary(&subsidiary("1", "Tandem Bikes Inc."));
    let by_days = r#"<platformCommon:daysUntilNetDue operator="equalTo"><platformCore:searchValue>30</platformCore:searchValue></platformCommon:daysUntilNetDue>"#;
    let by_name = r#"<platformCommon:name operator="is"><platformCore:searchValue>tandem bikes inc.</platformCore:searchValue></platformCommon:name>"#;

    let terms = parse(
        &server
            .call("search", &search("TermSearch", by_days))
            .await
            .body,
    );
    let subsidiaries = parse(
        &server
            .call("search", &search("SubsidiarySearch", by_name))
            .await
            .body,
    );

    assert_eq!(record_ids(&terms), ["2"]);
    assert_eq!(record_ids(&subsidiaries), ["1"]);
}

const SERVICE_ITEM: &str = concat!(
    r#"<record xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
    r#"xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com" "#,
    r#"xmlns:listAcct="urn:accounting_2025_2.lists.webservices.netsuite.com" "#,
    r#"xsi:type="listAcct:ServiceSaleItem">"#,
    "<listAcct:displayName>Fleet setup</listAcct:displayName>",
    "<listAcct:itemId>FLEET-SETUP</listAcct:itemId>",
    "<listAcct:pricingMatrix><listAcct:pricing>",
    r#"<listAcct:currency internalId="4"/><listAcct:priceLevel internalId="1"/>"#,
    "<listAcct:priceList><listAcct:price><listAcct:value>370</listAcct:value>",
    "<listAcct:quantity>0</listAcct:quantity></listAcct:price></listAcct:priceList>",
    "</listAcct:pricing></listAcct:pricingMatrix></record>"
);

#[tokio::test]
async fn service_item_names_its_pricing_references() {
    let server = Server::start().await;
    server.emulator.insert_currency(&euro());
    let id = server
        .emulator
        .add_record(SERVICE_ITEM, Utc::now())
        .unwrap();

    let reply = server.call("get", &get("serviceSaleItem", &id)).await;

    let document = parse(&reply.body);
    let record = document.find("record").unwrap();
    assert_eq!(
        record.xsi_type.as_deref(),
        Some("{urn:accounting_{V}.lists.webservices.netsuite.com}ServiceSaleItem")
    );
    let pricing = document.find("pricing").unwrap();
    let currency = pricing.find("currency").unwrap();
    assert_eq!(currency.text_of("name").as_deref(), Some("Euro"));
    let level = pricing.find("priceLevel").unwrap();
    assert_eq!(level.text_of("name").as_deref(), Some("Base Price"));
}

#[tokio::test]
async fn item_search_by_service_type() {
    let server = Server::start().await;
    let id = server
        .emulator
        .add_record(SERVICE_ITEM, Utc::now())
        .unwrap();
    let criteria = r#"<platformCommon:type operator="anyOf"><platformCore:searchValue>_service</platformCore:searchValue></platformCommon:type>"#;

    let reply = server.call("search", &search("ItemSearch", criteria)).await;

    let document = parse(&reply.body);
    assert_eq!(record_ids(&document), [id], "{}", reply.body);
}

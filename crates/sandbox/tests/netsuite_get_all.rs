//! `getAll` of the NetSuite emulator.

mod netsuite_support;

use netsuite_support::{Server, parse};

fn get_all(record_type: &str) -> String {
    format!(
        r#"<platformMsgs:getAll><platformMsgs:record recordType="{record_type}"/></platformMsgs:getAll>"#
    )
}

#[tokio::test]
async fn get_all_lists_currencies_with_symbols() {
    let server = Server::start().await;

    let reply = server.call("getAll", &get_all("currency")).await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let document = parse(&reply.body);
    assert_eq!(document.text_of("totalRecords").as_deref(), Some("4"));
    let mut records = Vec::new();
    document.find_all("record", &mut records);
    assert_eq!(records.len(), 4);
    assert_eq!(records[0].attr("internalId").as_deref(), Some("1"));
    let xsi_type = records[0].xsi_type.as_deref().unwrap();
    assert!(xsi_type.starts_with("{urn:accounting_"), "{xsi_type}");
    assert!(xsi_type.ends_with("}Currency"), "{xsi_type}");
    let mut symbols = Vec::new();
    document.find_all("symbol", &mut symbols);
    let symbols: Vec<String> = symbols.iter().map(|node| node.text.clone()).collect();
    assert_eq!(symbols, ["USD", "GBP", "CAD", "EUR"]);
}

#[tokio::test]
async fn get_all_of_other_types_is_a_fault() {
    let server = Server::start().await;

    let reply = server.call("getAll", &get_all("state")).await;

    assert_eq!(reply.status, 500, "{}", reply.body);
    assert!(reply.body.contains("getAll of state"), "{}", reply.body);
}

//! SOQL queries and query paging of the Salesforce emulator, over HTTP.

mod salesforce_support;

use std::collections::BTreeSet;

use salesforce_support::{Server, VERSION, assert_valid_id, at, record_key_order};
use serde_json::{Value, json};

/// Most pages a paging loop follows before the test gives up.
const MAX_PAGES: usize = 10;

async fn seeded_server(count: u32) -> (Server, String) {
    let server = Server::start().await;
    for day in 1..=count {
        server.insert_account(json!({"Name": format!("Account {day}")}), at(day, 12));
    }
    let token = server.login().await;
    (server, token)
}

fn names(body: &Value) -> Vec<&str> {
    body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| record["Name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn query_pages_through_three_pages() {
    let (server, token) = seeded_server(5).await;
    server.emulator.set_query_batch_size(2);
    let first = server
        .query(&token, "SELECT Id, Name FROM Account ORDER BY Name")
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["totalSize"], 5);
    assert_eq!(first.body["done"], false);

    let mut ids = BTreeSet::new();
    let mut page_sizes = Vec::new();
    let mut body = first.body;
    for _ in 0..MAX_PAGES {
        let records = body["records"].as_array().unwrap();
        page_sizes.push(records.len());
        for record in records {
            let id = record["Id"].as_str().unwrap().to_string();
            assert_valid_id(&id, "001");
            ids.insert(id);
        }
        if body["done"] == true {
            assert!(body.get("nextRecordsUrl").is_none());
            break;
        }
        let next = body["nextRecordsUrl"].as_str().unwrap().to_string();
        assert!(
            next.starts_with(&format!("/services/data/{VERSION}/query/01g")),
            "{next}"
        );
        let page = server.call_raw("GET", &next, Some(&token), None, &[]).await;
        assert_eq!(page.status, 200);
        assert_eq!(page.body["totalSize"], 5);
        body = page.body;
    }

    assert_eq!(page_sizes, vec![2, 2, 1]);
    assert_eq!(ids.len(), 5);
}

#[tokio::test]
async fn query_more_rejects_finished_locator() {
    let (server, token) = seeded_server(3).await;
    server.emulator.set_query_batch_size(2);
    let first = server.query(&token, "SELECT Id FROM Account").await;
    let next = first.body["nextRecordsUrl"].as_str().unwrap().to_string();
    assert_eq!(
        server
            .call_raw("GET", &next, Some(&token), None, &[])
            .await
            .status,
        200
    );
    let again = server.call_raw("GET", &next, Some(&token), None, &[]).await;
    assert_eq!(again.status, 400);
    assert_eq!(again.body[0]["errorCode"], "INVALID_QUERY_LOCATOR");
}

#[tokio::test]
async fn query_honours_batch_size_header() {
    let (server, token) = seeded_server(3).await;
    server.emulator.set_query_batch_size(1);
    let reply = server
        .call_raw(
            "GET",
            &format!("/services/data/{VERSION}/query?q=SELECT+Id+FROM+Account"),
            Some(&token),
            None,
            &[("Sforce-Query-Options", "batchSize=200")],
        )
        .await;
    assert_eq!(reply.body["done"], true);
    assert_eq!(reply.body["records"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn query_filters_on_system_modstamp_literal() {
    let (server, token) = seeded_server(4).await;
    let reply = server
        .query(
            &token,
            "SELECT Name, SystemModstamp FROM Account WHERE SystemModstamp >= 2024-01-02T04:00:00-08:00 \
             AND SystemModstamp < 2024-01-04T12:00:00Z ORDER BY SystemModstamp",
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(names(&reply.body), vec!["Account 2", "Account 3"]);
    assert_eq!(
        reply.body["records"][0]["SystemModstamp"],
        "2024-01-02T12:00:00.000+0000"
    );
}

#[tokio::test]
async fn query_returns_fields_in_select_order() {
    let (server, token) = seeded_server(1).await;
    let reply = server.query(&token, "SELECT Name, Id FROM Account").await;
    assert_eq!(
        record_key_order(&reply.text),
        vec![vec!["attributes", "Name", "Id"]]
    );
    let record = reply.body["records"][0].as_object().unwrap();
    let id = record["Id"].as_str().unwrap();
    assert_eq!(
        record["attributes"],
        json!({"type": "Account", "url": format!("/services/data/{VERSION}/sobjects/Account/{id}")})
    );
}

#[tokio::test]
async fn query_rejects_plus_sent_unencoded() {
    let (server, token) = seeded_server(1).await;
    let path = format!(
        "/services/data/{VERSION}/query?q=SELECT+Id+FROM+Account+WHERE+SystemModstamp+%3E+2024-01-01T00:00:00+00:00"
    );
    let reply = server.call_raw("GET", &path, Some(&token), None, &[]).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body[0]["errorCode"], "MALFORMED_QUERY");
    let message = reply.body[0]["message"].as_str().unwrap();
    assert!(
        message.ends_with("no viable alternative at character ' '"),
        "{message}"
    );
    assert!(message.contains("ERROR at Row:1:Column:"), "{message}");
}

#[tokio::test]
async fn query_accepts_plus_sent_encoded() {
    let (server, token) = seeded_server(1).await;
    let path = format!(
        "/services/data/{VERSION}/query?q=SELECT+Id+FROM+Account+WHERE+SystemModstamp+%3E+2023-12-31T00:00:00%2B00:00"
    );
    let reply = server.call_raw("GET", &path, Some(&token), None, &[]).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["totalSize"], 1);
}

#[tokio::test]
async fn query_rejects_unknown_field() {
    let (server, token) = seeded_server(1).await;
    let reply = server.query(&token, "SELECT Id, Nmae FROM Account").await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body[0]["errorCode"], "INVALID_FIELD");
    assert_eq!(
        reply.body[0]["message"],
        "\nSELECT Id, Nmae FROM Account\n           ^\nERROR at Row:1:Column:12\n\
         No such column 'Nmae' on entity 'Account'. If you are attempting to use a custom field, \
         be sure to append the '__c' after the custom field name. Please reference your WSDL or \
         the describe call for the appropriate names."
    );
}

#[tokio::test]
async fn query_rejects_unknown_object() {
    let (server, token) = seeded_server(1).await;
    let reply = server.query(&token, "SELECT Id FROM Acount").await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body[0]["errorCode"], "INVALID_TYPE");
}

#[tokio::test]
async fn query_rejects_bad_syntax() {
    let (server, token) = seeded_server(1).await;
    let reply = server.query(&token, "SELECT Id Account").await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body,
        json!([{"message": "unexpected token: 'Account'", "errorCode": "MALFORMED_QUERY"}])
    );
}

#[tokio::test]
async fn query_all_includes_deleted_records() {
    let (server, token) = seeded_server(2).await;
    let id = server
        .query(&token, "SELECT Id FROM Account ORDER BY Name")
        .await
        .body["records"][0]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let deleted = server
        .call(
            "DELETE",
            &format!("/sobjects/Account/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    let live = server.query(&token, "SELECT Id FROM Account").await;
    assert_eq!(live.body["totalSize"], 1);
    let encoded = "SELECT+Id+FROM+Account+WHERE+IsDeleted+%3D+true";
    let all = server
        .call("GET", &format!("/queryAll?q={encoded}"), Some(&token), None)
        .await;
    assert_eq!(all.body["totalSize"], 1);
    assert_eq!(all.body["records"][0]["Id"], json!(id));
}

#[tokio::test]
async fn query_count_returns_total_only() {
    let (server, token) = seeded_server(3).await;
    let reply = server.query(&token, "SELECT COUNT() FROM Account").await;
    assert_eq!(
        reply.body,
        json!({"totalSize": 3, "done": true, "records": []})
    );
}

//! SOQL relationship queries of the Salesforce emulator over HTTP: parent fields nested under
//! their relationship, child subqueries as nested query results, both compared with a
//! recorded response.

mod salesforce_support;

use salesforce_support::{RESTFORCE, Server, assert_shape_covers, at, corpus, shape};
use serde_json::{Value, json};

/// Starts a server with an Account that has two Contacts, and a Contact without an Account.
async fn seeded() -> (Server, String, String) {
    let server = Server::start().await;
    let account = server.insert_account(json!({"Name": "Acme", "Phone": "555-0100"}), at(1, 9));
    for last_name in ["Zed", "Adams"] {
        let fields = json!({"LastName": last_name, "AccountId": account});
        server
            .emulator
            .insert_record("Contact", salesforce_support::object(fields), at(1, 10))
            .unwrap();
    }
    let loner = json!({"LastName": "Loner"});
    server
        .emulator
        .insert_record("Contact", salesforce_support::object(loner), at(1, 11))
        .unwrap();
    let token = server.login().await;
    (server, token, account)
}

#[tokio::test]
async fn parent_fields_nest_under_relationship() {
    let (server, token, account) = seeded().await;
    let reply = server
        .query(
            &token,
            "SELECT LastName, Account.Name, Owner.Username FROM Contact \
             WHERE Account.Name LIKE 'Ac%' ORDER BY LastName",
        )
        .await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["totalSize"], 2);
    let first = &reply.body["records"][0];
    assert_eq!(first["LastName"], "Adams");
    assert_eq!(first["Account"]["Name"], "Acme");
    assert_eq!(first["Account"]["attributes"]["type"], "Account");
    assert_eq!(
        first["Account"]["attributes"]["url"],
        format!("/services/data/v62.0/sobjects/Account/{account}")
    );
    assert_eq!(
        first["Owner"]["Username"],
        server.emulator.integration_username()
    );
}

#[tokio::test]
async fn missing_parent_is_null() {
    let (server, token, _) = seeded().await;
    let reply = server
        .query(
            &token,
            "SELECT LastName, Account.Name FROM Contact WHERE AccountId = null",
        )
        .await;
    assert_eq!(reply.body["totalSize"], 1);
    assert_eq!(reply.body["records"][0]["Account"], Value::Null);
    assert!(
        reply
            .text
            .ends_with(r#""LastName":"Loner","Account":null}]}"#),
        "{}",
        reply.text
    );
}

#[tokio::test]
async fn child_subquery_returns_nested_result() {
    let (server, token, _) = seeded().await;
    server.insert_account(json!({"Name": "Empty Co"}), at(1, 12));
    let reply = server
        .query(
            &token,
            "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account \
             ORDER BY Name",
        )
        .await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let contacts = &reply.body["records"][0]["Contacts"];
    assert_eq!(contacts["totalSize"], 2);
    assert_eq!(contacts["done"], true);
    assert_eq!(contacts["records"][0]["LastName"], "Adams");
    assert_eq!(contacts["records"][1]["LastName"], "Zed");
    assert_eq!(contacts["records"][0]["attributes"]["type"], "Contact");
    assert_eq!(reply.body["records"][1]["Contacts"], Value::Null);
}

#[tokio::test]
async fn invoice_relationships_use_custom_names() {
    let (server, token, account) = seeded().await;
    let invoice = json!({"Name": "INV-7", "Account__c": account, "Amount__c": 70.0});
    server
        .emulator
        .insert_record(
            "NetSuite_Invoice__c",
            salesforce_support::object(invoice),
            at(2, 9),
        )
        .unwrap();

    let reply = server
        .query(
            &token,
            "SELECT Name, (SELECT Name, Amount__c FROM NetSuite_Invoices__r) FROM Account \
             WHERE Name = 'Acme'",
        )
        .await;
    let invoices = &reply.body["records"][0]["NetSuite_Invoices__r"];
    assert_eq!(invoices["records"][0]["Name"], "INV-7", "{}", reply.body);
    assert_eq!(invoices["records"][0]["Amount__c"], 70.0);

    let reply = server
        .query(
            &token,
            "SELECT Name, Account__r.Name FROM NetSuite_Invoice__c",
        )
        .await;
    assert_eq!(reply.body["records"][0]["Account__r"]["Name"], "Acme");
}

#[tokio::test]
async fn unknown_child_relationship_is_invalid_type() {
    let (server, token, _) = seeded().await;
    let reply = server
        .query(
            &token,
            "SELECT Name, (SELECT Id FROM Invoices__r) FROM Account",
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body[0]["errorCode"], "INVALID_TYPE");
}

#[tokio::test]
async fn relationship_result_matches_recorded_shape() {
    let (server, token, _) = seeded().await;
    let reply = server
        .query(
            &token,
            "SELECT Name, (SELECT Name FROM Contacts) FROM Account WHERE Name = 'Acme'",
        )
        .await;
    let recorded = corpus(&format!("{RESTFORCE}/sobject/query_success_response.json"));
    let recorded_children = shape(&recorded["records"][0]["Whizbangs__r"]);
    let children = shape(&reply.body["records"][0]["Contacts"]);
    assert_shape_covers(&recorded_children, &children, "Contacts");

    let reply = server
        .query(
            &token,
            "SELECT LastName, Account.Name, Account.Phone FROM Contact",
        )
        .await;
    let mut recorded_parent = shape(&recorded["records"][0]["ParentWhizbang__r"]);
    if let Value::Object(members) = &mut recorded_parent
        && let Some(text) = members.remove("Text_Label")
    {
        members.insert("Phone".into(), text);
    }
    let parent = shape(&reply.body["records"][0]["Account"]);
    assert_eq!(parent, recorded_parent);
}

#[tokio::test]
async fn bulk_query_reads_parent_fields_but_not_subqueries() {
    let (server, token, _) = seeded().await;
    let job = |soql: &str| json!({"operation": "query", "query": soql});
    let reply = server
        .call(
            "POST",
            "/jobs/query",
            Some(&token),
            Some(job(
                "SELECT Name, (SELECT LastName FROM Contacts) FROM Account",
            )),
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);

    let reply = server
        .call(
            "POST",
            "/jobs/query",
            Some(&token),
            Some(job(
                "SELECT LastName, Account.Name FROM Contact ORDER BY LastName",
            )),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let id = reply.body["id"].as_str().unwrap();
    let csv = server
        .client
        .get(format!(
            "{}/services/data/v62.0/jobs/query/{id}/results",
            server.url
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        csv,
        "\"LastName\",\"Account.Name\"\n\"Adams\",\"Acme\"\n\"Loner\",\"\"\n\"Zed\",\"Acme\"\n"
    );
}

#[tokio::test]
async fn long_child_result_is_paged() {
    let (server, token, account) = seeded().await;
    for last_name in ["Baker", "Cole", "Diaz"] {
        let fields = json!({"LastName": last_name, "AccountId": account});
        server
            .emulator
            .insert_record("Contact", salesforce_support::object(fields), at(1, 12))
            .unwrap();
    }
    server.emulator.set_child_batch_size(2);
    let soql = "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account";

    let reply = server.query(&token, soql).await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let first = &reply.body["records"][0]["Contacts"];
    assert_eq!(first["totalSize"], 5);
    assert_eq!(first["done"], false);
    assert_eq!(first["records"].as_array().unwrap().len(), 2);
    let mut names = Vec::new();
    let mut page = first.clone();
    for _ in 0..5 {
        for record in page["records"].as_array().unwrap() {
            names.push(record["LastName"].as_str().unwrap().to_string());
        }
        let Some(next) = page["nextRecordsUrl"].as_str() else {
            break;
        };
        let path = next.trim_start_matches("/services/data/v62.0");
        let reply = server.call("GET", path, Some(&token), None).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        page = reply.body;
    }
    assert_eq!(page["done"], true);
    assert_eq!(names, ["Adams", "Baker", "Cole", "Diaz", "Zed"]);
}

//! Tandem's own Salesforce client against the emulator: the composite, collection and
//! relationship calls that the flows use beyond the account-customer flow, which the CLI's
//! end-to-end tests drive.

mod salesforce_support;

use salesforce_support::{Server, at};
use serde_json::json;
use tandem_engine::Secret;
use tandem_salesforce::{
    CompositeRequest, FieldChanges, SalesforceClient, SalesforceConfig, SalesforceId, UpsertRecord,
};

fn config(server: &Server) -> SalesforceConfig {
    let credentials = server.emulator.credentials();
    let mut config = SalesforceConfig::new(
        credentials.client_id.clone(),
        Secret::new(credentials.client_secret.clone()),
    );
    config.login_url = server.url.parse().unwrap();
    config
}

fn client(server: &Server) -> SalesforceClient {
    SalesforceClient::new(config(server)).unwrap()
}

fn changes(entries: &[(&str, &str)]) -> FieldChanges {
    entries
        .iter()
        .map(|(field, value)| (*field, json!(value)))
        .collect()
}

#[tokio::test]
async fn client_composite_links_contact_to_new_account() {
    let server = Server::start().await;
    let client = client(&server);
    let request = CompositeRequest::new(true)
        .create("NewAccount", "Account", &changes(&[("Name", "Acme")]))
        .create(
            "NewContact",
            "Contact",
            &changes(&[("LastName", "Smith"), ("AccountId", "@{NewAccount.id}")]),
        )
        .query("Check", "SELECT Id, Account.Name FROM Contact");

    let results = client.composite(&request).await.unwrap();

    assert_eq!(results.len(), 3);
    assert_eq!(results[0].status, 201);
    assert_eq!(results[1].status, 201);
    let page = results[2].result().unwrap();
    assert_eq!(page["records"][0]["Account"]["Name"], "Acme");
}

#[tokio::test]
async fn client_composite_reports_rolled_back_sibling() {
    let server = Server::start().await;
    let client = client(&server);
    let request = CompositeRequest::new(true)
        .create("Good", "Account", &changes(&[("Name", "Acme")]))
        .create("Bad", "Contact", &changes(&[("FirstName", "Ann")]));

    let results = client.composite(&request).await.unwrap();

    let halted = results[0].result().unwrap_err();
    assert!(halted.to_string().contains("PROCESSING_HALTED"), "{halted}");
    let failed = results[1].result().unwrap_err();
    assert!(
        failed.to_string().contains("REQUIRED_FIELD_MISSING"),
        "{failed}"
    );
    assert!(server.emulator.records("Account").is_empty());
}

#[tokio::test]
async fn client_upserts_and_deletes_through_collections() {
    let server = Server::start().await;
    let existing = server.insert_account(
        json!({"Name": "Old", "NetSuite_Internal_ID__c": "NS-1"}),
        at(1, 9),
    );
    let client = client(&server);
    let records = vec![
        UpsertRecord {
            external_id: "NS-1".into(),
            changes: changes(&[("Name", "Updated")]),
        },
        UpsertRecord {
            external_id: "NS-2".into(),
            changes: changes(&[("Name", "Created")]),
        },
    ];

    let results = client
        .upsert_collection("Account", "NetSuite_Internal_ID__c", &records)
        .await
        .unwrap();

    let first = results[0].as_ref().unwrap();
    assert_eq!(first.id.as_str(), existing);
    assert!(!first.created);
    let second = results[1].as_ref().unwrap();
    assert!(second.created);
    let counts = server.emulator.request_counts();
    assert_eq!(
        counts.get("PATCH /composite/sobjects/Account/{field}"),
        Some(&1)
    );

    let ids = vec![SalesforceId::parse(&existing).unwrap(), second.id.clone()];
    let deleted = client.delete_collection(&ids).await.unwrap();
    assert!(deleted.iter().all(Result::is_ok), "{deleted:?}");
    assert!(server.emulator.records("Account").is_empty());
}

#[tokio::test]
async fn client_reads_invoices_through_subquery() {
    let server = Server::start().await;
    let account = server.insert_account(json!({"Name": "Acme"}), at(1, 9));
    let invoice = json!({"Name": "INV-1", "Account__c": account, "Status__c": "Open"});
    server
        .emulator
        .insert_record(
            "NetSuite_Invoice__c",
            salesforce_support::object(invoice),
            at(1, 10),
        )
        .unwrap();
    let client = client(&server);

    let result = client
        .query("SELECT Name, (SELECT Name, Status__c FROM NetSuite_Invoices__r) FROM Account")
        .await
        .unwrap();

    let invoices = &result.records[0]["NetSuite_Invoices__r"];
    assert_eq!(invoices["totalSize"], 1);
    assert_eq!(invoices["records"][0]["Status__c"], "Open");
}

#[tokio::test]
async fn client_describe_of_unknown_object_is_config_error() {
    let server = Server::start().await;
    let client = client(&server);

    let error = client.describe("NoSuchObject__c").await.unwrap_err();

    assert_eq!(error.class(), tandem_engine::ErrorClass::Config);
    assert!(error.to_string().contains("NoSuchObject__c"), "{error}");
}

#[tokio::test]
async fn client_bulk_upsert_uploads_more_than_two_megabytes() {
    let server = Server::start().await;
    let mut config = config(&server);
    config.bulk_threshold = 10;
    let client = SalesforceClient::new(config).unwrap();
    // 10,000 rows of about 250 bytes each make an upload above axum's default body limit of
    // 2 MB.
    let padding = "x".repeat(220);
    let records: Vec<UpsertRecord> = (0..10_000)
        .map(|index| UpsertRecord {
            external_id: format!("NS-{index}"),
            changes: changes(&[("Name", &format!("Company {index} {padding}"))]),
        })
        .collect();

    let results = client
        .upsert_records("Account", "NetSuite_Internal_ID__c", &records)
        .await
        .unwrap();

    assert_eq!(results.len(), 10_000);
    let failed = results.iter().find(|result| result.is_err());
    assert!(failed.is_none(), "{failed:?}");
    assert_eq!(server.emulator.records("Account").len(), 10_000);
    let counts = server.emulator.request_counts();
    assert!(
        counts.keys().any(|route| route.contains("/jobs/ingest")),
        "no ingest job in {counts:?}"
    );
}

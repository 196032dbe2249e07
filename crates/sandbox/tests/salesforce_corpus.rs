//! Compares the shapes of the Salesforce emulator's responses (keys and value types) with
//! responses recorded from Salesforce by public projects.

mod salesforce_support;

use salesforce_support::{RESTFORCE, Server, VERSION, assert_shape_covers, at, corpus, shape};
use serde_json::{Value, json};
use tandem_sandbox::salesforce::{Access, FieldDef, FieldType};

#[tokio::test]
async fn token_response_covers_recorded_login() {
    let server = Server::start().await;
    let credentials = server.emulator.credentials().clone();
    let reply = server
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &credentials.client_id),
            ("client_secret", &credentials.client_secret),
        ])
        .await;
    let recorded = corpus(&format!("{RESTFORCE}/auth_success_response.json"));
    assert_shape_covers(&shape(&recorded), &shape(&reply.body), "token");
}

#[tokio::test]
async fn token_errors_match_recorded_shape() {
    let server = Server::start().await;
    let reply = server
        .token_request(&[("grant_type", "client_credentials")])
        .await;
    let recorded = corpus(&format!("{RESTFORCE}/auth_error_response.json"));
    assert_eq!(shape(&reply.body), shape(&recorded));
}

#[tokio::test]
async fn expired_session_matches_recording() {
    let server = Server::start().await;
    let reply = server
        .call(
            "GET",
            "/query?q=SELECT+Id+FROM+Account",
            Some("stale"),
            None,
        )
        .await;
    assert_eq!(
        reply.body,
        corpus(&format!("{RESTFORCE}/expired_session_response.json"))
    );
}

#[tokio::test]
async fn query_pages_match_recorded_shapes() {
    let server = Server::start().await;
    server.insert_account(json!({"Name": "First"}), at(1, 9));
    server.insert_account(json!({"Name": "Second"}), at(1, 10));
    server.emulator.set_query_batch_size(1);
    let token = server.login().await;
    let first = server
        .query(&token, "SELECT Name FROM Account ORDER BY Name")
        .await;
    let recorded_first = corpus(&format!(
        "{RESTFORCE}/sobject/query_paginated_first_page_response.json"
    ));
    assert_eq!(
        shape(&first.body),
        renamed(&shape(&recorded_first), "Text_Label", "Name")
    );
    let next = first.body["nextRecordsUrl"].as_str().unwrap();
    let last = server.call_raw("GET", next, Some(&token), None, &[]).await;
    let recorded_last = corpus(&format!(
        "{RESTFORCE}/sobject/query_paginated_last_page_response.json"
    ));
    assert_eq!(
        shape(&last.body),
        renamed(&shape(&recorded_last), "Text_Label", "Name")
    );
}

/// Returns `value` with every object key `from` renamed to `to`, for recordings made on
/// another object.
fn renamed(value: &Value, from: &str, to: &str) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(key, child)| {
                    let key = if key == from {
                        to.to_string()
                    } else {
                        key.clone()
                    };
                    (key, renamed(child, from, to))
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| renamed(item, from, to)).collect())
        }
        other => other.clone(),
    }
}

#[tokio::test]
async fn empty_query_matches_recording() {
    let server = Server::start().await;
    let token = server.login().await;
    let reply = server.query(&token, "SELECT Id FROM Account").await;
    assert_eq!(
        reply.body,
        corpus(&format!("{RESTFORCE}/sobject/query_empty_response.json"))
    );
}

#[tokio::test]
async fn create_and_upsert_results_match_recorded_shapes() {
    let server = Server::start().await;
    let token = server.login().await;
    let created = server
        .call(
            "POST",
            "/sobjects/Account",
            Some(&token),
            Some(json!({"Name": "A"})),
        )
        .await;
    let recorded = corpus(&format!("{RESTFORCE}/sobject/create_success_response.json"));
    assert_eq!(shape(&created.body), shape(&recorded));
    let upserted = server
        .call_raw(
            "PATCH",
            "/services/data/v45.0/sobjects/Account/NetSuite_Internal_ID__c/77",
            Some(&token),
            Some(json!({"Name": "B"})),
            &[],
        )
        .await;
    let recorded = corpus(&format!(
        "{RESTFORCE}/sobject/upsert_created_success_response.json"
    ));
    assert_eq!(shape(&upserted.body), shape(&recorded));
}

#[tokio::test]
async fn error_bodies_match_recorded_shapes() {
    let server = Server::start().await;
    let token = server.login().await;
    let unknown_field = server
        .call(
            "POST",
            "/sobjects/Account",
            Some(&token),
            Some(json!({"Name": "A", "foo": 1})),
        )
        .await;
    let recorded = corpus(&format!("{RESTFORCE}/sobject/write_error_response.json"));
    let expected: Value =
        serde_json::from_str(&recorded.to_string().replace("type Bar", "type Account")).unwrap();
    assert_eq!(unknown_field.body, expected);
    let not_external = server
        .call(
            "PATCH",
            "/sobjects/Account/Namez/1",
            Some(&token),
            Some(json!({"Name": "A"})),
        )
        .await;
    assert_eq!(
        not_external.body,
        corpus(&format!("{RESTFORCE}/sobject/upsert_error_response.json"))
    );
    let missing = server
        .call(
            "GET",
            "/sobjects/Account/001000000000001AAA",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        missing.body,
        corpus(&format!(
            "{RESTFORCE}/sobject/sobject_describe_error_response.json"
        ))
    );
}

#[tokio::test]
async fn multiple_choices_matches_recorded_shape() {
    let server = Server::start().await;
    let field = FieldDef::new(
        "Legacy_Key__c",
        "Legacy Key",
        FieldType::String,
        80,
        Access::Optional,
    )
    .external_id(false);
    server.emulator.add_field("Account", field).unwrap();
    server.insert_account(json!({"Name": "A", "Legacy_Key__c": "k"}), at(1, 9));
    server.insert_account(json!({"Name": "B", "Legacy_Key__c": "k"}), at(1, 9));

    let token = server.login().await;
    let reply = server
        .call(
            "GET",
            "/sobjects/Account/Legacy_Key__c/k",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(reply.status, 300);

    let recorded = corpus(&format!(
        "{RESTFORCE}/sobject/upsert_multiple_error_response.json"
    ));
    assert_eq!(shape(&reply.body), shape(&recorded));
    for url in reply.body.as_array().unwrap() {
        assert!(
            url.as_str()
                .unwrap()
                .starts_with(&format!("/services/data/{VERSION}/sobjects/Account/001"))
        );
    }
}

#[tokio::test]
async fn versions_match_recorded_shape() {
    let server = Server::start().await;
    let reply = server
        .call_raw("GET", "/services/data/", None, None, &[])
        .await;
    let recorded = corpus(&format!("{RESTFORCE}/services_data_success_response.json"));
    assert_eq!(shape(&reply.body), shape(&recorded));
}

#[tokio::test]
async fn record_matches_recorded_find_shape() {
    let server = Server::start().await;
    let id = server.insert_account(json!({"Name": "Acme", "Phone": "(415) 555-1212"}), at(1, 9));
    let token = server.login().await;
    let reply = server
        .call(
            "GET",
            &format!("/sobjects/Account/{id}"),
            Some(&token),
            None,
        )
        .await;
    let recorded = corpus(&format!(
        "{RESTFORCE}/sobject/sobject_find_success_response.json"
    ));
    let common = [
        "attributes",
        "Id",
        "OwnerId",
        "IsDeleted",
        "Name",
        "CreatedById",
        "LastModifiedById",
    ];
    for key in common {
        assert_eq!(shape(&reply.body[key]), shape(&recorded[key]), "{key}");
    }
    let date_pattern =
        |text: &str| text.len() == 28 && text.ends_with("+0000") && &text[19..20] == ".";
    assert!(date_pattern(recorded["DateTime_Label"].as_str().unwrap()));
    assert!(date_pattern(reply.body["CreatedDate"].as_str().unwrap()));
}

#[tokio::test]
async fn describe_fields_agree_with_recorded_account() {
    let server = Server::start().await;
    let id = server.insert_account(json!({"Name": "Acme"}), at(1, 9));
    let record = server.emulator.record("Account", &id).unwrap();
    let describe = corpus("SFDO-Tooling__CumulusCI/extracted/Account_describe.response.json");
    for field in describe["fields"].as_array().unwrap() {
        let name = field["name"].as_str().unwrap();
        if !record.contains_key(name) {
            continue;
        }
        if field["type"] == "boolean" {
            assert!(record[name].is_boolean(), "{name} is a boolean");
        }
    }
    for name in [
        "Id",
        "Name",
        "Phone",
        "BillingCity",
        "OwnerId",
        "SystemModstamp",
        "Type",
    ] {
        assert!(
            describe["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|field| field["name"] == name),
            "{name} exists in the recorded describe"
        );
    }
}

#[tokio::test]
async fn describe_global_covers_recorded_shape() {
    let server = Server::start().await;
    let token = server.login().await;
    let reply = server.call("GET", "/sobjects", Some(&token), None).await;
    for file in [
        "describe_sobjects_success_response.json",
        "list_sobjects_success_response.json",
    ] {
        let recorded = corpus(&format!("{RESTFORCE}/sobject/{file}"));
        assert_shape_covers(&shape(&recorded), &shape(&reply.body), file);
    }
}

#[tokio::test]
async fn describe_object_covers_recorded_shape() {
    let server = Server::start().await;
    let token = server.login().await;
    let reply = server
        .call("GET", "/sobjects/Account/describe", Some(&token), None)
        .await;
    let recorded = corpus("SFDO-Tooling__CumulusCI/extracted/Account_describe.response.json");
    let mut recorded = shape(&recorded);
    let recorded_field = recorded
        .as_object_mut()
        .and_then(|members| members.remove("fields"))
        .map(|mut fields| fields[0].take())
        .unwrap();
    assert_shape_covers(&recorded, &shape(&reply.body), "describe");
    // The recorded Account's first field is its Id, as the emulator's is.
    let field = shape(&reply.body["fields"][0]);
    assert_shape_covers(&recorded_field, &field, "describe.fields[0]");
}

#[tokio::test]
async fn record_count_matches_cumulusci_recording() {
    let server = Server::start().await;
    server.insert_account(json!({"Name": "Sitwell-Bluth"}), at(1, 9));
    let token = server.login().await;
    let accounts = server
        .call(
            "GET",
            "/limits/recordCount?sObjects=Account",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        accounts.body,
        json!({"sObjects": [{"count": 1, "name": "Account"}]})
    );
    let opportunities = server
        .call(
            "GET",
            "/limits/recordCount?sObjects=Opportunity",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(opportunities.body, json!({"sObjects": []}));
}

#[tokio::test]
async fn second_delete_matches_recorded_error() {
    let server = Server::start().await;
    let id = server.insert_account(json!({"Name": "Gone"}), at(1, 9));
    let token = server.login().await;
    let path = format!("/sobjects/Account/{id}");
    let first = server.call("DELETE", &path, Some(&token), None).await;
    assert_eq!(first.status, 204);

    let second = server.call("DELETE", &path, Some(&token), None).await;

    // Recorded by restforce-db in 2015, deleting a record that was already deleted.
    assert_eq!(second.status, 404);
    assert_eq!(
        second.text,
        r#"[{"message":"entity is deleted","errorCode":"ENTITY_IS_DELETED","fields":[]}]"#
    );
}

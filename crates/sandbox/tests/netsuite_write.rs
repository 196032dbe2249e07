//! Customer writes and reads of the NetSuite emulator, over HTTP.

mod netsuite_support;

use netsuite_support::{
    Node, Server, adapt_recorded_request, assert_same_shape, corpus, parse, without_children_of,
};
use tandem_sandbox::netsuite::{CustomField, CustomFieldValue, Customer};

fn add_body(external_id: &str, fields: &str) -> String {
    format!(
        r#"<platformMsgs:add><platformMsgs:record xsi:type="listRel:Customer" externalId="{external_id}">{fields}</platformMsgs:record></platformMsgs:add>"#
    )
}

fn upsert_body(external_id: &str, fields: &str) -> String {
    add_body(external_id, fields).replace("platformMsgs:add>", "platformMsgs:upsert>")
}

fn update_body(attributes: &str, fields: &str) -> String {
    format!(
        r#"<platformMsgs:update><platformMsgs:record xsi:type="listRel:Customer" {attributes}>{fields}</platformMsgs:record></platformMsgs:update>"#
    )
}

fn get_body(attributes: &str) -> String {
    format!(
        r#"<platformMsgs:get><platformMsgs:baseRef xsi:type="platformCore:RecordRef" type="customer" {attributes}/></platformMsgs:get>"#
    )
}

fn status_code(response: &Node) -> Option<String> {
    response.text_of("code")
}

fn is_success(response: &Node) -> String {
    response.find("status").unwrap().attr("isSuccess").unwrap()
}

async fn add_company(server: &Server, external_id: &str, company: &str) -> String {
    let fields = format!("<listRel:companyName>{company}</listRel:companyName>");
    let reply = server.call("add", &add_body(external_id, &fields)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    parse(&reply.body)
        .find("baseRef")
        .unwrap()
        .attr("internalId")
        .unwrap()
}

#[tokio::test]
async fn add_then_get_returns_the_customer() {
    let server = Server::start().await;
    let fields = "<listRel:companyName>Blue Heron Outfitters</listRel:companyName>\
        <listRel:email>ap@blueheron.example</listRel:email>\
        <listRel:phone>555-0100</listRel:phone>\
        <listRel:customFieldList>\
        <platformCore:customField scriptId=\"custentity_sf_id\" xsi:type=\"platformCore:StringCustomFieldRef\">\
        <platformCore:value>001A000001</platformCore:value></platformCore:customField>\
        </listRel:customFieldList>";
    let added = server.call("add", &add_body("SF-001", fields)).await;
    assert_eq!(added.status, 200);
    let base_ref = parse(&added.body).find("baseRef").unwrap().clone();
    assert_eq!(base_ref.attr("type").unwrap(), "customer");
    assert_eq!(base_ref.attr("externalId").unwrap(), "SF-001");
    let internal_id = base_ref.attr("internalId").unwrap();

    let got = server
        .call("get", &get_body(&format!("internalId=\"{internal_id}\"")))
        .await;
    let response = parse(&got.body);
    assert_eq!(is_success(&response), "true");
    let record = response.find("record").unwrap();
    assert_eq!(
        record.text_of("companyName").unwrap(),
        "Blue Heron Outfitters"
    );
    assert_eq!(record.text_of("email").unwrap(), "ap@blueheron.example");
    assert_eq!(record.text_of("entityId").unwrap(), "CUST00001");
    assert_eq!(record.text_of("value").unwrap(), "001A000001");
    let stored = server.emulator.customer(&internal_id).unwrap();
    assert_eq!(stored.phone.as_deref(), Some("555-0100"));
    assert_eq!(
        stored.custom_fields[0].value,
        CustomFieldValue::String("001A000001".into())
    );
}

#[tokio::test]
async fn get_by_external_id_uses_recorded_request() {
    let server = Server::start().await;
    add_company(&server, "tuesday@mail.com", "Tuesday Mail").await;
    let request = adapt_recorded_request(
        &server,
        "railsdog__netsuite_integration/spec/cassettes/customer/customer_found/01_get_request.xml",
    );
    let reply = server.post(&request, Some("\"get\"")).await;
    assert_eq!(reply.status, 200);
    let record = parse(&reply.body);
    assert_eq!(record.text_of("companyName").unwrap(), "Tuesday Mail");
}

#[tokio::test]
async fn add_of_recorded_person_request_succeeds() {
    let server = Server::start().await;
    let request = adapt_recorded_request(
        &server,
        "iloveitaly__netsuite_integration/spec/cassettes/customer/create/01_add_request.xml",
    );
    let reply = server.post(&request, Some("\"add\"")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let recorded = corpus(
        "iloveitaly__netsuite_integration/spec/cassettes/customer/create/01_add_response.xml",
    );
    assert_same_shape(&parse(&reply.body), &parse(&recorded));
    let customers = server.emulator.customers();
    assert_eq!(
        customers[0].entity_id.as_deref(),
        Some("was@spreecommerce.com")
    );
    assert_eq!(customers[0].company_name, None);
}

#[tokio::test]
async fn get_of_missing_customer_matches_recorded_failure() {
    let server = Server::start().await;
    let reply = server.call("get", &get_body("externalId=\"nobody\"")).await;
    assert_eq!(reply.status, 200);
    let response = parse(&reply.body);
    assert_eq!(status_code(&response).unwrap(), "INVALID_KEY_OR_REF");
    assert_eq!(
        response.text_of("message").unwrap(),
        "The specified key is invalid."
    );
    let recorded = corpus(
        "railsdog__netsuite_integration/spec/cassettes/customer/customer_found/01_get_response.xml",
    );
    assert_same_shape(&response, &parse(&recorded));
}

#[tokio::test]
async fn get_response_matches_recorded_shape() {
    let server = Server::start().await;
    let now = chrono::Utc::now();
    let internal_id = server.emulator.insert_customer(Customer {
        internal_id: String::new(),
        external_id: Some("3".into()),
        entity_id: Some("N/A".into()),
        company_name: None,
        email: Some("andrei@spreecommerce.com".into()),
        phone: None,
        url: None,
        is_inactive: true,
        date_created: now,
        last_modified: now,
        custom_fields: vec![
            CustomField {
                script_id: "custentity_fmt_customer_credit_on_hold".into(),
                internal_id: Some("201".into()),
                value: CustomFieldValue::Boolean(false),
            },
            CustomField {
                script_id: "custentity_fmt_cust_credit_on_hold".into(),
                internal_id: Some("183".into()),
                value: CustomFieldValue::Boolean(false),
            },
        ],
    });
    let reply = server
        .call("get", &get_body(&format!("internalId=\"{internal_id}\"")))
        .await;
    let mine = parse(&reply.body);
    let recorded = parse(&corpus(
        "iloveitaly__netsuite_integration/spec/cassettes/customer/customer_found/01_get_response.xml",
    ));
    assert_same_shape(
        &without_children_of(&mine, "record"),
        &without_children_of(&recorded, "record"),
    );
    let recorded_fields: Vec<&str> = recorded
        .find("record")
        .unwrap()
        .children
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let mine_record = mine.find("record").unwrap();
    for field in &mine_record.children {
        assert!(
            recorded_fields.contains(&field.name.as_str()),
            "{} not recorded",
            field.name
        );
    }
    let custom = |node: &Node| node.find("customFieldList").unwrap().shape();
    assert_eq!(
        custom(mine_record),
        custom(recorded.find("record").unwrap())
    );
}

#[tokio::test]
async fn add_with_taken_external_id_matches_recorded_failure() {
    let server = Server::start().await;
    add_company(&server, "spree@example.com", "Spree").await;
    let fields = "<listRel:companyName>Spree Again</listRel:companyName>";
    let reply = server
        .call("add", &add_body("spree@example.com", fields))
        .await;
    assert_eq!(reply.status, 200);
    let response = parse(&reply.body);
    assert_eq!(status_code(&response).unwrap(), "DUP_ENTITY");
    let recorded =
        corpus("railsdog__netsuite_integration/spec/cassettes/customer/create/01_add_response.xml");
    assert_same_shape(&response, &parse(&recorded));
    assert_eq!(server.emulator.customers().len(), 1);
}

#[tokio::test]
async fn add_without_company_name_is_rejected() {
    let server = Server::start().await;
    let reply = server
        .call(
            "add",
            &add_body("X1", "<listRel:email>a@b.example</listRel:email>"),
        )
        .await;
    let response = parse(&reply.body);
    assert_eq!(is_success(&response), "false");
    assert_eq!(status_code(&response).unwrap(), "USER_ERROR");
    assert_eq!(
        response.text_of("message").unwrap(),
        "Please enter value(s) for: Company Name"
    );
    assert!(server.emulator.customers().is_empty());
}

#[tokio::test]
async fn add_with_invalid_email_is_rejected() {
    let server = Server::start().await;
    let fields = "<listRel:companyName>Acme</listRel:companyName><listRel:email>not-an-email</listRel:email>";
    let reply = server.call("add", &add_body("X2", fields)).await;
    let response = parse(&reply.body);
    assert_eq!(status_code(&response).unwrap(), "INVALID_FLD_VALUE");
    assert!(server.emulator.customers().is_empty());
}

#[tokio::test]
async fn add_with_too_long_company_name_is_rejected() {
    let server = Server::start().await;
    let fields = format!(
        "<listRel:companyName>{}</listRel:companyName>",
        "A".repeat(84)
    );
    let reply = server.call("add", &add_body("X3", &fields)).await;
    let response = parse(&reply.body);
    assert_eq!(is_success(&response), "false");
    assert!(response.text_of("message").unwrap().contains("( 83 )"));
}

#[tokio::test]
async fn add_with_unknown_element_is_a_schema_fault() {
    let server = Server::start().await;
    let fields =
        "<listRel:companyName>Acme</listRel:companyName><listRel:addr1>1 Main</listRel:addr1>";
    let reply = server.call("add", &add_body("X4", fields)).await;
    assert_eq!(reply.status, 500);
    let fault = parse(&reply.body);
    assert_eq!(
        fault.text_of("faultstring").unwrap(),
        "com.netledger.util.schemabean.NLSchemaBeanException: addr1 not found on \
         {urn:relationships_2025_2.lists.webservices.netsuite.com}Customer"
    );
    let recorded = corpus(
        "railsdog__netsuite_integration/spec/cassettes/invoice/import_service/01_update_response.xml",
    );
    assert_same_shape(&fault, &parse(&recorded));
}

#[tokio::test]
async fn upsert_twice_keeps_one_record() {
    let server = Server::start().await;
    let first = upsert_body(
        "SF-9",
        "<listRel:companyName>First Name</listRel:companyName>",
    );
    let second = upsert_body("SF-9", "<listRel:phone>555-0199</listRel:phone>");
    let one = parse(&server.call("upsert", &first).await.body);
    let two = parse(&server.call("upsert", &second).await.body);
    assert_eq!(is_success(&one), "true");
    assert_eq!(is_success(&two), "true");
    let id_one = one.find("baseRef").unwrap().attr("internalId");
    let id_two = two.find("baseRef").unwrap().attr("internalId");
    assert_eq!(id_one, id_two);
    let customers = server.emulator.customers();
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0].company_name.as_deref(), Some("First Name"));
    assert_eq!(customers[0].phone.as_deref(), Some("555-0199"));
}

#[tokio::test]
async fn upsert_without_external_id_is_rejected() {
    let server = Server::start().await;
    let body = upsert_body("", "<listRel:companyName>Acme</listRel:companyName>");
    let response = parse(&server.call("upsert", &body).await.body);
    assert_eq!(status_code(&response).unwrap(), "USER_ERROR");
    assert!(response.text_of("message").unwrap().contains("externalId"));
}

#[tokio::test]
async fn update_with_null_field_list_clears_only_listed_fields() {
    let server = Server::start().await;
    let fields = "<listRel:companyName>Acme</listRel:companyName>\
        <listRel:email>ap@acme.example</listRel:email><listRel:phone>555-0100</listRel:phone>";
    let added = server.call("add", &add_body("SF-2", fields)).await;
    let internal_id = parse(&added.body)
        .find("baseRef")
        .unwrap()
        .attr("internalId")
        .unwrap();
    let before = server.emulator.customer(&internal_id).unwrap();

    let null_list = "<platformCore:nullFieldList><platformCore:name>phone</platformCore:name>\
        </platformCore:nullFieldList><listRel:url>https://acme.example</listRel:url>";
    let body = update_body(&format!("internalId=\"{internal_id}\""), null_list);
    let response = parse(&server.call("update", &body).await.body);
    assert_eq!(is_success(&response), "true");

    let after = server.emulator.customer(&internal_id).unwrap();
    assert_eq!(after.phone, None);
    assert_eq!(after.email.as_deref(), Some("ap@acme.example"));
    assert_eq!(after.company_name.as_deref(), Some("Acme"));
    assert_eq!(after.url.as_deref(), Some("https://acme.example"));
    assert!(after.last_modified >= before.last_modified);
}

#[tokio::test]
async fn update_sets_external_id_from_attribute() {
    let server = Server::start().await;
    let internal_id = add_company(&server, "OLD", "Acme").await;
    let body = update_body(
        &format!("internalId=\"{internal_id}\" externalId=\"NEW\""),
        "",
    );
    let response = parse(&server.call("update", &body).await.body);
    assert_eq!(is_success(&response), "true");
    assert_eq!(
        response
            .find("baseRef")
            .unwrap()
            .attr("externalId")
            .unwrap(),
        "NEW"
    );
    let got = parse(
        &server
            .call("get", &get_body("externalId=\"NEW\""))
            .await
            .body,
    );
    assert_eq!(
        got.find("record").unwrap().attr("internalId").unwrap(),
        internal_id
    );
    let old = parse(
        &server
            .call("get", &get_body("externalId=\"OLD\""))
            .await
            .body,
    );
    assert_eq!(status_code(&old).unwrap(), "INVALID_KEY_OR_REF");
}

#[tokio::test]
async fn update_to_taken_external_id_is_rejected() {
    let server = Server::start().await;
    add_company(&server, "A", "Alpha").await;
    let beta = add_company(&server, "B", "Beta").await;
    let body = update_body(&format!("internalId=\"{beta}\" externalId=\"A\""), "");
    let response = parse(&server.call("update", &body).await.body);
    assert_eq!(status_code(&response).unwrap(), "DUP_ENTITY");
}

#[tokio::test]
async fn update_of_unknown_record_is_rejected() {
    let server = Server::start().await;
    let body = update_body("internalId=\"999\"", "<listRel:phone>1</listRel:phone>");
    let reply = server.call("update", &body).await;
    assert_eq!(reply.status, 200);
    let response = parse(&reply.body);
    assert_eq!(is_success(&response), "false");
    assert_eq!(status_code(&response).unwrap(), "RCRD_DSNT_EXIST");
    assert_eq!(
        response
            .find("baseRef")
            .unwrap()
            .attr("internalId")
            .unwrap(),
        "999"
    );
}

#[tokio::test]
async fn update_of_read_only_field_needs_preference() {
    let server = Server::start().await;
    let internal_id = add_company(&server, "RO", "Acme").await;
    let fields = "<listRel:lastModifiedDate>2020-01-01T00:00:00Z</listRel:lastModifiedDate>\
        <listRel:phone>555</listRel:phone>";
    let body = update_body(&format!("internalId=\"{internal_id}\""), fields);
    let rejected = parse(&server.call("update", &body).await.body);
    assert_eq!(status_code(&rejected).unwrap(), "INSUFFICIENT_PERMISSION");

    let headers = format!(
        "{}<platformMsgs:preferences><platformMsgs:ignoreReadOnlyFields>true</platformMsgs:ignoreReadOnlyFields></platformMsgs:preferences>",
        server.passport()
    );
    let accepted = parse(
        &server
            .call_with_headers("update", &headers, &body)
            .await
            .body,
    );
    assert_eq!(is_success(&accepted), "true");
    let stored = server.emulator.customer(&internal_id).unwrap();
    assert_eq!(stored.phone.as_deref(), Some("555"));
    assert!(stored.last_modified.timestamp() > 1_600_000_000);
}

#[tokio::test]
async fn unmodelled_fields_round_trip() {
    let server = Server::start().await;
    let fields = "<listRel:companyName>Acme</listRel:companyName>\
        <listRel:subsidiary internalId=\"1\"/>\
        <listRel:creditLimit>5000</listRel:creditLimit>\
        <listRel:addressbookList><listRel:addressbook><listRel:defaultBilling>true</listRel:defaultBilling>\
        <listRel:addressbookAddress><platformCommon:city>Portland</platformCommon:city></listRel:addressbookAddress>\
        </listRel:addressbook></listRel:addressbookList>";
    let internal_id = {
        let reply = server.call("add", &add_body("RT", fields)).await;
        parse(&reply.body)
            .find("baseRef")
            .unwrap()
            .attr("internalId")
            .unwrap()
    };
    let got = parse(
        &server
            .call("get", &get_body(&format!("internalId=\"{internal_id}\"")))
            .await
            .body,
    );
    let record = got.find("record").unwrap();
    assert_eq!(
        record
            .find("subsidiary")
            .unwrap()
            .attr("internalId")
            .unwrap(),
        "1"
    );
    assert_eq!(record.text_of("creditLimit").unwrap(), "5000.0");
    assert_eq!(record.text_of("city").unwrap(), "Portland");
    let names: Vec<&str> = record.children.iter().map(Node::local).collect();
    let position = |name: &str| names.iter().position(|n| *n == name).unwrap();
    assert!(position("companyName") < position("subsidiary"));
    assert!(position("subsidiary") < position("creditLimit"));
    assert!(position("creditLimit") < position("addressbookList"));
}

#[tokio::test]
async fn upsert_list_reports_each_record() {
    let server = Server::start().await;
    add_company(&server, "L1", "Existing").await;
    let body = "<platformMsgs:upsertList>\
        <platformMsgs:record xsi:type=\"listRel:Customer\" externalId=\"L1\"><listRel:phone>1</listRel:phone></platformMsgs:record>\
        <platformMsgs:record xsi:type=\"listRel:Customer\" externalId=\"L2\"><listRel:phone>2</listRel:phone></platformMsgs:record>\
        <platformMsgs:record xsi:type=\"listRel:Customer\" externalId=\"L3\"><listRel:companyName>New</listRel:companyName></platformMsgs:record>\
        </platformMsgs:upsertList>";
    let reply = server.call("upsertList", body).await;
    assert_eq!(reply.status, 200);
    let response = parse(&reply.body);
    let mut responses = Vec::new();
    response.find_all("writeResponse", &mut responses);
    let outcomes: Vec<String> = responses.iter().map(|r| is_success(r)).collect();
    assert_eq!(outcomes, vec!["true", "false", "true"]);
    assert_eq!(server.emulator.customers().len(), 2);
}

#[tokio::test]
async fn write_of_other_record_type_fails_per_record() {
    let server = Server::start().await;
    let body = r#"<platformMsgs:add xmlns:tranCust="urn:customers_2025_2.transactions.webservices.netsuite.com"><platformMsgs:record xsi:type="tranCust:CustomerDeposit"/></platformMsgs:add>"#;
    let reply = server.call("add", body).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        status_code(&parse(&reply.body)).unwrap(),
        "UNKNOWN_RCRD_TYPE"
    );
}

#[tokio::test]
async fn edit_customer_bumps_last_modified() {
    let server = Server::start().await;
    let earlier = chrono::Utc::now() - chrono::Duration::days(3);
    let internal_id = server.emulator.insert_customer(Customer {
        internal_id: String::new(),
        external_id: None,
        entity_id: None,
        company_name: Some("Old Name".into()),
        email: None,
        phone: None,
        url: None,
        is_inactive: false,
        date_created: earlier,
        last_modified: earlier,
        custom_fields: Vec::new(),
    });
    let edited = server
        .emulator
        .edit_customer(&internal_id, |c| c.company_name = Some("New Name".into()));
    assert!(edited);
    let stored = server.emulator.customer(&internal_id).unwrap();
    assert_eq!(stored.company_name.as_deref(), Some("New Name"));
    assert!(stored.last_modified > earlier);
    assert!(!server.emulator.edit_customer("404", |_| {}));
}

#[tokio::test]
async fn recorded_flat_address_update_gets_recorded_fault() {
    let server = Server::start().await;
    let request = adapt_recorded_request(
        &server,
        "railsdog__netsuite_integration/spec/cassettes/invoice/import_service/01_update_request.xml",
    );
    let reply = server.post(&request, Some("\"update\"")).await;
    assert_eq!(reply.status, 500);
    let recorded = corpus(
        "railsdog__netsuite_integration/spec/cassettes/invoice/import_service/01_update_response.xml",
    );
    let mine = parse(&reply.body);
    let expected = parse(&netsuite_support::replace_versions(
        &recorded,
        netsuite_support::VERSION,
    ));
    assert_eq!(mine.text_of("faultstring"), expected.text_of("faultstring"));
    assert_same_shape(&mine, &expected);
}

#[tokio::test]
async fn update_with_address_text_is_rejected_as_recorded() {
    let server = Server::start().await;
    let internal_id = add_company(&server, "ADDR", "Acme").await;
    let fields = "<listRel:addressbookList><listRel:addressbook><listRel:addressbookAddress>\
        <platformCommon:addr1>1 Main St</platformCommon:addr1>\
        <platformCommon:addrText>1 Main St</platformCommon:addrText>\
        </listRel:addressbookAddress></listRel:addressbook></listRel:addressbookList>";
    let body = update_body(&format!("internalId=\"{internal_id}\""), fields);
    let response = parse(&server.call("update", &body).await.body);
    let recorded = parse(&corpus(
        "NetSweet__netsuite/spec/support/fixtures/update/update_customer_error.xml",
    ));
    assert_eq!(status_code(&response), status_code(&recorded));
    assert_eq!(response.text_of("message"), recorded.text_of("message"));
}

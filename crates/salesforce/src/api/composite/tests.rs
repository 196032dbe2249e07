use super::*;
use crate::api::test_support::*;

const CAMEL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../corpus/salesforce/apache__camel"
);

fn camel(name: &str) -> Vec<u8> {
    std::fs::read(format!("{CAMEL}/{name}")).unwrap()
}

#[test]
fn parse_composite_reads_recorded_success() {
    let results = parse_composite(&camel("composite_response_example_success.json")).unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].reference_id, "NewPayment1");
    assert_eq!(results[0].status, 201);
    assert_eq!(
        results[0].headers["Location"],
        "/services/data/v41.0/sobjects/blng__Payment__c/a1V3E000000EXomUAM"
    );
    let body = results[1].result().unwrap();
    assert_eq!(body["id"], "a1V3E000000EXomUAG");
    assert_eq!(body["success"], true);
}

#[test]
fn parse_composite_reads_recorded_rollback() {
    let results = parse_composite(&camel("composite_response_example_failure.json")).unwrap();
    let halted = results[0].result().unwrap_err();
    assert_eq!(halted.code(), "PROCESSING_HALTED");
    assert_eq!(halted.remedy(), crate::Remedy::RetryLater);
    let culprit = results[1].result().unwrap_err();
    assert_eq!(culprit.code(), "INVALID_FIELD");
    assert!(
        culprit
            .to_string()
            .contains("Foreign key external ID: 0116 not found")
    );
    assert_eq!(results[1].errors().len(), 1);
}

#[test]
fn composite_body_is_exact() {
    let mut account = FieldChanges::new();
    account.set("Name", "Acme");
    let mut contact = FieldChanges::new();
    contact
        .set("LastName", "Smith")
        .set("AccountId", "@{NewAccount.id}");
    let request = CompositeRequest::new(true)
        .create("NewAccount", "Account", &account)
        .create("NewContact", "Contact", &contact)
        .get("Described", ["sobjects", "Account", "describe"])
        .query("Found", "SELECT Id FROM Account WHERE Name = 'A+B'")
        .update("Renamed", "Account", "@{NewAccount.id}", &account);
    assert_eq!(
        request.to_body("v62.0").unwrap(),
        json!({
            "allOrNone": true,
            "compositeRequest": [
                {"method": "POST", "url": "/services/data/v62.0/sobjects/Account",
                 "referenceId": "NewAccount", "body": {"Name": "Acme"}},
                {"method": "POST", "url": "/services/data/v62.0/sobjects/Contact",
                 "referenceId": "NewContact",
                 "body": {"LastName": "Smith", "AccountId": "@{NewAccount.id}"}},
                {"method": "GET", "url": "/services/data/v62.0/sobjects/Account/describe",
                 "referenceId": "Described"},
                {"method": "GET",
                 "url": "/services/data/v62.0/query/?q=SELECT+Id+FROM+Account+WHERE+Name+%3D+%27A%2BB%27",
                 "referenceId": "Found"},
                {"method": "PATCH", "url": "/services/data/v62.0/sobjects/Account/@{NewAccount.id}",
                 "referenceId": "Renamed", "body": {"Name": "Acme"}}
            ]
        })
    );
}

#[test]
fn composite_body_enforces_limits() {
    let mut request = CompositeRequest::new(false);
    assert!(request.to_body("v62.0").is_err(), "empty");
    for n in 0..6 {
        request = request.query(&format!("Q{n}"), "SELECT Id FROM Account");
    }
    let error = request.to_body("v62.0").unwrap_err();
    assert!(error.to_string().contains("at most 5 query"), "{error}");
    let mut many = CompositeRequest::new(false);
    for n in 0..26 {
        many = many.get(&format!("G{n}"), ["sobjects", "Account", "describe"]);
    }
    assert!(many.to_body("v62.0").is_err());
    let bad_reference = CompositeRequest::new(false).get("a-b", ["limits"]);
    assert!(bad_reference.to_body("v62.0").is_err());
}

#[test]
fn composite_segments_are_encoded() {
    let request =
        CompositeRequest::new(false).get("Ext", ["sobjects", "Account", "Ext__c", "a/b c"]);
    let body = request.to_body("v62.0").unwrap();
    assert_eq!(
        body["compositeRequest"][0]["url"],
        "/services/data/v62.0/sobjects/Account/Ext__c/a%2Fb%20c"
    );
    let build_check = build(&ApiRequest::versioned(Method::POST, ["composite"]).json(body));
    assert_eq!(build_check.url().path(), "/services/data/v62.0/composite");
    assert_eq!(header(&build_check, "sforce-call-options"), None);
}

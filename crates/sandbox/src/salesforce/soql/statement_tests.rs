//! Tests of planning and running statements over a small fixed set of records.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::paths::RecordSource;
use super::{QueryOutcome, prepare};
use crate::salesforce::errors::ApiError;
use crate::salesforce::record::{Cell, Values};
use crate::salesforce::schema::standard_objects;
use crate::salesforce::version::DEFAULT_VERSION;

/// Records by object, each list in Id order.
#[derive(Default)]
struct Fixture {
    records: BTreeMap<String, Vec<Values>>,
}

impl Fixture {
    fn add(&mut self, object: &str, members: Value) {
        let values: Values = members
            .as_object()
            .unwrap()
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        self.records
            .entry(object.to_string())
            .or_default()
            .push(values);
    }
}

impl RecordSource for Fixture {
    fn record(&self, object: &str, id: &str) -> Option<&Values> {
        self.records
            .get(object)?
            .iter()
            .find(|values| values.get("Id").and_then(Value::as_str) == Some(id))
    }

    fn records<'a>(&'a self, object: &str) -> Box<dyn Iterator<Item = &'a Values> + 'a> {
        Box::new(self.records.get(object).into_iter().flatten())
    }
}

const ACME: &str = "001000000000001AAA";
const BETA: &str = "001000000000002AAA";
const UNNAMED: &str = "001000000000003AAA";
const OWNER: &str = "005000000000001AAA";

fn sample() -> Fixture {
    let mut fixture = Fixture::default();
    for (id, name, stamp) in [
        (ACME, json!("Acme"), "2024-01-01T00:00:00.000+0000"),
        (BETA, json!("beta"), "2024-02-01T00:00:00.000+0000"),
        (UNNAMED, Value::Null, "2024-03-01T00:00:00.000+0000"),
    ] {
        fixture.add(
            "Account",
            json!({"Id": id, "Name": name, "SystemModstamp": stamp, "OwnerId": OWNER,
                   "ParentId": null, "Description": null}),
        );
    }
    fixture.add(
        "User",
        json!({"Id": OWNER, "Name": "Integration User", "Email": "int@example.com"}),
    );
    for (id, last, account) in [
        ("003000000000001AAA", "Zed", json!(ACME)),
        ("003000000000002AAA", "Adams", json!(ACME)),
        ("003000000000003AAA", "Loner", Value::Null),
        ("003000000000004AAA", "Brown", json!(BETA)),
    ] {
        fixture.add(
            "Contact",
            json!({"Id": id, "LastName": last, "AccountId": account, "OwnerId": OWNER}),
        );
    }
    fixture
}

fn run(text: &str) -> Result<QueryOutcome, ApiError> {
    let objects = standard_objects();
    let plan = prepare(text, &objects)?;
    Ok(plan.execute(&sample(), DEFAULT_VERSION))
}

/// Returns the JSON of every row, members in the order they are sent.
fn rows(outcome: &QueryOutcome) -> Vec<String> {
    outcome
        .rows
        .iter()
        .map(|row| serde_json::to_string(row).unwrap())
        .collect()
}

fn names(outcome: &QueryOutcome) -> Vec<Value> {
    outcome
        .rows
        .iter()
        .map(|row| match row.get("Name") {
            Some(Cell::Value(value)) => value.clone(),
            other => panic!("Name is a value, not {other:?}"),
        })
        .collect()
}

#[test]
fn execute_filters_on_datetime_literal_with_offset() {
    let outcome =
        run("SELECT Name FROM Account WHERE SystemModstamp >= 2024-01-31T16:00:00-08:00").unwrap();
    assert_eq!(names(&outcome), vec![json!("beta"), Value::Null]);
}

#[test]
fn execute_compares_text_without_case() {
    let outcome = run("SELECT Name FROM Account WHERE Name = 'ACME'").unwrap();
    assert_eq!(names(&outcome), vec![json!("Acme")]);
}

#[test]
fn execute_not_equal_includes_nulls() {
    let outcome = run("SELECT Name FROM Account WHERE Name != 'acme'").unwrap();
    assert_eq!(outcome.total, 2);
}

#[test]
fn execute_like_and_in_and_not() {
    let outcome = run(
        "SELECT Name FROM Account WHERE (Name LIKE 'b%' OR Name IN ('acme')) AND NOT Name = null",
    )
    .unwrap();
    assert_eq!(names(&outcome), vec![json!("Acme"), json!("beta")]);
}

#[test]
fn execute_orders_with_nulls_and_limits() {
    let outcome = run("SELECT Name FROM Account ORDER BY Name DESC LIMIT 2").unwrap();
    assert_eq!(names(&outcome), vec![json!("beta"), json!("Acme")]);
    let outcome = run("SELECT Name FROM Account ORDER BY Name ASC").unwrap();
    assert_eq!(names(&outcome)[0], Value::Null);
}

#[test]
fn execute_matches_15_character_id_literal() {
    let outcome = run("SELECT Name FROM Account WHERE Id = '001000000000002'").unwrap();
    assert_eq!(names(&outcome), vec![json!("beta")]);
}

#[test]
fn execute_counts() {
    let outcome = run("SELECT COUNT() FROM Account WHERE Name LIKE '%e%'").unwrap();
    assert_eq!(outcome.total, 2);
    assert!(outcome.rows.is_empty());
}

#[test]
fn prepare_rejects_unknown_field() {
    let error = run("SELECT Id, Foo FROM Account").unwrap_err();
    assert_eq!(error.error_code, "INVALID_FIELD");
    assert!(error.message.ends_with(
        "No such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, \
         be sure to append the '__c' after the custom field name. Please reference your WSDL \
         or the describe call for the appropriate names."
    ));
    assert!(error.message.contains("ERROR at Row:1:Column:12"));
}

#[test]
fn prepare_rejects_unknown_object() {
    let error = run("SELECT Id FROM Acount").unwrap_err();
    assert_eq!(error.error_code, "INVALID_TYPE");
    assert!(
        error
            .message
            .contains("sObject type 'Acount' is not supported.")
    );
}

#[test]
fn prepare_rejects_quoted_datetime() {
    let error =
        run("SELECT Id FROM Account WHERE SystemModstamp > '2024-01-01T00:00:00Z'").unwrap_err();
    assert_eq!(error.error_code, "INVALID_FIELD");
    assert!(error.message.ends_with(
        "value of filter criterion for field 'SystemModstamp' must be of type dateTime and \
         should not be enclosed in quotes"
    ));
}

#[test]
fn prepare_rejects_invalid_id_literal() {
    let error = run("SELECT Id FROM Account WHERE Id = 'abc'").unwrap_err();
    assert_eq!(error.error_code, "INVALID_QUERY_FILTER_OPERATOR");
}

#[test]
fn prepare_rejects_duplicate_field() {
    let error = run("SELECT Name, name FROM Account").unwrap_err();
    assert!(error.message.ends_with("duplicate field selected: Name"));
}

#[test]
fn execute_nests_parent_fields_under_relationship() {
    let outcome = run(
        "SELECT LastName, Account.Name, Id, Account.Owner.Email, Account.Id FROM Contact \
         WHERE Account.Name != null ORDER BY Account.Name DESC, LastName",
    )
    .unwrap();
    let first = rows(&outcome)[0].clone();
    assert_eq!(
        first,
        format!(
            r#"{{"attributes":{{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/003000000000004AAA"}},"LastName":"Brown","Account":{{"attributes":{{"type":"Account","url":"/services/data/v62.0/sobjects/Account/{BETA}"}},"Name":"beta","Owner":{{"attributes":{{"type":"User","url":"/services/data/v62.0/sobjects/User/{OWNER}"}},"Email":"int@example.com"}},"Id":"{BETA}"}},"Id":"003000000000004AAA"}}"#
        )
    );
    assert_eq!(outcome.total, 3);
    assert_eq!(
        outcome.columns,
        [
            "LastName",
            "Account.Name",
            "Id",
            "Account.Owner.Email",
            "Account.Id"
        ]
    );
}

#[test]
fn execute_renders_missing_parent_as_null() {
    let outcome =
        run("SELECT LastName, Account.Name FROM Contact WHERE Account.Name = null").unwrap();
    assert_eq!(outcome.total, 1);
    assert!(rows(&outcome)[0].ends_with(r#""LastName":"Loner","Account":null}"#));
}

#[test]
fn execute_orders_by_parent_field() {
    let outcome =
        run("SELECT LastName FROM Contact ORDER BY Account.Name NULLS LAST, LastName").unwrap();
    let last_names: Vec<String> = outcome
        .rows
        .iter()
        .map(|row| match row.get("LastName") {
            Some(Cell::Value(Value::String(name))) => name.clone(),
            other => panic!("LastName is text, not {other:?}"),
        })
        .collect();
    assert_eq!(last_names, ["Adams", "Zed", "Brown", "Loner"]);
}

#[test]
fn execute_nests_child_subquery_results() {
    let outcome = run(
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account \
         ORDER BY Name NULLS LAST",
    )
    .unwrap();
    let rendered = rows(&outcome);
    assert!(
        rendered[0].ends_with(
            r#""Name":"Acme","Contacts":{"totalSize":2,"done":true,"records":[{"attributes":{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/003000000000002AAA"},"LastName":"Adams"},{"attributes":{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/003000000000001AAA"},"LastName":"Zed"}]}}"#
        ),
        "{}",
        rendered[0]
    );
    assert!(rendered[2].ends_with(r#""Name":null,"Contacts":null}"#));
    assert!(outcome.has_subqueries);
    assert_eq!(outcome.columns, ["Name"]);
}

#[test]
fn execute_filters_and_limits_child_subquery() {
    let outcome = run(
        "SELECT Name, (SELECT LastName FROM Contacts WHERE LastName LIKE 'Z%' LIMIT 1) \
         FROM Account WHERE Id = '001000000000001'",
    )
    .unwrap();
    assert!(rows(&outcome)[0].contains(r#""totalSize":1"#));
    assert!(rows(&outcome)[0].contains(r#""LastName":"Zed""#));
}

#[test]
fn prepare_rejects_unknown_child_relationship() {
    let error = run("SELECT Name, (SELECT Id FROM Contactz) FROM Account").unwrap_err();
    assert_eq!(error.error_code, "INVALID_TYPE");
    assert!(error.message.ends_with(
        "Didn't understand relationship 'Contactz' in FROM part of query call. If you are \
         attempting to use a custom relationship, be sure to append the '__r' after the custom \
         relationship name. Please reference your WSDL or the describe call for the appropriate \
         names."
    ));
}

#[test]
fn prepare_rejects_unknown_parent_field() {
    let error = run("SELECT Account.Nme FROM Contact").unwrap_err();
    assert_eq!(error.error_code, "INVALID_FIELD");
    assert!(
        error
            .message
            .contains("No such column 'Nme' on entity 'Account'.")
    );
}

#[test]
fn prepare_rejects_unknown_relationship() {
    let error = run("SELECT Acount.Name FROM Contact").unwrap_err();
    assert_eq!(error.error_code, "INVALID_FIELD");
    assert!(
        error
            .message
            .contains("Didn't understand relationship 'Acount' in field path.")
    );
}

#[test]
fn prepare_resolves_polymorphic_name_only() {
    assert!(run("SELECT What.Name FROM Task").is_ok());
    let error = run("SELECT What.Phone FROM Task").unwrap_err();
    assert!(
        error
            .message
            .contains("No such column 'Phone' on entity 'Name'.")
    );
}

#[test]
fn prepare_rejects_filter_on_long_text_area() {
    let error = run("SELECT Id FROM Task WHERE Description = 'x'").unwrap_err();
    assert_eq!(error.error_code, "INVALID_FIELD");
    assert!(
        error
            .message
            .ends_with("field 'Description' can not be filtered in a query call")
    );
    let error = run("SELECT Id FROM Task ORDER BY Description").unwrap_err();
    assert!(
        error
            .message
            .ends_with("field 'Description' can not be sorted in a query call")
    );
}

#[test]
fn prepare_rejects_duplicate_parent_field() {
    let error = run("SELECT Account.Name, account.name FROM Contact").unwrap_err();
    assert!(
        error
            .message
            .ends_with("duplicate field selected: Account.Name")
    );
}

#[test]
fn group_by_is_named_as_not_emulated() {
    let error = run("SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry").unwrap_err();

    assert_eq!(error.error_code, "MALFORMED_QUERY");
    assert!(
        error.message.starts_with("GROUP BY is valid SOQL"),
        "{}",
        error.message
    );
}

#[test]
fn plain_grammar_error_stays_bare() {
    let error = run("SELECT Id FROM FROM Account").unwrap_err();

    assert!(
        error.message.starts_with("unexpected token"),
        "{}",
        error.message
    );
}

//! Tests of the SOQL parser.

use super::lexer::tokenize;
use super::parser::*;

fn parse_text(text: &str) -> Result<Query, UnexpectedToken> {
    parse(text, &tokenize(text).unwrap())
}

fn names(selection: &Selection) -> Vec<&str> {
    match selection {
        Selection::Count => vec![],
        Selection::Fields(items) => items
            .iter()
            .map(|item| match item {
                SelectItem::Field(field) => field.value.as_str(),
                SelectItem::Subquery(query) => query.value.object.value.as_str(),
            })
            .collect(),
    }
}

#[test]
fn parse_reads_every_clause() {
    let query = parse_text(
        "SELECT Id, Name FROM Account WHERE (Name LIKE 'A%' OR Type IN ('Other')) \
         AND NOT Phone = null ORDER BY Name DESC NULLS FIRST, Id LIMIT 10 OFFSET 5",
    )
    .unwrap();
    assert_eq!(names(&query.selection), vec!["Id", "Name"]);
    assert_eq!(query.object.value, "Account");
    assert!(matches!(query.condition, Some(Condition::And(ref terms)) if terms.len() == 2));
    assert_eq!(query.order_by.len(), 2);
    assert!(query.order_by[0].descending);
    assert!(!query.order_by[0].nulls_last);
    assert!(!query.order_by[1].descending);
    assert_eq!(query.limit, Some(10));
    assert_eq!(query.offset, Some(5));
}

#[test]
fn parse_reads_count() {
    let query = parse_text("select count() from Account").unwrap();
    assert_eq!(query.selection, Selection::Count);
}

#[test]
fn parse_reads_not_in() {
    let query = parse_text("SELECT Id FROM Account WHERE Type NOT IN ('a', 'b')").unwrap();
    assert!(matches!(
        query.condition,
        Some(Condition::In { negated: true, ref values, .. }) if values.len() == 2
    ));
}

#[test]
fn parse_rejects_mixed_and_or() {
    let error = parse_text("SELECT Id FROM Account WHERE Name = 'a' AND Phone = 'b' OR Id = null")
        .unwrap_err();
    assert_eq!(error.text, "OR");
}

#[test]
fn parse_reports_missing_from_object() {
    let error = parse_text("SELECT Id FROM").unwrap_err();
    assert_eq!(error.text, "<EOF>");
}

#[test]
fn parse_reports_unclassified_literal() {
    let error = parse_text("SELECT Id FROM A WHERE d > 2021-08-11 12:52:08.06+00:00").unwrap_err();
    assert_eq!(error.text, "12:52:08.06+00:00");
}

#[test]
fn parse_reads_parent_paths_and_subquery() {
    let query = parse_text(
        "SELECT Name, Owner.Email, (SELECT LastName FROM Contacts WHERE LastName != null \
         ORDER BY LastName LIMIT 5) FROM Account",
    )
    .unwrap();
    assert_eq!(
        names(&query.selection),
        vec!["Name", "Owner.Email", "Contacts"]
    );
    let Selection::Fields(items) = &query.selection else {
        panic!("fields expected");
    };
    let SelectItem::Subquery(inner) = &items[2] else {
        panic!("subquery expected");
    };
    assert_eq!(inner.value.limit, Some(5));
    assert!(inner.value.condition.is_some());
    assert_eq!(inner.value.order_by.len(), 1);
}

#[test]
fn parse_rejects_nested_subquery() {
    let error = parse_text(
        "SELECT Name, (SELECT Name, (SELECT Id FROM Contacts) FROM ChildAccounts) FROM Account",
    )
    .unwrap_err();
    assert_eq!(error.text, "(");
}

#[test]
fn parse_rejects_unclosed_subquery() {
    let error = parse_text("SELECT Name, (SELECT LastName FROM Contacts FROM Account").unwrap_err();
    assert_eq!(error.text, "FROM");
}

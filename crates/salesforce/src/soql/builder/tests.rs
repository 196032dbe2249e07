use chrono::TimeZone;

use super::*;

#[test]
fn select_writes_fields_filters_order_and_limit() {
    let since = Utc.with_ymd_and_hms(2017, 3, 21, 12, 11, 6).unwrap();
    let soql = SoqlQuery::select(["Id", "Name", "SystemModstamp"])
        .from("Account")
        .filter(Condition::ge("SystemModstamp", since))
        .filter(Condition::eq("Name", "O'Brien & Co"))
        .order_by("SystemModstamp", Direction::Asc)
        .order_by("Id", Direction::Asc)
        .limit(200)
        .to_soql()
        .unwrap();
    assert_eq!(
        soql,
        r"SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp >= 2017-03-21T12:11:06.000Z AND Name = 'O\'Brien & Co' ORDER BY SystemModstamp ASC, Id ASC LIMIT 200"
    );
}

#[test]
fn select_drops_repeated_fields_ignoring_case() {
    let soql = SoqlQuery::select(["Id", "id", "Name"])
        .from("Account")
        .to_soql()
        .unwrap();
    assert_eq!(soql, "SELECT Id, Name FROM Account");
}

#[test]
fn condition_writes_typed_literals() {
    let date = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap();
    let cases = [
        (Condition::eq("CloseDate", date), "CloseDate = 2024-01-31"),
        (Condition::eq("IsWon", true), "IsWon = true"),
        (
            Condition::compare("Amount", Operator::Gt, 1500_i64),
            "Amount > 1500",
        ),
        (
            Condition::compare("Amount", Operator::Le, SoqlValue::float(12.5).unwrap()),
            "Amount <= 12.5",
        ),
        (
            Condition::compare("Phone", Operator::Ne, SoqlValue::Null),
            "Phone != null",
        ),
        (
            Condition::compare("Name", Operator::Like, "50%_off"),
            "Name LIKE '50%_off'",
        ),
    ];
    for (condition, expected) in cases {
        assert_eq!(condition.to_soql().unwrap(), expected);
    }
}

#[test]
fn condition_groups_and_or_not() {
    let condition = Condition::Or(vec![
        Condition::eq("Type", "Customer"),
        Condition::And(vec![
            Condition::eq("Type", "Partner"),
            Condition::Not(Box::new(Condition::eq("IsDeleted", true))),
        ]),
    ]);
    assert_eq!(
        condition.to_soql().unwrap(),
        "(Type = 'Customer' OR (Type = 'Partner' AND (NOT IsDeleted = true)))"
    );
}

#[test]
fn in_list_escapes_each_value() {
    let ids = ["001dM00003kS3tNQAS", "it's"];
    let condition = Condition::is_in("Id", ids);
    assert_eq!(
        condition.to_soql().unwrap(),
        r"Id IN ('001dM00003kS3tNQAS', 'it\'s')"
    );
    let empty = Condition::is_in("Id", Vec::<String>::new());
    assert!(empty.to_soql().is_err());
}

#[test]
fn to_soql_rejects_injected_names() {
    let bad_field = SoqlQuery::select(["Id FROM User--"]).from("Account");
    assert!(bad_field.to_soql().is_err());
    let bad_object = SoqlQuery::select(["Id"]).from("Account WHERE");
    assert!(bad_object.to_soql().is_err());
    let bad_condition = SoqlQuery::select(["Id"])
        .from("Account")
        .filter(Condition::eq("Name = 'x' OR Id", "y"));
    assert!(bad_condition.to_soql().is_err());
    assert!(
        SoqlQuery::select(Vec::<String>::new())
            .from("Account")
            .to_soql()
            .is_err()
    );
}

#[test]
fn float_rejects_nan() {
    assert_eq!(SoqlValue::float(f64::NAN), None);
    assert_eq!(SoqlValue::float(f64::INFINITY), None);
}

use chrono::TimeZone;

use super::*;

fn account_spec() -> ObjectSpec {
    ObjectSpec {
        name: "Account".into(),
        fields: vec![
            "Name".into(),
            "Phone".into(),
            "IsActive__c".into(),
            "AnnualRevenue".into(),
        ],
        link_field: "NetSuite_Id__c".into(),
    }
}

#[test]
fn changed_since_soql_is_exact() {
    let since = Utc.with_ymd_and_hms(2024, 5, 6, 7, 8, 9).unwrap();
    assert_eq!(
        changed_since_soql(&account_spec(), since).unwrap(),
        "SELECT Id, SystemModstamp, NetSuite_Id__c, Name, Phone, IsActive__c, AnnualRevenue \
         FROM Account WHERE SystemModstamp >= 2024-05-06T07:08:09.000Z \
         ORDER BY SystemModstamp, Id"
    );
}

#[test]
fn changed_since_soql_names_each_column_once() {
    let spec = ObjectSpec {
        name: "Account".into(),
        fields: vec![
            "Name".into(),
            "id".into(),
            "NETSUITE_ID__C".into(),
            "Name".into(),
        ],
        link_field: "NetSuite_Id__c".into(),
    };
    let since = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let soql = changed_since_soql(&spec, since).unwrap();
    assert!(
        soql.starts_with("SELECT Id, SystemModstamp, NetSuite_Id__c, Name FROM Account "),
        "{soql}"
    );
}

#[test]
fn changed_since_soql_rejects_bad_names() {
    let since = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut spec = account_spec();
    spec.fields.push("Name FROM User WHERE Id != null".into());
    assert!(matches!(
        changed_since_soql(&spec, since),
        Err(Error::InvalidRequest { .. })
    ));
    let mut spec = account_spec();
    spec.name = "Account; DELETE".into();
    assert!(changed_since_soql(&spec, since).is_err());
}

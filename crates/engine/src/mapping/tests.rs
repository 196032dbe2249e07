use super::*;

fn mapping() -> Mapping {
    Mapping::of_pairs(vec![
        FieldPair::new("companyName", "Name"),
        FieldPair::new("phone", "Phone"),
    ])
}

fn text(value: &str) -> FieldValue {
    FieldValue::Text(value.to_string())
}

#[test]
fn project_fills_missing_fields_with_null() {
    let fields = Fields::from([("companyName".to_string(), text(" Acme "))]);
    let projected = mapping().project(System::NetSuite, &fields);
    assert_eq!(projected.get("companyName"), Some(&text("Acme")));
    assert_eq!(projected.get("phone"), Some(&FieldValue::Null));
}

#[test]
fn translate_renames_to_other_side() {
    let fields = Fields::from([("Phone".to_string(), text("555"))]);
    let translated = mapping()
        .translate(System::Salesforce, &fields, &LookupTable::default())
        .unwrap();
    assert_eq!(
        translated,
        Fields::from([("phone".to_string(), text("555"))])
    );
}

#[test]
fn changed_ignores_blank_versus_missing() {
    let before = Fields::from([("Phone".to_string(), text(" "))]);
    let after = Fields::new();
    assert!(
        mapping()
            .changed(System::Salesforce, &before, &after)
            .is_empty()
    );
}

#[test]
fn changed_lists_edited_fields() {
    let before = Fields::from([("Phone".to_string(), text("1"))]);
    let after = Fields::from([("Phone".to_string(), text("2"))]);
    let mapping = mapping();
    let changed = mapping.changed(System::Salesforce, &before, &after);
    assert_eq!(changed, vec![&FieldPair::new("phone", "Phone")]);
}

#[test]
fn one_way_pair_ignores_changes_on_target_side() {
    let mut pair = FieldPair::new("phone", "Phone");
    pair.direction = Direction::ToSalesforce;
    let mapping = Mapping::of_pairs(vec![pair]);
    let before = Fields::from([("Phone".to_string(), text("1"))]);
    let after = Fields::from([("Phone".to_string(), text("2"))]);
    assert!(
        mapping
            .changed(System::Salesforce, &before, &after)
            .is_empty()
    );
}

#[test]
fn value_map_translates_both_ways() {
    let mut pair = FieldPair::new("custentity_tier", "Tier__c");
    pair.values = Some(ValueMap {
        pairs: vec![(text("Gold"), text("1")), (text("Silver"), text("2"))],
    });
    let mapping = Mapping::of_pairs(vec![pair.clone()]);
    let lookups = LookupTable::default();
    let to_ns = mapping.convert(&pair, System::Salesforce, &text("Gold"), &lookups);
    let to_sf = mapping.convert(&pair, System::NetSuite, &text("2"), &lookups);
    let unmapped = mapping.convert(&pair, System::Salesforce, &text("Bronze"), &lookups);
    assert_eq!(to_ns.unwrap(), text("1"));
    assert_eq!(to_sf.unwrap(), text("Silver"));
    assert_eq!(unmapped.unwrap(), text("Bronze"));
}

#[test]
fn lookup_translates_linked_ids() {
    let mut pair = FieldPair::new("company", "AccountId");
    pair.lookup = Some("account-customer".to_string());
    let mapping = Mapping::of_pairs(vec![pair.clone()]);
    let mut lookups = LookupTable::default();
    lookups.insert(
        LookupKey {
            flow: "account-customer".to_string(),
            system: System::Salesforce,
            id: "001A".to_string(),
        },
        "1201".to_string(),
    );
    let linked = mapping.convert(&pair, System::Salesforce, &text("001A"), &lookups);
    let unlinked = mapping.convert(&pair, System::Salesforce, &text("001B"), &lookups);
    assert_eq!(linked.unwrap(), text("1201"));
    assert!(matches!(unlinked, Err(MappingError::NotLinked { .. })));
}

#[test]
fn lookup_keys_name_ids_to_translate() {
    let mut pair = FieldPair::new("company", "AccountId");
    pair.lookup = Some("account-customer".to_string());
    let mapping = Mapping::of_pairs(vec![pair]);
    let fields = Fields::from([("AccountId".to_string(), text("001A"))]);
    let keys = mapping.lookup_keys(System::Salesforce, &fields);
    assert_eq!(keys.len(), 1);
    assert_eq!(keys.iter().next().map(|k| k.id.as_str()), Some("001A"));
}

#[test]
fn translate_uses_default_for_blank_source() {
    let mut pair = FieldPair::new("subsidiary", "Subsidiary__c");
    pair.netsuite_default = Some(text("1"));
    let mapping = Mapping::of_pairs(vec![pair]);
    let created = mapping
        .translate(System::Salesforce, &Fields::new(), &LookupTable::default())
        .unwrap();
    assert_eq!(created.get("subsidiary"), Some(&text("1")));
}

#[test]
fn translate_adds_derived_fields() {
    let mapping = Mapping {
        pairs: vec![FieldPair::new("companyName", "Name")],
        derived: vec![
            Derived {
                target: System::NetSuite,
                field: "comments".to_string(),
                rule: DerivedRule::Expression(Expression::new("from {{ Name }}").unwrap()),
            },
            Derived {
                target: System::NetSuite,
                field: "custentity_source".to_string(),
                rule: DerivedRule::Constant(text("Salesforce")),
            },
        ],
    };
    let fields = Fields::from([("Name".to_string(), text("Acme"))]);
    let created = mapping
        .translate(System::Salesforce, &fields, &LookupTable::default())
        .unwrap();
    assert_eq!(created.get("comments"), Some(&text("from Acme")));
    assert_eq!(created.get("custentity_source"), Some(&text("Salesforce")));
}

#[test]
fn expression_inputs_are_read_and_tracked() {
    let mapping = Mapping {
        pairs: vec![FieldPair::new("companyName", "Name")],
        derived: vec![Derived {
            target: System::NetSuite,
            field: "comments".to_string(),
            rule: DerivedRule::Expression(Expression::new("{{ BillingCity }}").unwrap()),
        }],
    };
    assert_eq!(
        mapping.field_names(System::Salesforce),
        vec!["Name", "BillingCity"]
    );
    assert_eq!(mapping.field_names(System::NetSuite), vec!["companyName"]);
    let before = Fields::from([("BillingCity".to_string(), text("Lyon"))]);
    let after = Fields::from([("BillingCity".to_string(), text("Nice"))]);
    assert_eq!(
        mapping
            .derived_changed(System::Salesforce, &before, &after)
            .len(),
        1
    );
    assert!(
        mapping
            .derived_changed(System::NetSuite, &before, &after)
            .is_empty()
    );
}

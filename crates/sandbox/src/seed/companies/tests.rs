use super::*;

#[test]
fn demo_list_parses_with_every_presence() {
    let companies = demo_companies().unwrap();
    let count = |presence| companies.iter().filter(|c| c.presence == presence).count();
    assert!(companies.len() >= 30, "{} companies", companies.len());
    assert!(count(Presence::Linked) > 0);
    assert!(count(Presence::Unlinked) > 0);
    assert!(count(Presence::SalesforceOnly) > 0);
    assert!(count(Presence::NetSuiteOnly) > 0);
}

#[test]
fn demo_list_has_one_name_too_long_for_netsuite() {
    let companies = demo_companies().unwrap();
    let too_long: Vec<&Company> = companies
        .iter()
        .filter(|c| c.sf_name.chars().count() > 83)
        .collect();
    assert_eq!(too_long.len(), 1);
    assert_eq!(too_long[0].account_type, "Customer");
}

#[test]
fn salesforce_only_accounts_include_customers_and_prospects() {
    let companies = demo_companies().unwrap();
    let count = |account_type: &str| {
        companies
            .iter()
            .filter(|c| c.presence == Presence::SalesforceOnly)
            .filter(|c| c.account_type == account_type)
            .count()
    };
    assert!(count("Customer") >= 2, "{} customers", count("Customer"));
    assert!(count("Prospect") >= 2, "{} prospects", count("Prospect"));
}

#[test]
fn line_with_missing_field_is_rejected() {
    let rows = rows::<9>("linked|A|A|1|w|e|1|Customer\n");
    assert!(rows.is_err());
}

#[test]
fn unknown_currency_is_rejected() {
    let fields = ["linked", "A", "A", "", "", "", "1", "Customer", "JPY"];
    assert!(parse_company(fields).is_err());
}

#[test]
fn every_address_names_a_demo_company() {
    let companies = demo_companies().unwrap();
    for address in demo_addresses().unwrap() {
        let known = companies
            .iter()
            .any(|c| c.sf_name == address.company || c.ns_name == address.company);
        assert!(known, "no company {:?}", address.company);
    }
}

#[test]
fn most_companies_have_an_address() {
    let companies = demo_companies().unwrap().len();
    let addresses = demo_addresses().unwrap().len();
    assert!(addresses * 3 > companies * 2, "{addresses} of {companies}");
}

#[test]
fn credit_settings_name_linked_customers() {
    let companies = demo_companies().unwrap();
    let credit = demo_credit().unwrap();
    assert!(credit.len() >= 3);
    for setting in &credit {
        let linked = companies
            .iter()
            .any(|c| c.presence == Presence::Linked && c.ns_name == setting.company);
        assert!(linked, "{:?} is not a linked company", setting.company);
    }
    assert_eq!(credit.iter().filter(|c| c.hold == "_on").count(), 1);
}

#[test]
fn settings_xml_has_address_and_currency() {
    let company = demo_companies()
        .unwrap()
        .into_iter()
        .find(|c| c.ns_name == "OBrien and Sons Plumbing")
        .unwrap();
    let address = demo_addresses()
        .unwrap()
        .into_iter()
        .find(|a| a.company == "O'Brien & Sons Plumbing");
    let setup = Setup {
        subsidiary: "3".to_string(),
        terms: "4".to_string(),
        locations: ["5".to_string(), "6".to_string()],
    };
    let xml = settings_xml(&company, "1215", &setup, address.as_ref(), None);
    assert!(xml.contains("<platformCommon:addr1>3100 N Clark St</platformCommon:addr1>"));
    assert!(xml.contains(r#"<listRel:currency internalId="1"/>"#));
    assert!(xml.contains(r#"<listRel:terms internalId="4"/>"#));
}

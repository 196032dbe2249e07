//! The demo seed over both emulators' HTTP APIs: every kind of record the flow templates need
//! is there, and the figures NetSuite computes agree with each other.

mod netsuite_support;
mod salesforce_support;

use std::collections::{BTreeMap, BTreeSet};

use netsuite_support::{Node, parse};
use serde_json::Value;
use tandem_sandbox::seed::{
    CREDIT_HOLD_CUSTOMER_ID, CREDIT_HOLD_OPPORTUNITY, CURRENCIES, EUR_CUSTOMER_ID, INACTIVE_ITEM,
    ITEM_WITHOUT_PRODUCT, LINKED_CONTACT_EMAIL, NEAR_CREDIT_LIMIT_CUSTOMER_ID,
    ONBOARDING_OPPORTUNITY, OPEN_OPPORTUNITY, PRICE_LEVELS, WON_OPPORTUNITIES,
};
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

/// The sandbox with the demo seed and a client for each emulator.
struct Demo {
    _sandbox: Sandbox,
    netsuite: netsuite_support::Server,
    salesforce: salesforce_support::Server,
    token: String,
}

async fn start() -> Demo {
    let options = SandboxOptions {
        netsuite_port: 0,
        salesforce_port: 0,
        seed: Seed::Demo,
    };
    let sandbox = Sandbox::start(options).await.unwrap();
    let netsuite = netsuite_support::Server {
        emulator: sandbox.netsuite().clone(),
        url: sandbox.netsuite_endpoint(),
        client: reqwest::Client::new(),
    };
    let salesforce = salesforce_support::Server {
        emulator: sandbox.salesforce().clone(),
        url: sandbox.salesforce_url(),
        client: reqwest::Client::new(),
    };
    let token = salesforce.login().await;
    Demo {
        _sandbox: sandbox,
        netsuite,
        salesforce,
        token,
    }
}

impl Demo {
    /// Runs a search with sublists in the results and returns the records.
    async fn search(&self, search_record: &str) -> Vec<Node> {
        let headers = format!(
            "{}<platformMsgs:searchPreferences><platformMsgs:bodyFieldsOnly>false\
             </platformMsgs:bodyFieldsOnly><platformMsgs:pageSize>1000</platformMsgs:pageSize>\
             </platformMsgs:searchPreferences>",
            self.netsuite.passport()
        );
        let body = format!(
            "<platformMsgs:search><platformMsgs:searchRecord xsi:type=\"{search_record}\"/>\
             </platformMsgs:search>"
        );
        let reply = self
            .netsuite
            .call_with_headers("search", &headers, &body)
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let response = parse(&reply.body);
        let mut records = Vec::new();
        response.find_all("record", &mut records);
        records.into_iter().cloned().collect()
    }

    /// Gets a customer.
    async fn customer(&self, internal_id: &str) -> Node {
        let body = format!(
            r#"<platformMsgs:get><platformMsgs:baseRef xsi:type="platformCore:RecordRef" type="customer" internalId="{internal_id}"/></platformMsgs:get>"#
        );
        let reply = self.netsuite.call("get", &body).await;
        let response = parse(&reply.body);
        response
            .find("record")
            .unwrap_or_else(|| panic!("no customer {internal_id}: {}", reply.body))
            .clone()
    }

    /// Runs a SOQL query and returns its records.
    async fn query(&self, soql: &str) -> Vec<Value> {
        let reply = self.salesforce.query(&self.token, soql).await;
        assert_eq!(reply.status, 200, "{soql}: {}", reply.body);
        assert_eq!(reply.body["done"], Value::Bool(true), "{soql}");
        reply.body["records"].as_array().unwrap().clone()
    }
}

/// Returns the local name of a record's `xsi:type`.
fn type_name(record: &Node) -> &str {
    let qualified = record.xsi_type.as_deref().unwrap_or_default();
    qualified.rsplit(['}', ':']).next().unwrap_or_default()
}

/// Returns the number in a field, 0 when the field is missing.
fn number(record: &Node, field: &str) -> f64 {
    record
        .text_of(field)
        .map_or(0.0, |text| text.trim().parse().unwrap())
}

/// Returns the `internalId` of a RecordRef field.
fn ref_id(record: &Node, field: &str) -> Option<String> {
    record.find(field).and_then(|node| node.attr("internalId"))
}

fn text<'v>(record: &'v Value, field: &str) -> &'v str {
    record[field].as_str().unwrap_or_default()
}

#[tokio::test]
async fn credit_hold_customer_has_override_on() {
    let demo = start().await;
    let customer = demo.customer(CREDIT_HOLD_CUSTOMER_ID).await;
    assert_eq!(customer.text_of("creditHoldOverride").unwrap(), "_on");
    assert!(number(&customer, "creditLimit") > 0.0);
}

#[tokio::test]
async fn credit_balances_are_under_or_near_limit() {
    let demo = start().await;
    let mut near = Vec::new();
    let mut under = 0;
    for internal_id in 1201..=1206 {
        let customer = demo.customer(&internal_id.to_string()).await;
        let limit = number(&customer, "creditLimit");
        let balance = number(&customer, "balance");
        assert!(limit > 0.0, "customer {internal_id} has no credit limit");
        if balance >= 0.9 * limit {
            near.push(internal_id.to_string());
        } else {
            under += 1;
        }
    }
    assert_eq!(near, vec![NEAR_CREDIT_LIMIT_CUSTOMER_ID.to_string()]);
    assert!(under >= 4, "{under} customers under 90% of their limit");
    let customer = demo.customer(NEAR_CREDIT_LIMIT_CUSTOMER_ID).await;
    assert!(number(&customer, "overdueBalance") > 0.0);
}

#[tokio::test]
async fn linked_customers_have_billing_address_and_terms() {
    let demo = start().await;
    let accounts = demo
        .query("SELECT NetSuite_Internal_ID__c, BillingStreet, BillingCity, BillingPostalCode FROM Account WHERE NetSuite_Internal_ID__c != null AND BillingStreet != null")
        .await;
    assert!(accounts.len() >= 10, "{} linked Accounts", accounts.len());
    for account in &accounts {
        let customer = demo
            .customer(text(account, "NetSuite_Internal_ID__c"))
            .await;
        let address = customer.find("addressbookAddress").unwrap();
        assert_eq!(customer.text_of("defaultBilling").unwrap(), "true");
        assert_eq!(
            address.text_of("addr1").unwrap(),
            text(account, "BillingStreet")
        );
        assert_eq!(
            address.text_of("city").unwrap(),
            text(account, "BillingCity")
        );
        assert_eq!(
            address.text_of("zip").unwrap(),
            text(account, "BillingPostalCode")
        );
        assert!(ref_id(&customer, "terms").is_some());
        assert!(ref_id(&customer, "subsidiary").is_some());
    }
}

#[tokio::test]
async fn invoices_show_each_payment_state() {
    let demo = start().await;
    let invoices: Vec<Node> = demo
        .search("platformCommon:TransactionSearchBasic")
        .await
        .into_iter()
        .filter(|record| type_name(record) == "Invoice")
        .collect();
    let mut states = BTreeSet::new();
    for invoice in &invoices {
        let total = number(invoice, "total");
        let paid = number(invoice, "amountPaid");
        let remaining = number(invoice, "amountRemaining");
        assert!((total - paid - remaining).abs() < 0.005, "{invoice:?}");
        let status = invoice.text_of("status").unwrap();
        match status.as_str() {
            "Paid In Full" => {
                assert_eq!(remaining, 0.0);
                states.insert("paid");
            }
            "Open" if paid > 0.0 => {
                states.insert("part paid");
            }
            "Open" => {
                states.insert("open");
            }
            other => panic!("unexpected invoice status {other}"),
        }
    }
    assert_eq!(states.len(), 3, "{states:?}");
    let eur = invoices.iter().filter(|invoice| {
        ref_id(invoice, "currency").as_deref() == Some(CURRENCIES[1].1)
            && ref_id(invoice, "entity").as_deref() == Some(EUR_CUSTOMER_ID)
    });
    assert!(eur.count() >= 1);
    let customer = demo.customer(EUR_CUSTOMER_ID).await;
    assert_eq!(ref_id(&customer, "currency").unwrap(), CURRENCIES[1].1);
}

#[tokio::test]
async fn items_have_prices_and_stock() {
    let demo = start().await;
    let items = demo.search("platformCommon:ItemSearchBasic").await;
    assert!((6..=8).contains(&items.len()), "{} items", items.len());
    let mut inactive = Vec::new();

    for item in &items {
        let name = item.text_of("itemId").unwrap();
        if item.text_of("isInactive").as_deref() == Some("true") {
            inactive.push(name.clone());
        }
        let mut pricing = Vec::new();
        item.find_all("pricing", &mut pricing);
        let keys: BTreeSet<(String, String)> = pricing
            .iter()
            .map(|line| {
                (
                    ref_id(line, "currency").unwrap(),
                    ref_id(line, "priceLevel").unwrap(),
                )
            })
            .collect();
        assert_eq!(keys.len(), CURRENCIES.len() * PRICE_LEVELS.len(), "{name}");
        let level_names: BTreeSet<String> = pricing
            .iter()
            .filter_map(|line| line.find("priceLevel")?.text_of("name"))
            .collect();
        let expected: BTreeSet<String> = PRICE_LEVELS.iter().map(|l| l.1.to_string()).collect();
        assert_eq!(level_names, expected, "{name}");
        if type_name(item) == "InventoryItem" {
            let mut locations = Vec::new();
            item.find_all("locations", &mut locations);
            assert_eq!(locations.len(), 2, "{name}");
            assert!(
                locations
                    .iter()
                    .all(|l| l.find("quantityAvailable").is_some())
            );
        }
    }

    assert_eq!(inactive, vec![INACTIVE_ITEM.to_string()]);
    let ids: Vec<String> = items
        .iter()
        .map(|i| i.attr("internalId").unwrap())
        .collect();
    let expected: Vec<String> = (1234..1234 + items.len()).map(|i| i.to_string()).collect();
    assert_eq!(ids, expected, "the seed README lists these item IDs");

    let types: BTreeSet<&str> = items.iter().map(type_name).collect();
    assert!(types.contains("InventoryItem"));
    assert!(types.contains("NonInventorySaleItem"));
}

#[tokio::test]
async fn products_exist_for_some_items() {
    let demo = start().await;
    let products = demo
        .query("SELECT Id, ProductCode, NetSuite_Internal_ID__c FROM Product2")
        .await;
    assert!(products.len() >= 3);
    assert!(
        products
            .iter()
            .all(|p| !text(p, "NetSuite_Internal_ID__c").is_empty())
    );
    let codes: BTreeSet<&str> = products.iter().map(|p| text(p, "ProductCode")).collect();
    assert!(!codes.contains(ITEM_WITHOUT_PRODUCT));
    let entries = demo
        .query("SELECT Product2Id, CurrencyIsoCode FROM PricebookEntry WHERE Pricebook2.IsStandard = true")
        .await;
    for product in &products {
        let currencies: BTreeSet<&str> = entries
            .iter()
            .filter(|e| text(e, "Product2Id") == text(product, "Id"))
            .map(|e| text(e, "CurrencyIsoCode"))
            .collect();
        assert_eq!(currencies, BTreeSet::from(["EUR", "USD"]), "{product}");
    }
    let books = demo.query("SELECT Name FROM Pricebook2").await;
    let names: BTreeSet<&str> = books.iter().map(|b| text(b, "Name")).collect();
    for (_, level, _) in &PRICE_LEVELS[1..] {
        assert!(names.contains(level), "no price book {level}");
    }
}

#[tokio::test]
async fn opportunities_are_won_open_and_on_hold() {
    let demo = start().await;
    let opportunities = demo
        .query("SELECT Id, Name, IsWon, AccountId FROM Opportunity")
        .await;
    let accounts: BTreeMap<String, Value> = demo
        .query("SELECT Id, Type, NetSuite_Internal_ID__c FROM Account")
        .await
        .into_iter()
        .map(|a| (text(&a, "Id").to_string(), a))
        .collect();
    let lines = demo
        .query("SELECT OpportunityId, Quantity, UnitPrice FROM OpportunityLineItem")
        .await;
    let find = |name: &str| {
        opportunities
            .iter()
            .find(|o| text(o, "Name") == name)
            .unwrap_or_else(|| panic!("no opportunity {name}"))
    };
    let account_of = |name: &str| &accounts[text(find(name), "AccountId")];

    for name in WON_OPPORTUNITIES {
        assert_eq!(find(name)["IsWon"], Value::Bool(true), "{name}");
        assert!(!text(account_of(name), "NetSuite_Internal_ID__c").is_empty());
        let count = lines
            .iter()
            .filter(|l| text(l, "OpportunityId") == text(find(name), "Id"))
            .count();
        assert!((1..=3).contains(&count), "{name}: {count} lines");
    }

    assert_eq!(find(OPEN_OPPORTUNITY)["IsWon"], Value::Bool(false));
    assert_eq!(find(ONBOARDING_OPPORTUNITY)["IsWon"], Value::Bool(true));
    let onboarding = account_of(ONBOARDING_OPPORTUNITY);
    assert_eq!(text(onboarding, "Type"), "Customer");
    assert!(onboarding["NetSuite_Internal_ID__c"].is_null());
    let on_hold = account_of(CREDIT_HOLD_OPPORTUNITY);
    assert_eq!(
        text(on_hold, "NetSuite_Internal_ID__c"),
        CREDIT_HOLD_CUSTOMER_ID
    );
    assert!(lines.iter().all(|l| l["Quantity"].as_f64().unwrap() > 0.0));
}

#[tokio::test]
async fn accounts_have_active_owners_and_types() {
    let demo = start().await;
    let users: BTreeSet<String> = demo
        .query("SELECT Id FROM User WHERE IsActive = true")
        .await
        .iter()
        .map(|u| text(u, "Id").to_string())
        .collect();
    let accounts = demo
        .query("SELECT OwnerId, Type, CurrencyIsoCode, NetSuite_Internal_ID__c FROM Account")
        .await;
    assert!(accounts.iter().all(|a| users.contains(text(a, "OwnerId"))));
    let eur = accounts
        .iter()
        .find(|a| text(a, "NetSuite_Internal_ID__c") == EUR_CUSTOMER_ID)
        .unwrap();
    assert_eq!(text(eur, "CurrencyIsoCode"), "EUR");
    let types: Vec<&str> = accounts.iter().map(|a| text(a, "Type")).collect();
    assert!(types.iter().filter(|t| **t == "Customer").count() >= 2);
    assert!(types.iter().filter(|t| **t == "Prospect").count() >= 2);
}

#[tokio::test]
async fn contacts_pair_by_email_and_link() {
    let demo = start().await;
    let netsuite: Vec<Node> = demo.search("platformCommon:ContactSearchBasic").await;
    let salesforce = demo
        .query("SELECT Id, Email, AccountId, NetSuite_Internal_ID__c FROM Contact")
        .await;
    let ns_emails: BTreeSet<String> = netsuite
        .iter()
        .map(|c| c.text_of("email").unwrap())
        .collect();
    let sf_emails: BTreeSet<String> = salesforce
        .iter()
        .map(|c| text(c, "Email").to_string())
        .collect();
    let shared = ns_emails.intersection(&sf_emails).count();
    assert!(shared >= 3, "{shared} emails on both sides");
    assert!(ns_emails.difference(&sf_emails).count() >= 1);
    assert!(sf_emails.difference(&ns_emails).count() >= 1);
    assert!(netsuite.iter().all(|c| ref_id(c, "company").is_some()));
    assert!(salesforce.iter().all(|c| !text(c, "AccountId").is_empty()));

    let sf_linked = salesforce
        .iter()
        .find(|c| text(c, "Email") == LINKED_CONTACT_EMAIL)
        .unwrap();
    let ns_linked = netsuite
        .iter()
        .find(|c| c.text_of("email").as_deref() == Some(LINKED_CONTACT_EMAIL))
        .unwrap();
    assert_eq!(
        text(sf_linked, "NetSuite_Internal_ID__c"),
        ns_linked.attr("internalId").unwrap()
    );
    assert_eq!(ns_linked.attr("externalId").unwrap(), text(sf_linked, "Id"));
    let linked_elsewhere = salesforce
        .iter()
        .filter(|c| !c["NetSuite_Internal_ID__c"].is_null())
        .count();
    assert_eq!(linked_elsewhere, 1);
}

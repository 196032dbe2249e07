//! The Salesforce emulator on 127.0.0.1 with a port that logs in to it, and seed records for
//! the port's tests.

#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Map, Value, json};
use tandem_engine::{ObjectSpec, Secret};
use tandem_salesforce::{SalesforceClient, SalesforceConfig, SalesforcePort};
use tandem_sandbox::salesforce::{SalesforceCredentials, SalesforceEmulator};

/// A running emulator and a port whose client logs in to it with client credentials.
pub struct Org {
    pub emulator: SalesforceEmulator,
    pub port: SalesforcePort,
}

impl Org {
    /// Starts an emulator with fresh credentials on a free port of 127.0.0.1.
    pub async fn start() -> Org {
        let emulator = SalesforceEmulator::new(SalesforceCredentials::generate());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = emulator.router();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        let credentials = emulator.credentials();
        let mut config = SalesforceConfig::new(
            credentials.client_id.clone(),
            Secret::new(credentials.client_secret.clone()),
        );
        config.login_url = format!("http://{address}").parse().unwrap();
        let port = SalesforcePort::new(SalesforceClient::new(config).unwrap());
        Org { emulator, port }
    }

    /// Inserts a record as data loading would and returns its 18-character Id.
    pub fn insert(&self, object: &str, fields: Value, modified_at: DateTime<Utc>) -> String {
        let Value::Object(fields) = fields else {
            panic!("fields are not an object: {fields}");
        };
        self.emulator
            .insert_record(object, fields, modified_at)
            .unwrap_or_else(|error| panic!("inserting {object}: {error:?}"))
    }

    /// Returns how many requests reached `route` (`GET /query`, `POST /composite/sobjects`).
    pub fn requests(&self, route: &str) -> u64 {
        self.emulator
            .request_counts()
            .get(route)
            .copied()
            .unwrap_or(0)
    }

    /// Seeds a product priced in the standard price book and returns its price book entry.
    pub fn price_book_entry(&self, product: &str, price: f64) -> String {
        let standard = self
            .emulator
            .records("Pricebook2")
            .into_iter()
            .find(|book| book["IsStandard"] == Value::Bool(true))
            .expect("the org has a standard price book");
        let product = self.insert("Product2", json!({"Name": product}), at(1, 8));
        let entry = json!({
            "Pricebook2Id": standard["Id"],
            "Product2Id": product,
            "UnitPrice": price,
            "IsActive": true
        });
        self.insert("PricebookEntry", entry, at(1, 8))
    }

    /// Seeds an Opportunity with one line per `(entry, quantity)` and returns its Id.
    pub fn opportunity(
        &self,
        name: &str,
        lines: &[(&str, f64)],
        modified_at: DateTime<Utc>,
    ) -> String {
        let fields = json!({"Name": name, "StageName": "Prospecting", "CloseDate": "2024-06-30"});
        let opportunity = self.insert("Opportunity", fields, modified_at);
        for (entry, quantity) in lines {
            let line = json!({
                "OpportunityId": opportunity,
                "PricebookEntryId": entry,
                "Quantity": quantity,
                "UnitPrice": 10.0
            });
            self.insert("OpportunityLineItem", line, modified_at);
        }
        opportunity
    }

    /// Returns a stored record with every field.
    pub fn record(&self, object: &str, id: &str) -> Map<String, Value> {
        self.emulator
            .record(object, id)
            .unwrap_or_else(|| panic!("{object} {id} is not stored"))
    }
}

/// Returns 2024-01-`day` at `hour`:00 UTC.
pub fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, day, hour, 0, 0).unwrap()
}

/// Returns a spec of `object` with these fields and link field.
pub fn spec(object: &str, fields: &[&str], link_field: &str) -> ObjectSpec {
    ObjectSpec {
        name: object.into(),
        fields: fields.iter().map(|name| name.to_string()).collect(),
        link_field: link_field.into(),
    }
}

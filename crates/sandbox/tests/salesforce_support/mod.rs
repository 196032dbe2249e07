//! Shared helpers for the Salesforce emulator tests: a server on 127.0.0.1, an HTTP client
//! that logs in with client credentials, recorded payloads from the corpus and a comparison
//! of JSON shapes.

#![allow(dead_code)]

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize as DeriveDeserialize;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value, json};
use tandem_sandbox::salesforce::{SalesforceCredentials, SalesforceEmulator};

/// API version the tests call.
pub const VERSION: &str = "v62.0";

/// Folder of the restforce fixtures in the corpus.
pub const RESTFORCE: &str = "restforce__restforce/spec/fixtures";

/// A running emulator and an HTTP client pointed at it.
pub struct Server {
    pub emulator: SalesforceEmulator,
    pub url: String,
    pub client: reqwest::Client,
}

/// Status, `Sforce-Limit-Info` header and JSON body of one response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub limit_info: Option<String>,
    pub location: Option<String>,
    pub body: Value,
    /// The body as sent, to check member order (which `Value` does not keep).
    pub text: String,
}

impl Server {
    /// Starts an emulator with fresh credentials on a free port of 127.0.0.1.
    pub async fn start() -> Server {
        let emulator = SalesforceEmulator::new(SalesforceCredentials::generate());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = emulator.router();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        Server {
            emulator,
            url: format!("http://{address}"),
            client,
        }
    }

    /// Posts a token request with the given form fields.
    pub async fn token_request(&self, form: &[(&str, &str)]) -> Reply {
        let response = self
            .client
            .post(format!("{}/services/oauth2/token", self.url))
            .form(form)
            .send()
            .await
            .unwrap();
        reply(response).await
    }

    /// Logs in with the emulator's credentials and returns the access token.
    pub async fn login(&self) -> String {
        let credentials = self.emulator.credentials();
        let reply = self
            .token_request(&[
                ("grant_type", "client_credentials"),
                ("client_id", &credentials.client_id),
                ("client_secret", &credentials.client_secret),
            ])
            .await;
        assert_eq!(reply.status, 200, "login failed: {}", reply.body);
        reply.body["access_token"].as_str().unwrap().to_string()
    }

    /// Sends a request to `path` below `/services/data/v62.0` with an optional token and JSON
    /// body. `path` may carry a query string, which is sent as written.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.call_raw(
            method,
            &format!("/services/data/{VERSION}{path}"),
            token,
            body,
            &[],
        )
        .await
    }

    /// Sends a request to an absolute path with extra headers.
    pub async fn call_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.client.request(method, format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        reply(request.send().await.unwrap()).await
    }

    /// Runs a SOQL statement, percent-encoding it.
    pub async fn query(&self, token: &str, soql: &str) -> Reply {
        let encoded: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
        self.call("GET", &format!("/query?q={encoded}"), Some(token), None)
            .await
    }

    /// Inserts an Account through data loading and returns its Id.
    pub fn insert_account(&self, fields: Value, modified_at: DateTime<Utc>) -> String {
        self.emulator
            .insert_record("Account", object(fields), modified_at)
            .unwrap()
    }
}

async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
    };
    let limit_info = header("Sforce-Limit-Info");
    let location = header("Location");
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    Reply {
        status,
        limit_info,
        location,
        body,
        text,
    }
}

/// Member names of a JSON object in the order they were sent.
struct KeyOrder(Vec<String>);

impl<'de> Deserialize<'de> for KeyOrder {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<KeyOrder, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = KeyOrder;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyOrder, A::Error> {
                let mut keys = Vec::new();
                while let Some((key, IgnoredAny)) = map.next_entry::<String, IgnoredAny>()? {
                    keys.push(key);
                }
                Ok(KeyOrder(keys))
            }
        }
        deserializer.deserialize_map(KeyVisitor)
    }
}

/// Returns the member names of the JSON object `text` in the order they were sent.
pub fn key_order(text: &str) -> Vec<String> {
    serde_json::from_str::<KeyOrder>(text).unwrap().0
}

/// Returns the member names of each element of `records` in a query result, in the order
/// they were sent.
pub fn record_key_order(text: &str) -> Vec<Vec<String>> {
    #[derive(DeriveDeserialize)]
    struct Page {
        records: Vec<KeyOrder>,
    }
    let page: Page = serde_json::from_str(text).unwrap();
    page.records.into_iter().map(|keys| keys.0).collect()
}

/// Returns the members of a JSON object literal.
pub fn object(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap()
}

/// Returns a UTC instant on 2024-01-`day` at `hour`:00.
pub fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, day, hour, 0, 0).unwrap()
}

/// Reads a recorded payload from the repository's corpus.
pub fn corpus(path: &str) -> Value {
    let full = format!(
        "{}/../../corpus/salesforce/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&full).unwrap_or_else(|error| panic!("{full}: {error}"));
    serde_json::from_str(&text).unwrap()
}

/// Reduces a JSON value to its shape: object keys with the shapes of their values, the shape
/// of an array's first element, and the kind of each scalar.
pub fn shape(value: &Value) -> Value {
    match value {
        Value::Null => json!("null"),
        Value::Bool(_) => json!("boolean"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
        Value::Array(items) => Value::Array(items.first().map(shape).into_iter().collect()),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(key, value)| (key.clone(), shape(value)))
                .collect(),
        ),
    }
}

/// Asserts that every key of the recorded shape is present in the emulator's with the same
/// shape; the emulator may add keys the recording lacks.
pub fn assert_shape_covers(recorded: &Value, emulated: &Value, path: &str) {
    match (recorded, emulated) {
        (Value::Object(expected), Value::Object(actual)) => {
            for (key, value) in expected {
                let child = actual
                    .get(key)
                    .unwrap_or_else(|| panic!("{path}.{key} is missing from {emulated}"));
                assert_shape_covers(value, child, &format!("{path}.{key}"));
            }
        }
        (Value::Array(expected), Value::Array(actual)) => {
            if let (Some(expected), Some(actual)) = (expected.first(), actual.first()) {
                assert_shape_covers(expected, actual, &format!("{path}[0]"));
            }
        }
        _ => assert_eq!(recorded, emulated, "shape of {path}"),
    }
}

/// Computes the case-check suffix of a 15-character Id, independently of the emulator.
pub fn id_suffix(id15: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    id15.as_bytes()
        .chunks(5)
        .map(|chunk| {
            let mut bits = 0;
            for (position, byte) in chunk.iter().enumerate() {
                if byte.is_ascii_uppercase() {
                    bits += 1 << position;
                }
            }
            char::from(ALPHABET[bits])
        })
        .collect()
}

/// Asserts that `id` is an 18-character Id with `prefix` and a correct suffix.
pub fn assert_valid_id(id: &str, prefix: &str) {
    assert_eq!(id.len(), 18, "{id} has 18 characters");
    assert!(id.starts_with(prefix), "{id} starts with {prefix}");
    assert_eq!(&id[15..], id_suffix(&id[..15]), "suffix of {id}");
}

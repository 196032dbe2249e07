//! The NetSuite emulator of `tandem-sandbox` on 127.0.0.1, with a port connected to it.

#![allow(dead_code)]

use tandem_engine::{FieldValue, Fields, NewRecord, ObjectSpec, RecordPort, Secret, WriteResult};
use tandem_netsuite::{NetSuiteClient, NetSuiteConfig, NetSuitePort, TokenCredentials};
use tandem_sandbox::netsuite::{NetSuiteCredentials, NetSuiteEmulator};

/// A running emulator and a port connected to it.
pub struct Sandbox {
    pub emulator: NetSuiteEmulator,
    pub port: NetSuitePort,
    /// The client behind the port, for operations the port does not use.
    pub client: NetSuiteClient,
}

impl Sandbox {
    /// Starts an emulator with fresh credentials on a free port of 127.0.0.1.
    pub async fn start() -> Sandbox {
        let emulator = NetSuiteEmulator::new(NetSuiteCredentials::generate());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = emulator.router();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        let credentials = emulator.credentials();
        let mut config = NetSuiteConfig::new(
            credentials.account.clone(),
            TokenCredentials {
                consumer_key: credentials.consumer_key.clone(),
                consumer_secret: Secret::new(credentials.consumer_secret.clone()),
                token_id: credentials.token_id.clone(),
                token_secret: Secret::new(credentials.token_secret.clone()),
            },
        );
        let endpoint = format!("http://{address}/services/NetSuitePort_2025_2");
        config.endpoint = Some(endpoint.parse().unwrap());
        let client = NetSuiteClient::new(config).unwrap();
        let port = NetSuitePort::new(client.clone());
        Sandbox {
            emulator,
            port,
            client,
        }
    }

    /// Creates one record through the port and returns its result.
    pub async fn create(&self, record_type: &str, link: &str, fields: Fields) -> WriteResult {
        let results = self
            .port
            .create(
                &object(record_type, &[]),
                vec![NewRecord {
                    link: link.to_string(),
                    fields,
                }],
            )
            .await
            .unwrap();
        results.into_iter().next().unwrap()
    }

    /// Creates one record through the port and returns its internal ID; panics on an error.
    pub async fn created(&self, record_type: &str, link: &str, fields: Fields) -> String {
        match self.create(record_type, link, fields).await {
            Ok(written) => written.id,
            Err(error) => panic!("creating {record_type} {link} failed: {error}"),
        }
    }
}

/// Names a record type, the fields to read and the `externalId` link field.
pub fn object(name: &str, fields: &[&str]) -> ObjectSpec {
    ObjectSpec {
        name: name.to_string(),
        fields: fields.iter().map(|field| field.to_string()).collect(),
        link_field: "externalId".to_string(),
    }
}

/// Builds engine fields from name and value pairs.
pub fn fields(entries: &[(&str, FieldValue)]) -> Fields {
    entries
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect()
}

/// Returns a text value.
pub fn text(value: &str) -> FieldValue {
    FieldValue::text(value)
}

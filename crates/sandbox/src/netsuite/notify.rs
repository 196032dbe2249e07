//! Webhooks after record changes, as a NetSuite user-event script with an `afterSubmit`
//! function would send them. After a request, or a change made through the emulator's own
//! methods, creates or updates records, the emulator POSTs `{"recordType", "ids", "type"}` to a
//! configured URL on this machine, one message per record type. With a shared secret, each
//! message carries `X-Tandem-Signature: sha256=<hex>`, the HMAC-SHA256 of the body, which
//! Tandem's `/webhooks/netsuite` endpoint checks.
//!
//! Messages are sent once, in the background, so a receiver that is down misses them. Changes
//! made by every client count, Tandem's own writes included.
//!
//! NOTE: deletions send no webhook yet.

use std::collections::BTreeMap;

use serde::Serialize;
use url::Url;

use super::NetSuiteEmulator;

/// The URL webhooks go to and the secret that signs them.
#[derive(Debug, Clone)]
struct Target {
    url: Url,
    secret: Option<String>,
}

/// One webhook: the changed records of one type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Message {
    record_type: String,
    ids: Vec<String>,
    /// `edit`, the `context.type` of a user-event script, for every write.
    #[serde(rename = "type")]
    event: &'static str,
}

/// The target and the changes not sent yet.
#[derive(Debug, Default)]
pub(crate) struct Notifier {
    target: Option<Target>,
    /// Changed internal IDs by record type, in the order they changed.
    pending: BTreeMap<String, Vec<String>>,
}

impl Notifier {
    /// Records a change of record `id` of `record_type` when webhooks are on.
    pub fn record(&mut self, record_type: &str, id: &str) {
        if self.target.is_none() {
            return;
        }
        let ids = self.pending.entry(record_type.to_string()).or_default();
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_string());
        }
    }

    fn take(&mut self) -> Option<(Target, Vec<Message>)> {
        let target = self.target.clone()?;
        if self.pending.is_empty() {
            return None;
        }
        let messages = std::mem::take(&mut self.pending)
            .into_iter()
            .map(|(record_type, ids)| Message {
                record_type,
                ids,
                event: "edit",
            })
            .collect();
        Some((target, messages))
    }
}

impl NetSuiteEmulator {
    /// Sends a webhook to `url` after records change, signed with `secret` when given,
    /// replacing any earlier target. `url` must be an `http` URL on 127.0.0.1, `[::1]` or
    /// localhost, so the emulator never sends traffic off this machine.
    pub fn set_webhooks(&self, url: &str, secret: Option<&str>) -> Result<(), String> {
        let url = crate::salesforce::loopback_url(url).map_err(|error| error.to_string())?;
        let mut state = self.lock();
        state.notifier.target = Some(Target {
            url,
            secret: secret.map(str::to_string),
        });
        state.records.watching = true;
        Ok(())
    }

    /// Stops sending webhooks and drops those not sent yet.
    pub fn clear_webhooks(&self) {
        let mut state = self.lock();
        state.notifier = Notifier::default();
        state.records.watching = false;
        state.records.take_changed();
    }

    /// Sends the pending webhooks in the background. Outside a Tokio runtime they are
    /// dropped, with a log line.
    pub(crate) fn send_webhooks(&self) {
        let taken = {
            let mut state = self.lock();
            for (record_type, id) in state.records.take_changed() {
                state.notifier.record(record_type, &id);
            }
            state.notifier.take()
        };
        let Some((target, messages)) = taken else {
            return;
        };
        crate::spawn_webhooks(target.url, target.secret, messages, |message| {
            message.record_type.as_str()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notifier() -> Notifier {
        Notifier {
            target: Some(Target {
                url: Url::parse("http://127.0.0.1/hook").unwrap(),
                secret: None,
            }),
            pending: BTreeMap::new(),
        }
    }

    #[test]
    fn changes_are_grouped_by_record_type() {
        let mut notifier = notifier();
        notifier.record("customer", "1");
        notifier.record("customer", "2");
        notifier.record("customer", "1");
        notifier.record("salesOrder", "9");
        let (_, messages) = notifier.take().unwrap();
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].record_type, "customer");
        assert_eq!(messages[0].ids, ["1", "2"]);
        assert_eq!(messages[1].ids, ["9"]);
        assert!(notifier.take().is_none(), "sent changes are gone");
    }

    #[test]
    fn changes_without_target_are_not_kept() {
        let mut notifier = Notifier::default();
        notifier.record("customer", "1");
        assert!(notifier.pending.is_empty());
    }

    #[test]
    fn message_reads_as_user_event_call() {
        let message = Message {
            record_type: "customer".to_string(),
            ids: vec!["7".to_string()],
            event: "edit",
        };
        let json = serde_json::to_value(&message).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"recordType": "customer", "ids": ["7"], "type": "edit"})
        );
    }

    /// Starts a receiver on 127.0.0.1 that passes each request's signature header and body
    /// to the returned channel.
    async fn receiver() -> (
        String,
        tokio::sync::mpsc::UnboundedReceiver<(String, Vec<u8>)>,
    ) {
        let (sender, received) = tokio::sync::mpsc::unbounded_channel();
        let route = axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let sender = sender.clone();
                async move {
                    let signature = headers
                        .get(crate::WEBHOOK_SIGNATURE_HEADER)
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    let _ = sender.send((signature, body.to_vec()));
                    axum::http::StatusCode::ACCEPTED
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = axum::Router::new().route("/hook", route);
        tokio::spawn(async move { axum::serve(listener, router).await });
        (format!("http://{address}/hook"), received)
    }

    #[tokio::test]
    async fn customer_change_sends_signed_webhook() {
        let sandbox = crate::Sandbox::start(crate::SandboxOptions {
            netsuite_port: 0,
            salesforce_port: 0,
            seed: crate::Seed::Empty,
        })
        .await
        .unwrap();
        let (url, mut received) = receiver().await;
        let netsuite = sandbox.netsuite();
        netsuite.set_webhooks(&url, Some("Jefe")).unwrap();
        let now = chrono::Utc::now();
        let id = netsuite.insert_customer(crate::netsuite::customer::Customer {
            internal_id: String::new(),
            external_id: None,
            entity_id: Some("CUST-HOOK".to_string()),
            company_name: Some("Webhook Outfitters".to_string()),
            email: None,
            phone: None,
            url: None,
            is_inactive: false,
            date_created: now,
            last_modified: now,
            custom_fields: Vec::new(),
        });

        let wait = tokio::time::timeout(std::time::Duration::from_secs(10), received.recv());
        let (signature, body) = wait.await.expect("a webhook within 10 s").unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["recordType"], "customer");
        assert_eq!(json["ids"], serde_json::json!([id]));
        let expected = format!("sha256={}", crate::webhook_signature("Jefe", &body));
        assert_eq!(signature, expected);
        sandbox.shutdown().await;
    }
}

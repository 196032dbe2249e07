//! Change notifications: after a request changes records of a watched object, the emulator
//! POSTs a JSON message to a configured URL on this machine, as an outbound message or an
//! Apex callout would, so a webhook receiver can be woken in tests.
//!
//! The message is `{"sobject","changeType","recordIds","commitTimestamp"}` with `changeType`
//! `CREATE`, `UPDATE` or `DELETE`, one message per object and change type of a request. It is
//! sent once, in the background; a receiver that is down misses it, as the poll that such a
//! wake-up only hastens still finds the change.

use serde::Serialize;
use url::Url;

use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;

/// Kind of change a notification reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum ChangeType {
    Create,
    Update,
    Delete,
}

/// Destination URL of notifications and the objects they cover.
#[derive(Debug, Clone)]
struct Target {
    url: Url,
    objects: Vec<String>,
    /// The shared secret whose HMAC-SHA256 of each body goes in `X-Tandem-Signature`.
    secret: Option<String>,
}

/// One message sent to the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Message {
    sobject: String,
    change_type: ChangeType,
    record_ids: Vec<String>,
    commit_timestamp: i64,
}

/// The target and the changes not sent yet.
#[derive(Debug, Default)]
pub(crate) struct Notifier {
    target: Option<Target>,
    pending: Vec<Message>,
}

impl Notifier {
    /// Records a change of record `id` of `object` when the object is watched.
    pub fn record(&mut self, object: &str, id: &str, change_type: ChangeType, at_millis: i64) {
        let watched = self.target.as_ref().is_some_and(|target| {
            target
                .objects
                .iter()
                .any(|name| name.eq_ignore_ascii_case(object))
        });
        if !watched {
            return;
        }
        let same = self
            .pending
            .iter_mut()
            .find(|message| message.sobject == object && message.change_type == change_type);
        match same {
            Some(message) => {
                message.record_ids.push(id.to_string());
                message.commit_timestamp = message.commit_timestamp.max(at_millis);
            }
            None => self.pending.push(Message {
                sobject: object.to_string(),
                change_type,
                record_ids: vec![id.to_string()],
                commit_timestamp: at_millis,
            }),
        }
    }

    /// Returns how many changes are pending, to undo those of a rolled-back call.
    pub fn mark(&self) -> usize {
        self.pending.len()
    }

    /// Drops the messages recorded after `mark`.
    pub fn rollback_to(&mut self, mark: usize) {
        self.pending.truncate(mark);
    }

    fn take(&mut self) -> Option<(Target, Vec<Message>)> {
        let target = self.target.clone()?;
        if self.pending.is_empty() {
            return None;
        }
        Some((target, std::mem::take(&mut self.pending)))
    }
}

/// Accepts only `http` URLs on 127.0.0.1, `::1` or `localhost`, so the emulator never sends
/// traffic off this machine.
pub(crate) fn loopback_url(url: &str) -> Result<Url, ApiError> {
    let invalid = || {
        ApiError::bad_request(
            "INVALID_FIELD",
            format!("notification URL {url} is not an http URL on 127.0.0.1, [::1] or localhost"),
        )
    };
    let parsed = Url::parse(url).map_err(|_| invalid())?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if parsed.scheme() != "http" || !loopback {
        return Err(invalid());
    }
    Ok(parsed)
}

impl SalesforceEmulator {
    /// Sends a change notification to `url` whenever records of one of `objects` are
    /// created, updated or deleted, replacing any earlier target. `url` must be an `http`
    /// URL on 127.0.0.1, `[::1]` or localhost; anything else fails with `INVALID_FIELD`.
    pub fn set_change_notifications(&self, url: &str, objects: &[&str]) -> Result<(), ApiError> {
        self.set_signed_change_notifications(url, objects, None)
    }

    /// Sends change notifications as [`Self::set_change_notifications`] does, each signed as
    /// an Apex callout to Tandem is: `X-Tandem-Signature: sha256=<hex>`, the HMAC-SHA256 of
    /// the body under `secret`.
    pub fn set_signed_change_notifications(
        &self,
        url: &str,
        objects: &[&str],
        secret: Option<&str>,
    ) -> Result<(), ApiError> {
        let url = loopback_url(url)?;
        let objects = objects.iter().map(|name| name.to_string()).collect();
        let secret = secret.map(str::to_string);
        self.org().notifier.target = Some(Target {
            url,
            objects,
            secret,
        });
        Ok(())
    }

    /// Stops sending change notifications and drops those not sent yet.
    pub fn clear_change_notifications(&self) {
        self.org().notifier = Notifier::default();
    }

    /// Sends the pending notifications in the background. Outside a Tokio runtime they are
    /// dropped, with a log line.
    pub(crate) fn send_notifications(&self) {
        let Some((target, messages)) = self.org().notifier.take() else {
            return;
        };
        crate::spawn_webhooks(target.url, target.secret, messages, |message| {
            message.sobject.as_str()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_url_rejects_other_hosts() {
        assert!(loopback_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(loopback_url("http://localhost/hook").is_ok());
        assert!(loopback_url("http://[::1]:80/").is_ok());
        assert!(loopback_url("http://10.0.0.1/hook").is_err());
        assert!(loopback_url("https://127.0.0.1/hook").is_err());
        assert!(loopback_url("http://example.com/").is_err());
    }

    #[test]
    fn record_groups_changes_of_watched_objects() {
        let mut notifier = Notifier {
            target: Some(Target {
                url: Url::parse("http://127.0.0.1/").unwrap(),
                objects: vec!["Account".into()],
                secret: None,
            }),
            pending: Vec::new(),
        };
        notifier.record("Account", "a", ChangeType::Update, 1);
        notifier.record("Account", "b", ChangeType::Update, 2);
        notifier.record("Contact", "c", ChangeType::Update, 3);
        let (_, messages) = notifier.take().unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].record_ids, vec!["a", "b"]);
        assert_eq!(messages[0].commit_timestamp, 2);
    }
}

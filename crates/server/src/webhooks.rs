//! Webhooks that wake the pass loop early: a Salesforce outbound message (SOAP), a JSON
//! callout from Apex, and a JSON call from a NetSuite user-event script.
//!
//! A webhook only starts the passes of the flows that read the changed record's type (a
//! NetSuite record type, a Salesforce sObject) sooner. The passes read changes by
//! watermark as always, so a lost or forged webhook can delay nothing and skip nothing.
//!
//! The JSON calls are signed: `X-Tandem-Signature: sha256=<hex>` is the HMAC-SHA256 of the raw
//! body under the shared secret (`TANDEM_WEBHOOK_SECRET`). Salesforce outbound messages cannot
//! carry a custom header, so their endpoint URL carries `?key=<hex>`, the HMAC-SHA256 of the
//! text `salesforce-outbound-message` under the same secret, and the message's
//! `OrganizationId` must be the org this store syncs.

use std::collections::BTreeSet;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::Sha256;
use tandem_engine::{Secret, System};

use crate::AppState;
use crate::auth::constant_time_equal;

/// The header that carries a JSON webhook's signature.
pub const SIGNATURE_HEADER: &str = "x-tandem-signature";

/// The text whose HMAC is the `key` of the outbound message URL.
pub const OUTBOUND_KEY_TEXT: &str = "salesforce-outbound-message";

/// The largest webhook body read, in bytes; a larger one is rejected with
/// `413 Payload Too Large`.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The acknowledgement Salesforce expects, or it sends the message again.
const OUTBOUND_ACK: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">\
<soapenv:Body><notificationsResponse xmlns=\"http://soap.sforce.com/2005/09/outbound\">\
<Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>";

/// Builds the webhook routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks/salesforce/outbound", post(salesforce_outbound))
        .route("/webhooks/salesforce", post(salesforce_callout))
        .route("/webhooks/netsuite", post(netsuite_user_event))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Returns the lower-case hex HMAC-SHA256 of `message` under `secret`.
pub fn signature(secret: &Secret, message: &[u8]) -> String {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The reason a webhook was not accepted, returned as plain text with its status.
#[derive(Debug)]
pub struct Rejection {
    status: StatusCode,
    message: String,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        (self.status, format!("{}\n", self.message)).into_response()
    }
}

/// Logs and builds a rejection.
fn rejected(status: StatusCode, source: &str, message: &str) -> Rejection {
    tracing::warn!(source, reason = message, "webhook rejected");
    Rejection {
        status,
        message: message.to_string(),
    }
}

/// Returns the secret, or the rejection that reports webhooks as off.
fn secret<'a>(state: &'a AppState, source: &str) -> Result<&'a Secret, Rejection> {
    state.webhook_secret.as_ref().ok_or_else(|| {
        rejected(
            StatusCode::NOT_FOUND,
            source,
            "webhooks are off; set TANDEM_WEBHOOK_SECRET and restart to accept them",
        )
    })
}

/// Checks the `X-Tandem-Signature` header of a JSON webhook against its body.
fn check_signature(
    state: &AppState,
    source: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Rejection> {
    let secret = secret(state, source)?;
    let sent = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("sha256="))
        .unwrap_or_default();
    if sent.is_empty() {
        return Err(rejected(
            StatusCode::UNAUTHORIZED,
            source,
            "missing X-Tandem-Signature: sha256=<hex HMAC-SHA256 of the body>",
        ));
    }
    if !constant_time_equal(&sent.to_ascii_lowercase(), &signature(secret, body)) {
        return Err(rejected(
            StatusCode::UNAUTHORIZED,
            source,
            "wrong X-Tandem-Signature; sign the raw body with TANDEM_WEBHOOK_SECRET",
        ));
    }
    Ok(())
}

/// Wakes the flows that read `object` and counts the webhook.
fn accept(state: &AppState, source: &str, detail: &str, flows: BTreeSet<String>) {
    tracing::info!(
        source,
        detail,
        ?flows,
        "webhook accepted; the flows that read it start now"
    );
    state.runner.metrics().count_webhook(source);
    state.runner.wake_flows(flows);
}

/// Returns the enabled flows that read `object` from `system`, or the rejection that names
/// the objects they do read.
fn affected_flows(
    state: &AppState,
    source: &str,
    system: System,
    object: &str,
) -> Result<BTreeSet<String>, Rejection> {
    let flows = state.runner.flows_reading(system, object);
    if flows.is_empty() {
        let known: Vec<String> = state.runner.objects_read(system).into_iter().collect();
        let message = format!(
            "no enabled flow reads {system} {object}; the enabled flows read {}",
            if known.is_empty() {
                "nothing".to_string()
            } else {
                known.join(", ")
            }
        );
        return Err(rejected(StatusCode::UNPROCESSABLE_ENTITY, source, &message));
    }
    Ok(flows)
}

/// The JSON body of a callout or user-event call: what changed, for the log. Other keys are
/// allowed and ignored.
#[derive(Debug, Default, Deserialize)]
struct ChangeNotice {
    /// The sObject or record type, such as `Account` or `customer`.
    #[serde(default, alias = "sobject", alias = "recordType")]
    object: Option<String>,
    /// The changed records' IDs.
    #[serde(default, alias = "recordIds")]
    ids: Vec<String>,
    /// One changed record's ID, as a user-event script sends it.
    #[serde(default)]
    id: Option<String>,
}

impl ChangeNotice {
    fn describe(&self) -> String {
        let count = self.ids.len() + usize::from(self.id.is_some());
        format!(
            "{} record(s) of {}",
            count,
            self.object.as_deref().unwrap_or("an unnamed type")
        )
    }
}

fn parse_notice(source: &str, body: &[u8]) -> Result<ChangeNotice, Rejection> {
    let notice: ChangeNotice = serde_json::from_slice(body).map_err(|error| {
        rejected(
            StatusCode::BAD_REQUEST,
            source,
            &format!("the body is not a JSON object like {{\"object\": \"Account\", \"ids\": [...]}}: {error}"),
        )
    })?;
    if notice
        .object
        .as_deref()
        .is_none_or(|object| object.trim().is_empty())
    {
        return Err(rejected(
            StatusCode::BAD_REQUEST,
            source,
            "the body names no record type; send {\"object\": \"<record type or sObject>\", \"ids\": [...]}",
        ));
    }
    Ok(notice)
}

/// `POST /webhooks/salesforce`: a JSON callout from Apex.
async fn salesforce_callout(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Rejection> {
    json_webhook(
        &state,
        "salesforce_callout",
        System::Salesforce,
        &headers,
        &body,
    )
}

/// `POST /webhooks/netsuite`: a JSON call from a NetSuite user-event script.
async fn netsuite_user_event(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Rejection> {
    json_webhook(
        &state,
        "netsuite_user_event",
        System::NetSuite,
        &headers,
        &body,
    )
}

/// Accepts a signed JSON webhook from `system` and wakes the flows that read its record type.
/// A type that no enabled flow reads is rejected with `422`, so a misrouted script shows up in
/// its own logs instead of waking nothing in silence.
fn json_webhook(
    state: &AppState,
    source: &str,
    system: System,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Rejection> {
    check_signature(state, source, headers, body)?;
    let notice = parse_notice(source, body)?;
    let object = notice.object.as_deref().unwrap_or_default().trim();
    let flows = affected_flows(state, source, system, object)?;
    let response = serde_json::json!({"accepted": true, "flows": flows});
    accept(state, source, &notice.describe(), flows);
    Ok((StatusCode::ACCEPTED, axum::Json(response)).into_response())
}

#[derive(Debug, Deserialize)]
struct OutboundQuery {
    key: Option<String>,
}

/// `POST /webhooks/salesforce/outbound`: a Salesforce outbound message, acknowledged with the
/// `notificationsResponse` Salesforce expects once accepted.
async fn salesforce_outbound(
    State(state): State<AppState>,
    Query(query): Query<OutboundQuery>,
    body: Bytes,
) -> Result<Response, Rejection> {
    let source = "salesforce_outbound";
    let secret = secret(&state, source)?;
    let expected = signature(secret, OUTBOUND_KEY_TEXT.as_bytes());
    let key = query.key.unwrap_or_default().to_ascii_lowercase();
    if !constant_time_equal(&key, &expected) {
        return Err(rejected(
            StatusCode::UNAUTHORIZED,
            source,
            "missing or wrong key in the outbound message URL",
        ));
    }
    let message = parse_outbound(&body)
        .map_err(|reason| rejected(StatusCode::BAD_REQUEST, source, &reason))?;
    match state.runner.store().identity(System::Salesforce).await {
        Ok(Some(org)) if !same_org(&org, &message.organization_id) => {
            return Err(rejected(
                StatusCode::FORBIDDEN,
                source,
                "the message comes from another Salesforce org than the one this store syncs",
            ));
        }
        Ok(_) => {}
        Err(error) => {
            tracing::error!(%error, "cannot read the Salesforce org ID to check a webhook");
            return Err(Rejection {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: "cannot read the store; the server log has the cause".to_string(),
            });
        }
    }
    let detail = format!(
        "{} notification(s) of {}",
        message.notifications,
        message.object.as_deref().unwrap_or("an unnamed sObject")
    );
    // Salesforce resends a message until it is acknowledged, for up to 24 hours, so a message
    // about an sObject that no flow reads is acknowledged too, and only logged.
    let object = message.object.as_deref().unwrap_or_default();
    match affected_flows(&state, source, System::Salesforce, object) {
        Ok(flows) => accept(&state, source, &detail, flows),
        Err(rejection) => {
            tracing::warn!(source, reason = %rejection.message, "outbound message acknowledged; it wakes no flow");
        }
    }
    let content_type = [(header::CONTENT_TYPE, "text/xml; charset=utf-8")];
    Ok((content_type, OUTBOUND_ACK).into_response())
}

/// Compares Salesforce org IDs, which may come as 15 or 18 characters.
fn same_org(stored: &str, sent: &str) -> bool {
    let short = |id: &str| id.get(..15).unwrap_or(id).to_string();
    short(stored) == short(sent)
}

/// The parts of an outbound message that the log and the org check need.
#[derive(Debug, PartialEq, Eq)]
struct OutboundMessage {
    organization_id: String,
    notifications: usize,
    /// The sObject type, from the first notification's `xsi:type` (`sf:Account`).
    object: Option<String>,
}

/// Reads the organization ID, the number of notifications and the sObject type of an outbound
/// message envelope.
fn parse_outbound(body: &[u8]) -> Result<OutboundMessage, String> {
    use quick_xml::events::Event;

    let mut reader = quick_xml::Reader::from_reader(body);
    let mut organization_id = None;
    let mut notifications = 0;
    let mut object = None;
    let mut in_organization = false;
    let mut buffer = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|error| format!("the body is not a SOAP outbound message: {error}"))?;
        match event {
            Event::Start(element) | Event::Empty(element) => {
                let name = element.local_name();
                match name.as_ref() {
                    "OrganizationId" => in_organization = true,
                    "Notification" => notifications += 1,
                    "sObject" if object.is_none() => {
                        object = element
                            .attributes()
                            .flatten()
                            .find(|attribute| attribute.key.local_name().as_ref() == "type")
                            .and_then(|attribute| {
                                let value = attribute.value.to_string();
                                value.rsplit(':').next().map(str::to_string)
                            });
                    }
                    _ => {}
                }
            }
            Event::Text(text) if in_organization => {
                organization_id = Some(text.xml10_content().trim().to_string());
            }
            Event::End(_) => in_organization = false,
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    let organization_id = organization_id
        .filter(|id| !id.is_empty())
        .ok_or("the outbound message has no OrganizationId")?;
    Ok(OutboundMessage {
        organization_id,
        notifications,
        object,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00DLi000000AbcdMAC</OrganizationId>
   <ActionId>04kLi0000000001IAA</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/61.0/00DLi000000Abcd</EnterpriseUrl>
   <PartnerUrl>https://example.my.salesforce.com/services/Soap/u/61.0/00DLi000000Abcd</PartnerUrl>
   <Notification>
    <Id>04lLi0000000001IAA</Id>
    <sObject xsi:type="sf:Account" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>001Li000001VQzmIAG</sf:Id>
    </sObject>
   </Notification>
   <Notification>
    <Id>04lLi0000000002IAA</Id>
    <sObject xsi:type="sf:Account" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>001Li000001VQznIAG</sf:Id>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>"#;

    #[test]
    fn outbound_message_is_read() {
        let message = parse_outbound(MESSAGE.as_bytes()).unwrap();
        assert_eq!(message.organization_id, "00DLi000000AbcdMAC");
        assert_eq!(message.notifications, 2);
        assert_eq!(message.object.as_deref(), Some("Account"));
    }

    #[test]
    fn outbound_message_without_org_is_rejected() {
        let error = parse_outbound(b"<Envelope><Body/></Envelope>").unwrap_err();
        assert!(error.contains("no OrganizationId"), "{error}");
    }

    #[test]
    fn org_ids_compare_by_first_15_characters() {
        assert!(same_org("00DLi000000AbcdMAC", "00DLi000000Abcd"));
        assert!(!same_org("00DLi000000AbcdMAC", "00DLi000000AbceMAC"));
    }

    #[test]
    fn signature_matches_known_value() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let secret = Secret::new("Jefe");
        assert_eq!(
            signature(&secret, b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn ack_is_a_notifications_response() {
        assert!(OUTBOUND_ACK.contains("<Ack>true</Ack>"));
        assert!(OUTBOUND_ACK.contains("http://soap.sforce.com/2005/09/outbound"));
    }
}

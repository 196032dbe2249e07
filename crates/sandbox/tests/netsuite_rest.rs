//! The NetSuite emulator's REST web services: the OAuth 2.0 token endpoint, token-based
//! authentication as an OAuth 1.0a header, the record service and SuiteQL, on the same
//! account data as the SOAP side.
//!
//! Few recorded REST payloads exist, so the expected shapes here are written from NetSuite's
//! documented formats (the `o:errorDetails` error body, `204` with `Location` on writes, the
//! `items`/`hasMore`/`links` query page), not copied from recordings.

mod netsuite_support;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rcgen::{CertificateParams, KeyPair, PKCS_ECDSA_P256_SHA256};
use serde_json::{Value, json};
use sha2::Sha256;
use tandem_sandbox::netsuite::{FaultKind, FaultPlan};

use netsuite_support::{Server, fresh_nonce, now, parse};

const CERTIFICATE_ID: &str = "cert-1";

/// Uploads an EC certificate to the account and returns the key that signs assertions.
fn upload_certificate(server: &Server) -> EncodingKey {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let certificate = CertificateParams::new(Vec::<String>::new())
        .unwrap()
        .self_signed(&key)
        .unwrap();
    server
        .emulator
        .set_oauth2_certificate(CERTIFICATE_ID, &certificate.pem())
        .unwrap();
    EncodingKey::from_ec_pem(key.serialize_pem().as_bytes()).unwrap()
}

fn assertion(server: &Server, key: &EncodingKey, kid: &str, algorithm: Algorithm) -> String {
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.to_string());
    let issued = now();
    let claims = json!({
        "iss": server.emulator.credentials().consumer_key,
        "scope": ["rest_webservices"],
        "aud": format!("{}/services/rest/auth/oauth2/v1/token", server.base_url()),
        "iat": issued,
        "exp": issued + 3000,
    });
    jsonwebtoken::encode(&header, &claims, key).unwrap()
}

async fn request_token(server: &Server, assertion: &str) -> (u16, Value) {
    let form = [
        ("grant_type", "client_credentials"),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion),
    ];
    let response = server
        .client
        .post(format!(
            "{}/services/rest/auth/oauth2/v1/token",
            server.base_url()
        ))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn access_token(server: &Server) -> String {
    let key = upload_certificate(server);
    let assertion = assertion(server, &key, CERTIFICATE_ID, Algorithm::ES256);
    let (status, body) = request_token(server, &assertion).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

/// A REST reply: status, `Location` header and JSON body (`Null` when empty).
struct RestReply {
    status: u16,
    location: Option<String>,
    body: Value,
}

async fn send(
    server: &Server,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> RestReply {
    let url = format!("{}/services/rest{path}", server.base_url());
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = server
        .client
        .request(method, url)
        .bearer_auth(token)
        .header("Prefer", "transient");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|value| value.to_str().unwrap().to_string());
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    RestReply {
        status,
        location,
        body,
    }
}

fn error_code(reply: &RestReply) -> &str {
    reply.body["o:errorDetails"][0]["o:errorCode"]
        .as_str()
        .unwrap_or_default()
}

fn id_of(location: &str) -> String {
    location.rsplit('/').next().unwrap().to_string()
}

async fn suiteql(server: &Server, token: &str, query: &str, paging: &str) -> RestReply {
    send(
        server,
        token,
        "POST",
        &format!("/query/v1/suiteql{paging}"),
        Some(json!({"q": query})),
    )
    .await
}

#[tokio::test]
async fn token_endpoint_issues_token_for_es256_assertion() {
    let server = Server::start().await;
    let key = upload_certificate(&server);
    let assertion = assertion(&server, &key, CERTIFICATE_ID, Algorithm::ES256);
    let (status, body) = request_token(&server, &assertion).await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], "3600");
    assert_eq!(body["access_token"].as_str().unwrap().len(), 64);
}

#[tokio::test]
async fn token_endpoint_rejects_unknown_kid() {
    let server = Server::start().await;
    let key = upload_certificate(&server);
    let assertion = assertion(&server, &key, "other-cert", Algorithm::ES256);
    let (status, body) = request_token(&server, &assertion).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn record_service_rejects_missing_and_expired_tokens() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let unknown = send(&server, "not-a-token", "GET", "/record/v1/customer/1", None).await;
    assert_eq!(unknown.status, 401);
    assert_eq!(error_code(&unknown), "INVALID_LOGIN");
    server.emulator.expire_oauth2_tokens();
    let expired = send(&server, &token, "GET", "/record/v1/customer/1", None).await;
    assert_eq!(expired.status, 401);
}

#[tokio::test]
async fn customer_added_over_soap_reads_over_rest() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let body = "<platformMsgs:add><platformMsgs:record xsi:type=\"listRel:Customer\" \
        externalId=\"SF-9\"><listRel:companyName>Blue Heron</listRel:companyName>\
        <listRel:customFieldList><platformCore:customField scriptId=\"custentity_region\" \
        xsi:type=\"platformCore:StringCustomFieldRef\"><platformCore:value>West\
        </platformCore:value></platformCore:customField></listRel:customFieldList>\
        </platformMsgs:record></platformMsgs:add>";
    let added = server.call("add", body).await;
    assert_eq!(added.status, 200, "{}", added.body);
    let id = parse(&added.body)
        .find("baseRef")
        .unwrap()
        .attr("internalId")
        .unwrap();

    let read = send(
        &server,
        &token,
        "GET",
        &format!("/record/v1/customer/{id}"),
        None,
    )
    .await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["id"], id.as_str());
    assert_eq!(read.body["externalId"], "SF-9");
    assert_eq!(read.body["companyName"], "Blue Heron");
    assert_eq!(read.body["custentity_region"], "West");
    let modified = read.body["lastModifiedDate"].as_str().unwrap();
    assert!(
        modified.ends_with('Z'),
        "REST datetimes are UTC: {modified}"
    );

    let by_eid = send(&server, &token, "GET", "/record/v1/customer/eid:SF-9", None).await;
    assert_eq!(by_eid.body["id"], id.as_str());
}

#[tokio::test]
async fn missing_record_is_404_with_error_details() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let reply = send(&server, &token, "GET", "/record/v1/customer/999", None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(error_code(&reply), "NONEXISTENT_ID");
    assert_eq!(reply.body["status"], 404);
}

#[tokio::test]
async fn create_update_upsert_delete_round_trip() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let created = send(
        &server,
        &token,
        "POST",
        "/record/v1/customer",
        Some(json!({"companyName": "Acme", "externalId": "SF-1", "custentity_tier": "Gold"})),
    )
    .await;
    assert_eq!(created.status, 204, "{}", created.body);
    let location = created.location.unwrap();
    assert!(location.contains("/services/rest/record/v1/customer/"));
    let id = id_of(&location);
    assert_eq!(
        server
            .emulator
            .customer(&id)
            .unwrap()
            .company_name
            .as_deref(),
        Some("Acme")
    );

    let patched = send(
        &server,
        &token,
        "PATCH",
        &format!("/record/v1/customer/{id}"),
        Some(json!({"phone": "555-0101"})),
    )
    .await;
    assert_eq!(patched.status, 204, "{}", patched.body);
    assert_eq!(
        server.emulator.customer(&id).unwrap().phone.as_deref(),
        Some("555-0101")
    );

    for name in ["Acme Two", "Acme Three"] {
        let upserted = send(
            &server,
            &token,
            "PUT",
            "/record/v1/customer/eid:SF-2",
            Some(json!({"companyName": name})),
        )
        .await;
        assert_eq!(upserted.status, 204, "{}", upserted.body);
    }
    assert_eq!(server.emulator.customers().len(), 2);

    let deleted = send(
        &server,
        &token,
        "DELETE",
        &format!("/record/v1/customer/{id}"),
        None,
    )
    .await;
    assert_eq!(deleted.status, 204);
    let gone = send(
        &server,
        &token,
        "GET",
        &format!("/record/v1/customer/{id}"),
        None,
    )
    .await;
    assert_eq!(gone.status, 404);
}

#[tokio::test]
async fn duplicate_external_id_keeps_soap_code() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let body = json!({"companyName": "Acme", "externalId": "SF-1"});
    send(
        &server,
        &token,
        "POST",
        "/record/v1/customer",
        Some(body.clone()),
    )
    .await;
    let second = send(&server, &token, "POST", "/record/v1/customer", Some(body)).await;
    assert_eq!(second.status, 400);
    assert_eq!(error_code(&second), "DUP_ENTITY");
}

#[tokio::test]
async fn unknown_field_is_named_in_error() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let reply = send(
        &server,
        &token,
        "POST",
        "/record/v1/customer",
        Some(json!({"companyName": "Acme", "colour": "red"})),
    )
    .await;
    assert_eq!(reply.status, 400);
    let detail = reply.body["o:errorDetails"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("colour"), "{detail}");
}

#[tokio::test]
async fn injected_concurrency_fault_is_429() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    server
        .emulator
        .inject_fault(FaultPlan::next(FaultKind::Concurrency, 1));
    let blocked = send(&server, &token, "GET", "/record/v1/customer/1", None).await;
    assert_eq!(blocked.status, 429);
    assert_eq!(error_code(&blocked), "CONCURRENCY_LIMIT_EXCEEDED");
}

async fn add_customers(server: &Server, token: &str, count: usize) {
    for n in 0..count {
        let body =
            json!({"companyName": format!("Company {n}"), "email": format!("ap{n}@x.example")});
        let reply = send(server, token, "POST", "/record/v1/customer", Some(body)).await;
        assert_eq!(reply.status, 204, "{}", reply.body);
    }
}

#[tokio::test]
async fn suiteql_pages_with_limit_and_offset() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    add_customers(&server, &token, 5).await;
    let query = "SELECT id, companyname FROM customer ORDER BY id";
    let first = suiteql(&server, &token, query, "?limit=2").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["count"], 2);
    assert_eq!(first.body["totalResults"], 5);
    assert_eq!(first.body["hasMore"], true);
    let links = first.body["links"].as_array().unwrap();
    assert!(links.iter().any(|link| link["rel"] == "next"));
    assert_eq!(first.body["items"][0]["companyname"], "Company 0");
    assert!(first.body["items"][0].get("email").is_none());

    let last = suiteql(&server, &token, query, "?limit=2&offset=4").await;
    assert_eq!(last.body["count"], 1);
    assert_eq!(last.body["hasMore"], false);
    assert_eq!(last.body["offset"], 4);
}

#[tokio::test]
async fn suiteql_filters_changes_and_ids() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    add_customers(&server, &token, 3).await;
    let all = suiteql(&server, &token, "SELECT id FROM customer ORDER BY id", "").await;
    let ids: Vec<String> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_string())
        .collect();
    let query = format!(
        "SELECT id, email FROM customer WHERE id IN ({}, {}) AND LOWER(email) LIKE 'ap%'",
        ids[0], ids[2]
    );
    let picked = suiteql(&server, &token, &query, "").await;
    assert_eq!(picked.body["count"], 2, "{}", picked.body);

    let future = suiteql(
        &server,
        &token,
        "SELECT id FROM customer WHERE lastmodifieddate >= \
         TO_TIMESTAMP('2999-01-01 00:00:00', 'YYYY-MM-DD HH24:MI:SS')",
        "",
    )
    .await;
    assert_eq!(future.body["count"], 0);
}

#[tokio::test]
async fn suiteql_needs_prefer_transient() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let response = server
        .client
        .post(format!(
            "{}/services/rest/query/v1/suiteql",
            server.base_url()
        ))
        .bearer_auth(&token)
        .json(&json!({"q": "SELECT id FROM customer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
}

#[tokio::test]
async fn suiteql_names_unsupported_sql() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let reply = suiteql(&server, &token, "SELECT id FROM customer GROUP BY id", "").await;
    assert_eq!(reply.status, 400);
    assert_eq!(error_code(&reply), "INVALID_PARAMETER");
    let detail = reply.body["o:errorDetails"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("GROUP"), "{detail}");
    assert!(
        detail.starts_with("Invalid search query. Detailed unprocessed description follows."),
        "{detail}"
    );
    assert_eq!(reply.body["o:errorDetails"][0]["o:errorPath"], "q");
}

#[tokio::test]
async fn suiteql_joins_contacts_to_customers_with_custom_columns() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let customer = json!({"companyName": "Acme", "custentity_tier": "Gold"});
    let created = send(
        &server,
        &token,
        "POST",
        "/record/v1/customer",
        Some(customer),
    )
    .await;
    assert_eq!(created.status, 204, "{}", created.body);
    let customer_id = id_of(created.location.as_deref().unwrap());
    for last_name in ["Lovelace", "Hopper"] {
        let contact = json!({"lastName": last_name, "company": {"id": customer_id}});
        let reply = send(&server, &token, "POST", "/record/v1/contact", Some(contact)).await;
        assert_eq!(reply.status, 204, "{}", reply.body);
    }
    let orphan = json!({"lastName": "Alone"});
    send(&server, &token, "POST", "/record/v1/contact", Some(orphan)).await;

    let inner = "SELECT k.lastname, c.companyname AS customer, c.custentity_tier \
                 FROM contact k INNER JOIN customer c ON k.company = c.id \
                 WHERE c.custentity_tier = 'Gold' ORDER BY k.lastname";
    let reply = suiteql(&server, &token, inner, "").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["count"], 2);
    let first = &reply.body["items"][0];
    assert_eq!(first["lastname"], "Hopper");
    assert_eq!(first["customer"], "Acme");
    assert_eq!(first["custentity_tier"], "Gold");

    let left = "SELECT k.lastname, c.companyname FROM contact k \
                LEFT OUTER JOIN customer c ON c.id = k.company ORDER BY k.lastname";
    let reply = suiteql(&server, &token, left, "").await;
    assert_eq!(reply.body["count"], 3, "{}", reply.body);
    assert_eq!(reply.body["items"][0]["lastname"], "Alone");
    assert!(reply.body["items"][0].get("companyname").is_none());
}

#[tokio::test]
async fn suiteql_deletedrecord_has_type_column() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let body = json!({"companyName": "Gone Ltd"});
    let created = send(&server, &token, "POST", "/record/v1/customer", Some(body)).await;
    let id = id_of(created.location.as_deref().unwrap());
    let deleted = send(
        &server,
        &token,
        "DELETE",
        &format!("/record/v1/customer/{id}"),
        None,
    )
    .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let query = "SELECT recordid, type, deleteddate FROM deletedrecord WHERE type = 'customer'";
    let reply = suiteql(&server, &token, query, "").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["count"], 1);
    assert_eq!(reply.body["items"][0]["recordid"], id.as_str());
    assert_eq!(reply.body["items"][0]["type"], "customer");
}

#[tokio::test]
async fn suiteql_rejects_limit_over_1000() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let reply = suiteql(&server, &token, "SELECT id FROM customer", "?limit=1001").await;
    assert_eq!(reply.status, 400);
}

/// Percent-encodes as OAuth 1.0a requires, written here apart from the emulator's own.
fn oauth_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

fn tba_header(server: &Server, method: &str, url: &str, query: &[(&str, &str)]) -> String {
    let credentials = server.emulator.credentials();
    let nonce = fresh_nonce();
    let timestamp = now().to_string();
    let mut parameters = vec![
        ("oauth_consumer_key", credentials.consumer_key.as_str()),
        ("oauth_nonce", nonce.as_str()),
        ("oauth_signature_method", "HMAC-SHA256"),
        ("oauth_timestamp", timestamp.as_str()),
        ("oauth_token", credentials.token_id.as_str()),
        ("oauth_version", "1.0"),
    ];
    parameters.extend_from_slice(query);
    parameters.sort();
    let normalized: Vec<String> = parameters
        .iter()
        .map(|(k, v)| format!("{}={}", oauth_encode(k), oauth_encode(v)))
        .collect();
    let base = format!(
        "{method}&{}&{}",
        oauth_encode(url),
        oauth_encode(&normalized.join("&"))
    );
    let key = format!(
        "{}&{}",
        credentials.consumer_secret, credentials.token_secret
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(base.as_bytes());
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    format!(
        "OAuth realm=\"{}\", oauth_consumer_key=\"{}\", oauth_token=\"{}\", \
         oauth_signature_method=\"HMAC-SHA256\", oauth_timestamp=\"{timestamp}\", \
         oauth_nonce=\"{nonce}\", oauth_version=\"1.0\", oauth_signature=\"{}\"",
        credentials.account,
        credentials.consumer_key,
        credentials.token_id,
        oauth_encode(&signature)
    )
}

#[tokio::test]
async fn tba_oauth1_header_is_accepted() {
    let server = Server::start().await;
    let url = format!("{}/services/rest/record/v1/customer/5", server.base_url());
    let header = tba_header(&server, "GET", &url, &[("expandSubResources", "true")]);
    let response = server
        .client
        .get(format!("{url}?expandSubResources=true"))
        .header("Authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        404,
        "authenticated, and no customer 5"
    );
}

#[tokio::test]
async fn tba_oauth1_header_with_wrong_url_is_rejected() {
    let server = Server::start().await;
    let signed_for = format!("{}/services/rest/record/v1/customer/6", server.base_url());
    let header = tba_header(&server, "GET", &signed_for, &[]);
    let response = server
        .client
        .get(format!(
            "{}/services/rest/record/v1/customer/5",
            server.base_url()
        ))
        .header("Authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
}

/// Returns the cities of a customer's address book lines, read over REST.
async fn address_cities(server: &Server, token: &str, id: &str) -> Vec<String> {
    let path = format!("/record/v1/customer/{id}?expandSubResources=true");
    let read = send(server, token, "GET", &path, None).await;
    assert_eq!(read.status, 200, "{}", read.body);
    read.body["addressBook"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| {
            line["addressBookAddress"]["city"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn address_line(city: &str) -> Value {
    json!({"addressBook": {"items": [{"addressBookAddress": {"city": city, "country": "US"}}]}})
}

#[tokio::test]
async fn patch_merges_sublists_unless_replaced() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let mut body = address_line("Austin");
    body["companyName"] = json!("Lines Inc");
    let created = send(&server, &token, "POST", "/record/v1/customer", Some(body)).await;
    assert_eq!(created.status, 204, "{}", created.body);
    let id = id_of(created.location.as_deref().unwrap());
    let path = format!("/record/v1/customer/{id}");

    let merged = send(&server, &token, "PATCH", &path, Some(address_line("Reno"))).await;
    assert_eq!(merged.status, 204, "{}", merged.body);
    assert_eq!(
        address_cities(&server, &token, &id).await,
        ["Austin", "Reno"]
    );

    let replace = format!("{path}?replace=addressBook");
    let replaced = send(
        &server,
        &token,
        "PATCH",
        &replace,
        Some(address_line("Boise")),
    )
    .await;
    assert_eq!(replaced.status, 204, "{}", replaced.body);
    assert_eq!(address_cities(&server, &token, &id).await, ["Boise"]);
}

#[tokio::test]
async fn country_is_iso_code_on_rest_and_enumeration_on_soap() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let mut body = address_line("Leeds");
    body["addressBook"]["items"][0]["addressBookAddress"]["country"] = json!({"id": "GB"});
    body["companyName"] = json!("Leeds Cycles");
    let created = send(&server, &token, "POST", "/record/v1/customer", Some(body)).await;
    assert_eq!(created.status, 204, "{}", created.body);
    let id = id_of(created.location.as_deref().unwrap());

    let path = format!("/record/v1/customer/{id}?expandSubResources=true");
    let read = send(&server, &token, "GET", &path, None).await;
    let country = &read.body["addressBook"]["items"][0]["addressBookAddress"]["country"];
    assert_eq!(country["id"], "GB");
    assert_eq!(country["refName"], "United Kingdom");

    let get = format!(
        "<platformMsgs:get><platformMsgs:baseRef xsi:type=\"platformCore:RecordRef\" \
         type=\"customer\" internalId=\"{id}\"/></platformMsgs:get>"
    );
    let soap = server.call("get", &get).await;
    assert_eq!(
        parse(&soap.body).text_of("country").as_deref(),
        Some("_unitedKingdom")
    );

    let mut enumeration = address_line("York");
    enumeration["addressBook"]["items"][0]["addressBookAddress"]["country"] =
        json!("_unitedKingdom");
    let rejected = send(
        &server,
        &token,
        "PATCH",
        &format!("/record/v1/customer/{id}"),
        Some(enumeration),
    )
    .await;
    assert_eq!(rejected.status, 400);
    assert_eq!(error_code(&rejected), "INVALID_CONTENT");
}

#[tokio::test]
async fn invalid_reference_is_invalid_content_at_its_path() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let body = json!({"lastName": "Lovelace", "company": {"id": "999"}});
    let reply = send(&server, &token, "POST", "/record/v1/contact", Some(body)).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    let detail = &reply.body["o:errorDetails"][0];
    assert_eq!(detail["o:errorCode"], "INVALID_CONTENT");
    assert_eq!(detail["o:errorPath"], "company");
    assert_eq!(
        detail["detail"],
        "Error while accessing resource: Invalid company reference key 999."
    );
}

#[tokio::test]
async fn metadata_catalog_lists_stored_custom_fields() {
    let server = Server::start().await;
    let token = access_token(&server).await;
    let body = json!({"companyName": "Acme", "custentity_vip": true});
    send(&server, &token, "POST", "/record/v1/customer", Some(body)).await;
    let url = format!(
        "{}/services/rest/record/v1/metadata-catalog/customer",
        server.base_url()
    );
    let plain = server
        .client
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status().as_u16(), 406);
    let reply = server
        .client
        .get(&url)
        .bearer_auth(&token)
        .header("Accept", "application/schema+json")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    let schema: Value = reply.json().await.unwrap();
    let properties = &schema["properties"];
    assert_eq!(properties["custentity_vip"]["type"], "boolean");
    assert_eq!(properties["custentity_vip"]["x-ns-custom-field"], true);
    assert_eq!(properties["companyName"]["type"], "string");
    assert_eq!(properties["addressBook"]["type"], "object");
    assert!(properties["isInactive"].get("x-ns-custom-field").is_none());
}

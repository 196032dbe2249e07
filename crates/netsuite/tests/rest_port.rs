//! The engine's port over NetSuite's REST web services and SuiteQL, against the emulator of
//! `tandem-sandbox` on 127.0.0.1: OAuth 2.0 client credentials, token-based authentication,
//! the record service, SuiteQL paging past its result ceiling, 429 retries and error classes.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use rcgen::{CertificateParams, KeyPair, PKCS_ECDSA_P256_SHA256};
use tandem_engine::{
    ErrorClass, FieldType, FieldValue, Fields, NewRecord, ObjectSpec, RecordPort, RecordUpdate,
    Secret,
};
use tandem_netsuite::{
    BodyValue, NetSuiteClient, NetSuiteConfig, NetSuitePort, OAuth2Credentials, RecordRef,
    RestAuth, RestClient, RestConfig, RestPort, SigningAlgorithm, TokenCredentials,
};
use tandem_sandbox::netsuite::{
    Customer, FaultKind, FaultPlan, Latency, NetSuiteCredentials, NetSuiteEmulator,
};

struct Rest {
    emulator: NetSuiteEmulator,
    port: RestPort,
}

async fn serve() -> (NetSuiteEmulator, String) {
    let emulator = NetSuiteEmulator::new(NetSuiteCredentials::generate());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = emulator.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (emulator, format!("http://{address}"))
}

fn oauth2(emulator: &NetSuiteEmulator) -> RestAuth {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let certificate = CertificateParams::new(Vec::<String>::new())
        .unwrap()
        .self_signed(&key)
        .unwrap();
    emulator
        .set_oauth2_certificate("cert-7", &certificate.pem())
        .unwrap();
    RestAuth::OAuth2(OAuth2Credentials {
        client_id: emulator.credentials().consumer_key.clone(),
        certificate_id: "cert-7".to_string(),
        private_key: Secret::new(key.serialize_pem()),
        algorithm: SigningAlgorithm::Es256,
    })
}

fn tba(emulator: &NetSuiteEmulator) -> RestAuth {
    let credentials = emulator.credentials();
    RestAuth::Tba(TokenCredentials {
        consumer_key: credentials.consumer_key.clone(),
        consumer_secret: Secret::new(credentials.consumer_secret.clone()),
        token_id: credentials.token_id.clone(),
        token_secret: Secret::new(credentials.token_secret.clone()),
    })
}

async fn start_with(configure: impl FnOnce(&NetSuiteEmulator, &mut RestConfig)) -> Rest {
    let (emulator, base) = serve().await;
    let mut config = RestConfig::new(emulator.credentials().account.clone(), oauth2(&emulator));
    config.base_url = Some(base.parse().unwrap());
    // Long enough that two backed-off retries fit on a loaded machine.
    config.concurrency_retry = Duration::from_secs(60);
    configure(&emulator, &mut config);
    let port = RestPort::new(RestClient::new(config).unwrap());
    Rest { emulator, port }
}

async fn start() -> Rest {
    start_with(|_, _| {}).await
}

fn customers(fields: &[&str]) -> ObjectSpec {
    ObjectSpec {
        name: "customer".to_string(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
        link_field: "externalId".to_string(),
    }
}

fn fields(pairs: &[(&str, &str)]) -> Fields {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), FieldValue::text(*value)))
        .collect()
}

async fn create(rest: &Rest, link: &str, name: &str) -> String {
    let results = rest
        .port
        .create(
            &customers(&[]),
            vec![NewRecord {
                link: link.to_string(),
                fields: fields(&[("companyName", name), ("custentity_tier", "Gold")]),
            }],
        )
        .await
        .unwrap();
    results.into_iter().next().unwrap().unwrap().id
}

#[tokio::test]
async fn create_upserts_by_external_id_over_oauth2() {
    let rest = start().await;
    let first = create(&rest, "SF-1", "Acme").await;
    let again = create(&rest, "SF-1", "Acme Corp").await;
    assert_eq!(first, again);
    let stored = rest.emulator.customer(&first).unwrap();
    assert_eq!(stored.company_name.as_deref(), Some("Acme Corp"));
    assert_eq!(stored.external_id.as_deref(), Some("SF-1"));
    assert_eq!(rest.emulator.customers().len(), 1);
}

#[tokio::test]
async fn changed_since_reads_soap_side_customers() {
    let rest = start().await;
    let now = Utc::now();
    let id = rest.emulator.insert_customer(Customer {
        internal_id: String::new(),
        external_id: Some("SF-9".to_string()),
        entity_id: Some("CUST-9".to_string()),
        company_name: Some("Blue Heron".to_string()),
        email: None,
        phone: None,
        url: None,
        is_inactive: false,
        date_created: now,
        last_modified: now,
        custom_fields: Vec::new(),
    });
    let since = Utc::now() - TimeDelta::minutes(5);
    let changed = rest
        .port
        .changed_since(&customers(&["companyName"]), since)
        .await
        .unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].id, id);
    assert_eq!(changed[0].link.as_deref(), Some("SF-9"));
    assert_eq!(
        changed[0].fields["companyName"],
        FieldValue::text("Blue Heron")
    );
    let later = rest
        .port
        .changed_since(&customers(&[]), Utc::now() + TimeDelta::minutes(5))
        .await
        .unwrap();
    assert!(later.is_empty());
}

#[tokio::test]
async fn suiteql_paging_continues_past_ceiling() {
    let rest = start_with(|_, config| {
        config.page_size = 2;
        config.suiteql_max_results = 4;
    })
    .await;
    for n in 0..7 {
        create(&rest, &format!("SF-{n}"), &format!("Company {n}")).await;
    }
    let since = Utc::now() - TimeDelta::hours(1);
    let changed = rest
        .port
        .changed_since(&customers(&[]), since)
        .await
        .unwrap();
    assert_eq!(changed.len(), 7);
    let mut ids: Vec<u64> = changed.iter().map(|r| r.id.parse().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 7, "no record read twice");
}

#[tokio::test]
async fn suiteql_pages_read_in_parallel_in_order() {
    let rest = start_with(|emulator, config| {
        // Each page takes long enough that pages read one at a time could not overlap.
        emulator.set_operation_latency("suiteql", Some(Latency::from(Duration::from_millis(50))));
        config.page_size = 2;
        config.concurrency_limit = 3;
    })
    .await;
    let mut created = Vec::new();
    for n in 0..9 {
        created.push(create(&rest, &format!("SF-{n}"), &format!("Company {n}")).await);
    }
    created.sort_by_key(|id| id.parse::<u64>().unwrap());
    rest.emulator.reset_counters();

    let ids = rest
        .port
        .client()
        .suiteql_ids("customer", None)
        .await
        .unwrap();

    assert_eq!(ids, created);
    let scheduler = rest.port.client().scheduler();
    assert_eq!(
        scheduler.max_in_flight(),
        3,
        "pages overlap up to the limit"
    );
    assert_eq!(rest.emulator.counters().blocked, 0);
}

#[tokio::test]
async fn update_find_read_and_delete() {
    let rest = start().await;
    let id = create(&rest, "SF-2", "Acme").await;
    let updated = rest
        .port
        .update(
            &customers(&[]),
            vec![RecordUpdate {
                id: id.clone(),
                fields: fields(&[("email", "AP@acme.example")]),
                link: None,
            }],
        )
        .await
        .unwrap();
    assert_eq!(updated[0].as_ref().unwrap().id, id);

    let object = customers(&["email", "custentity_tier"]);
    let found = rest
        .port
        .find(&object, "email", &["ap@ACME.example".to_string()])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].fields["custentity_tier"], FieldValue::text("Gold"));

    let read = rest
        .port
        .read(&object, &[id.clone(), "999".to_string()])
        .await
        .unwrap();
    assert_eq!(read.len(), 1, "a missing ID is left out");

    let since = Utc::now() - TimeDelta::minutes(1);
    let deleted = rest.port.delete(&object, vec![id.clone()]).await.unwrap();
    assert!(deleted[0].is_ok());
    let gone = rest.port.deleted_since(&object, since).await.unwrap();
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].id, id);
}

#[tokio::test]
async fn record_rejection_is_data_error_at_its_position() {
    let rest = start().await;
    create(&rest, "SF-3", "Acme").await;
    let results = rest
        .port
        .create(
            &customers(&[]),
            vec![
                NewRecord {
                    link: "SF-4".to_string(),
                    fields: fields(&[("companyName", "Beta"), ("entityId", "ACME-1")]),
                },
                NewRecord {
                    link: "SF-5".to_string(),
                    fields: fields(&[("companyName", "Gamma"), ("entityId", "ACME-1")]),
                },
            ],
        )
        .await
        .unwrap();
    assert!(results[0].is_ok());
    let error = results[1].as_ref().unwrap_err();
    assert_eq!(error.class, ErrorClass::Data);
    assert_eq!(error.code, "DUP_ENTITY");
}

#[tokio::test]
async fn status_429_is_retried() {
    let rest = start().await;
    create(&rest, "SF-6", "Acme").await;
    rest.emulator
        .inject_fault(FaultPlan::next(FaultKind::Concurrency, 2));
    let since = Utc::now() - TimeDelta::hours(1);
    let changed = rest
        .port
        .changed_since(&customers(&[]), since)
        .await
        .unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(
        rest.emulator.counters().injected_faults[&FaultKind::Concurrency],
        2
    );
}

#[tokio::test]
async fn expired_token_is_fetched_again() {
    let rest = start().await;
    create(&rest, "SF-7", "Acme").await;
    rest.emulator.expire_oauth2_tokens();
    create(&rest, "SF-8", "Beta").await;
    assert_eq!(rest.emulator.operation_counts()["token"], 2);
}

#[tokio::test]
async fn wrong_certificate_is_config_error() {
    let rest = start_with(|emulator, config| {
        // A key the integration does not hold a certificate for.
        let RestAuth::OAuth2(credentials) = &mut config.auth else {
            unreachable!()
        };
        let other = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        credentials.private_key = Secret::new(other.serialize_pem());
        let _ = emulator;
    })
    .await;
    let error = rest
        .port
        .changed_since(&customers(&[]), Utc::now())
        .await
        .unwrap_err();
    assert_eq!(error.class, ErrorClass::Config);
}

#[tokio::test]
async fn tba_header_authenticates_port() {
    let rest = start_with(|emulator, config| config.auth = tba(emulator)).await;
    let id = create(&rest, "SF-10", "Acme").await;
    let read = rest.port.read(&customers(&[]), &[id]).await.unwrap();
    assert_eq!(read.len(), 1);
    assert!(!rest.emulator.operation_counts().contains_key("token"));
}

/// Returns a SOAP port on the same emulator as `rest`, to read what REST wrote.
fn soap_port(rest: &Rest, base: &str) -> NetSuitePort {
    let credentials = rest.emulator.credentials();
    let mut config = NetSuiteConfig::new(
        credentials.account.clone(),
        TokenCredentials {
            consumer_key: credentials.consumer_key.clone(),
            consumer_secret: Secret::new(credentials.consumer_secret.clone()),
            token_id: credentials.token_id.clone(),
            token_secret: Secret::new(credentials.token_secret.clone()),
        },
    );
    config.endpoint = Some(
        format!("{base}/services/NetSuitePort_2025_2")
            .parse()
            .unwrap(),
    );
    NetSuitePort::new(NetSuiteClient::new(config).unwrap())
}

#[tokio::test]
async fn batch_requests_run_in_parallel_within_limit() {
    let rest = start_with(|emulator, config| {
        // Each write takes long enough that a sequential batch could not overlap.
        emulator.set_operation_latency(
            "record.upsert",
            Some(Latency::from(Duration::from_millis(50))),
        );
        config.concurrency_limit = 3;
    })
    .await;
    let records: Vec<NewRecord> = (0..9)
        .map(|n| NewRecord {
            link: format!("SF-P{n}"),
            fields: fields(&[("companyName", &format!("Parallel {n}"))]),
        })
        .collect();
    let results = rest.port.create(&customers(&[]), records).await.unwrap();
    assert_eq!(results.len(), 9);
    let scheduler = rest.port.client().scheduler();
    assert_eq!(
        scheduler.max_in_flight(),
        3,
        "requests overlap up to the limit"
    );
    for (n, result) in results.iter().enumerate() {
        let id = &result.as_ref().unwrap().id;
        let stored = rest.emulator.customer(id).unwrap();
        assert_eq!(
            stored.company_name.as_deref(),
            Some(format!("Parallel {n}").as_str()),
            "result {n} is the record sent at {n}"
        );
    }
}

#[tokio::test]
async fn parallel_batch_retries_429_per_record() {
    let rest = start_with(|emulator, config| {
        emulator.set_concurrency_limit(2);
        config.concurrency_limit = 5;
    })
    .await;
    rest.emulator.set_operation_latency(
        "record.upsert",
        Some(Latency::from(Duration::from_millis(30))),
    );
    let records: Vec<NewRecord> = (0..6)
        .map(|n| NewRecord {
            link: format!("SF-Q{n}"),
            fields: fields(&[("companyName", &format!("Busy {n}"))]),
        })
        .collect();
    let results = rest.port.create(&customers(&[]), records).await.unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert!(
        rest.emulator.counters().blocked > 0,
        "the emulator's own limit of 2 sent 429s"
    );
    assert_eq!(rest.emulator.customers().len(), 6);
}

#[tokio::test]
async fn invalid_reference_names_its_field() {
    let rest = start().await;
    let contacts = ObjectSpec {
        name: "contact".to_string(),
        fields: Vec::new(),
        link_field: "externalId".to_string(),
    };
    let results = rest
        .port
        .create(
            &contacts,
            vec![
                NewRecord {
                    link: "SF-R1".to_string(),
                    fields: fields(&[("firstName", "Ada"), ("lastName", "Good")]),
                },
                NewRecord {
                    link: "SF-R2".to_string(),
                    fields: fields(&[("lastName", "Bad"), ("company", "999")]),
                },
            ],
        )
        .await
        .unwrap();
    assert!(results[0].is_ok(), "{:?}", results[0]);
    let error = results[1].as_ref().unwrap_err();
    assert_eq!(error.class, ErrorClass::Data);
    assert_eq!(error.code, "INVALID_CONTENT");
    assert_eq!(
        error.message,
        "Invalid company reference key 999. (field company)"
    );
}

#[tokio::test]
async fn address_country_is_one_form_on_both_transports() {
    let (emulator, base) = serve().await;
    let mut config = RestConfig::new(emulator.credentials().account.clone(), tba(&emulator));
    config.base_url = Some(base.parse().unwrap());
    let rest = Rest {
        port: RestPort::new(RestClient::new(config).unwrap()),
        emulator,
    };
    let soap = soap_port(&rest, &base);
    let object = customers(&[
        "companyName",
        "billingAddress.country",
        "billingAddress.city",
    ]);
    let written = rest
        .port
        .create(
            &object,
            vec![NewRecord {
                link: "SF-C1".to_string(),
                fields: fields(&[
                    ("companyName", "Leeds Cycles"),
                    ("billingAddress.country", "GB"),
                    ("billingAddress.city", "Leeds"),
                ]),
            }],
        )
        .await
        .unwrap();
    let id = written[0].as_ref().unwrap().id.clone();
    for (transport, read) in [
        (
            "rest",
            rest.port
                .read(&object, std::slice::from_ref(&id))
                .await
                .unwrap(),
        ),
        (
            "soap",
            soap.read(&object, std::slice::from_ref(&id)).await.unwrap(),
        ),
    ] {
        assert_eq!(
            read[0].fields["billingAddress.country"],
            FieldValue::text("GB"),
            "country read over {transport}"
        );
    }
    let stored = soap
        .client()
        .get(&RecordRef::internal("customer", id))
        .await
        .unwrap();
    let Some(BodyValue::Sublist(book)) = stored.field("addressbookList") else {
        panic!("expected the address book");
    };
    let address = book.lines[0]
        .fields
        .iter()
        .find_map(|(name, value)| match value {
            BodyValue::Complex(address) if name == "addressbookAddress" => Some(address),
            _ => None,
        })
        .unwrap();
    assert!(
        address.fields.contains(&(
            "country".to_string(),
            BodyValue::Text("_unitedKingdom".into())
        )),
        "SOAP stores the enumeration value"
    );
}

#[tokio::test]
async fn describe_lists_custom_fields_from_catalog() {
    let rest = start().await;
    create(&rest, "SF-D1", "Acme").await;
    let info = rest.port.describe("customer").await.unwrap();
    let tier = info
        .fields
        .iter()
        .find(|field| field.name == "custentity_tier")
        .expect("the custom field the stored customer carries is listed");
    assert_eq!(tier.field_type, FieldType::Text);
    assert!(tier.createable && tier.updateable);
    assert!(info.fields.iter().any(|field| field.name == "companyName"));
    assert_eq!(rest.emulator.operation_counts()["record.metadata"], 1);
}

#[tokio::test]
async fn deletions_read_past_suiteql_ceiling() {
    let rest = start_with(|_, config| {
        config.page_size = 2;
        config.suiteql_max_results = 4;
    })
    .await;
    let since = Utc::now() - TimeDelta::minutes(1);
    let mut ids = Vec::new();
    for n in 0..7 {
        ids.push(create(&rest, &format!("SF-X{n}"), &format!("Gone {n}")).await);
    }
    let deleted = rest
        .port
        .delete(&customers(&[]), ids.clone())
        .await
        .unwrap();
    assert!(deleted.iter().all(Result::is_ok));
    let gone = rest
        .port
        .deleted_since(&customers(&[]), since)
        .await
        .unwrap();
    let mut read: Vec<String> = gone.into_iter().map(|record| record.id).collect();
    read.sort();
    ids.sort();
    assert_eq!(read, ids, "every deletion once, past a ceiling of 4 rows");
}

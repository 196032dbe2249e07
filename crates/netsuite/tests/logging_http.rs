//! Trace logs of request and response bodies never contain the token passport.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{FakeNetSuite, Reply, corpus};
use tandem_netsuite::RecordRef;

/// A log sink shared between the subscriber and the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn trace_logs_leave_out_token_passport() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = FakeNetSuite::start(vec![Reply::ok(corpus(
        "NetSweet__netsuite/spec/support/fixtures/get/get_customer.xml",
    ))])
    .await;
    server
        .client(Duration::from_secs(10))
        .get(&RecordRef::internal("customer", "988"))
        .await
        .unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let sent = &server.requests()[0];
    let signature = sent.element_text("signature").unwrap();
    let nonce = sent.element_text("nonce").unwrap();
    assert_eq!(
        signature.len(),
        44,
        "not a Base64 SHA-256 MAC: {signature:?}"
    );
    assert_eq!(nonce.len(), 20);
    assert!(
        logs.contains("platformMsgs:baseRef"),
        "request body not logged: {logs}"
    );
    assert!(
        logs.contains("Test Inc."),
        "response body not logged: {logs}"
    );
    assert!(
        logs.contains("WEBSERVICES_3392464_1220201115821392011296470399_67055c545d0"),
        "nsId not logged: {logs}"
    );
    assert!(!logs.contains("tokenPassport"), "{logs}");
    assert!(!logs.contains(&signature), "{logs}");
    assert!(!logs.contains(&nonce), "{logs}");
    assert!(!logs.contains("test-token-secret"), "{logs}");
}

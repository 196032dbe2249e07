//! The web UI driven in headless Chromium through WebDriver, as a person would use it.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`chromedriver` on the PATH); `.ci/run`
//! installs them.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::daemon::{Daemon, TOKEN};
use common::free_port;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tandem_sandbox::netsuite::Customer;

/// A `chromedriver` process, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `chromedriver` on a free port and waits, at most 20 seconds, until it accepts
/// connections.
async fn start_driver() -> Driver {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "cannot start chromedriver ({error}); install chromium and chromium-driver \
                 (Debian: apt-get install chromium chromium-driver)"
            )
        });
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    driver
}

/// Opens a headless Chromium session.
async fn browser(driver: &Driver) -> Client {
    // Another test of this binary may have installed it first, which is as good.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_string(),
        json!({
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,1000"],
        }),
    );
    ClientBuilder::rustls()
        .expect("TLS roots load")
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a Chromium session starts")
}

/// Returns the element `css`, waiting for it at most 20 seconds. A failure shows the page.
async fn element(client: &Client, css: &str) -> fantoccini::elements::Element {
    let found = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await;
    match found {
        Ok(element) => element,
        Err(error) => {
            let url = client.current_url().await.map(|url| url.to_string());
            let source = client.source().await.unwrap_or_default();
            panic!("no element {css} ({error}) on {url:?}:\n{source}");
        }
    }
}

/// Returns the text of the element `css`.
async fn text_of(client: &Client, css: &str) -> String {
    element(client, css).await.text().await.unwrap()
}

/// Returns the text of the element `css` once it contains `expected`, or its last text after
/// 20 seconds. A click that reloads the page leaves the old element in place until the new
/// page arrives, so the first read may still show the page before the click.
async fn text_containing(client: &Client, css: &str, expected: &str) -> String {
    let started = Instant::now();
    loop {
        let text = match client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains(expected) || started.elapsed() > Duration::from_secs(20) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn click(client: &Client, css: &str) {
    element(client, css)
        .await
        .click()
        .await
        .unwrap_or_else(|error| panic!("cannot click {css}: {error}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letter_fixed_in_the_browser() {
    let daemon = Daemon::start().await;
    let driver = start_driver().await;
    let client = browser(&driver).await;
    let steps = tokio::spawn({
        let client = client.clone();
        async move { fix_dead_letter(daemon, &client).await }
    })
    .await;
    // Closing the session ends its Chromium, which killing chromedriver would leave running.
    client.close().await.expect("the browser session closes");
    if let Err(error) = steps {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn fix_dead_letter(daemon: Daemon, client: &Client) {
    client.goto(&daemon.url("/dead-letters")).await.unwrap();
    let login = client.current_url().await.unwrap();
    assert_eq!(login.path(), "/login");
    client
        .find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(TOKEN)
        .await
        .unwrap();
    click(client, "button[type=submit]").await;

    let table = text_of(client, "#dead-letters").await;
    assert!(table.contains("USER_ERROR"), "{table}");
    click(client, "#dead-letters a").await;
    let error = text_of(client, "#error").await;
    assert!(error.contains("companyname"), "{error}");

    let name = client
        .find(Locator::Css("#field-companyName"))
        .await
        .unwrap();
    name.clear().await.unwrap();
    name.send_keys("Northwest Agricultural Equipment Distributors")
        .await
        .unwrap();
    click(client, "#save").await;
    let notice = text_of(client, "#notice").await;
    assert!(notice.contains("payload saved"), "{notice}");

    click(client, "#replay").await;
    let notice = text_containing(client, "#notice", "written").await;
    assert!(notice.contains("written"), "{notice}");
    let status = text_of(client, "#status").await;
    assert_eq!(status, "resolved");

    let letters = daemon.get_json("/api/dead-letters?status=resolved").await;
    assert_eq!(
        letters[0]["payload"]["companyName"],
        "Northwest Agricultural Equipment Distributors"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_shows_flows_and_chart() {
    let daemon = Daemon::start().await;
    let driver = start_driver().await;
    let client = browser(&driver).await;
    let steps = tokio::spawn({
        let client = client.clone();
        async move { check_dashboard(daemon, &client).await }
    })
    .await;
    // Closing the session ends its Chromium, which killing chromedriver would leave running.
    client.close().await.expect("the browser session closes");
    if let Err(error) = steps {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn check_dashboard(daemon: Daemon, client: &Client) {
    client.goto(&daemon.url("/login")).await.unwrap();
    client
        .find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(TOKEN)
        .await
        .unwrap();
    click(client, "button[type=submit]").await;
    let flows = text_of(client, "#flows").await;
    assert!(flows.contains("account-customer"), "{flows}");
    let bars = client
        .find_all(Locator::Css("svg.chart rect"))
        .await
        .unwrap();
    assert!(!bars.is_empty(), "the chart has no bars");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_approved_in_the_browser() {
    let daemon = Daemon::start().await;
    let driver = start_driver().await;
    let client = browser(&driver).await;
    let steps = tokio::spawn({
        let client = client.clone();
        async move { approve_discard(daemon, &client).await }
    })
    .await;
    // Closing the session ends its Chromium, which killing chromedriver would leave running.
    client.close().await.expect("the browser session closes");
    if let Err(error) = steps {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn approve_discard(daemon: Daemon, client: &Client) {
    let letters = daemon.get_json("/api/dead-letters").await;
    let letter = letters[0]["id"].as_i64().unwrap();
    let id = daemon
        .request_approval("discard_dead_letter", json!({"id": letter}))
        .await;
    client.goto(&daemon.url("/approvals")).await.unwrap();
    client
        .find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(TOKEN)
        .await
        .unwrap();
    click(client, "button[type=submit]").await;

    let pending = text_of(client, "#pending-approvals").await;
    assert!(pending.contains("discard_dead_letter"), "{pending}");
    assert!(pending.contains(&format!("\"id\": {letter}")), "{pending}");
    click(client, &format!("#approve-{id}")).await;
    let notice = text_containing(client, "#notice", "carried out").await;
    assert!(notice.contains("carried out"), "{notice}");
    let decided = text_of(client, "#decided-approvals").await;
    assert!(decided.contains("discarded"), "{decided}");

    let stored = daemon
        .get_json(&format!("/api/dead-letters/{letter}"))
        .await;
    assert_eq!(stored["status"], "discarded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mapping_edited_in_the_mapper() {
    let daemon = Daemon::start().await;
    let driver = start_driver().await;
    let client = browser(&driver).await;
    let steps = tokio::spawn({
        let client = client.clone();
        async move { edit_mapping(daemon, &client).await }
    })
    .await;
    // Closing the session ends its Chromium, which killing chromedriver would leave running.
    client.close().await.expect("the browser session closes");
    if let Err(error) = steps {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// The company the mapping test syncs after saving its mapping.
const MAPPED_COMPANY: &str = "Cascade Mapper Supply";

async fn edit_mapping(daemon: Daemon, client: &Client) {
    let now = chrono::Utc::now();
    daemon.sandbox().netsuite().insert_customer(Customer {
        internal_id: String::new(),
        external_id: None,
        entity_id: None,
        company_name: Some(MAPPED_COMPANY.to_string()),
        email: None,
        phone: Some("(503) 555-0142".to_string()),
        url: None,
        is_inactive: false,
        date_created: now,
        last_modified: now,
        custom_fields: Vec::new(),
    });
    client
        .goto(&daemon.url("/login?next=/mapper"))
        .await
        .unwrap();
    client
        .find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(TOKEN)
        .await
        .unwrap();
    click(client, "button[type=submit]").await;
    element(client, "body[data-loaded=true]").await;
    let entries = text_of(client, "#entries").await;
    assert!(entries.contains("companyName"), "{entries}");

    // Pick the Salesforce Type picklist and fill it with a value it does not list.
    click(client, "#sf-fields li[data-name=Type]").await;
    let value = element(client, "#derived-value").await;
    value.send_keys("Gold Partner").await.unwrap();
    click(client, "#add-derived").await;
    click(client, "#save").await;
    let error = text_containing(client, "#save-error", "picklist").await;
    assert!(
        error.contains("Gold Partner not among its picklist values"),
        "{error}"
    );
    let config = std::fs::read_to_string(daemon.dir.path().join("tandem.toml")).unwrap();
    assert!(!config.contains("Gold Partner"), "{config}");

    // Correct the constant, preview it on the customer just added, and save.
    // The table is drawn again when a preview returns, which may replace the input between
    // finding and typing. Then the input is found again, at most five times.
    let css = "#entries tr:last-child input[data-key=constant]";
    for attempt in 1..=5 {
        let constant = element(client, css).await;
        let typed = match constant.clear().await {
            Ok(()) => constant.send_keys("Customer - Direct").await,
            Err(error) => Err(error),
        };
        match typed {
            Ok(()) => break,
            Err(error) if attempt == 5 => panic!("cannot type into {css}: {error}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    }
    click(client, "#preview").await;
    let previewed = text_containing(client, "#preview-salesforce", "Customer - Direct").await;
    assert!(previewed.contains(MAPPED_COMPANY), "{previewed}");
    let type_value = text_of(client, "#preview-salesforce tr[data-field=Type] .value").await;
    assert_eq!(type_value, "Customer - Direct");
    click(client, "#save").await;
    let saved = text_containing(client, "#save-result", "saved").await;
    assert!(saved.contains("the next pass uses it"), "{saved}");
    let config = std::fs::read_to_string(daemon.dir.path().join("tandem.toml")).unwrap();
    assert!(
        config.contains("[[flows.account-customer.extra_fields]]"),
        "{config}"
    );
    assert!(
        config.contains("constant = \"Customer - Direct\""),
        "{config}"
    );
    assert!(config.contains("interval_seconds = 3600"), "{config}");
    if std::env::var_os("TANDEM_SCREENSHOTS").is_some() {
        client
            .execute("window.scrollTo(0, 0)", Vec::new())
            .await
            .unwrap();
        let png = client.screenshot().await.unwrap();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/mapper.png");
        std::fs::write(path, png).unwrap();
    }

    // The next pass creates the customer's Account with the saved mapping.
    click(client, "#run-pass").await;
    daemon.wait_for_runs(2).await;
    let accounts = daemon.sandbox().salesforce().records("Account");
    let account = accounts
        .iter()
        .find(|account| account["Name"] == MAPPED_COMPANY)
        .unwrap_or_else(|| panic!("no Account {MAPPED_COMPANY}: {accounts:?}"));
    assert_eq!(account["Type"], "Customer - Direct", "{account:?}");
}

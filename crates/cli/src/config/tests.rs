use std::path::Path;

use super::*;

#[test]
fn empty_file_takes_defaults() {
    let config = FileConfig::parse("").unwrap();
    assert!(config.flows.account_customer.enabled);
    assert_eq!(config.interval(), Duration::from_secs(60));
    assert_eq!(
        config.store_location(Path::new("/etc/tandem")).unwrap(),
        StoreLocation::Sqlite("/etc/tandem/tandem.db".into())
    );
}

#[test]
fn full_file_is_read() {
    let config = FileConfig::parse(
        r#"
        [netsuite]
        endpoint = "http://127.0.0.1:9001/services/NetSuitePort_2025_2"
        version = "2025_2"
        [salesforce]
        login_url = "http://127.0.0.1:9002"
        [store]
        path = "/var/lib/tandem/state.db"
        [run]
        interval_seconds = 30
        [flows.account-customer]
        enabled = false
        "#,
    )
    .unwrap();
    assert_eq!(
        config.salesforce.login_url.as_deref(),
        Some("http://127.0.0.1:9002")
    );
    assert!(!config.flows.account_customer.enabled);
    assert_eq!(
        config.store_location(Path::new("/x")).unwrap(),
        StoreLocation::Sqlite("/var/lib/tandem/state.db".into())
    );
}

#[test]
fn unknown_key_is_named() {
    let error = FileConfig::parse("[netsuite]\nendpont = \"http://x\"\n").unwrap_err();
    assert_eq!(error.key, "netsuite.endpont");
    assert!(error.message.contains("unknown field"), "{}", error.message);
}

#[test]
fn wrong_type_is_named() {
    let error = FileConfig::parse("[run]\ninterval_seconds = \"often\"\n").unwrap_err();
    assert_eq!(error.key, "run.interval_seconds");
}

#[test]
fn invalid_url_is_named() {
    let error = FileConfig::parse("[salesforce]\nlogin_url = \"not a url\"\n").unwrap_err();
    assert_eq!(error.key, "salesforce.login_url");
}

#[test]
fn server_section_is_read() {
    let config = FileConfig::parse(
        "[server]\npublic_url = \"https://tandem.example.com\"\ntrusted_proxies = [\"10.0.0.5\", \"::1\"]\n",
    )
    .unwrap();
    assert!(config.server.public_url_is_https());
    assert_eq!(config.server.trusted_proxies.len(), 2);
}

#[test]
fn server_public_url_must_be_http_or_https() {
    let error =
        FileConfig::parse("[server]\npublic_url = \"ftp://tandem.example.com\"\n").unwrap_err();
    assert_eq!(error.key, "server.public_url");
    assert!(
        error.message.contains("not an http or https URL"),
        "{}",
        error.message
    );
}

#[test]
fn server_trusted_proxy_must_be_an_ip_address() {
    let error = FileConfig::parse("[server]\ntrusted_proxies = [\"proxy.local\"]\n").unwrap_err();
    assert_eq!(error.key, "server.trusted_proxies");
}

#[test]
fn secret_in_file_is_refused_with_variable_name() {
    let error = FileConfig::parse("[salesforce]\nclient_secret = \"abc\"\n").unwrap_err();
    assert_eq!(error.key, "salesforce.client_secret");
    assert!(error.message.contains("TANDEM_SALESFORCE_CLIENT_SECRET"));
    assert!(!error.to_string().contains("abc"));
}

#[test]
fn password_in_file_names_its_variable() {
    let error = FileConfig::parse("[store]\npassword = \"hunter2\"\n").unwrap_err();
    assert_eq!(error.key, "store.password");
    assert!(
        error.message.contains("TANDEM_STORE_PASSWORD"),
        "{}",
        error.message
    );
    assert!(!error.to_string().contains("hunter2"));

    let error = FileConfig::parse("[salesforce]\npassword = \"hunter2\"\n").unwrap_err();
    assert!(
        error.message.contains("TANDEM_SALESFORCE_PASSWORD"),
        "{}",
        error.message
    );
}

#[test]
fn malformed_toml_is_an_error() {
    let error = FileConfig::parse("[netsuite\n").unwrap_err();
    assert!(error.message.contains("invalid TOML"), "{}", error.message);
    assert_eq!(error.key, "line 1");
    let text = error.to_string();
    assert!(
        text.starts_with("configuration error at line 1: "),
        "{text}"
    );
}

#[test]
fn duplicate_key_names_the_key() {
    let text = "[run]\ninterval_seconds = 60\ninterval_seconds = 30\n";
    let error = FileConfig::parse(text).unwrap_err();
    assert_eq!(error.key, "run.interval_seconds (line 3)");
    assert!(error.message.contains("set twice"), "{}", error.message);
}

#[test]
fn duplicate_table_names_the_table() {
    let error = FileConfig::parse("[run]\n[run]\n").unwrap_err();
    assert_eq!(error.key, "run (line 2)");
}

#[test]
fn zero_interval_is_refused() {
    let error = FileConfig::parse("[run]\ninterval_seconds = 0\n").unwrap_err();
    assert_eq!(error.key, "run.interval_seconds");
}

#[test]
fn env_file_supplies_missing_variables() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("tandem.env");
    std::fs::write(&path, "# comment\nTANDEM_TEST_ONLY_FROM_FILE=value-1\n").unwrap();
    let source = SecretSource::with_env_file(&path).unwrap();
    assert_eq!(
        source.required("TANDEM_TEST_ONLY_FROM_FILE").unwrap(),
        "value-1"
    );
}

#[test]
fn env_file_line_without_equals_is_refused() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("tandem.env");
    std::fs::write(&path, "JUSTANAME\n").unwrap();
    let error = SecretSource::with_env_file(&path).unwrap_err();
    assert!(error.message.contains("line 1"), "{}", error.message);
}

#[test]
fn missing_secret_names_variable() {
    let error = SecretSource::environment()
        .required("TANDEM_TEST_VARIABLE_THAT_IS_NEVER_SET")
        .unwrap_err();
    assert_eq!(error.key, "TANDEM_TEST_VARIABLE_THAT_IS_NEVER_SET");
    assert!(error.message.contains("_FILE"));
}

#[test]
fn unknown_table_is_named() {
    let error = FileConfig::parse("[netsuite]\nversion = \"2025_2\"\n[salesforse]\n").unwrap_err();
    assert_eq!(error.key, "salesforse");
}

#[test]
fn unknown_flow_is_named() {
    let error = FileConfig::parse("[flows.account-customer]\n[flows.contacts]\n").unwrap_err();
    assert_eq!(error.key, "flows.contacts");
}

#[test]
fn overlap_out_of_range_is_refused() {
    let text = "[flows.account-customer]\noverlap_seconds = 9223372036854775807\n";
    let error = FileConfig::parse(text).unwrap_err();
    assert_eq!(error.key, "flows.account-customer.overlap_seconds");
}

#[test]
fn wrong_type_does_not_repeat_value() {
    let error = FileConfig::parse("[run]\ninterval_seconds = \"s3cr3t-value\"\n").unwrap_err();
    assert!(!error.to_string().contains("s3cr3t-value"), "{error}");
}

#[test]
fn unterminated_string_does_not_repeat_line() {
    let error = FileConfig::parse("[salesforce]\nclient_secret = \"s3cr3t-value\n").unwrap_err();
    assert!(!error.to_string().contains("s3cr3t-value"), "{error}");
    assert_eq!(error.key, "line 2");
}

#[test]
fn variable_and_file_variable_together_are_refused() {
    let dir = tempfile::TempDir::new().unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "from-file").unwrap();
    let source = SecretSource::only([
        ("TANDEM_TEST_BOTH", "direct".to_string()),
        ("TANDEM_TEST_BOTH_FILE", secret.display().to_string()),
    ]);
    let error = source.required("TANDEM_TEST_BOTH").unwrap_err();
    assert!(error.message.contains("TANDEM_TEST_BOTH_FILE"), "{error}");
}

#[test]
fn file_variable_reads_the_file() {
    let dir = tempfile::TempDir::new().unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "from-file\n").unwrap();
    let source = SecretSource::only([("TANDEM_TEST_ONE_FILE", secret.display().to_string())]);
    assert_eq!(source.required("TANDEM_TEST_ONE").unwrap(), "from-file");
}

#[test]
fn missing_secrets_are_named_together() {
    let error = SecretSource::only(Vec::<(&str, String)>::new())
        .required_all(["TANDEM_TEST_A", "TANDEM_TEST_B"])
        .unwrap_err();
    assert_eq!(error.key, "TANDEM_TEST_A");
    assert!(
        error.message.contains("TANDEM_TEST_A, TANDEM_TEST_B"),
        "{error}"
    );
}

#[test]
fn salesforce_login_settings_are_read() {
    let config = FileConfig::parse(
        "[salesforce]\nlogin_flow = \"jwt_bearer\"\nusername = \"sync@example.com\"\n\
         jwt_audience = \"https://test.salesforce.com\"\nbulk_threshold = 5000\n\
         api_reserve_percent = 20\ncollection_concurrency = 8\n",
    )
    .unwrap();
    let section = &config.salesforce;
    assert_eq!(section.login_flow.as_deref(), Some("jwt_bearer"));
    assert_eq!(section.username.as_deref(), Some("sync@example.com"));
    assert_eq!(
        section.jwt_audience.as_deref(),
        Some("https://test.salesforce.com")
    );
    assert_eq!(section.bulk_threshold, Some(5000));
    assert_eq!(section.api_reserve_percent, Some(20));
    assert_eq!(section.collection_concurrency, Some(8));
}

#[test]
fn unknown_salesforce_login_flow_is_named() {
    let error = FileConfig::parse("[salesforce]\nlogin_flow = \"saml\"\n").unwrap_err();
    assert_eq!(error.key, "salesforce.login_flow");
    assert!(error.message.contains("jwt_bearer"), "{}", error.message);
}

#[test]
fn salesforce_private_key_in_file_is_refused() {
    let error = FileConfig::parse("[salesforce]\nprivate_key = \"-----BEGIN\"\n").unwrap_err();
    assert!(
        error.message.contains("TANDEM_SALESFORCE_PRIVATE_KEY"),
        "{}",
        error.message
    );
}

#[test]
fn unknown_time_zone_is_named() {
    let error = FileConfig::parse("[netsuite]\nuser_time_zone = \"Mars/Olympus\"\n").unwrap_err();
    assert_eq!(error.key, "netsuite.user_time_zone");
}

#[test]
fn unknown_delete_policy_is_named() {
    let text = "[flows.account-customer.deletes]\nfrom_salesforce = \"shred\"\n";
    let config = FileConfig::parse(text).unwrap();
    let mut settings = tandem_engine::two_way::DeleteSettings::default();
    let error = config
        .flows
        .account_customer
        .deletes
        .apply("flows.account-customer.deletes", &mut settings)
        .unwrap_err();
    assert_eq!(error.key, "flows.account-customer.deletes.from_salesforce");
}

#[test]
fn deactivate_without_inactive_field_is_refused() {
    let section = DeletesSection {
        from_netsuite: Some("deactivate".to_string()),
        from_salesforce: None,
    };
    let mut settings = tandem_engine::two_way::DeleteSettings::default();
    let error = section.apply("deletes", &mut settings).unwrap_err();
    assert_eq!(error.key, "deletes.from_netsuite");
}

#[test]
fn template_tables_enable_their_flows_in_dependency_order() {
    let config = FileConfig::parse(
        r#"
        [flows.contact-contact]
        [flows.account-customer]
        "#,
    )
    .unwrap();
    let flows = crate::flows::enabled_flows(&config).unwrap();
    let names: Vec<&str> = flows.iter().map(|flow| flow.name()).collect();
    assert_eq!(names, vec!["account-customer", "contact-contact"]);
}

#[test]
fn template_table_keeps_options_apart_from_common_keys() {
    let config = FileConfig::parse(
        r#"
        [flows.credit-hold-alert]
        overlap_seconds = 60
        threshold = 0.8
        "#,
    )
    .unwrap();
    let section = config.flows.credit_hold_alert.unwrap();
    assert!(section.enabled);
    assert_eq!(section.overlap_seconds, Some(60));
    assert_eq!(
        section.options.get("threshold"),
        Some(&toml::Value::Float(0.8))
    );
}

#[test]
fn unknown_template_is_refused() {
    let error = FileConfig::parse("[flows.opportunity-to-order]\n").unwrap_err();
    assert!(error.message.contains("opportunity-to-order"), "{error}");
}

#[test]
fn no_enabled_flow_is_refused() {
    let config = FileConfig::parse("[flows.account-customer]\nenabled = false\n").unwrap();
    let error = crate::flows::enabled_flows(&config).err().unwrap();
    assert_eq!(error.key, "flows");
}

/// Returns the fields `flow` uses for sync status on `system`'s side.
fn status_uses(config: &str, flow: &str, system: System) -> Vec<String> {
    let config = FileConfig::parse(config).unwrap();
    let flows = crate::flows::enabled_flows(&config).unwrap();
    let flow = flows.iter().find(|f| f.name() == flow).unwrap();
    flow.fields()
        .into_iter()
        .filter(|used| used.system == system && used.purpose == "sync status")
        .map(|used| used.field)
        .collect()
}

#[test]
fn two_way_status_fields_keep_defaults_and_take_keys() {
    let defaults = status_uses("", "account-customer", System::Salesforce);
    assert_eq!(
        defaults,
        vec!["NetSuite_Sync_Status__c", "NetSuite_Sync_Error__c"]
    );
    assert!(status_uses("", "account-customer", System::NetSuite).is_empty());
    let config = r#"
        [flows.contact-contact]
        status_field = "Tandem_Status__c"
        error_field = ""
        netsuite_status_field = "custentity_tandem_status"
        "#;
    let salesforce = status_uses(config, "contact-contact", System::Salesforce);
    assert_eq!(salesforce, vec!["Tandem_Status__c"]);
    let netsuite = status_uses(config, "contact-contact", System::NetSuite);
    assert_eq!(netsuite, vec!["custentity_tandem_status"]);
}

#[test]
fn netsuite_status_field_must_be_custom_field() {
    for (table, key) in [
        ("account-customer", "netsuite_status_field"),
        ("customer-onboarding", "netsuite_error_field"),
        ("opportunity-to-sales-order", "netsuite_status_field"),
    ] {
        let text = format!("[flows.{table}]\n{key} = \"comments\"\n");
        let config = FileConfig::parse(&text).unwrap();
        let error = crate::flows::enabled_flows(&config).err().unwrap();
        assert_eq!(error.key, format!("flows.{table}.{key}"));
        assert!(error.message.contains("script ID"), "{error}");
    }
}

#[test]
fn mapped_status_field_is_refused() {
    let config = FileConfig::parse("[flows.account-customer]\nstatus_field = \"Phone\"\n").unwrap();
    let error = crate::flows::enabled_flows(&config).err().unwrap();
    assert_eq!(error.key, "flows.account-customer.status_field");
    assert!(error.message.contains("mapped"), "{error}");
}

#[test]
fn bad_option_names_its_key_in_plain_words() {
    let config = FileConfig::parse(
        r#"
        [flows.credit-hold-alert]
        alert = true
        threshold = "high"
        "#,
    )
    .unwrap();
    let error = crate::flows::enabled_flows(&config).err().unwrap();
    assert_eq!(error.key, "flows.credit-hold-alert.threshold");
    assert!(error.message.contains("expected a number"), "{error}");
    assert!(!error.message.contains("f64"), "{error}");
}

#[test]
fn unknown_option_names_its_key() {
    let config = FileConfig::parse(
        "[flows.item-to-price-book]
price_level = []
",
    )
    .unwrap();
    let error = crate::flows::enabled_flows(&config).err().unwrap();
    assert_eq!(error.key, "flows.item-to-price-book.price_level");
}

#[test]
fn wrong_type_in_section_is_plain() {
    let error = FileConfig::parse("[run]\ninterval_seconds = \"60\"\n").unwrap_err();
    assert_eq!(error.key, "run.interval_seconds");
    assert!(error.message.contains("invalid type: text"), "{error}");
    assert!(error.message.contains("expected a whole number"), "{error}");
}

#[test]
fn netsuite_transport_takes_soap_or_rest() {
    let config =
        FileConfig::parse("[netsuite]\ntransport = \"rest\"\nauth = \"oauth2\"\n").unwrap();
    assert_eq!(config.netsuite.transport.as_deref(), Some("rest"));
    assert_eq!(config.netsuite.auth.as_deref(), Some("oauth2"));
    let error = FileConfig::parse("[netsuite]\ntransport = \"rpc\"\n").unwrap_err();
    assert_eq!(error.key, "netsuite.transport");
    assert!(error.message.contains("soap or rest"), "{}", error.message);
}

#[test]
fn netsuite_rest_auth_is_checked() {
    let error = FileConfig::parse("[netsuite]\nauth = \"password\"\n").unwrap_err();
    assert_eq!(error.key, "netsuite.auth");
}

#[test]
fn netsuite_version_is_rejected_for_rest() {
    let error =
        FileConfig::parse("[netsuite]\ntransport = \"rest\"\nversion = \"2025_2\"\n").unwrap_err();
    assert_eq!(error.key, "netsuite.version");
    assert!(error.message.contains("REST"), "{}", error.message);
    let soap = FileConfig::parse("[netsuite]\ntransport = \"soap\"\nversion = \"2025_2\"\n");
    assert!(soap.is_ok());
}

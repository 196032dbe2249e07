//! Replays the recorded NetSuite traffic of the corpus against the emulator: every recorded
//! request is sent as recorded (at its own endpoint version, with a token passport in place
//! of the recorded user passport) to an emulator seeded with the records the recording
//! assumes, and the response must have the recorded structure: element names, namespaces,
//! attributes, `xsi:type` values and HTTP status.
//!
//! Seeding: a `get` or `search` finds the records of its recorded response, imported as
//! recorded; an `add` or `update` finds the customers, items and orders its request refers to,
//! and an `update` finds its target. Record fields that the 2023_2 schema does not define
//! (fields of older endpoints) are left out of the comparison, because the emulator serves
//! the 2023_2 schema at every version.
//!
//! The pairs that are not replayed are listed with their reason in
//! `netsuite_support/replay_skips.txt`, and the test fails when that list is not exactly the
//! pairs skipped.

mod netsuite_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use netsuite_support::{Node, Server, corpus, fresh_nonce, now, parse, sign};

/// The folders of recorded request/response pairs.
const RECORDED: [&str; 2] = [
    "iloveitaly__netsuite_integration",
    "railsdog__netsuite_integration",
];

const SKIPS: &str = include_str!("netsuite_support/replay_skips.txt");

/// The record types the emulator serves, by `xsi:type` local name and `RecordType` value.
const SERVED_TYPES: [&str; 13] = [
    "Customer",
    "Contact",
    "SalesOrder",
    "Invoice",
    "CustomerPayment",
    "InventoryItem",
    "NonInventorySaleItem",
    "ServiceSaleItem",
    "Currency",
    "PriceLevel",
    "Location",
    "Subsidiary",
    "Term",
];
const SERVED_REFS: [&str; 13] = [
    "customer",
    "contact",
    "salesOrder",
    "invoice",
    "customerPayment",
    "inventoryItem",
    "nonInventorySaleItem",
    "serviceSaleItem",
    "currency",
    "priceLevel",
    "location",
    "subsidiary",
    "term",
];

/// The result of replaying one pair.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Same,
    Skipped(String),
    Different(String),
}

/// One recorded pair, read.
struct Recorded {
    operation: String,
    version: String,
    request_text: String,
    request: Node,
    response: Node,
    status: u16,
}

fn recorded_pairs() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/netsuite");
    let mut pairs = Vec::new();
    for folder in RECORDED {
        collect(&root, &root.join(folder), &mut pairs);
    }
    pairs.sort();
    pairs
}

fn collect(root: &Path, dir: &Path, pairs: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, pairs);
            continue;
        }
        let name = path.to_string_lossy().to_string();
        if let Some(stem) = name.strip_suffix("_request.xml") {
            let response = format!("{stem}_response.xml");
            if Path::new(&response).exists() {
                let relative = |p: &str| p[root.to_string_lossy().len() + 1..].to_string();
                pairs.push((relative(&name), relative(&response)));
            }
        }
    }
}

fn read(request_path: &str, response_path: &str) -> Recorded {
    let request_text = corpus(request_path);
    let response_text = corpus(response_path);
    let operation = request_path
        .rsplit('/')
        .next()
        .and_then(|file| file.split('_').nth(1))
        .unwrap()
        .to_string();
    let version = request_text
        .split("urn:messages_")
        .nth(1)
        .and_then(|rest| rest.split('.').next())
        .unwrap()
        .to_string();
    let response = parse(&response_text);
    let status = if response.find("Fault").is_some() {
        500
    } else {
        200
    };
    Recorded {
        operation,
        version,
        request: parse(&request_text),
        request_text,
        response,
        status,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn recorded_pairs_replay_with_recorded_structure() {
    let mut skipped = BTreeMap::new();
    let mut different = Vec::new();
    let mut same = 0;
    let pairs = recorded_pairs();
    for (request, response) in &pairs {
        let (request, response) = (request.clone(), response.clone());
        let recorded = read(&request, &response);
        match replay(&recorded).await {
            Outcome::Same => same += 1,
            Outcome::Skipped(reason) => {
                skipped.insert(request, reason);
            }
            Outcome::Different(difference) => different.push(format!("{request}: {difference}")),
        }
    }
    let listed: BTreeMap<String, String> = SKIPS
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once(" | "))
        .map(|(path, reason)| (path.to_string(), reason.to_string()))
        .collect();
    let computed: String = skipped
        .iter()
        .map(|(path, reason)| format!("{path} | {reason}\n"))
        .collect();
    assert!(
        different.is_empty(),
        "{} differ:\n{}",
        different.len(),
        different.join("\n")
    );
    assert_eq!(
        listed, skipped,
        "the skip list is out of date; it should read:\n{computed}"
    );
    assert_eq!(same + skipped.len(), pairs.len());
    assert!(same >= 200, "only {same} of {} pairs replayed", pairs.len());
}

async fn replay(recorded: &Recorded) -> Outcome {
    if matches!(recorded.operation.as_str(), "getAll" | "initialize") {
        return Outcome::Skipped(format!("operation {} is not served", recorded.operation));
    }
    if let Some(record_type) = unserved_type(recorded) {
        return Outcome::Skipped(format!("record type {record_type} is not served"));
    }
    let server = Server::start().await;
    let dropped = match seed(&server, recorded) {
        Ok(dropped) => dropped,
        Err(reason) => return Outcome::Skipped(reason),
    };
    let document = with_token_passport(&server, recorded);
    let url = format!(
        "{}/services/NetSuitePort_{}",
        server.base_url(),
        recorded.version
    );
    let action = format!("\"{}\"", recorded.operation);
    let reply = server.post_to(&url, &document, Some(&action)).await;
    compare(recorded, reply.status, &parse(&reply.body), &dropped)
}

/// Returns the record type of a request or recorded result that the emulator does not serve.
fn unserved_type(recorded: &Recorded) -> Option<String> {
    let body = recorded.request.find("Body")?;
    let operation = body.children.first()?;
    let mut types = Vec::new();
    for child in &operation.children {
        match child.local() {
            "record" => types.extend(child.xsi_type.iter().map(|t| local(t).to_string())),
            "baseRef" => types.extend(child.attr("type")),
            _ => {}
        }
    }
    if let Some(records) = recorded.response.find("recordList") {
        types.extend(
            records
                .children
                .iter()
                .filter_map(|r| r.xsi_type.as_deref().map(local).map(str::to_string)),
        );
    }
    types
        .into_iter()
        .find(|t| !SERVED_TYPES.contains(&t.as_str()) && !SERVED_REFS.contains(&t.as_str()))
}

fn local(name: &str) -> &str {
    name.rsplit('}').next().unwrap_or(name)
}

/// Replaces the recorded user `passport` header with a signed token passport.
fn with_token_passport(server: &Server, recorded: &Recorded) -> String {
    let text = &recorded.request_text;
    let first = text.find(":passport>").unwrap();
    let start = text[..first].rfind('<').unwrap();
    let second = first + 1 + text[first + 1..].find(":passport>").unwrap();
    let end = second + ":passport>".len();
    let credentials = server.emulator.credentials();
    let nonce = fresh_nonce();
    let timestamp = now();
    let version = &recorded.version;
    let passport = format!(
        r#"<tp:tokenPassport xmlns:tp="urn:messages_{version}.platform.webservices.netsuite.com" xmlns:tc="urn:core_{version}.platform.webservices.netsuite.com"><tc:account>{}</tc:account><tc:consumerKey>{}</tc:consumerKey><tc:token>{}</tc:token><tc:nonce>{nonce}</tc:nonce><tc:timestamp>{timestamp}</tc:timestamp><tc:signature algorithm="HMAC-SHA256">{}</tc:signature></tp:tokenPassport>"#,
        credentials.account,
        credentials.consumer_key,
        credentials.token_id,
        sign(credentials, &nonce, timestamp)
    );
    format!("{}{passport}{}", &text[..start], &text[end..])
}

/// The fields left out when importing each seeded record, by internal ID.
type Dropped = BTreeMap<String, BTreeSet<String>>;

fn seed(server: &Server, recorded: &Recorded) -> Result<Dropped, String> {
    let mut dropped = Dropped::new();
    let failure_code = recorded.response.text_of("code");
    match recorded.operation.as_str() {
        "get" | "search" => {
            let mut records = Vec::new();
            recorded.response.find_all("record", &mut records);
            for record in records.iter().filter(|r| r.xsi_type.is_some()) {
                import(server, record, &recorded.version, &mut dropped)?;
            }
        }
        "add" | "update" => {
            let record = recorded.request.find("record").unwrap();
            match failure_code.as_deref() {
                Some("DUP_ENTITY" | "DUP_RCRD") => seed_duplicate(server, record, recorded),
                Some("INVALID_KEY_OR_REF") => {}
                _ => seed_references(server, record, recorded),
            }
            if recorded.operation == "update" {
                seed_target(server, record, recorded);
            }
        }
        _ => {}
    }
    Ok(dropped)
}

fn import(
    server: &Server,
    record: &Node,
    version: &str,
    dropped: &mut Dropped,
) -> Result<(), String> {
    let xml = to_xml(record, version);
    let imported = server
        .emulator
        .import_record(&xml)
        .map_err(|error| format!("recorded record cannot be imported: {error}"))?;
    dropped
        .entry(imported.internal_id)
        .or_default()
        .extend(imported.dropped_fields);
    Ok(())
}

/// Seeds a record with the external ID of the request, which the recorded duplicate error
/// reports as existing.
fn seed_duplicate(server: &Server, record: &Node, recorded: &Recorded) {
    let Some(external_id) = record.attr("externalId") else {
        return;
    };
    let record_type = record.xsi_type.as_deref().map(local).unwrap_or_default();
    let fields = match record_type {
        "Customer" => "<r:companyName>Recorded duplicate</r:companyName>".to_string(),
        _ => String::new(),
    };
    let ns = record_namespace(record_type, &recorded.version);
    let xml = format!(
        r#"<record xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:r="{ns}" xsi:type="r:{record_type}" externalId="{external_id}">{fields}</record>"#
    );
    server.emulator.import_record(&xml).unwrap();
}

/// Seeds the customers, items and sales orders a write refers to by internal ID.
fn seed_references(server: &Server, record: &Node, recorded: &Recorded) {
    let mut references = Vec::new();
    collect_references(record, &mut references);
    for (field, internal_id) in references {
        match field.as_str() {
            "entity" | "customer" => seed_customer(server, &internal_id, &recorded.version),
            "item" => seed_item(server, &internal_id, &recorded.version),
            "createdFrom" => seed_order(server, &internal_id, "R-CUSTOMER", &recorded.version),
            _ => {}
        }
    }
}

fn collect_references(node: &Node, found: &mut Vec<(String, String)>) {
    for child in &node.children {
        if let Some(internal_id) = child.attr("internalId") {
            found.push((child.local().to_string(), internal_id));
        }
        collect_references(child, found);
    }
}

/// Seeds the record an update changes, when it is not there yet.
fn seed_target(server: &Server, record: &Node, recorded: &Recorded) {
    let Some(internal_id) = record.attr("internalId") else {
        return;
    };
    match record.xsi_type.as_deref().map(local) {
        Some("Customer") => seed_customer(server, &internal_id, &recorded.version),
        Some("SalesOrder") => {
            seed_customer(server, "9000001", &recorded.version);
            seed_order(server, &internal_id, "9000001", &recorded.version);
        }
        _ => {}
    }
}

fn seed_customer(server: &Server, internal_id: &str, version: &str) {
    if server.emulator.customer(internal_id).is_some() {
        return;
    }
    let ns = record_namespace("Customer", version);
    let xml = format!(
        r#"<record xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:r="{ns}" xsi:type="r:Customer" internalId="{internal_id}"><r:companyName>Recorded customer {internal_id}</r:companyName></record>"#
    );
    server.emulator.import_record(&xml).unwrap();
}

fn seed_item(server: &Server, internal_id: &str, version: &str) {
    if server
        .emulator
        .record_xml("inventoryItem", internal_id, version)
        .is_some()
    {
        return;
    }
    let ns = record_namespace("InventoryItem", version);
    let xml = format!(
        r#"<record xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:r="{ns}" xsi:type="r:InventoryItem" internalId="{internal_id}"><r:itemId>RECORDED-{internal_id}</r:itemId></record>"#
    );
    server.emulator.import_record(&xml).unwrap();
}

fn seed_order(server: &Server, internal_id: &str, customer_id: &str, version: &str) {
    seed_customer(server, customer_id, version);
    seed_item(server, "9000002", version);
    let ns = record_namespace("SalesOrder", version);
    let xml = format!(
        r#"<record xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:r="{ns}" xsi:type="r:SalesOrder" internalId="{internal_id}"><r:entity internalId="{customer_id}"/><r:orderStatus>_pendingFulfillment</r:orderStatus><r:status>Pending Fulfillment</r:status><r:itemList><r:item><r:item internalId="9000002"/><r:quantity>1.0</r:quantity><r:amount>1.0</r:amount><r:line>1</r:line></r:item></r:itemList><r:total>1.0</r:total></record>"#
    );
    server.emulator.import_record(&xml).unwrap();
}

fn record_namespace(record_type: &str, version: &str) -> String {
    let (name, area) = match record_type {
        "Customer" | "Contact" => ("relationships", "lists"),
        "SalesOrder" | "Invoice" => ("sales", "transactions"),
        "CustomerPayment" => ("customers", "transactions"),
        _ => ("accounting", "lists"),
    };
    format!("urn:{name}_{version}.{area}.webservices.netsuite.com")
}

/// Writes a parsed node back as XML, declaring the namespace of each element and attribute
/// on the element itself, with the recorded version in place of `{V}`.
fn to_xml(node: &Node, version: &str) -> String {
    let mut out = String::new();
    write_node(node, version, &mut out);
    out
}

fn write_node(node: &Node, version: &str, out: &mut String) {
    let mut declarations = BTreeMap::new();
    let prefixed = |name: &str, declarations: &mut BTreeMap<String, String>| -> String {
        let Some((ns, local)) = name.strip_prefix('{').and_then(|n| n.rsplit_once('}')) else {
            return name.to_string();
        };
        let uri = ns.replace("{V}", version);
        let count = declarations.len();
        let prefix = declarations
            .entry(uri)
            .or_insert_with(|| format!("n{count}"))
            .clone();
        format!("{prefix}:{local}")
    };
    let tag = prefixed(&node.name, &mut declarations);
    let mut attributes = String::new();
    for entry in &node.attrs {
        let (name, value) = entry.split_once('=').unwrap();
        let value = if name.ends_with("}type") && name.contains("XMLSchema-instance") {
            let type_name = node.xsi_type.clone().unwrap_or_default();
            prefixed(&type_name, &mut declarations)
        } else {
            value.to_string()
        };
        let name = prefixed(name, &mut declarations);
        attributes.push_str(&format!(" {name}=\"{value}\""));
    }
    for (uri, prefix) in &declarations {
        attributes.push_str(&format!(" xmlns:{prefix}=\"{uri}\""));
    }
    out.push_str(&format!("<{tag}{attributes}>"));
    let escaped = node
        .text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    if node.children.is_empty() {
        out.push_str(&escaped);
    }
    for child in &node.children {
        write_node(child, version, out);
    }
    out.push_str(&format!("</{tag}>"));
}

fn compare(recorded: &Recorded, status: u16, mine: &Node, dropped: &Dropped) -> Outcome {
    let faultstring = mine.text_of("faultstring").unwrap_or_default();
    if recorded.status != 500 && faultstring.contains("NLSchemaBeanException") {
        let element = faultstring
            .split("NLSchemaBeanException: ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_default();
        return Outcome::Skipped(format!(
            "the request uses {element}, which the 2023_2 schema does not define"
        ));
    }
    if status != recorded.status {
        return Outcome::Different(format!(
            "HTTP {status} instead of {} ({faultstring})",
            recorded.status
        ));
    }
    let recorded_code = recorded.response.text_of("code");
    let my_code = mine.text_of("code");
    if recorded.status == 200 && recorded_code != my_code {
        return match recorded_code {
            Some(code) => Outcome::Skipped(format!(
                "the recorded {code} comes from a rule the emulator does not have"
            )),
            None => Outcome::Different(format!("failed with {my_code:?}")),
        };
    }
    let expected = without_dropped(&recorded.response, dropped);
    match first_difference(&mine.shape(), &expected.shape(), "") {
        Some(difference) => Outcome::Different(difference),
        None => Outcome::Same,
    }
}

/// Removes from each recorded record the fields the import left out.
fn without_dropped(node: &Node, dropped: &Dropped) -> Node {
    let mut copy = node.clone();
    let fields = (copy.local() == "record" && copy.xsi_type.is_some())
        .then(|| copy.attr("internalId"))
        .flatten()
        .and_then(|id| dropped.get(&id));
    if let Some(fields) = fields {
        copy.children.retain(|c| !fields.contains(c.local()));
    }
    copy.children = copy
        .children
        .iter()
        .map(|c| without_dropped(c, dropped))
        .collect();
    copy
}

fn first_difference(mine: &Node, recorded: &Node, path: &str) -> Option<String> {
    let path = format!("{path}/{}", recorded.local());
    if mine.name != recorded.name {
        return Some(format!(
            "{path}: element {} instead of {}",
            mine.name, recorded.name
        ));
    }
    if mine.attrs != recorded.attrs {
        return Some(format!(
            "{path}: attributes {:?} instead of {:?}",
            mine.attrs, recorded.attrs
        ));
    }
    if mine.xsi_type != recorded.xsi_type {
        return Some(format!(
            "{path}: xsi:type {:?} instead of {:?}",
            mine.xsi_type, recorded.xsi_type
        ));
    }
    let names = |node: &Node| -> Vec<String> {
        node.children
            .iter()
            .map(|c| c.local().to_string())
            .collect()
    };
    if mine.children.len() != recorded.children.len() {
        return Some(format!(
            "{path}: children {:?} instead of {:?}",
            names(mine),
            names(recorded)
        ));
    }
    mine.children
        .iter()
        .zip(&recorded.children)
        .find_map(|(a, b)| first_difference(a, b, &path))
}

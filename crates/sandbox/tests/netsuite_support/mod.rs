//! Shared helpers for the NetSuite emulator tests: a server on 127.0.0.1, request builders
//! with an independently computed token passport, XML queries and a structural comparison
//! with recorded NetSuite responses.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use sha2::Sha256;
use tandem_sandbox::netsuite::{NetSuiteCredentials, NetSuiteEmulator};

/// The endpoint version the tests talk to.
pub const VERSION: &str = "2025_2";

/// Namespace declarations for request envelopes of [`VERSION`].
pub const NAMESPACES: &str = concat!(
    r#"xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" "#,
    r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
    r#"xmlns:platformMsgs="urn:messages_2025_2.platform.webservices.netsuite.com" "#,
    r#"xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com" "#,
    r#"xmlns:platformCommon="urn:common_2025_2.platform.webservices.netsuite.com" "#,
    r#"xmlns:listRel="urn:relationships_2025_2.lists.webservices.netsuite.com" "#,
    r#"xmlns:listAcct="urn:accounting_2025_2.lists.webservices.netsuite.com" "#,
    r#"xmlns:tranSales="urn:sales_2025_2.transactions.webservices.netsuite.com" "#,
    r#"xmlns:tranCust="urn:customers_2025_2.transactions.webservices.netsuite.com""#
);

/// A running emulator and an HTTP client pointed at it.
pub struct Server {
    pub emulator: NetSuiteEmulator,
    pub url: String,
    pub client: reqwest::Client,
}

/// The status code and body of one response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Server {
    /// Starts an emulator with fresh credentials on a free port of 127.0.0.1.
    pub async fn start() -> Server {
        let emulator = NetSuiteEmulator::new(NetSuiteCredentials::generate());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = emulator.router();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Server {
            emulator,
            url: format!("http://{address}/services/NetSuitePort_{VERSION}"),
            client: reqwest::Client::new(),
        }
    }

    /// Returns the server's base URL, `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        let end = self.url.find("/services/").unwrap();
        self.url[..end].to_string()
    }

    /// Returns the URL of the WSDL of an endpoint version.
    pub fn wsdl_url(&self, version: &str) -> String {
        format!("{}/wsdl/v{version}_0/netsuite.wsdl", self.base_url())
    }

    /// Returns a token passport header signed with the account's credentials.
    pub fn passport(&self) -> String {
        token_passport(self.emulator.credentials(), &fresh_nonce(), now())
    }

    /// Sends an operation body with a fresh token passport and `SOAPAction: "<operation>"`.
    pub async fn call(&self, operation: &str, body: &str) -> Reply {
        self.call_with_headers(operation, &self.passport(), body)
            .await
    }

    /// Sends an operation body with the given SOAP header content.
    pub async fn call_with_headers(&self, operation: &str, headers: &str, body: &str) -> Reply {
        let envelope = envelope(headers, body);
        self.post(&envelope, Some(&format!("\"{operation}\"")))
            .await
    }

    /// Posts a complete document.
    pub async fn post(&self, document: &str, soap_action: Option<&str>) -> Reply {
        self.post_to(&self.url, document, soap_action).await
    }

    /// Posts a complete document to another URL.
    pub async fn post_to(&self, url: &str, document: &str, soap_action: Option<&str>) -> Reply {
        let mut request = self
            .client
            .post(url)
            .header("Content-Type", "text/xml;charset=UTF-8")
            .body(document.to_string());
        if let Some(action) = soap_action {
            request = request.header("SOAPAction", action);
        }
        let response = request.send().await.unwrap();
        Reply {
            status: response.status().as_u16(),
            body: response.text().await.unwrap(),
        }
    }
}

/// Wraps header and body content in a SOAP 1.1 envelope of [`VERSION`].
pub fn envelope(headers: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope {NAMESPACES}><soapenv:Header>{headers}</soapenv:Header><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
    )
}

/// Builds a `tokenPassport` header. The signature is computed here, independently of the
/// emulator: Base64(HMAC-SHA256(consumerSecret&tokenSecret,
/// account&consumerKey&tokenId&nonce&timestamp)).
pub fn token_passport(credentials: &NetSuiteCredentials, nonce: &str, timestamp: i64) -> String {
    let signature = sign(credentials, nonce, timestamp);
    passport_xml(credentials, nonce, timestamp, &signature)
}

/// Builds a `tokenPassport` header with the given signature text.
pub fn passport_xml(
    credentials: &NetSuiteCredentials,
    nonce: &str,
    timestamp: i64,
    signature: &str,
) -> String {
    format!(
        "<platformMsgs:tokenPassport>\
         <platformCore:account>{}</platformCore:account>\
         <platformCore:consumerKey>{}</platformCore:consumerKey>\
         <platformCore:token>{}</platformCore:token>\
         <platformCore:nonce>{nonce}</platformCore:nonce>\
         <platformCore:timestamp>{timestamp}</platformCore:timestamp>\
         <platformCore:signature algorithm=\"HMAC-SHA256\">{signature}</platformCore:signature>\
         </platformMsgs:tokenPassport>",
        credentials.account, credentials.consumer_key, credentials.token_id
    )
}

/// Signs a token passport.
pub fn sign(credentials: &NetSuiteCredentials, nonce: &str, timestamp: i64) -> String {
    let key = format!(
        "{}&{}",
        credentials.consumer_secret, credentials.token_secret
    );
    let base = format!(
        "{}&{}&{}&{nonce}&{timestamp}",
        credentials.account, credentials.consumer_key, credentials.token_id
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(base.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Returns a nonce never returned before by this process.
pub fn fresh_nonce() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::SeqCst);
    let random: u64 = rand::random();
    format!("n{count}x{random:x}")
}

/// Returns the current Unix time in seconds.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Reads a file of the recorded corpus.
pub fn corpus(path: &str) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus/netsuite/");
    std::fs::read_to_string(format!("{root}{path}")).unwrap()
}

/// Turns a recorded request into one for this server: every namespace version becomes
/// [`VERSION`] and the recorded user `passport` header becomes a fresh token passport.
pub fn adapt_recorded_request(server: &Server, path: &str) -> String {
    let recorded = corpus(path);
    let versioned = replace_versions(&recorded, VERSION);
    let start = versioned.find("<platformMsgs:passport>").unwrap();
    let end_tag = "</platformMsgs:passport>";
    let end = versioned.find(end_tag).unwrap() + end_tag.len();
    format!(
        "{}{}{}",
        &versioned[..start],
        server.passport(),
        &versioned[end..]
    )
}

/// Replaces every `_YYYY_N.` namespace version in a document.
pub fn replace_versions(document: &str, version: &str) -> String {
    let mut out = String::with_capacity(document.len());
    let mut rest = document;
    while let Some(position) = rest.find("webservices.netsuite.com") {
        let (head, tail) = rest.split_at(position);
        out.push_str(&replace_last_version(head, version));
        out.push_str("webservices.netsuite.com");
        rest = &tail["webservices.netsuite.com".len()..];
    }
    out.push_str(rest);
    out
}

fn replace_last_version(head: &str, version: &str) -> String {
    let Some(urn) = head.rfind("urn:") else {
        return head.to_string();
    };
    let namespace = &head[urn..];
    let Some(underscore) = namespace.find('_') else {
        return head.to_string();
    };
    let Some(dot) = namespace[underscore..].find('.') else {
        return head.to_string();
    };
    format!(
        "{}{}_{version}{}",
        &head[..urn],
        &namespace[..underscore],
        &namespace[underscore + dot..]
    )
}

/// One element of a parsed response, with names resolved to version-free namespace URIs.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub name: String,
    pub attrs: BTreeSet<String>,
    pub xsi_type: Option<String>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// Returns the first descendant (or self) with this local name.
    pub fn find(&self, local: &str) -> Option<&Node> {
        if self.local() == local {
            return Some(self);
        }
        self.children.iter().find_map(|child| child.find(local))
    }

    /// Returns all descendants (and self) with this local name, in document order.
    pub fn find_all<'a>(&'a self, local: &str, found: &mut Vec<&'a Node>) {
        if self.local() == local {
            found.push(self);
        }
        for child in &self.children {
            child.find_all(local, found);
        }
    }

    /// Returns the text of the first descendant with this local name.
    pub fn text_of(&self, local: &str) -> Option<String> {
        self.find(local).map(|node| node.text.clone())
    }

    /// Returns the local part of the name.
    pub fn local(&self) -> &str {
        self.name.rsplit('}').next().unwrap_or_default()
    }

    /// Returns the value of an attribute by local name.
    pub fn attr(&self, local: &str) -> Option<String> {
        self.attrs.iter().find_map(|entry| {
            let (name, value) = entry.split_once('=')?;
            (name.rsplit('}').next() == Some(local)).then(|| value.to_string())
        })
    }

    /// Returns this tree with attribute values dropped and text removed, the structure that
    /// two responses with different data still share.
    pub fn shape(&self) -> Node {
        Node {
            name: self.name.clone(),
            attrs: self
                .attrs
                .iter()
                .map(|a| a.split_once('=').map(|(n, _)| n).unwrap_or(a).to_string())
                .collect(),
            xsi_type: self.xsi_type.clone(),
            text: String::new(),
            children: self.children.iter().map(Node::shape).collect(),
        }
    }
}

/// Parses a response into a [`Node`] tree. Namespace versions become `{V}`, so a 2014 recording
/// and a 2025 response compare equal when their structure is the same.
pub fn parse(document: &str) -> Node {
    let mut reader = NsReader::from_str(document);
    let mut stack: Vec<Node> = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(start) => stack.push(open_node(&reader, &start)),
            Event::Empty(start) => {
                let node = open_node(&reader, &start);
                attach(&mut stack, node);
            }
            Event::End(_) => {
                let node = stack.pop().unwrap();
                if stack.is_empty() {
                    return node;
                }
                attach(&mut stack, node);
            }
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(top) = stack.last_mut() {
                    match reference.resolve_char_ref().unwrap() {
                        Some(ch) => top.text.push(ch),
                        None => {
                            let name = reference.xml10_content();
                            let resolved =
                                quick_xml::escape::resolve_predefined_entity(&name).unwrap();
                            top.text.push_str(resolved);
                        }
                    }
                }
            }
            Event::Eof => panic!("document ended before its root element closed"),
            _ => {}
        }
    }
}

fn attach(stack: &mut Vec<Node>, node: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => stack.push(node),
    }
}

fn open_node(reader: &NsReader<&[u8]>, start: &quick_xml::events::BytesStart) -> Node {
    let resolver = reader.resolver();
    let (ns, local) = resolver.resolve_element(start.name());
    let mut node = Node {
        name: qualified(ns, local.as_ref()),
        attrs: BTreeSet::new(),
        xsi_type: None,
        text: String::new(),
        children: Vec::new(),
    };
    for attribute in start.attributes() {
        let attribute = attribute.unwrap();
        if attribute.key.as_namespace_binding().is_some() {
            continue;
        }
        let (ns, local) = resolver.resolve_attribute(attribute.key);
        let name = qualified(ns, local.as_ref());
        let value = attribute.value.to_string();
        if name == "{http://www.w3.org/2001/XMLSchema-instance}type" {
            let qname = quick_xml::name::QName(&value);
            let type_ns = resolver.resolve_prefix(qname.prefix(), true);
            node.xsi_type = Some(qualified(type_ns, qname.local_name().as_ref()));
        }
        node.attrs.insert(format!("{name}={value}"));
    }
    node
}

fn qualified(ns: ResolveResult, local: &str) -> String {
    match ns {
        ResolveResult::Bound(ns) => format!("{{{}}}{local}", replace_versions(ns.0, "{V}")),
        _ => local.to_string(),
    }
}

/// Asserts that two responses have the same elements, namespaces, attribute names and
/// `xsi:type` values, reporting the first difference by path.
pub fn assert_same_shape(mine: &Node, recorded: &Node) {
    compare(&mine.shape(), &recorded.shape(), "");
}

fn compare(mine: &Node, recorded: &Node, path: &str) {
    let path = format!("{path}/{}", recorded.local());
    assert_eq!(mine.name, recorded.name, "element name differs at {path}");
    assert_eq!(mine.attrs, recorded.attrs, "attributes differ at {path}");
    assert_eq!(
        mine.xsi_type, recorded.xsi_type,
        "xsi:type differs at {path}"
    );
    let mine_names: Vec<&str> = mine.children.iter().map(|c| c.name.as_str()).collect();
    let recorded_names: Vec<&str> = recorded.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(mine_names, recorded_names, "children differ at {path}");
    for (a, b) in mine.children.iter().zip(&recorded.children) {
        compare(a, b, &path);
    }
}

/// Returns a copy of the tree in which the children of every element with this local name are
/// removed, for comparing envelopes whose records carry different fields.
pub fn without_children_of(node: &Node, local: &str) -> Node {
    let mut copy = node.clone();
    if copy.local() == local {
        copy.children.clear();
    } else {
        copy.children = copy
            .children
            .iter()
            .map(|c| without_children_of(c, local))
            .collect();
    }
    copy
}

/// Returns a copy of the tree in which every `record` element keeps only its name and
/// attribute names: no fields and no `xsi:type`, for comparing result lists of other record
/// types.
pub fn without_record_details(node: &Node) -> Node {
    let mut copy = node.clone();
    if copy.local() == "record" {
        copy.children.clear();
        copy.xsi_type = None;
        copy.attrs
            .retain(|a| !a.starts_with("{http://www.w3.org/2001/XMLSchema-instance}type"));
    } else {
        copy.children = copy.children.iter().map(without_record_details).collect();
    }
    copy
}

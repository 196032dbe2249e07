//! A small namespace-resolved element tree for SOAP requests, and an escaping XML writer for
//! responses.
//!
//! Requests are parsed into [`Element`] trees whose names carry namespace URIs, never prefixes,
//! because clients pick their prefixes freely. NetSuite namespace URIs are stored without their
//! endpoint version (`urn:core_{V}.platform.webservices.netsuite.com`), so a stored value can be
//! written back under any endpoint version.

mod chars;
mod writer;

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};
use quick_xml::reader::NsReader;

use chars::{Place, check_attribute_value, check_char_ref, check_raw};
pub(crate) use writer::XmlWriter;

/// The placeholder that stands for the endpoint version inside a stored namespace URI.
pub(crate) const VERSION_TOKEN: &str = "{V}";

/// The XML Schema instance namespace, home of `xsi:type` and `xsi:nil`.
pub(crate) const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Elements nested deeper than this are rejected, so a hostile request cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// An endpoint version such as `2025_2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Version {
    pub year: u16,
    pub release: u8,
}

impl Version {
    /// Parses `YYYY_N` with a four-digit year and a release of 1 or 2.
    pub fn parse(text: &str) -> Option<Version> {
        let (year, release) = text.split_once('_')?;
        let four_digits = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
        let one_digit = release.len() == 1 && release.bytes().all(|b| b.is_ascii_digit());
        if !four_digits || !one_digit {
            return None;
        }
        let version = Version {
            year: year.parse().ok()?,
            release: release.parse().ok()?,
        };
        (1..=2).contains(&version.release).then_some(version)
    }

    /// Replaces the version placeholder of a stored namespace URI with this version.
    pub fn namespace(self, template: &str) -> String {
        template.replace(VERSION_TOKEN, &self.to_string())
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.year, self.release)
    }
}

/// An attribute with its namespace URI (empty when unqualified).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Attribute {
    pub ns: String,
    pub name: String,
    pub value: String,
}

/// A qualified name resolved to its namespace URI, as used by `xsi:type` values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ResolvedName {
    pub ns: String,
    pub name: String,
}

/// One parsed element. `text` is the character data of a leaf element. It is cleared for
/// elements that have children, because SOAP bodies do not use mixed content.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Element {
    pub ns: String,
    pub name: String,
    pub attrs: Vec<Attribute>,
    pub children: Vec<Element>,
    pub text: String,
    pub xsi_type: Option<ResolvedName>,
    pub is_nil: bool,
}

impl Element {
    /// Returns true when the element has this namespace and local name.
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    /// Returns the first child with this namespace and local name.
    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    /// Returns the first child with this local name, in any namespace.
    pub fn child_named(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Returns the value of the first attribute with this local name that is not in the
    /// `xsi` namespace. Recorded clients qualify `internalId` and `externalId` with the
    /// messages prefix, so the namespace of these attributes is not checked.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name == name && a.ns != XSI)
            .map(|a| a.value.as_str())
    }

    /// Returns the trimmed text of a leaf element.
    pub fn trimmed_text(&self) -> &str {
        self.text.trim()
    }
}

/// The reason a request body is not a namespace-well-formed XML document.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ParseError {
    #[error("{0}")]
    Syntax(String),
    #[error("The prefix \"{0}\" is not bound to a namespace.")]
    UnboundPrefix(String),
    #[error("The namespace {found} does not match the endpoint version {expected}.")]
    VersionMismatch { found: String, expected: Version },
    #[error("Document type declarations are not allowed in SOAP messages.")]
    DocType,
    #[error("The document nests elements deeper than {MAX_DEPTH} levels.")]
    TooDeep,
    #[error("An invalid XML character (Unicode: 0x{code:x}) was found in {place}.")]
    InvalidChar { code: u32, place: Place },
    #[error(
        "An invalid XML character (Unicode: 0x{code:x}) was found in the value of attribute \
         \"{attribute}\" and element is \"{element}\"."
    )]
    InvalidCharInAttribute {
        code: u32,
        element: String,
        attribute: String,
    },
    /// A character reference to a forbidden character, with the text between `&#` and `;`.
    #[error("Character reference \"&#{0}\" is an invalid XML character.")]
    InvalidCharRef(String),
}

/// Parses a whole document and returns its root element. Every NetSuite namespace used by an
/// element, attribute or `xsi:type` value must carry `version`. A character that XML 1.0 does
/// not allow, raw or as a character reference, is an error wherever it appears.
pub(crate) fn parse_document(text: &str, version: Version) -> Result<Element, ParseError> {
    let mut parser = Parser {
        reader: NsReader::from_str(text),
        version,
        stack: Vec::new(),
        root: None,
    };
    parser.run()?;
    parser
        .root
        .ok_or_else(|| ParseError::Syntax("Premature end of file.".to_string()))
}

struct Parser<'i> {
    reader: NsReader<&'i [u8]>,
    version: Version,
    stack: Vec<Element>,
    root: Option<Element>,
}

impl Parser<'_> {
    fn run(&mut self) -> Result<(), ParseError> {
        loop {
            let event = self.reader.read_event().map_err(syntax)?;
            match event {
                Event::Start(start) => {
                    let element = self.open(&start)?;
                    self.push(element)?;
                }
                Event::Empty(start) => {
                    let element = self.open(&start)?;
                    self.push(element)?;
                    self.close()?;
                }
                Event::End(end) => {
                    check_raw(&end, Place::ElementContent)?;
                    self.close()?;
                }
                Event::Text(text) => {
                    check_raw(&text, self.text_place())?;
                    self.append_text(&text.xml10_content())?;
                }
                Event::CData(data) => {
                    check_raw(&data, Place::CData)?;
                    self.append_text(&data.into_inner())?;
                }
                Event::GeneralRef(reference) => {
                    check_char_ref(&reference)?;
                    let resolved = resolve_reference(&reference)?;
                    self.append_text(&resolved)?;
                }
                Event::DocType(_) => return Err(ParseError::DocType),
                Event::Decl(decl) => check_raw(&decl, Place::Prolog)?,
                Event::PI(instruction) => check_raw(&instruction, Place::ProcessingInstruction)?,
                Event::Comment(comment) => check_raw(&comment, Place::Comment)?,
                Event::Eof => return self.finish(),
            }
        }
    }

    /// Returns the part of the document that text read now belongs to: before, inside or after
    /// the root element.
    fn text_place(&self) -> Place {
        match (self.stack.is_empty(), self.root.is_some()) {
            (false, _) => Place::ElementContent,
            (true, false) => Place::Prolog,
            (true, true) => Place::AfterRoot,
        }
    }

    fn open(&self, start: &BytesStart) -> Result<Element, ParseError> {
        let resolver = self.reader.resolver();
        let ns = self.namespace(resolver.resolve_element(start.name()).0)?;
        let mut element = Element {
            ns,
            name: start.local_name().as_ref().to_string(),
            attrs: Vec::new(),
            children: Vec::new(),
            text: String::new(),
            xsi_type: None,
            is_nil: false,
        };
        let element_name = start.name();
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|e| ParseError::Syntax(e.to_string()))?;
            check_attribute_value(
                element_name.as_ref(),
                attribute.key.as_ref(),
                &attribute.value,
            )?;
            if attribute.key.as_namespace_binding().is_some() {
                continue;
            }
            let (resolved, local) = resolver.resolve_attribute(attribute.key);
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(syntax)?
                .into_owned();
            let attr = Attribute {
                ns: self.namespace(resolved)?,
                name: local.as_ref().to_string(),
                value,
            };
            self.apply_xsi(&mut element, &attr)?;
            element.attrs.push(attr);
        }
        // The attribute values passed their check above, so a character found here is in a
        // name or between attributes.
        check_raw(start, Place::ElementContent)?;
        Ok(element)
    }

    fn apply_xsi(&self, element: &mut Element, attr: &Attribute) -> Result<(), ParseError> {
        if attr.ns != XSI {
            return Ok(());
        }
        match attr.name.as_str() {
            "type" => {
                let qname = QName(attr.value.trim());
                let resolved = self.reader.resolver().resolve_prefix(qname.prefix(), true);
                element.xsi_type = Some(ResolvedName {
                    ns: self.namespace(resolved)?,
                    name: qname.local_name().as_ref().to_string(),
                });
            }
            "nil" => element.is_nil = matches!(attr.value.trim(), "true" | "1"),
            _ => {}
        }
        Ok(())
    }

    /// Turns a resolved namespace into the stored form, checking NetSuite versions.
    fn namespace(&self, resolved: ResolveResult) -> Result<String, ParseError> {
        match resolved {
            ResolveResult::Unbound => Ok(String::new()),
            ResolveResult::Unknown(prefix) => Err(ParseError::UnboundPrefix(prefix)),
            ResolveResult::Bound(ns) => normalize_namespace(ns.0, self.version),
        }
    }

    fn push(&mut self, element: Element) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError::TooDeep);
        }
        if self.stack.is_empty() && self.root.is_some() {
            return Err(ParseError::Syntax(
                "The markup in the document following the root element must be well-formed."
                    .to_string(),
            ));
        }
        self.stack.push(element);
        Ok(())
    }

    fn close(&mut self) -> Result<(), ParseError> {
        let Some(mut element) = self.stack.pop() else {
            return Err(ParseError::Syntax("Unexpected end tag.".to_string()));
        };
        if !element.children.is_empty() {
            element.text.clear();
        }
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(element),
            None => self.root = Some(element),
        }
        Ok(())
    }

    fn append_text(&mut self, text: &str) -> Result<(), ParseError> {
        match self.stack.last_mut() {
            Some(current) => current.text.push_str(text),
            None if text.trim().is_empty() => {}
            None => {
                return Err(ParseError::Syntax(
                    "Content is not allowed outside the root element.".to_string(),
                ));
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ParseError> {
        if let Some(open) = self.stack.last() {
            return Err(ParseError::Syntax(format!(
                "XML document structures must start and end within the same entity: element \
                 {} is not closed.",
                open.name
            )));
        }
        Ok(())
    }
}

fn syntax(error: quick_xml::Error) -> ParseError {
    ParseError::Syntax(error.to_string())
}

fn resolve_reference(reference: &quick_xml::events::BytesRef) -> Result<String, ParseError> {
    if let Some(ch) = reference.resolve_char_ref().map_err(syntax)? {
        return Ok(ch.to_string());
    }
    let name = reference.xml10_content();
    resolve_predefined_entity(&name)
        .map(str::to_string)
        .ok_or_else(|| {
            ParseError::Syntax(format!(
                "The entity \"{name}\" was referenced, but not declared."
            ))
        })
}

/// Replaces the version inside a NetSuite namespace URI with [`VERSION_TOKEN`], after checking
/// that it equals the endpoint version. Other URIs are returned unchanged.
pub(crate) fn normalize_namespace(uri: &str, expected: Version) -> Result<String, ParseError> {
    let Some((before, version_text, after)) = split_netsuite_namespace(uri) else {
        return Ok(uri.to_string());
    };
    if Version::parse(version_text) != Some(expected) {
        return Err(ParseError::VersionMismatch {
            found: uri.to_string(),
            expected,
        });
    }
    Ok(format!("{before}{VERSION_TOKEN}{after}"))
}

/// Returns the endpoint version of the first NetSuite namespace URI declared in a document.
pub(crate) fn document_version(text: &str) -> Option<Version> {
    text.split("\"urn:")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find_map(|uri| {
            let uri = format!("urn:{uri}");
            let (_, version, _) = split_netsuite_namespace(&uri)?;
            Version::parse(version)
        })
}

/// Splits `urn:<name>_<version>.<area>.webservices.netsuite.com` into the text before the
/// version, the version and the text after it.
fn split_netsuite_namespace(uri: &str) -> Option<(&str, &str, &str)> {
    let rest = uri.strip_prefix("urn:")?;
    if !rest.ends_with(".webservices.netsuite.com") {
        return None;
    }
    let underscore = rest.find('_')?;
    let version_end = rest[underscore + 1..]
        .find(|c: char| !(c.is_ascii_digit() || c == '_'))
        .map(|offset| underscore + 1 + offset)?;
    let start = "urn:".len() + underscore + 1;
    let end = "urn:".len() + version_end;
    Some((&uri[..start], &uri[start..end], &uri[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: Version = Version {
        year: 2025,
        release: 2,
    };

    #[test]
    fn version_parse_accepts_endpoint_names() {
        assert_eq!(Version::parse("2025_2"), Some(V));
        assert_eq!(Version::parse("2025_3"), None);
        assert_eq!(Version::parse("2_5"), None);
        assert_eq!(Version::parse("2025-2"), None);
    }

    #[test]
    fn parse_document_resolves_prefixes_to_uris() {
        let doc = r#"<a:root xmlns:a="urn:core_2025_2.platform.webservices.netsuite.com"
            xmlns:x="http://www.w3.org/2001/XMLSchema-instance" x:type="a:RecordRef">
            <a:name>Fish &amp; Chips&#33;</a:name><plain/></a:root>"#;
        let root = parse_document(doc, V).unwrap();
        let core = "urn:core_{V}.platform.webservices.netsuite.com";
        assert!(root.is(core, "root"));
        assert_eq!(root.xsi_type.as_ref().unwrap().ns, core);
        assert_eq!(root.child(core, "name").unwrap().text, "Fish & Chips!");
        assert!(root.child("", "plain").is_some());
    }

    #[test]
    fn parse_document_rejects_other_versions() {
        let doc = r#"<a:root xmlns:a="urn:core_2024_2.platform.webservices.netsuite.com"/>"#;
        let error = parse_document(doc, V).unwrap_err();
        assert!(matches!(error, ParseError::VersionMismatch { .. }));
    }

    #[test]
    fn parse_document_rejects_malformed_input() {
        assert!(parse_document("<a><b></a>", V).is_err());
        assert!(parse_document("<a>", V).is_err());
        assert!(parse_document("<p:a/>", V).is_err());
        assert!(parse_document("<a>&nope;</a>", V).is_err());
        assert!(parse_document("<a/><b/>", V).is_err());
    }

    #[test]
    fn document_version_finds_first_netsuite_namespace() {
        let doc = r#"<a xmlns:x="urn:other" xmlns:c="urn:core_2024_1.platform.webservices.netsuite.com"/>"#;
        assert_eq!(
            document_version(doc),
            Some(Version {
                year: 2024,
                release: 1
            })
        );
        assert_eq!(document_version("<a/>"), None);
    }
}

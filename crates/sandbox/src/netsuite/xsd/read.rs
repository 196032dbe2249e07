//! Reading the embedded XSD files into a [`Schema`]. NetSuite's files use a small, regular
//! part of XML Schema: named top-level complex types with one sequence (possibly inside a
//! `complexContent` extension), attributes, and simple types restricted to an enumeration.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName as XmlName, ResolveResult};
use quick_xml::reader::NsReader;

use super::{ComplexType, Field, QName, Schema, SimpleType, XML_SCHEMA};
use crate::netsuite::wsdl::published_xsds;
use crate::netsuite::xml::{Version, normalize_namespace};

/// The version of the embedded files.
const PUBLISHED: Version = Version {
    year: 2023,
    release: 2,
};

/// Reads every embedded XSD file.
pub(super) fn read_published() -> Schema {
    let mut schema = Schema::default();
    for (name, text) in published_xsds() {
        if let Err(error) = read_file(text, &mut schema) {
            // The files are fixed at build time and a unit test reads them all, so this only
            // happens if one is replaced by a broken copy.
            tracing::error!(file = name, %error, "cannot read an embedded XSD file");
        }
    }
    schema
}

/// The type being read.
enum Open {
    Complex(QName, ComplexType),
    Simple(QName, SimpleType),
}

/// Reads one XSD document into `schema`.
fn read_file(text: &str, schema: &mut Schema) -> Result<(), quick_xml::Error> {
    let mut reader = NsReader::from_str(text);
    let mut target = String::new();
    let mut open: Option<Open> = None;
    loop {
        match reader.read_event()? {
            Event::Start(start) | Event::Empty(start) => {
                let local = start.local_name().as_ref().to_string();
                match local.as_str() {
                    "schema" => target = normalized(&attribute(&start, "targetNamespace")),
                    "complexType" if open.is_none() => {
                        let name = QName::new(&target, &attribute(&start, "name"));
                        open = Some(Open::Complex(name, ComplexType::default()));
                    }
                    "simpleType" if open.is_none() => {
                        let name = QName::new(&target, &attribute(&start, "name"));
                        let base = QName::new(XML_SCHEMA, "string");
                        let simple = SimpleType {
                            base,
                            enumeration: Vec::new(),
                        };
                        open = Some(Open::Simple(name, simple));
                    }
                    _ => read_part(&reader, &start, &local, &target, open.as_mut()),
                }
            }
            Event::End(end) => {
                let local = end.local_name();
                let closes = matches!(local.as_ref(), "complexType" | "simpleType");
                if closes && let Some(finished) = open.take() {
                    store(schema, finished);
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// Reads an element inside a type: a sequence element, an attribute, a base type or an
/// enumeration value.
fn read_part(
    reader: &NsReader<&[u8]>,
    start: &BytesStart,
    local: &str,
    target: &str,
    open: Option<&mut Open>,
) {
    match (local, open) {
        ("element", Some(Open::Complex(_, complex))) => {
            let max = attribute(start, "maxOccurs");
            complex.fields.push(Field {
                ns: target.to_string(),
                name: attribute(start, "name"),
                type_name: resolve(reader, &attribute(start, "type")),
                repeated: !max.is_empty() && max != "1",
            });
        }
        ("attribute", Some(Open::Complex(_, complex))) => {
            complex.attributes.push(attribute(start, "name"));
        }
        ("extension", Some(Open::Complex(_, complex))) => {
            complex.base = Some(resolve(reader, &attribute(start, "base")));
        }
        ("restriction", Some(Open::Simple(_, simple))) => {
            simple.base = resolve(reader, &attribute(start, "base"));
        }
        ("enumeration", Some(Open::Simple(_, simple))) => {
            simple.enumeration.push(attribute(start, "value"));
        }
        _ => {}
    }
}

fn store(schema: &mut Schema, finished: Open) {
    match finished {
        Open::Complex(name, complex) => {
            schema.complex.insert(name, complex);
        }
        Open::Simple(name, simple) => {
            schema.simple.insert(name, simple);
        }
    }
}

/// Returns an attribute's value, or an empty string when it is absent.
fn attribute(start: &BytesStart, name: &str) -> String {
    start
        .try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
        .unwrap_or_default()
}

/// Resolves a QName written in an attribute value (`platformCore:RecordRef`).
fn resolve(reader: &NsReader<&[u8]>, value: &str) -> QName {
    let qname = XmlName(value);
    let ns = match reader.resolver().resolve_prefix(qname.prefix(), true) {
        ResolveResult::Bound(ns) => normalized(ns.0),
        _ => String::new(),
    };
    QName {
        ns,
        name: qname.local_name().as_ref().to_string(),
    }
}

fn normalized(uri: &str) -> String {
    normalize_namespace(uri, PUBLISHED).unwrap_or_else(|_| uri.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_reads() {
        for (name, text) in published_xsds() {
            let mut schema = Schema::default();
            assert!(read_file(text, &mut schema).is_ok(), "{name} does not read");
        }
    }

    #[test]
    fn read_published_finds_many_types() {
        let schema = read_published();
        assert!(
            schema.complex.len() > 1000,
            "{} types",
            schema.complex.len()
        );
        assert!(schema.simple.len() > 200, "{} types", schema.simple.len());
    }
}

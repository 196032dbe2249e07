//! Building SOAP 1.1 request envelopes with quick-xml's `Writer`.
//!
//! Every namespace a request uses is declared once on the envelope, with the prefixes of
//! NetSuite's own XSD files (`platformMsgs`, `platformCore`, `platformCommon`, and the
//! namespaces of the records, such as `listRel` or `tranSales`) and the configured version. The output has no indentation, so a request's bytes depend on its content alone
//! and tests compare them exactly.

use std::collections::BTreeSet;
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::error::Error;
use crate::namespace::{Namespace, SOAP_ENVELOPE, XSI};
use crate::operations::RequestBody;
use crate::operations::preferences::WritePreferences;
use crate::operations::search::SearchPreferences;
use crate::passport::{SIGNATURE_ALGORITHM, TokenPassport};

/// The `Content-Type` of every request.
pub const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// The namespaces declared on every envelope, besides those of the body's records.
const DECLARED: [Namespace; 3] = [Namespace::Messages, Namespace::Core, Namespace::Common];

/// One request envelope: the headers and the body of one operation.
pub(crate) struct Envelope<'a> {
    /// Endpoint version for the namespace URIs (`2025_2`).
    pub version: &'a str,
    /// `None` only for logging and tests; NetSuite rejects requests without a passport.
    pub passport: Option<&'a TokenPassport>,
    /// The `preferences` header of reads and writes.
    pub preferences: Option<&'a WritePreferences>,
    /// The `searchPreferences` header of searches.
    pub search_preferences: Option<&'a SearchPreferences>,
    pub body: &'a dyn RequestBody,
}

impl Envelope<'_> {
    /// Renders the envelope as UTF-8 XML.
    pub fn render(&self) -> Vec<u8> {
        let mut writer = Writer::new(Vec::new());
        // Writing into a Vec<u8> performs no I/O and cannot fail.
        self.write(&mut writer)
            .expect("writing XML into a Vec<u8> cannot fail");
        writer.into_inner()
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let mut namespaces: BTreeSet<Namespace> = DECLARED.into_iter().collect();
        self.body.namespaces(&mut namespaces);
        let uris: Vec<(String, String)> = namespaces
            .iter()
            .map(|namespace| {
                let attribute = format!("xmlns:{}", namespace.prefix());
                (attribute, namespace.uri(self.version))
            })
            .collect();
        let mut root = writer
            .create_element("soapenv:Envelope")
            .with_attribute(("xmlns:soapenv", SOAP_ENVELOPE))
            .with_attribute(("xmlns:xsi", XSI));
        for (attribute, uri) in &uris {
            root = root.with_attribute((attribute.as_str(), uri.as_str()));
        }
        root.write_inner_content(|writer| {
            self.write_header(writer)?;
            writer
                .create_element("soapenv:Body")
                .write_inner_content(|writer| self.body.write(writer))?;
            Ok(())
        })?;
        Ok(())
    }

    fn write_header(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let preferences = self
            .preferences
            .filter(|preferences| !preferences.is_empty());
        if self.passport.is_none() && preferences.is_none() && self.search_preferences.is_none() {
            return Ok(());
        }
        writer
            .create_element("soapenv:Header")
            .write_inner_content(|writer| {
                if let Some(passport) = self.passport {
                    write_passport(writer, passport)?;
                }
                if let Some(preferences) = preferences {
                    preferences.write(writer)?;
                }
                if let Some(preferences) = self.search_preferences {
                    preferences.write(writer)?;
                }
                Ok(())
            })?;
        Ok(())
    }
}

/// Writes the `tokenPassport` header: the element in the messages namespace, its children in
/// the core namespace, in the XSD order account, consumerKey, token, nonce, timestamp,
/// signature.
fn write_passport(writer: &mut Writer<Vec<u8>>, passport: &TokenPassport) -> io::Result<()> {
    writer
        .create_element("platformMsgs:tokenPassport")
        .write_inner_content(|writer| {
            text_element(writer, "platformCore:account", &passport.account)?;
            text_element(writer, "platformCore:consumerKey", &passport.consumer_key)?;
            text_element(writer, "platformCore:token", &passport.token_id)?;
            text_element(writer, "platformCore:nonce", &passport.nonce)?;
            text_element(
                writer,
                "platformCore:timestamp",
                &passport.timestamp.to_string(),
            )?;
            writer
                .create_element("platformCore:signature")
                .with_attribute(("algorithm", SIGNATURE_ALGORITHM))
                .write_text_content(BytesText::new(&passport.signature))?;
            Ok(())
        })?;
    Ok(())
}

/// Writes `<name>text</name>`, escaping the text.
pub(crate) fn text_element(writer: &mut Writer<Vec<u8>>, name: &str, text: &str) -> io::Result<()> {
    writer
        .create_element(name)
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

/// Checks that `text`, the value of `field`, contains only characters that XML 1.0 allows, and
/// returns [`Error::InvalidValue`] naming the first one it does not allow.
///
/// NetSuite rejects a document with such a character, raw or as a character reference, with a
/// parse fault that fails the whole request. Rejecting the value before sending makes it a
/// data error of one record, so the other records of a call still go through.
pub(crate) fn check_xml_text(field: &str, text: &str) -> Result<(), Error> {
    let Some((position, invalid)) = first_invalid_xml_char(text) else {
        return Ok(());
    };
    Err(Error::InvalidValue {
        field: field.to_string(),
        message: format!(
            "it contains U+{:04X} (character {position}), which XML 1.0 does not allow. \
             Remove or replace the character in the source record",
            u32::from(invalid)
        ),
    })
}

/// Returns the first character of `text` outside XML 1.0's `Char` production, with its
/// 1-based position in characters.
fn first_invalid_xml_char(text: &str) -> Option<(usize, char)> {
    text.chars()
        .zip(1..)
        .find(|(c, _)| !is_xml_char(*c))
        .map(|(c, position)| (position, c))
}

/// Returns true for the characters XML 1.0 allows in a document: tab, LF, CR, and U+0020 to
/// U+10FFFF without the surrogates, U+FFFE and U+FFFF (the `Char` production, XML 1.0 fifth
/// edition, section 2.2). A Rust `char` is never a surrogate, so that range needs no test.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Returns `true` or `false` as `xsd:boolean` text.
pub(crate) fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// Returns `prefix:local` for an element or type in `namespace`.
pub(crate) fn qualified(namespace: Namespace, local: &str) -> String {
    format!("{}:{local}", namespace.prefix())
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod builder_tests;

//! A pull cursor over quick-xml's `NsReader` that hands out elements with their namespace
//! resolved by URI and their attributes read, so response readers can walk the tree child by
//! child without building it.

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};

use crate::error::Error;
use crate::namespace::{Namespace, SOAP_ENVELOPE, XSI};

/// The namespace of an element, resolved by URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ElementNamespace {
    /// The SOAP 1.1 envelope namespace.
    Soap,
    /// A NetSuite namespace this client recognises, in any version.
    NetSuite(Namespace),
    /// Any other namespace, such as a record type's own (`urn:accounting_2013_2.lists...`).
    Other,
    /// No namespace, as for `faultcode` and `faultstring`.
    None,
}

/// A resolved `xsi:type` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XsiType {
    /// The namespace its prefix resolves to.
    pub namespace: ElementNamespace,
    /// The type name without prefix (`Customer`, `StringCustomFieldRef`).
    pub name: String,
}

/// One element start, with everything needed after its scope has closed.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    pub namespace: ElementNamespace,
    pub local_name: String,
    /// Attributes without a namespace prefix (`internalId`, `isSuccess`), in document order.
    attributes: Vec<(String, String)>,
    pub xsi_type: Option<XsiType>,
    /// True for `<a/>`, which has no content and no end event.
    pub is_empty: bool,
}

impl Element {
    /// Returns the value of the unprefixed attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Returns true when the element is `local_name` in `namespace`.
    pub fn is(&self, namespace: ElementNamespace, local_name: &str) -> bool {
        self.namespace == namespace && self.local_name == local_name
    }

    /// Returns true when the element is `local_name` in the NetSuite namespace `namespace`.
    pub fn is_netsuite(&self, namespace: Namespace, local_name: &str) -> bool {
        self.is(ElementNamespace::NetSuite(namespace), local_name)
    }
}

/// The content of an element read with [`XmlCursor::content`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Content {
    Text(String),
    /// The element had child elements; they were skipped.
    Complex,
}

/// What an element starts with, read with [`XmlCursor::first_content`].
#[derive(Debug, Clone)]
pub(crate) enum FirstContent {
    /// The element has no child element; this is all its text.
    Text(String),
    /// The element's first child element.
    Child(Element),
}

/// A streaming reader over one XML document.
///
/// Every element handed out by [`XmlCursor::next_child`] must be consumed with
/// [`XmlCursor::next_child`] until it returns `None`, or with [`XmlCursor::text`],
/// [`XmlCursor::content`] or [`XmlCursor::skip`], before the next sibling is read.
pub(crate) struct XmlCursor<'a> {
    reader: NsReader<&'a [u8]>,
}

impl<'a> XmlCursor<'a> {
    /// Starts reading `document`.
    pub fn new(document: &'a [u8]) -> XmlCursor<'a> {
        XmlCursor {
            reader: NsReader::from_reader(document),
        }
    }

    /// Reads up to the document element and returns it.
    pub fn root(&mut self) -> Result<Element, Error> {
        loop {
            match self.next_event()? {
                Step::Start(element) => return Ok(element),
                Step::End => return Err(self.invalid("an end tag before the document element")),
                Step::Eof => return Err(Error::InvalidResponse("empty document".to_string())),
                Step::Text(_) => {}
            }
        }
    }

    /// Returns the next child element of `parent`, or `None` once `parent` has ended.
    /// Text between child elements is ignored.
    pub fn next_child(&mut self, parent: &Element) -> Result<Option<Element>, Error> {
        if parent.is_empty {
            return Ok(None);
        }
        loop {
            match self.next_event()? {
                Step::Start(element) => return Ok(Some(element)),
                Step::End => return Ok(None),
                Step::Text(_) => {}
                Step::Eof => return Err(self.unexpected_eof(parent)),
            }
        }
    }

    /// Reads the text of `element`, which must have no child elements.
    pub fn text(&mut self, element: &Element) -> Result<String, Error> {
        match self.content(element)? {
            Content::Text(text) => Ok(text),
            Content::Complex => Err(Error::InvalidResponse(format!(
                "expected text in <{}>, found child elements",
                element.local_name
            ))),
        }
    }

    /// Reads up to the first child element of `element` and returns it, or returns the
    /// element's text when it has no child element. After a child, the caller reads that
    /// child and then the remaining ones with [`XmlCursor::next_child`].
    pub fn first_content(&mut self, element: &Element) -> Result<FirstContent, Error> {
        if element.is_empty {
            return Ok(FirstContent::Text(String::new()));
        }
        let mut text = String::new();
        loop {
            match self.next_event()? {
                Step::Text(part) => text.push_str(&part),
                Step::Start(child) => return Ok(FirstContent::Child(child)),
                Step::End => return Ok(FirstContent::Text(text)),
                Step::Eof => return Err(self.unexpected_eof(element)),
            }
        }
    }

    /// Reads the text of `element`, or skips its child elements if it has any.
    pub fn content(&mut self, element: &Element) -> Result<Content, Error> {
        if element.is_empty {
            return Ok(Content::Text(String::new()));
        }
        let mut text = String::new();
        let mut complex = false;
        loop {
            match self.next_event()? {
                Step::Text(part) => text.push_str(&part),
                Step::Start(child) => {
                    complex = true;
                    self.skip(&child)?;
                }
                Step::End if complex => return Ok(Content::Complex),
                Step::End => return Ok(Content::Text(text)),
                Step::Eof => return Err(self.unexpected_eof(element)),
            }
        }
    }

    /// Skips the rest of `element`, including all its descendants.
    pub fn skip(&mut self, element: &Element) -> Result<(), Error> {
        if element.is_empty {
            return Ok(());
        }
        let mut depth = 1usize;
        while depth > 0 {
            match self.next_event()? {
                Step::Start(child) if !child.is_empty => depth += 1,
                Step::End => depth -= 1,
                Step::Eof => return Err(self.unexpected_eof(element)),
                Step::Start(_) | Step::Text(_) => {}
            }
        }
        Ok(())
    }

    fn next_event(&mut self) -> Result<Step, Error> {
        let position = self.reader.buffer_position();
        let (resolved, event) = match self.reader.read_resolved_event() {
            Ok(step) => step,
            Err(error) => {
                return Err(Error::InvalidResponse(format!(
                    "malformed XML after byte {position}: {error}"
                )));
            }
        };
        let namespace = element_namespace(&resolved).map_err(|prefix| {
            Error::InvalidResponse(format!("undeclared namespace prefix `{prefix}`"))
        })?;
        match event {
            Event::Start(start) => Ok(Step::Start(self.element(namespace, &start, false)?)),
            Event::Empty(start) => Ok(Step::Start(self.element(namespace, &start, true)?)),
            Event::End(_) => Ok(Step::End),
            Event::Text(text) => Ok(Step::Text(text.xml10_content().into_owned())),
            Event::CData(data) => Ok(Step::Text(data.xml10_content().into_owned())),
            Event::GeneralRef(reference) => Ok(Step::Text(resolve_reference(&reference)?)),
            Event::Eof => Ok(Step::Eof),
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {
                Ok(Step::Text(String::new()))
            }
        }
    }

    fn element(
        &self,
        namespace: ElementNamespace,
        start: &BytesStart<'_>,
        is_empty: bool,
    ) -> Result<Element, Error> {
        let local_name = start.local_name().as_ref().to_string();
        let mut element = Element {
            namespace,
            local_name,
            attributes: Vec::new(),
            xsi_type: None,
            is_empty,
        };
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|error| self.invalid(&error.to_string()))?;
            if attribute.key.as_namespace_binding().is_some() {
                continue;
            }
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|error| self.invalid(&error.to_string()))?
                .into_owned();
            let (resolved, local) = self.reader.resolver().resolve_attribute(attribute.key);
            let local = local.as_ref().to_string();
            match resolved {
                ResolveResult::Unbound => element.attributes.push((local, value)),
                ResolveResult::Bound(uri) if uri.0 == XSI && local == "type" => {
                    element.xsi_type = Some(self.resolve_type(&value)?);
                }
                _ => {}
            }
        }
        Ok(element)
    }

    /// Resolves the prefix of a QName value such as `listRel:Customer` in the current scope.
    fn resolve_type(&self, value: &str) -> Result<XsiType, Error> {
        let qname = QName(value);
        let resolved = self.reader.resolver().resolve_prefix(qname.prefix(), true);
        let namespace = element_namespace(&resolved).map_err(|prefix| {
            Error::InvalidResponse(format!(
                "undeclared prefix `{prefix}` in xsi:type {value:?}"
            ))
        })?;
        let name = qname.local_name().as_ref().to_string();
        Ok(XsiType { namespace, name })
    }

    fn invalid(&self, problem: &str) -> Error {
        Error::InvalidResponse(format!(
            "{problem} at byte {}",
            self.reader.buffer_position()
        ))
    }

    fn unexpected_eof(&self, element: &Element) -> Error {
        Error::InvalidResponse(format!("document ended inside <{}>", element.local_name))
    }
}

/// One step of the document, reduced to what the cursor needs.
enum Step {
    Start(Element),
    End,
    Text(String),
    Eof,
}

/// Classifies a resolved element or type namespace; `Err` carries an undeclared prefix.
fn element_namespace(resolved: &ResolveResult<'_>) -> Result<ElementNamespace, String> {
    match resolved {
        ResolveResult::Unbound => Ok(ElementNamespace::None),
        ResolveResult::Bound(uri) if uri.0 == SOAP_ENVELOPE => Ok(ElementNamespace::Soap),
        ResolveResult::Bound(uri) => Ok(Namespace::from_uri(uri.0)
            .map(ElementNamespace::NetSuite)
            .unwrap_or(ElementNamespace::Other)),
        ResolveResult::Unknown(prefix) => Err(prefix.clone()),
    }
}

/// Resolves `&amp;`, the other predefined entities and character references.
fn resolve_reference(reference: &BytesRef<'_>) -> Result<String, Error> {
    let invalid = || {
        Error::InvalidResponse(format!(
            "unknown entity reference &{};",
            reference.xml10_content()
        ))
    };
    if let Some(character) = reference.resolve_char_ref().map_err(|_| invalid())? {
        return Ok(character.to_string());
    }
    let name = reference.xml10_content();
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_string)
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENT: &str = r#"<a:root xmlns:a="http://schemas.xmlsoap.org/soap/envelope/">
        <b:item xmlns:b="urn:core_2013_2.platform.webservices.netsuite.com" internalId="7"
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="b:RecordRef">
            <b:name>Ben &amp; Jerry&#39;s</b:name>
        </b:item>
        <item xmlns="urn:core_2025_2.platform.webservices.netsuite.com"/>
        <plain><nested>x</nested></plain>
    </a:root>"#;

    #[test]
    fn cursor_resolves_namespaces_by_uri() {
        let mut cursor = XmlCursor::new(DOCUMENT.as_bytes());
        let root = cursor.root().unwrap();
        assert!(root.is(ElementNamespace::Soap, "root"));

        let first = cursor.next_child(&root).unwrap().unwrap();
        assert!(first.is_netsuite(Namespace::Core, "item"));
        assert_eq!(first.attribute("internalId"), Some("7"));
        let xsi_type = first.xsi_type.clone().unwrap();
        assert_eq!(
            xsi_type.namespace,
            ElementNamespace::NetSuite(Namespace::Core)
        );
        assert_eq!(xsi_type.name, "RecordRef");

        let name = cursor.next_child(&first).unwrap().unwrap();
        assert_eq!(cursor.text(&name).unwrap(), "Ben & Jerry's");
        assert!(cursor.next_child(&first).unwrap().is_none());

        let second = cursor.next_child(&root).unwrap().unwrap();
        assert!(second.is_netsuite(Namespace::Core, "item"));
        assert!(second.is_empty);
        assert!(cursor.next_child(&second).unwrap().is_none());

        let third = cursor.next_child(&root).unwrap().unwrap();
        assert_eq!(third.namespace, ElementNamespace::None);
        assert_eq!(cursor.content(&third).unwrap(), Content::Complex);
        assert!(cursor.next_child(&root).unwrap().is_none());
    }

    #[test]
    fn cursor_rejects_undeclared_prefix() {
        let mut cursor = XmlCursor::new(b"<x:root/>");
        let error = cursor.root().unwrap_err();
        assert!(error.to_string().contains("undeclared"), "{error}");
    }

    #[test]
    fn cursor_reports_truncated_document() {
        let mut cursor = XmlCursor::new(b"<root><child>text");
        let root = cursor.root().unwrap();
        let child = cursor.next_child(&root).unwrap().unwrap();
        assert!(cursor.text(&child).is_err());
    }
}

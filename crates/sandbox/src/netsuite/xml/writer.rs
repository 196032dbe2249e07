//! An escaping XML writer for responses.

use std::fmt::Write as _;

use quick_xml::escape::escape;

/// An XML text builder that escapes every attribute value and text node it is given.
#[derive(Debug, Default)]
pub(crate) struct XmlWriter {
    buf: String,
}

impl XmlWriter {
    /// Writes `<name attr="value"...>`.
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.buf.push('>');
    }

    /// Writes `<name attr="value".../>`.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start_tag(name, attrs);
        self.buf.push_str("/>");
    }

    /// Writes `</name>`.
    pub fn close(&mut self, name: &str) {
        let _ = write!(self.buf, "</{name}>");
    }

    /// Writes an element with attributes and escaped text content.
    pub fn text_element(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.open(name, attrs);
        self.buf.push_str(&escape(text));
        self.close(name);
    }

    /// Appends markup that is already well-formed.
    pub fn raw(&mut self, markup: &str) {
        self.buf.push_str(markup);
    }

    /// Returns the document written so far.
    pub fn finish(self) -> String {
        self.buf
    }

    fn start_tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let _ = write!(self.buf, "<{name}");
        for (key, value) in attrs {
            let _ = write!(self.buf, " {key}=\"{}\"", escape(*value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_writer_escapes_text_and_attributes() {
        let mut out = XmlWriter::default();
        out.text_element("a", &[("k", "\"<&")], "x < y & z");
        assert_eq!(
            out.finish(),
            r#"<a k="&quot;&lt;&amp;">x &lt; y &amp; z</a>"#
        );
    }
}

//! Pieces of the NetSuite record XML the demo seed sends to the emulator, shaped as in a
//! request body.

use chrono::{DateTime, SecondsFormat, Utc};

/// The namespaces every seed record declares (endpoint version 2025_2).
pub(super) const NAMESPACES: &str = concat!(
    r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
    r#"xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com" "#,
    r#"xmlns:platformCommon="urn:common_2025_2.platform.webservices.netsuite.com" "#,
    r#"xmlns:listRel="urn:relationships_2025_2.lists.webservices.netsuite.com" "#,
    r#"xmlns:listAcct="urn:accounting_2025_2.lists.webservices.netsuite.com" "#,
    r#"xmlns:tranSales="urn:sales_2025_2.transactions.webservices.netsuite.com" "#,
    r#"xmlns:tranCust="urn:customers_2025_2.transactions.webservices.netsuite.com""#
);

/// Escapes text for an element's content or an attribute value.
pub(super) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// Returns `<prefix:name>text</prefix:name>` with the text escaped.
pub(super) fn text(name: &str, text: &str) -> String {
    format!("<{name}>{}</{name}>", escape(text))
}

/// Returns a RecordRef element `<prefix:name internalId="id"/>`.
pub(super) fn record_ref(name: &str, internal_id: &str) -> String {
    format!(r#"<{name} internalId="{}"/>"#, escape(internal_id))
}

/// Formats an instant as an `xsd:dateTime`.
pub(super) fn date_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_replaces_markup_characters() {
        assert_eq!(
            escape(r#"O'Brien & <Sons> "Ltd""#),
            "O&apos;Brien &amp; &lt;Sons&gt; &quot;Ltd&quot;"
        );
    }

    #[test]
    fn text_wraps_escaped_content() {
        assert_eq!(
            text("listRel:title", "R&D"),
            "<listRel:title>R&amp;D</listRel:title>"
        );
    }
}

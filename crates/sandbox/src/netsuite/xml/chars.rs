//! The characters XML 1.0 allows in a document, and the parse errors for the ones it does not.
//!
//! NetSuite parses a request as a whole before it reads any record, so one forbidden character,
//! raw or as a character reference, fails the whole request with a SAX fault.
// NOTE: no recorded NetSuite response shows this fault, so the exact text is inferred. The
// messages follow Xerces, the SAX parser that Java runtimes ship and Apache Axis uses by
// default (recorded NetSuite faults carry Axis's `hostname` detail). Xerces reports a forbidden
// character inside a tag, outside attribute values, as a tag syntax error, but this module
// reports it as found in element content.

use std::fmt;

use super::ParseError;

/// The part of a document a raw character was found in, as the parser's message names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// Text and markup inside the root element.
    ElementContent,
    /// Anything before the root element, the XML declaration included.
    Prolog,
    /// Anything after the end tag of the root element.
    AfterRoot,
    CData,
    Comment,
    ProcessingInstruction,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Place::ElementContent => "the element content of the document",
            Place::Prolog => "the prolog of the document",
            Place::AfterRoot => "markup after the end of the element content",
            Place::CData => "the CDATA section",
            Place::Comment => "the comment",
            Place::ProcessingInstruction => "the processing instruction",
        })
    }
}

/// Returns true for the characters XML 1.0 allows: tab, LF, CR, and U+0020 to U+10FFFF without
/// the surrogates, U+FFFE and U+FFFF (the `Char` production, XML 1.0 fifth edition, section
/// 2.2). A Rust `char` is never a surrogate, so that range needs no test.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

fn first_invalid_char(raw: &str) -> Option<char> {
    raw.chars().find(|c| !is_xml_char(*c))
}

/// Rejects raw text, markup or a comment found at `place` that contains a forbidden character.
pub(crate) fn check_raw(raw: &str, place: Place) -> Result<(), ParseError> {
    match first_invalid_char(raw) {
        Some(invalid) => Err(ParseError::InvalidChar {
            code: u32::from(invalid),
            place,
        }),
        None => Ok(()),
    }
}

/// Rejects an attribute value, still escaped as sent, that contains a forbidden character raw
/// or as a character reference.
pub(crate) fn check_attribute_value(
    element: &str,
    attribute: &str,
    raw: &str,
) -> Result<(), ParseError> {
    if let Some(invalid) = first_invalid_char(raw) {
        return Err(ParseError::InvalidCharInAttribute {
            code: u32::from(invalid),
            element: element.to_string(),
            attribute: attribute.to_string(),
        });
    }
    let mut rest = raw;
    while let Some(start) = rest.find("&#") {
        let after = &rest[start + 1..];
        let Some(end) = after.find(';') else {
            break;
        };
        check_char_ref(&after[..end])?;
        rest = &after[end..];
    }
    Ok(())
}

/// Rejects a character reference whose code point is a forbidden character. `reference` is the
/// text between `&` and `;`, such as `#1` or `#x1F`. A reference that is not a number is left to
/// the reader, which rejects it as a syntax error.
pub(crate) fn check_char_ref(reference: &str) -> Result<(), ParseError> {
    let Some(number) = reference.strip_prefix('#') else {
        return Ok(());
    };
    let code = match number.strip_prefix('x') {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => number.parse::<u32>(),
    };
    let Ok(code) = code else {
        return Ok(());
    };
    if char::from_u32(code).is_some_and(is_xml_char) {
        return Ok(());
    }
    Err(ParseError::InvalidCharRef(number.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_raw_rejects_controls_and_noncharacters() {
        for code in (0x00..=0x08).chain([0x0B, 0x0C]).chain(0x0E..=0x1F) {
            let text = format!("a{}b", char::from_u32(code).unwrap());
            assert!(
                check_raw(&text, Place::ElementContent).is_err(),
                "U+{code:04X} was accepted"
            );
        }
        for noncharacter in ["\u{FFFE}", "\u{FFFF}"] {
            assert!(check_raw(noncharacter, Place::ElementContent).is_err());
        }
    }

    #[test]
    fn check_raw_accepts_tab_lf_and_cr() {
        let text = "a\tb\nc\rd \u{7F}\u{85}\u{D7FF}\u{E000}\u{FFFD}\u{10000}\u{10FFFF}";
        assert!(check_raw(text, Place::ElementContent).is_ok());
    }

    #[test]
    fn check_raw_names_code_and_place() {
        let error = check_raw("x\u{B}", Place::CData).unwrap_err();
        assert_eq!(
            error.to_string(),
            "An invalid XML character (Unicode: 0xb) was found in the CDATA section."
        );
    }

    #[test]
    fn check_char_ref_rejects_forbidden_code_points() {
        for reference in ["#1", "#0", "#x1F", "#xFFFE", "#xD800", "#x110000", "#0011"] {
            let error = check_char_ref(reference).unwrap_err();
            let expected =
                format!("Character reference \"&{reference}\" is an invalid XML character.");
            assert_eq!(error.to_string(), expected);
        }
    }

    #[test]
    fn check_char_ref_accepts_allowed_references() {
        for reference in [
            "#9", "#10", "#13", "#x20", "#xFFFD", "#x10000", "amp", "#xZZ",
        ] {
            assert!(
                check_char_ref(reference).is_ok(),
                "{reference} was rejected"
            );
        }
    }

    #[test]
    fn check_attribute_value_rejects_raw_character_and_reference() {
        let raw = check_attribute_value("platformMsgs:record", "externalId", "SF\u{2}1");
        assert_eq!(
            raw.unwrap_err().to_string(),
            "An invalid XML character (Unicode: 0x2) was found in the value of attribute \
             \"externalId\" and element is \"platformMsgs:record\"."
        );
        let reference = check_attribute_value("r", "externalId", "SF&amp;&#x2;1");
        assert_eq!(
            reference.unwrap_err().to_string(),
            "Character reference \"&#x2\" is an invalid XML character."
        );
        assert!(check_attribute_value("r", "externalId", "A&amp;B&#9;&#x41;").is_ok());
    }
}

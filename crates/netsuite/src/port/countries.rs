//! Conversions between NetSuite's `Country` enumeration and what other systems hold.
//!
//! The port reads a country as its ISO code (`_unitedStates` becomes `US`), because
//! Salesforce's `BillingCountry` and most other systems hold ISO codes or names. The table
//! itself is [`tandem_engine::countries`], shared with the sandbox's emulator.

use tandem_engine::countries::COUNTRIES;
pub(crate) use tandem_engine::countries::iso_code;

/// Returns the `Country` value for an ISO code (`US` or `us`), a `Country` value itself
/// (`_unitedStates`) or an English name written as NetSuite spells the value, ignoring case,
/// spaces and punctuation (`United States`). `None` when nothing matches.
pub(crate) fn country_value(input: &str) -> Option<&'static str> {
    let trimmed = input.trim();
    if trimmed.len() == 2 {
        return COUNTRIES
            .iter()
            .find(|(_, code)| code.eq_ignore_ascii_case(trimmed))
            .map(|(country, _)| *country);
    }
    let wanted = letters(trimmed);
    COUNTRIES
        .iter()
        .find(|(country, _)| letters(country) == wanted)
        .map(|(country, _)| *country)
}

/// Returns the letters of `text` in lower case, without spaces, punctuation or the
/// enumeration's leading `_`.
fn letters(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Returns every ISO code the table holds, in the schema's order.
pub(crate) fn iso_codes() -> Vec<String> {
    COUNTRIES.iter().map(|(_, code)| code.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::schema;

    #[test]
    fn table_covers_the_schema_enumeration_in_order() {
        let values = schema().enum_values("platformCommonTyp:Country").unwrap();
        let listed: Vec<&str> = COUNTRIES.iter().map(|(country, _)| *country).collect();
        assert_eq!(listed, values);
    }

    #[test]
    fn iso_code_reads_enumeration_values() {
        assert_eq!(iso_code("_unitedStates"), Some("US"));
        assert_eq!(iso_code("_unitedKingdom"), Some("GB"));
        assert_eq!(iso_code("_germany"), Some("DE"));
        assert_eq!(iso_code("_kosovo"), Some("XK"));
        assert_eq!(iso_code("_atlantis"), None);
    }

    #[test]
    fn country_value_takes_codes_values_and_names() {
        assert_eq!(country_value("US"), Some("_unitedStates"));
        assert_eq!(country_value("gb"), Some("_unitedKingdom"));
        assert_eq!(country_value("_germany"), Some("_germany"));
        assert_eq!(country_value("United States"), Some("_unitedStates"));
        assert_eq!(country_value("Côte d'Ivoire"), None);
        assert_eq!(country_value("Cote d'Ivoire"), Some("_coteDIvoire"));
        assert_eq!(country_value("ZZ"), None);
        assert_eq!(country_value("Atlantis"), None);
    }
}

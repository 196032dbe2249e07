//! The country forms the REST record service writes: ISO 3166-1 alpha-2 codes where the SOAP
//! side stores the `Country` enumeration (`US` for `_unitedStates`), with the name NetSuite
//! shows. The emulator stores one form, the enumeration value, and serves each transport its
//! own. The table is [`tandem_engine::countries`], shared with the NetSuite client.

pub(crate) use tandem_engine::countries::{country_of_code as country_value, iso_code};

/// Returns the name NetSuite shows for an enumeration value: `_unitedStates` gives
/// `United States`.
pub(crate) fn country_name(value: &str) -> String {
    let mut name = String::new();
    for (index, c) in value.trim_start_matches('_').chars().enumerate() {
        if index > 0 && c.is_uppercase() {
            name.push(' ');
        }
        if index == 0 {
            name.extend(c.to_uppercase());
        } else {
            name.push(c);
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_splits_enumeration_words() {
        assert_eq!(country_name("_unitedStates"), "United States");
        assert_eq!(country_name("_newZealand"), "New Zealand");
    }
}

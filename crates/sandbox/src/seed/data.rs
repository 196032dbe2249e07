//! The format shared by the demo seed's data files: one record per line, fields separated by
//! `|`, blank lines and lines starting with `#` ignored.

use std::str::FromStr;

/// Splits a data file into rows of exactly `N` fields.
pub(super) fn rows<const N: usize>(text: &str) -> Result<Vec<[&str; N]>, String> {
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split('|').collect();
            <[&str; N]>::try_from(fields.as_slice())
                .map_err(|_| format!("expected {N} fields, found {}: {line}", fields.len()))
        })
        .collect()
}

/// Parses a number field, naming the field in the error.
pub(super) fn number<T: FromStr>(text: &str, field: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("invalid {field} {text:?}"))
}

/// One line of a transaction or opportunity: an item name and a quantity.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ItemLine {
    pub item: String,
    pub quantity: f64,
}

/// Parses `ITEM*2,OTHER*3` into item lines.
pub(super) fn item_lines(text: &str) -> Result<Vec<ItemLine>, String> {
    text.split(',')
        .map(|part| {
            let (item, quantity) = part
                .split_once('*')
                .ok_or_else(|| format!("expected item*quantity, found {part:?}"))?;
            Ok(ItemLine {
                item: item.trim().to_string(),
                quantity: number(quantity, "quantity")?,
            })
        })
        .collect()
}

/// Parses `yes` or `no`.
pub(super) fn yes_no(text: &str, field: &str) -> Result<bool, String> {
    match text {
        "yes" => Ok(true),
        "no" => Ok(false),
        other => Err(format!("invalid {field} {other:?}; expected yes or no")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_skip_comments_and_blank_lines() {
        let rows = rows::<2>("# note\n\na|b\nc|d\n").unwrap();
        assert_eq!(rows, vec![["a", "b"], ["c", "d"]]);
    }

    #[test]
    fn rows_reject_wrong_field_count() {
        let error = rows::<3>("a|b\n").unwrap_err();
        assert!(error.contains("expected 3 fields, found 2"), "{error}");
    }

    #[test]
    fn item_lines_parse_names_and_quantities() {
        let lines = item_lines("A-1*2,B*0.5").unwrap();
        assert_eq!(lines[0].item, "A-1");
        assert_eq!(lines[0].quantity, 2.0);
        assert_eq!(lines[1].item, "B");
        assert_eq!(lines[1].quantity, 0.5);
    }

    #[test]
    fn item_lines_reject_missing_quantity() {
        assert!(item_lines("A*2,B").is_err());
        assert!(item_lines("A*x").is_err());
    }

    #[test]
    fn yes_no_rejects_other_words() {
        assert_eq!(yes_no("yes", "active"), Ok(true));
        assert_eq!(yes_no("no", "active"), Ok(false));
        assert!(yes_no("true", "active").is_err());
    }
}

//! Datetime values as Salesforce writes them in JSON.
//!
//! Responses carry datetimes as `2011-07-07T00:37:00.000+0000`, an offset without a colon that
//! strict RFC 3339 parsers reject. Other sources (and some Salesforce endpoints) use the RFC 3339
//! form ending in `Z`. Both are accepted here.

use chrono::{DateTime, Utc};

/// Format of the offset-without-colon form, with optional fractional seconds.
const COMPACT_OFFSET_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f%z";

/// Parses a Salesforce datetime (`2011-07-07T00:37:00.000+0000` or
/// `2011-07-07T00:37:00.000Z`) and converts it to UTC.
pub fn parse_datetime(value: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match DateTime::parse_from_rfc3339(value) {
        Ok(parsed) => Ok(parsed.with_timezone(&Utc)),
        Err(_) => DateTime::parse_from_str(value, COMPACT_OFFSET_FORMAT)
            .map(|parsed| parsed.with_timezone(&Utc)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn parse_datetime_reads_offset_without_colon() {
        let parsed = parse_datetime("2011-07-07T00:37:00.000+0000").unwrap();
        assert_eq!(parsed, Utc.with_ymd_and_hms(2011, 7, 7, 0, 37, 0).unwrap());
    }

    #[test]
    fn parse_datetime_reads_zulu_form() {
        let parsed = parse_datetime("2015-06-26T20:00:19Z").unwrap();
        assert_eq!(
            parsed,
            Utc.with_ymd_and_hms(2015, 6, 26, 20, 0, 19).unwrap()
        );
    }

    #[test]
    fn parse_datetime_keeps_milliseconds() {
        let parsed = parse_datetime("2024-02-29T23:59:59.123Z").unwrap();
        assert_eq!(parsed.timestamp_subsec_millis(), 123);
    }

    #[test]
    fn parse_datetime_converts_offsets_to_utc() {
        let parsed = parse_datetime("2011-07-07T02:37:00.000+0200").unwrap();
        assert_eq!(parsed, Utc.with_ymd_and_hms(2011, 7, 7, 0, 37, 0).unwrap());
    }

    #[test]
    fn parse_datetime_rejects_date_only() {
        assert!(parse_datetime("2010-01-01").is_err());
    }

    #[test]
    fn parse_datetime_rejects_missing_offset() {
        assert!(parse_datetime("2011-07-07T00:37:00.000").is_err());
    }
}

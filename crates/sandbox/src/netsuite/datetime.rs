//! `xsd:dateTime` values as NetSuite's SOAP endpoints write and read them: always in US Pacific
//! time with an explicit offset, whole seconds, and Pacific time for inputs without an offset.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, SubsecRound, TimeZone, Utc};
use chrono_tz::America::Los_Angeles;

/// Formats an instant as NetSuite does, e.g. `2024-03-05T09:14:02.000-08:00` in winter and
/// `2024-07-05T09:14:02.000-07:00` in summer. Fractions of a second are dropped because
/// NetSuite stores whole seconds.
pub(crate) fn format_pacific(instant: DateTime<Utc>) -> String {
    instant
        .trunc_subsecs(0)
        .with_timezone(&Los_Angeles)
        .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string()
}

/// Parses an `xsd:dateTime`. A value with `Z` or an offset is converted to UTC. A value without
/// one is read as America/Los_Angeles wall time. A wall time that occurs twice gives the earlier
/// instant, and one inside the spring-forward gap is moved one hour later.
pub(crate) fn parse_xsd_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Some(instant.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    pacific_wall_time(naive)
}

/// Returns the calendar date of an instant in US Pacific time.
pub(crate) fn pacific_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&Los_Angeles).date_naive()
}

/// Drops fractions of a second, the precision at which NetSuite stores and compares dates.
pub(crate) fn whole_seconds(instant: DateTime<Utc>) -> DateTime<Utc> {
    instant.trunc_subsecs(0)
}

fn pacific_wall_time(naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    match Los_Angeles.from_local_datetime(&naive) {
        LocalResult::Single(local) => Some(local.with_timezone(&Utc)),
        LocalResult::Ambiguous(earlier, _) => Some(earlier.with_timezone(&Utc)),
        LocalResult::None => {
            let shifted = naive + chrono::Duration::hours(1);
            Los_Angeles
                .from_local_datetime(&shifted)
                .earliest()
                .map(|local| local.with_timezone(&Utc))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn format_pacific_uses_winter_offset() {
        let instant = utc("2024-03-05T17:14:02.456Z");
        assert_eq!(format_pacific(instant), "2024-03-05T09:14:02.000-08:00");
    }

    #[test]
    fn format_pacific_uses_summer_offset() {
        let instant = utc("2024-07-05T16:14:02Z");
        assert_eq!(format_pacific(instant), "2024-07-05T09:14:02.000-07:00");
    }

    #[test]
    fn parse_xsd_datetime_converts_offsets() {
        let expected = utc("2024-03-05T17:14:02Z");
        assert_eq!(parse_xsd_datetime("2024-03-05T17:14:02Z"), Some(expected));
        assert_eq!(
            parse_xsd_datetime("2024-03-05T09:14:02.000-08:00"),
            Some(expected)
        );
    }

    #[test]
    fn parse_xsd_datetime_reads_bare_values_as_pacific() {
        let winter = parse_xsd_datetime("2024-03-05T09:14:02").unwrap();
        assert_eq!(winter, utc("2024-03-05T17:14:02Z"));
        let summer = parse_xsd_datetime("2024-07-05T09:14:02.5").unwrap();
        assert_eq!(summer, utc("2024-07-05T16:14:02.5Z"));
    }

    #[test]
    fn parse_xsd_datetime_handles_daylight_saving_edges() {
        let repeated = parse_xsd_datetime("2024-11-03T01:30:00").unwrap();
        assert_eq!(repeated, utc("2024-11-03T08:30:00Z"));
        let skipped = parse_xsd_datetime("2024-03-10T02:30:00").unwrap();
        assert_eq!(skipped, utc("2024-03-10T10:30:00Z"));
    }

    #[test]
    fn parse_xsd_datetime_rejects_other_text() {
        assert_eq!(parse_xsd_datetime("yesterday"), None);
        assert_eq!(parse_xsd_datetime("2024-03-05"), None);
    }
}

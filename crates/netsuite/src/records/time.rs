//! Times and dates on the wire.
//!
//! SOAP web services send every `xsd:dateTime` in US Pacific time with its offset
//! (`2014-05-05T07:44:43.000-07:00`); the client converts them to UTC where it reads them.
//! Date-only fields (`tranDate`, `dueDate`) travel as a dateTime too. NetSuite sends midnight
//! of the stored date in the web services user's time zone preference, converted to Pacific
//! time. It reads a written value as the calendar date of the instant in that zone. So a user
//! in GMT-6 reads 21 February 2017 as `2017-02-20T22:00:00.000-08:00`. [`parse_date`] and
//! [`format_date`] apply that rule with the configured zone, so a date is never shifted by a
//! day (NetSuite Help Center, "Setting Date and Time Fields in Web Services").

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;

/// Parses an `xsd:dateTime` with an offset (`2014-05-05T07:44:43.000-07:00` or `...Z`) into
/// UTC. Returns `None` without an offset: NetSuite always sends one, and guessing a zone
/// would shift the time silently.
pub fn parse_date_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|time| time.with_timezone(&Utc))
}

/// Formats a time for a request: UTC with milliseconds and `Z`
/// (`2025-03-01T10:00:00.000Z`). A time without an offset would be read in US Pacific time.
pub fn format_date_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads a date-only field: the calendar date, in `user_zone`, of the instant NetSuite sent.
/// Returns `None` for text that is not a dateTime with an offset.
pub fn parse_date(text: &str, user_zone: Tz) -> Option<NaiveDate> {
    let instant = parse_date_time(text)?;
    Some(instant.with_timezone(&user_zone).date_naive())
}

/// Writes a date-only field: midnight of `date` in `user_zone`, with that zone's offset
/// (`2017-02-21T00:00:00.000-06:00`). Where a daylight saving change skips midnight, the
/// first instant of the day is used.
pub fn format_date(date: NaiveDate, user_zone: Tz) -> String {
    let start = first_instant_of(date, user_zone);
    start.to_rfc3339_opts(SecondsFormat::Millis, false)
}

fn first_instant_of(date: NaiveDate, zone: Tz) -> DateTime<Tz> {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    if let Some(time) = zone.from_local_datetime(&midnight).earliest() {
        return time;
    }
    // Midnight does not exist on this day (clocks moved forward at 00:00); the day starts
    // when the gap ends, at most a few hours later.
    (1..=4)
        .filter_map(|hours| {
            let later = midnight + Duration::hours(hours);
            zone.from_local_datetime(&later).earliest()
        })
        .next()
        .unwrap_or_else(|| zone.from_utc_datetime(&midnight))
}

#[cfg(test)]
mod tests {
    use chrono_tz::America::{Chicago, Los_Angeles, Santiago};

    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn parse_date_time_converts_offset_to_utc() {
        let parsed = parse_date_time("2014-05-05T07:44:43.000-07:00").unwrap();
        assert_eq!(
            parsed,
            Utc.with_ymd_and_hms(2014, 5, 5, 14, 44, 43).unwrap()
        );
    }

    #[test]
    fn parse_date_time_rejects_missing_offset() {
        assert_eq!(parse_date_time("2014-05-05T07:44:43.000"), None);
        assert_eq!(parse_date_time("yesterday"), None);
    }

    #[test]
    fn format_date_time_uses_z() {
        let time = Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap();
        assert_eq!(format_date_time(time), "2025-03-01T10:00:00.000Z");
    }

    /// The cases of NetSuite's help page: a user in GMT-6 reads 21 February as 22:00 of the
    /// day before in Pacific winter time, and a summer date with the -07:00 offset.
    #[test]
    fn parse_date_reads_users_calendar_date() {
        let cases = [
            ("2017-02-20T22:00:00.000-08:00", Chicago, date(2017, 2, 21)),
            ("2017-07-20T22:00:00.000-07:00", Chicago, date(2017, 7, 21)),
            (
                "2017-02-21T00:00:00.000-08:00",
                Los_Angeles,
                date(2017, 2, 21),
            ),
            (
                "2017-07-21T00:00:00.000-07:00",
                Los_Angeles,
                date(2017, 7, 21),
            ),
        ];
        for (text, zone, expected) in cases {
            assert_eq!(parse_date(text, zone), Some(expected), "{text} in {zone}");
        }
    }

    #[test]
    fn format_date_sends_midnight_with_offset() {
        assert_eq!(
            format_date(date(2017, 2, 21), Chicago),
            "2017-02-21T00:00:00.000-06:00"
        );
        assert_eq!(
            format_date(date(2017, 7, 21), Los_Angeles),
            "2017-07-21T00:00:00.000-07:00"
        );
    }

    #[test]
    fn format_date_round_trips_in_every_month() {
        for zone in [Chicago, Los_Angeles, Santiago] {
            for month in 1..=12 {
                let day = date(2025, month, 1);
                let text = format_date(day, zone);
                assert_eq!(parse_date(&text, zone), Some(day), "{text} in {zone}");
            }
        }
    }

    #[test]
    fn format_date_when_midnight_is_skipped() {
        // Santiago moved its clocks from 00:00 to 01:00 on 8 September 2024.
        let text = format_date(date(2024, 9, 8), Santiago);
        assert_eq!(text, "2024-09-08T01:00:00.000-03:00");
        assert_eq!(parse_date(&text, Santiago), Some(date(2024, 9, 8)));
    }
}

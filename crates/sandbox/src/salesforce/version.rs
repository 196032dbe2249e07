//! REST API versions: which ones the emulator serves and how they appear in URLs.

use std::fmt;

/// Oldest version still served; older versions answer 410 Gone, as versions 21.0 to 30.0 have
/// since their retirement in Summer '25.
pub(crate) const MIN_VERSION: u32 = 31;

/// Newest version served (Spring '26); newer versions answer 404 like an org that does not
/// know them yet.
pub(crate) const MAX_VERSION: u32 = 66;

/// Version used in record URLs that are built outside any request.
pub(crate) const DEFAULT_VERSION: ApiVersion = ApiVersion { major: 62 };

/// First version whose upsert answers 200 with `created:false` for an update; older versions
/// answer 204 with no body.
pub(crate) const UPSERT_CREATED_FLAG_SINCE: u32 = 46;

/// A REST API version such as `v62.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ApiVersion {
    pub major: u32,
}

impl ApiVersion {
    /// Parses the path segment `vNN.0`; returns `None` for any other shape.
    pub fn parse(segment: &str) -> Option<ApiVersion> {
        let number = segment.strip_prefix('v')?;
        let (major, minor) = number.split_once('.')?;
        if minor != "0" || major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        major.parse().ok().map(|major| ApiVersion { major })
    }

    /// Returns the base path of the version, `/services/data/v62.0`.
    pub fn base_path(self) -> String {
        format!("/services/data/{self}")
    }

    /// Returns the URL path of one record.
    pub fn record_path(self, object: &str, id: &str) -> String {
        format!("{}/sobjects/{object}/{id}", self.base_path())
    }

    /// Returns the release label of the version: v20.0 was Winter '11, and each year has a
    /// Spring, a Summer and a Winter release, Winter named after the following year.
    pub fn release_label(self) -> String {
        let steps = self.major.saturating_sub(20);
        let year = 11 + steps / 3;
        let season = ["Winter", "Spring", "Summer"][(steps % 3) as usize];
        format!("{season} '{year:02}")
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "v{}.0", self.major)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_only_major_dot_zero() {
        assert_eq!(ApiVersion::parse("v62.0"), Some(ApiVersion { major: 62 }));
        assert_eq!(ApiVersion::parse("v62.1"), None);
        assert_eq!(ApiVersion::parse("62.0"), None);
        assert_eq!(ApiVersion::parse("v62"), None);
    }

    #[test]
    fn release_label_follows_release_calendar() {
        assert_eq!(ApiVersion { major: 20 }.release_label(), "Winter '11");
        assert_eq!(ApiVersion { major: 59 }.release_label(), "Winter '24");
        assert_eq!(ApiVersion { major: 60 }.release_label(), "Spring '24");
        assert_eq!(ApiVersion { major: 66 }.release_label(), "Spring '26");
    }
}

//! The org's daily API request allowance as Tandem tracks it: the latest `Sforce-Limit-Info`
//! figures, or `/limits`, and the share kept for other integrations.

/// API requests the org has used in the rolling 24 hours, and its allowance, as of the latest
/// response that carried `Sforce-Limit-Info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiUsage {
    /// Requests used in the rolling 24 hours.
    pub used: u64,
    /// The org's daily allowance.
    pub max: u64,
}

impl ApiUsage {
    /// Returns the requests left in the allowance (zero when it is used up or exceeded).
    pub fn remaining(&self) -> u64 {
        self.max.saturating_sub(self.used)
    }

    /// Parses a `Sforce-Limit-Info` value such as `api-usage=28/15000` or
    /// `api-usage=28/15000; api-bursts=1/10`.
    pub fn parse(header: &str) -> Option<ApiUsage> {
        let usage = header
            .split(';')
            .find_map(|part| part.trim().strip_prefix("api-usage="))?;
        let (used, max) = usage.split_once('/')?;
        Some(ApiUsage {
            used: used.trim().parse().ok()?,
            max: max.trim().parse().ok()?,
        })
    }
}

/// The part of the org's daily API requests that Tandem may spend.
///
/// The client refuses to send a call once [`ApiBudget::is_exhausted`] is true, so that other
/// integrations of the org keep `reserve_percent` of the allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiBudget {
    /// Latest usage figures, `None` before the first response that carried them.
    pub usage: Option<ApiUsage>,
    /// Share of the allowance, in percent, left to other integrations.
    pub reserve_percent: u8,
}

impl ApiBudget {
    /// Returns the number of requests Tandem may use in 24 hours: the allowance minus the
    /// reserve, or `None` before the usage is known.
    pub fn allowance(&self) -> Option<u64> {
        let usage = self.usage?;
        let share = u64::from(100 - self.reserve_percent.min(100));
        Some(usage.max.saturating_mul(share) / 100)
    }

    /// Returns how many more requests Tandem may send now, or `None` before the usage is known.
    pub fn remaining(&self) -> Option<u64> {
        let usage = self.usage?;
        Some(self.allowance()?.saturating_sub(usage.used))
    }

    /// Returns true when the usage has reached Tandem's allowance. An unknown usage is not
    /// exhausted.
    pub fn is_exhausted(&self) -> bool {
        self.remaining() == Some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(used: u64, max: u64, reserve_percent: u8) -> ApiBudget {
        ApiBudget {
            usage: Some(ApiUsage { used, max }),
            reserve_percent,
        }
    }

    #[test]
    fn api_usage_parses_recorded_headers() {
        assert_eq!(
            ApiUsage::parse("api-usage=568/15000"),
            Some(ApiUsage {
                used: 568,
                max: 15000
            })
        );
        assert_eq!(
            ApiUsage::parse("api-usage=112/15000").unwrap().remaining(),
            14888
        );
    }

    #[test]
    fn api_usage_skips_other_parts() {
        let usage = ApiUsage::parse("api-bursts=1/10; api-usage=28/15000").unwrap();
        assert_eq!(
            usage,
            ApiUsage {
                used: 28,
                max: 15000
            }
        );
    }

    #[test]
    fn api_usage_rejects_malformed_values() {
        for header in [
            "",
            "api-usage=",
            "api-usage=28",
            "api-usage=a/15000",
            "usage=1/2",
        ] {
            assert_eq!(ApiUsage::parse(header), None, "{header:?}");
        }
    }

    #[test]
    fn api_usage_remaining_stops_at_zero() {
        assert_eq!(
            ApiUsage {
                used: 15_010,
                max: 15_000
            }
            .remaining(),
            0
        );
    }

    #[test]
    fn budget_keeps_reserve_for_others() {
        let budget = budget(13_000, 15_000, 10);
        assert_eq!(budget.allowance(), Some(13_500));
        assert_eq!(budget.remaining(), Some(500));
        assert!(!budget.is_exhausted());
    }

    #[test]
    fn budget_is_exhausted_at_allowance() {
        assert!(budget(13_500, 15_000, 10).is_exhausted());
        assert!(budget(15_001, 15_000, 0).is_exhausted());
        assert!(!budget(14_999, 15_000, 0).is_exhausted());
    }

    #[test]
    fn budget_unknown_before_first_response() {
        let budget = ApiBudget {
            usage: None,
            reserve_percent: 10,
        };
        assert_eq!(budget.remaining(), None);
        assert!(!budget.is_exhausted());
    }
}

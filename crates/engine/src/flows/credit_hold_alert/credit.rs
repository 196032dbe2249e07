//! A customer's credit standing: whether it is on credit hold, whether it is in alert, and the
//! Task that tells the Account owner.

use crate::flows::support;
use crate::record::{FieldValue, Fields};

/// The customer fields the credit rules read.
pub(super) const CREDIT_LIMIT: &str = "creditLimit";
pub(super) const BALANCE: &str = "balance";
pub(super) const OVERDUE_BALANCE: &str = "overdueBalance";
pub(super) const HOLD_OVERRIDE: &str = "creditHoldOverride";
pub(super) const COMPANY_NAME: &str = "companyName";
pub(super) const ENTITY_ID: &str = "entityId";

/// NetSuite's credit hold setting on a customer (`creditHoldOverride`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HoldSetting {
    /// `_auto`, NetSuite's default: on hold once the balance reaches the credit limit.
    Auto,
    /// `_on`: on hold.
    On,
    /// `_off`: never on hold.
    Off,
}

impl HoldSetting {
    /// Reads the setting; a blank or unknown value is NetSuite's default, `_auto`.
    fn read(fields: &Fields) -> HoldSetting {
        let value = support::text(fields, HOLD_OVERRIDE).unwrap_or("_auto");
        match value.trim_start_matches('_').to_ascii_lowercase().as_str() {
            "on" => HoldSetting::On,
            "off" => HoldSetting::Off,
            _ => HoldSetting::Auto,
        }
    }
}

/// Why a customer is in alert.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Alert {
    /// The customer is on credit hold.
    Hold,
    /// The balance has reached this share of the credit limit (0.93 for 93%).
    LimitUsed(f64),
}

/// The credit figures of one NetSuite customer.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Credit {
    /// The credit limit; 0 when the customer has none.
    pub limit: f64,
    pub balance: f64,
    pub overdue: f64,
    hold: HoldSetting,
}

impl Credit {
    /// Reads the figures of a customer record; blank amounts count as 0.
    pub fn read(fields: &Fields) -> Credit {
        let amount = |name| support::number(fields, name).unwrap_or(0.0);
        Credit {
            limit: amount(CREDIT_LIMIT),
            balance: amount(BALANCE),
            overdue: amount(OVERDUE_BALANCE),
            hold: HoldSetting::read(fields),
        }
    }

    /// Returns true when the customer is on credit hold: its hold setting is `_on`, or it is
    /// `_auto` (or blank) and the balance is at or above a credit limit greater than 0.
    pub fn on_hold(&self) -> bool {
        match self.hold {
            HoldSetting::On => true,
            HoldSetting::Off => false,
            HoldSetting::Auto => self.limit > 0.0 && self.balance >= self.limit,
        }
    }

    /// Returns the share of the credit limit the balance uses, when there is a limit.
    pub fn share_used(&self) -> Option<f64> {
        (self.limit > 0.0).then(|| self.balance / self.limit)
    }

    /// Returns why the customer is in alert: on hold, or its balance at or above `threshold`
    /// times a credit limit greater than 0. `None` when it is not in alert.
    pub fn alert(&self, threshold: f64) -> Option<Alert> {
        if self.on_hold() {
            return Some(Alert::Hold);
        }
        let share = self.share_used()?;
        (share >= threshold).then_some(Alert::LimitUsed(share))
    }
}

/// Returns the name a person knows the customer by: its company name, else its entity ID,
/// else its internal ID.
pub(super) fn customer_name(id: &str, fields: &Fields) -> String {
    support::text(fields, COMPANY_NAME)
        .or_else(|| support::text(fields, ENTITY_ID))
        .map_or_else(|| format!("customer {id}"), str::to_string)
}

/// Returns the Task subject for an alert.
pub(super) fn subject(alert: Alert, name: &str) -> String {
    match alert {
        Alert::Hold => format!("Credit hold: {name}"),
        Alert::LimitUsed(share) => format!("Credit limit {}% used: {name}", percent(share)),
    }
}

/// Returns the Task description: the figures, the NetSuite customer and the episode marker
/// on the last line.
pub(super) fn description(
    credit: &Credit,
    alert: Alert,
    customer_id: &str,
    marker: &str,
) -> String {
    let why = match alert {
        Alert::Hold => "The customer is on credit hold in NetSuite.",
        Alert::LimitUsed(_) => "The customer's balance is close to or over its credit limit.",
    };
    let share = credit.share_used().map_or_else(
        || "no credit limit".to_string(),
        |share| format!("{}%", percent(share)),
    );
    format!(
        "{why}\n\nBalance: {:.2}\nCredit limit: {:.2}\nShare of the limit used: {share}\n\
         Overdue balance: {:.2}\nNetSuite customer internal ID: {customer_id}\n\n{marker}",
        credit.balance, credit.limit, credit.overdue
    )
}

/// Returns a share as a whole percentage, rounded down so that 89.6% does not read as 90%.
fn percent(share: f64) -> i64 {
    (share * 100.0).floor() as i64
}

/// Returns the value of the Account's credit hold field.
pub(super) fn hold_value(credit: &Credit) -> FieldValue {
    FieldValue::Bool(credit.on_hold())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(limit: f64, balance: f64, hold: &str) -> Credit {
        let fields = Fields::from([
            (CREDIT_LIMIT.to_string(), FieldValue::Number(limit)),
            (BALANCE.to_string(), FieldValue::Number(balance)),
            (HOLD_OVERRIDE.to_string(), FieldValue::text(hold)),
        ]);
        Credit::read(&fields)
    }

    #[test]
    fn hold_on_is_on_hold_without_limit() {
        assert!(customer(0.0, 0.0, "_on").on_hold());
    }

    #[test]
    fn hold_auto_needs_balance_at_positive_limit() {
        assert!(customer(1000.0, 1000.0, "_auto").on_hold());
        assert!(!customer(1000.0, 999.0, "_auto").on_hold());
        assert!(!customer(0.0, 50.0, "_auto").on_hold());
        assert!(customer(1000.0, 1200.0, "").on_hold());
    }

    #[test]
    fn hold_off_is_never_on_hold() {
        assert!(!customer(1000.0, 5000.0, "_off").on_hold());
    }

    #[test]
    fn alert_at_threshold_share_of_limit() {
        let near = customer(1000.0, 930.0, "_off");
        assert_eq!(near.alert(0.9), Some(Alert::LimitUsed(0.93)));
        assert_eq!(customer(1000.0, 899.0, "_off").alert(0.9), None);
        assert_eq!(customer(0.0, 899.0, "_off").alert(0.9), None);
        assert_eq!(customer(0.0, 0.0, "_on").alert(0.9), Some(Alert::Hold));
    }

    #[test]
    fn subject_names_reason_and_share() {
        assert_eq!(subject(Alert::Hold, "Acme"), "Credit hold: Acme");
        assert_eq!(
            subject(Alert::LimitUsed(0.937), "Acme"),
            "Credit limit 93% used: Acme"
        );
    }

    #[test]
    fn description_ends_with_marker() {
        let credit = customer(1000.0, 930.0, "_off");
        let text = description(&credit, Alert::LimitUsed(0.93), "42", "tandem-episode:42:x");
        assert!(text.contains("Balance: 930.00"));
        assert!(text.contains("Share of the limit used: 93%"));
        assert!(text.contains("NetSuite customer internal ID: 42"));
        assert!(text.ends_with("\ntandem-episode:42:x"));
    }
}

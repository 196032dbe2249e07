//! Flow templates. Every template is one module with the same parts:
//!
//! - `FLOW`, the flow's name in configuration files, the store, logs and reports;
//! - `Options`, the settings a user may change in the flow's `[flows.<name>]` table, each with
//!   its default (deserialized from that table, unknown keys refused);
//! - `default_mapping()`, the fields the template maps when the configuration names none;
//! - `flow(settings)`, which builds the runnable [`crate::flow::Flow`] from [`Settings`].
//!
//! Two-way templates build a [`crate::two_way::TwoWaySpec`]; one-way templates implement
//! [`crate::one_way::OneWayTemplate`] and share [`support`].

use chrono::TimeDelta;

use crate::mapping::Mapping;

pub mod account_customer;
pub mod contact_contact;
pub mod credit_hold_alert;
pub mod customer_onboarding;
pub mod customers;
pub mod invoice_to_salesforce;
pub mod item_to_price_book;
pub mod opportunity_to_sales_order;
pub mod support;

/// What every template is built from: its mapping (the template's default or the user's), the
/// read overlap, and the template's own options.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings<O> {
    pub mapping: Mapping,
    /// How far before the watermark each read starts.
    pub overlap: TimeDelta,
    pub options: O,
}

/// The default read overlap: changes saved while a pass reads are picked up by the next one.
pub const DEFAULT_OVERLAP: TimeDelta = TimeDelta::minutes(5);

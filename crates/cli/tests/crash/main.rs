//! Crash safety of every flow template: `tandem run` killed with SIGKILL at random points of a
//! first sync of a few thousand records, then restarted, still delivers every record exactly
//! once, and a final pass writes nothing.
//!
//! Each test kills a handful of passes and then lets one finish. The record and kill counts
//! keep the whole suite to a few minutes on two cores. A few thousand records make a pass
//! long enough (several seconds) for kills to land while batches are being written, and five
//! kills per template land at different points of the pass on every run.

#[path = "../common/mod.rs"]
mod common;
mod harness;
#[path = "../templates/support.rs"]
mod support;

mod account_customer;
mod contact_contact;
mod credit_hold_alert;
mod customer_onboarding;
mod invoice_to_salesforce;
mod item_to_price_book;
mod opportunity_to_sales_order;
mod seeds;

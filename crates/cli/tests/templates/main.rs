//! End-to-end passes of each flow template: a sandbox with the demo seed, a configuration
//! enabling the templates a test needs, `tandem run --once` as a user runs it, and the records
//! on both sides read back through the NetSuite and Salesforce clients. Every test also checks
//! that a second pass writes nothing.

#[path = "../common/mod.rs"]
mod common;
mod support;

mod account_customer;
mod contact_contact;
mod credit_hold_alert;
mod customer_onboarding;
mod invoice_deletes;
mod invoice_to_salesforce;
mod item_to_price_book;
mod mapping;
mod opportunity_to_sales_order;
mod sync_status;

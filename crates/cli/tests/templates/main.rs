//! End-to-end passes of each flow template: a sandbox with the demo seed, a configuration
//! enabling the templates a test needs, `tandem run --once` as a user runs it, and the records
//! on both sides read back through the NetSuite and Salesforce clients. Every test also checks
//! that a second pass writes nothing.
//!
//! Every test runs twice, once per NetSuite transport: `<test>::soap` with SuiteTalk SOAP and
//! `<test>::rest` with REST web services and SuiteQL. The records are read back over SOAP in
//! both, which also shows that both sides of the emulator share one store.

/// Turns each named `async fn(Transport)` into a module of two tests, `soap` and `rest`.
macro_rules! on_both_transports {
    ($($test:ident),+ $(,)?) => {
        $(
            mod $test {
                use crate::support::Transport;

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn soap() {
                    super::$test(Transport::Soap).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn rest() {
                    super::$test(Transport::Rest).await;
                }
            }
        )+
    };
}

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

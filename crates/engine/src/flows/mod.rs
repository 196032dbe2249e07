//! Flow templates: each one says what it syncs and with which defaults, and runs on a shared
//! sync mechanism.

pub mod account_customer;

//! Flow templates. Each one defines what it syncs and its defaults, and runs on the shared
//! two-way sync.

pub mod account_customer;

//! Emulators of the NetSuite SOAP and Salesforce REST APIs on their real wire formats.

pub mod netsuite;
pub mod salesforce;

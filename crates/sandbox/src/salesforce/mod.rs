//! Salesforce REST emulator.

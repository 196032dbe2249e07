//! Salesforce REST client.

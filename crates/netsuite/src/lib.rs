//! NetSuite SuiteTalk SOAP client.

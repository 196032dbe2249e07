//! NetSuite SuiteTalk SOAP emulator.

//! Faults injected by both emulators into passes of every flow template, on the demo seed.
//!
//! Transient faults are retried, and the pass writes exactly what a pass without faults
//! writes. From NetSuite they are concurrency and unexpected-error faults, HTTP 503 and a
//! response cut off after its write happened. From Salesforce they are `UNABLE_TO_LOCK_ROW`,
//! 503, the concurrent request limit and an expired session. A write whose response is held
//! back past the client timeout is sent again and still leaves each record once. A permanent refusal of one record becomes a dead letter with the
//! remote code and message while the other records are written, and a later pass that writes
//! the record resolves the letter.

#[path = "../common/mod.rs"]
mod common;
#[path = "../templates/support.rs"]
mod support;

mod lost_responses;
mod permanent;
mod transient;

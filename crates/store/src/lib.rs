//! Durable state for the engine.

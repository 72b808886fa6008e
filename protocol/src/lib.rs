//! The contract between the wowlab sentinel and its nodes and clients: the
//! HTTP API's bodies ([`api`]), content addresses ([`address`]), how nodes
//! sign requests ([`signing`]) and the digest that identifies a chunk result
//! ([`digest`]).
//!
//! Both sides build on these types, so the wire format has one home, and the
//! sentinel's OpenAPI document is generated from them. Not for: transport
//! (the sentinel uses axum, clients their own HTTP client) or storage.

pub mod address;
pub mod api;
pub mod digest;
pub mod signing;

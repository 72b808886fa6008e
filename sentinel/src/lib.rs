//! The wowlab sentinel: splits jobs into chunks, assigns them to nodes and
//! merges their results.
//!
//! Empty until the sentinel issue; results merge with
//! `wowlab_engine::BatchResult::merge`.

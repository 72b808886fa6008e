//! Ids of the store's rows, one type per table, so a job's id cannot be
//! passed where a node's is expected. Each is the row's `BIGINT` id: it
//! binds and reads as that integer (`sqlx(transparent)`), serialises as
//! that number (`serde(transparent)`), and prints as it.
//!
//! ```compile_fail
//! use wowlab_sentinel::store::{JobId, NodeId};
//! fn cancel(_job: JobId) {}
//! cancel(NodeId(1)); // a node's id is no job's
//! ```

/// Declares an id newtype over `i64`.
macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            sqlx::Type, serde::Serialize, serde::Deserialize,
        )]
        #[sqlx(transparent)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    )*};
}

ids! {
    /// A job (`jobs.id`).
    JobId;
    /// A chunk of a job (`chunks.id`).
    ChunkId;
    /// A node (`nodes.id`).
    NodeId;
    /// A user (`users.id`).
    UserId;
    /// A rotation (`rotations.id`).
    RotationId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_its_number_on_the_wire_and_in_text() {
        assert_eq!(serde_json::to_string(&JobId(42)).unwrap(), "42");
        assert_eq!(serde_json::from_str::<NodeId>("7").unwrap(), NodeId(7));
        assert_eq!(ChunkId(-3).to_string(), "-3");
        assert_eq!(i64::from(UserId(9)), 9);
    }
}

//! The states of chunks and jobs, each with its one string form: the one
//! the database stores and the API shows. Rust code compares and binds
//! these enums, never strings; the SQL text's literals are checked against
//! them by a test.

use std::fmt;

use super::StoreError;

/// Defines a status enum with its string forms, `ALL`, `as_str` and `parse`.
macro_rules! status_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every state, in order.
            pub const ALL: &[$name] = &[$($name::$variant),*];

            /// The string form.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// The state whose string form is `text`; a store holding
            /// another is corrupt.
            pub fn parse(text: &str) -> Result<Self, StoreError> {
                match text {
                    $($text => Ok($name::$variant),)*
                    other => Err(StoreError::Corrupt(format!(
                        concat!("unknown ", stringify!($name), " `{}`"),
                        other
                    ))),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = StoreError;

            /// For reading the column with `#[sqlx(try_from = "String")]`.
            fn try_from(text: String) -> Result<Self, StoreError> {
                $name::parse(&text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

status_enum! {
    /// Where a chunk (or a re-run of one) is in its life.
    ChunkStatus {
        /// Waiting for a node.
        Pending = "pending",
        /// Assigned to a node.
        Running = "running",
        /// Its result is stored and waits for its verdict, within the
        /// report's transaction only (never seen outside it).
        Reported = "reported",
        /// Its result waits for another node's run to confirm it.
        Checking = "checking",
        /// Its result is accepted.
        Done = "done",
        /// It failed deterministically on enough nodes; its job failed.
        Failed = "failed",
        /// Its job no longer needs it.
        Cancelled = "cancelled",
    }
}

impl ChunkStatus {
    /// Whether its result is stored: accepted, or waiting for another node's run.
    pub fn has_result(self) -> bool {
        matches!(self, ChunkStatus::Done | ChunkStatus::Checking)
    }
}

status_enum! {
    /// Where a job is in its life.
    JobStatus {
        /// No chunk assigned yet.
        Pending = "pending",
        /// Some chunk assigned.
        Running = "running",
        /// Its result is merged.
        Done = "done",
        /// A chunk failed on enough nodes.
        Failed = "failed",
        /// Its owner cancelled it.
        Cancelled = "cancelled",
    }
}

impl JobStatus {
    /// Whether it will still change: pending or running.
    pub fn is_open(self) -> bool {
        matches!(self, JobStatus::Pending | JobStatus::Running)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_from_its_string() {
        for &s in ChunkStatus::ALL {
            assert_eq!(ChunkStatus::parse(s.as_str()).unwrap(), s);
        }
        for &s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()).unwrap(), s);
        }
        assert!(matches!(
            ChunkStatus::parse("finished"),
            Err(StoreError::Corrupt(_))
        ));
    }

    /// The quoted words the SQL of `source` compares a `status` column
    /// with or sets it to (`status = 'x'`, `status != 'x'`, `status IN ('x', ...)`).
    fn status_literals(source: &str) -> Vec<String> {
        let mut found = Vec::new();
        for (at, _) in source.match_indices("status") {
            let rest = source[at + "status".len()..].trim_start();
            if let Some(list) = rest.strip_prefix("IN (") {
                let list = &list[..list.find(')').unwrap_or(list.len())];
                for item in list.split(',').map(str::trim) {
                    if let Some(word) = item.strip_prefix('\'').and_then(|w| w.strip_suffix('\'')) {
                        found.push(word.to_string());
                    }
                }
            } else if let Some(r) = rest
                .strip_prefix("= '")
                .or_else(|| rest.strip_prefix("!= '"))
            {
                found.push(r[..r.find('\'').unwrap_or(0)].to_string());
            }
        }
        found
    }

    #[test]
    fn every_status_the_sql_names_is_a_state() {
        let sources = [
            include_str!("chunks.rs"),
            include_str!("jobs.rs"),
            include_str!("nodes.rs"),
            include_str!("maintenance.rs"),
            include_str!("rankings.rs"),
            include_str!("accounts.rs"),
            include_str!("../verification/votes.rs"),
            include_str!("../scheduler/assignment.rs"),
            include_str!("../scheduler/sql/eligible.sql"),
            include_str!("../scheduler/sql/assign.sqlite.sql"),
            include_str!("../scheduler/sql/assign.postgres.sql"),
        ];
        let mut seen = 0;
        for source in sources {
            for word in status_literals(source) {
                seen += 1;
                assert!(
                    ChunkStatus::parse(&word).is_ok() || JobStatus::parse(&word).is_ok(),
                    "`{word}` is neither a chunk nor a job state"
                );
            }
        }
        assert!(seen > 20, "only {seen} status literals found");
        assert_eq!(
            status_literals("WHERE c.status IN ('pending', 'runing') AND status = 'done'"),
            ["pending", "runing", "done"]
        );
    }
}

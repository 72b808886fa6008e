//! Groups of users (stand-ins for Discord guilds) and their members.

use super::{Store, StoreError, UserId};

impl Store {
    /// Creates a group; `None` if the name is taken.
    pub async fn add_group(&self, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO user_groups (name, created_at) VALUES ($1, $2) \
             ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(crate::now())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The id of the group with this name.
    pub async fn group_id(&self, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM user_groups WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Adds a user to a group; false if they were in it.
    pub async fn add_member(&self, group: i64, user: UserId) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO group_members (group_id, user_id) VALUES ($1, $2) \
             ON CONFLICT (group_id, user_id) DO NOTHING",
        )
        .bind(group)
        .bind(user)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a user from a group; false if they were not in it.
    pub async fn remove_member(&self, group: i64, user: UserId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
            .bind(group)
            .bind(user)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Every group with its members' names, by name.
    pub async fn groups(&self) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let rows: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT g.name, u.name FROM user_groups g \
             LEFT JOIN group_members m ON m.group_id = g.id \
             LEFT JOIN users u ON u.id = m.user_id ORDER BY g.name, u.name",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for (group, member) in rows {
            if groups.last().is_none_or(|(name, _)| *name != group) {
                groups.push((group, Vec::new()));
            }
            if let Some(member) = member {
                groups.last_mut().expect("pushed above").1.push(member);
            }
        }
        Ok(groups)
    }

    /// Whether the user is a member of the group with this name.
    pub async fn is_member(&self, group: &str, user: UserId) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT 1 FROM group_members m JOIN user_groups g ON g.id = m.group_id \
             WHERE g.name = $1 AND m.user_id = $2",
        )
        .bind(group)
        .bind(user)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }
}

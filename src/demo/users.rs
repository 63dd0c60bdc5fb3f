//! The demo's users as the operations see them.

use super::DemoError;

/// A demo user as the operations see them: the demo acts through the same
/// operations as its users, signed in without a PIN.
pub(super) fn demo_user(
    conn: &rusqlite::Connection,
    username: &str,
) -> Result<crate::ops::Actor, DemoError> {
    Ok(conn.query_row(
        "SELECT id, username, full_name, role FROM users WHERE username = ?1",
        [username],
        |r| {
            let role: String = r.get(3)?;
            Ok(crate::ops::Actor {
                user_id: r.get(0)?,
                username: r.get(1)?,
                full_name: r.get(2)?,
                role: role.parse().map_err(|_| {
                    rusqlite::Error::FromSqlConversionFailure(
                        3,
                        rusqlite::types::Type::Text,
                        format!("unknown role {role}").into(),
                    )
                })?,
            })
        },
    )?)
}

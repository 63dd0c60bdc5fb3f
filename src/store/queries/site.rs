//! The site: its name, time zone and settings, its places and users, and
//! how far a new site is set up.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: PlaceKind,
    pub transport_minutes: i64,
}

pub fn places(conn: &Connection) -> rusqlite::Result<Vec<Place>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, code, name, kind, transport_minutes FROM places
         ORDER BY CASE kind WHEN 'pharmacy' THEN 0 WHEN 'ward' THEN 1 ELSE 2 END, code",
    )?;
    stmt.query_map([], |r| {
        Ok(Place {
            id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            kind: parse_enum(3, r.get(3)?)?,
            transport_minutes: r.get(4)?,
        })
    })?
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub pin_hash: String,
    pub failed_pins: u32,
    pub locked_until: Option<DateTime<Utc>>,
    pub active: bool,
}

pub fn user_by_name(conn: &Connection, username: &str) -> rusqlite::Result<Option<UserRow>> {
    conn.prepare_cached("SELECT id, username, full_name, role, pin_hash, failed_pins, locked_until, active FROM users WHERE username = ?1 COLLATE NOCASE")?
        .query_row([username], |r| {
            Ok(UserRow {
                id: r.get(0)?,
                username: r.get(1)?,
                full_name: r.get(2)?,
                role: parse_enum(3, r.get(3)?)?,
                pin_hash: r.get(4)?,
                failed_pins: r.get(5)?,
                locked_until: r.get::<_, Option<String>>(6)?.as_deref().and_then(instant_from_text),
                active: r.get(7)?,
            })
        })
        .optional()
}

/// The site's name and IANA time zone, as `wardstock init` stored them
/// (`None` for a database made before sites were started with `init`).
pub fn site(conn: &Connection) -> rusqlite::Result<Option<(String, String)>> {
    let get = |k: &str| -> rusqlite::Result<Option<String>> {
        conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([k], |r| r.get(0))
            .optional()
    };
    Ok(match (get("site_name")?, get("timezone")?) {
        (Some(n), Some(tz)) => Some((n, tz)),
        _ => None,
    })
}

/// The site's settings as `wardstock site show` tells them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteSettings {
    pub name: Option<String>,
    /// The IANA name stored with the site (`None`: a database made before
    /// sites stored one).
    pub timezone: Option<String>,
    /// The zone every local time is on: the stored one, else the machine's.
    pub zone_in_use: String,
    /// Who last changed the time zone, and when (RFC 3339).
    pub timezone_set_by: Option<String>,
    pub timezone_set_at: Option<String>,
    /// The classes where two drugs at once is a duplication, as written
    /// (`B01A,N02A,N05BA+N05CD`), whether they are the shipped default, and
    /// who last changed them, when.
    pub duplicate_classes: String,
    pub duplicate_classes_default: bool,
    pub duplicate_classes_set_by: Option<String>,
    pub duplicate_classes_set_at: Option<String>,
}

pub fn site_settings(conn: &Connection) -> rusqlite::Result<SiteSettings> {
    Ok(SiteSettings {
        name: setting(conn, "site_name")?,
        timezone: setting(conn, "timezone")?,
        zone_in_use: site_zone(conn)?.name().to_string(),
        timezone_set_by: setting(conn, "timezone_set_by")?,
        timezone_set_at: setting(conn, "timezone_set_at")?,
        duplicate_classes: duplicate_classes(conn)?.text(),
        duplicate_classes_default: setting(conn, "duplicate_classes")?.is_none(),
        duplicate_classes_set_by: setting(conn, "duplicate_classes_set_by")?,
        duplicate_classes_set_at: setting(conn, "duplicate_classes_set_at")?,
    })
}

/// The site's dangerous-duplicate classes: the stored list, else (never
/// set, or set back to the default) the shipped default.
pub fn duplicate_classes(
    conn: &Connection,
) -> rusqlite::Result<crate::domain::validation::DuplicateClasses> {
    Ok(setting(conn, "duplicate_classes")?
        .and_then(|t| crate::domain::validation::DuplicateClasses::parse(&t).ok())
        .unwrap_or_default())
}

/// The site's time zone: the IANA name stored with the site, else (a
/// database made before sites stored one, or a name this build does not
/// know) the machine's zone, else UTC.
pub fn site_zone(conn: &Connection) -> rusqlite::Result<chrono_tz::Tz> {
    Ok(setting(conn, "timezone")?
        .and_then(|z| z.trim().parse().ok())
        .unwrap_or_else(crate::store::machine_zone))
}

/// A user's own language setting (`None`: not set, the system's is used).
pub fn user_language(
    conn: &Connection,
    user_id: i64,
) -> rusqlite::Result<Option<crate::i18n::Lang>> {
    let code: Option<String> = conn
        .prepare_cached("SELECT lang FROM users WHERE id = ?1")?
        .query_row([user_id], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(code.as_deref().and_then(crate::i18n::Lang::parse))
}

/// The place the user chose last at the console, if any.
pub fn user_place(conn: &Connection, user_id: i64) -> rusqlite::Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT place_id FROM users WHERE id = ?1")?
        .query_row([user_id], |r| r.get(0))
        .optional()?
        .flatten())
}

/// Remembers the place the user chose, where they start next time.
pub fn set_user_place(
    store: &mut crate::store::Store,
    user_id: i64,
    place_id: i64,
) -> rusqlite::Result<()> {
    store.write(|tx| {
        tx.execute(
            "UPDATE users SET place_id = ?2 WHERE id = ?1",
            rusqlite::params![user_id, place_id],
        )?;
        Ok(())
    })
}

pub fn place_by_code(conn: &Connection, code: &str) -> rusqlite::Result<Option<Place>> {
    Ok(places(conn)?
        .into_iter()
        .find(|p| p.code.eq_ignore_ascii_case(code)))
}

/// A setting stored in the database, if set.
pub fn setting(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

/// A number that changes whenever another connection commits to the
/// database (`PRAGMA data_version`): a screen reloads when it changed.
pub fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "data_version", |r| r.get(0))
}

// ---- A new site's set-up ----------------------------------------------------

/// How far a site is set up: what a new site's console guides through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SetupCounts {
    pub wards: i64,
    pub items: i64,
    /// Active users other than administrators.
    pub staff: i64,
    pub patients: i64,
    pub movements: i64,
    pub suppliers: i64,
    /// Storage locations beyond one per place.
    pub more_locations: i64,
    pub allergies: i64,
}

impl SetupCounts {
    /// Whether the site still lacks what every screen needs: wards and items.
    pub fn incomplete(&self) -> bool {
        self.wards == 0 || self.items == 0
    }
}

pub fn setup_counts(conn: &Connection) -> rusqlite::Result<SetupCounts> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM places WHERE kind = 'ward'),
                (SELECT count(*) FROM items),
                (SELECT count(*) FROM users WHERE active AND role <> 'admin'),
                (SELECT count(*) FROM patients),
                (SELECT count(*) FROM movements),
                (SELECT count(*) FROM suppliers),
                (SELECT count(*) FROM locations) - (SELECT count(*) FROM places WHERE kind <> 'transit'),
                (SELECT count(*) FROM patient_allergies)",
        [],
        |r| {
            Ok(SetupCounts {
                wards: r.get(0)?,
                items: r.get(1)?,
                staff: r.get(2)?,
                patients: r.get(3)?,
                movements: r.get(4)?,
                suppliers: r.get(5)?,
                more_locations: r.get(6)?,
                allergies: r.get(7)?,
            })
        },
    )
}

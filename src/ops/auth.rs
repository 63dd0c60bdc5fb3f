//! Signing in with a PIN, and PIN hashing (Argon2id, salted).

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use chrono::{DateTime, Utc};
use rusqlite::params;

use super::Actor;
use crate::domain::auth::{LockState, pin_format_ok};
use crate::domain::{instant_from_text, instant_to_text};
use crate::store::{Store, queries};

/// Why signing in is refused.
#[derive(Debug)]
pub enum SignInError {
    UnknownUser(String),
    Inactive(String),
    /// Locked after 5 wrong PINs until `until`.
    Locked {
        user: String,
        until: DateTime<Utc>,
    },
    WrongPin {
        user: String,
        left: u32,
    },
    /// The stored PIN hash does not read.
    BadHash(String),
    /// The PIN is right but was given by an administrator (a new user, a
    /// reset): the user must set their own with `wardstock pin` first.
    MustChangePin(String),
    /// Changing one's own PIN: the new PIN is not 4 to 8 digits, or the
    /// same as the one-time PIN.
    NewPin {
        user: String,
        source: PinError,
    },
    SamePin(String),
    Store(rusqlite::Error),
}

impl std::error::Error for SignInError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SignInError::Store(e) => Some(e),
            SignInError::NewPin { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for SignInError {
    fn from(e: rusqlite::Error) -> Self {
        SignInError::Store(e)
    }
}

/// Why a PIN cannot be set.
#[derive(Debug)]
pub enum PinError {
    /// A PIN is 4 to 8 digits.
    Format,
    /// The hashing library failed.
    Hash(argon2::password_hash::Error),
}

impl std::error::Error for PinError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PinError::Hash(e) => Some(e),
            PinError::Format => None,
        }
    }
}

/// The Argon2id of new PIN hashes: 7 MiB and 5 passes, which OWASP's
/// password storage advice lists as equal in strength to the crate's
/// default (19 MiB, 2 passes), for less memory: every sign-in is a process
/// of its own at a shared workstation, and each megabyte is claimed from the
/// system again. A stored hash names its own parameters, so hashes made
/// with others still verify.
fn pin_hasher() -> Argon2<'static> {
    match argon2::Params::new(7 * 1024, 5, 1, None) {
        Ok(params) => Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params),
        Err(_) => Argon2::default(),
    }
}

/// Hashes a PIN with Argon2id and a salt. `salt` of `None` draws a random
/// salt from the operating system; the demo passes seeded bytes so its
/// databases are reproducible.
pub fn hash_pin(pin: &str, salt: Option<[u8; 16]>) -> Result<String, PinError> {
    if !pin_format_ok(pin) {
        return Err(PinError::Format);
    }
    let salt = match salt {
        Some(bytes) => SaltString::encode_b64(&bytes).map_err(PinError::Hash)?,
        None => SaltString::generate(&mut OsRng),
    };
    pin_hasher()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(PinError::Hash)
}

/// Checks a user's PIN at `now`. Five wrong PINs in a row lock the user for
/// five minutes; the count and the lock are stored, so restarting the
/// program does not reset them.
///
/// The PIN is checked (Argon2, the slow part) outside any write
/// transaction; only the outcome is written, in its own short one, which
/// reads the count again: wrong PINs from several workstations at once are
/// each counted, and a right PIN is refused if the user was locked
/// meanwhile.
pub fn sign_in(
    store: &mut Store,
    username: &str,
    pin: &str,
    now: DateTime<Utc>,
) -> Result<Actor, SignInError> {
    check_pin(store, username, pin, now, None)
}

/// Changes a user's own PIN: the current PIN (or the one-time PIN an
/// administrator gave) is checked as at sign-in — wrong ones count towards
/// the same lock — then the new one replaces it.
pub fn change_own_pin(
    store: &mut Store,
    username: &str,
    old_pin: &str,
    new_pin: &str,
    now: DateTime<Utc>,
) -> Result<Actor, SignInError> {
    let username = username.trim();
    if old_pin == new_pin {
        return Err(SignInError::SamePin(username.to_string()));
    }
    // Slow (Argon2): before the transaction.
    let hash = hash_pin(new_pin, None).map_err(|source| SignInError::NewPin {
        user: username.to_string(),
        source,
    })?;
    check_pin(store, username, old_pin, now, Some(&hash))
}

/// How many times a PIN is checked again when the stored hash changed
/// between the check and the write (the user changed it meanwhile).
const HASH_CHANGED_TRIES: usize = 3;

/// Checks `pin`, then writes the outcome. With `new_hash`, a right PIN is
/// replaced by it (and a one-time PIN is then no longer one).
fn check_pin(
    store: &mut Store,
    username: &str,
    pin: &str,
    now: DateTime<Utc>,
    new_hash: Option<&str>,
) -> Result<Actor, SignInError> {
    let username = username.trim();
    let mut tries = 0;
    loop {
        tries += 1;
        // Read (one snapshot; WAL: never waits for a writer, takes no lock).
        let (user, must_change) = {
            let read = store.conn.transaction()?;
            let user = queries::user_by_name(&read, username)?
                .ok_or_else(|| SignInError::UnknownUser(username.to_string()))?;
            let must_change: bool = read.query_row(
                "SELECT must_change_pin FROM users WHERE id = ?1",
                [user.id],
                |r| r.get(0),
            )?;
            (user, must_change)
        };
        if !user.active {
            return Err(SignInError::Inactive(user.username));
        }
        let state = LockState {
            failed: user.failed_pins,
            locked_until: user.locked_until,
        };
        if let Some(until) = state.locked_at(now) {
            return Err(SignInError::Locked {
                user: user.username,
                until,
            });
        }
        // Verify: slow, outside any transaction.
        let parsed = PasswordHash::new(&user.pin_hash)
            .map_err(|_| SignInError::BadHash(user.username.clone()))?;
        let good = pin_format_ok(pin)
            && Argon2::default()
                .verify_password(pin.as_bytes(), &parsed)
                .is_ok();
        // A right PIN with nothing to reset or replace writes nothing: the
        // snapshot read showed the user unlocked with no wrong PIN counted,
        // and the hash checked is the one it held.
        if good && new_hash.is_none() && state == LockState::default() {
            if must_change {
                return Err(SignInError::MustChangePin(user.username));
            }
            return Ok(Actor {
                user_id: user.id,
                username: user.username,
                full_name: user.full_name,
                role: user.role,
            });
        }
        // Else write the outcome against the state as it is now.
        let outcome = store.write(|tx| record(tx, &user, good, now, new_hash))?;
        match outcome {
            Recorded::Done(r) => return r,
            Recorded::HashChanged if tries < HASH_CHANGED_TRIES => continue,
            Recorded::HashChanged => {
                return Err(SignInError::WrongPin {
                    user: user.username,
                    left: state.attempts_left(),
                });
            }
        }
    }
}

/// What the short write after a PIN check found.
enum Recorded {
    /// The answer, with the count already written.
    Done(Result<Actor, SignInError>),
    /// The PIN was changed between the check and the write: check again.
    HashChanged,
}

/// Inside the write: reads the user's count, lock and hash again (another
/// workstation may have written them since the check) and records the
/// outcome. The outer result is a database failure (nothing committed).
fn record(
    tx: &rusqlite::Transaction,
    checked: &queries::UserRow,
    good: bool,
    now: DateTime<Utc>,
    new_hash: Option<&str>,
) -> Result<Recorded, SignInError> {
    let (failed, locked_until, pin_hash, active, must_change): (
        u32,
        Option<String>,
        String,
        bool,
        bool,
    ) = tx.query_row(
        "SELECT failed_pins, locked_until, pin_hash, active, must_change_pin FROM users WHERE id = ?1",
        [checked.id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    let name = || checked.username.clone();
    if !active {
        return Ok(Recorded::Done(Err(SignInError::Inactive(name()))));
    }
    let state = LockState {
        failed,
        locked_until: locked_until.as_deref().and_then(instant_from_text),
    };
    // Locked by wrong PINs from elsewhere while this one was checked: the
    // lock stands, right PIN or not, and this attempt is not counted.
    if let Some(until) = state.locked_at(now) {
        return Ok(Recorded::Done(Err(SignInError::Locked {
            user: name(),
            until,
        })));
    }
    if pin_hash != checked.pin_hash {
        return Ok(Recorded::HashChanged);
    }
    if good {
        match new_hash {
            Some(h) => tx.execute(
                "UPDATE users SET failed_pins = 0, locked_until = NULL, pin_hash = ?2, must_change_pin = 0 WHERE id = ?1",
                params![checked.id, h],
            )?,
            None => tx.execute(
                "UPDATE users SET failed_pins = 0, locked_until = NULL WHERE id = ?1",
                [checked.id],
            )?,
        };
        if must_change && new_hash.is_none() {
            return Ok(Recorded::Done(Err(SignInError::MustChangePin(name()))));
        }
        return Ok(Recorded::Done(Ok(Actor {
            user_id: checked.id,
            username: checked.username.clone(),
            full_name: checked.full_name.clone(),
            role: checked.role,
        })));
    }
    let next = state.after_failure(now);
    tx.execute(
        "UPDATE users SET failed_pins = ?2, locked_until = ?3 WHERE id = ?1",
        params![
            checked.id,
            next.failed,
            next.locked_until.map(instant_to_text)
        ],
    )?;
    // The failure is committed before it is reported.
    Ok(Recorded::Done(Err(match next.locked_at(now) {
        Some(until) => SignInError::Locked {
            user: name(),
            until,
        },
        None => SignInError::WrongPin {
            user: name(),
            left: next.attempts_left(),
        },
    })))
}

/// Sets the signed-in user's own language (`None`: follow the system's).
/// It is theirs alone: every user chooses for themselves.
pub fn set_language(
    store: &mut Store,
    actor: &super::Actor,
    lang: Option<crate::i18n::Lang>,
) -> Result<(), rusqlite::Error> {
    store.write(|tx| {
        tx.execute(
            "UPDATE users SET lang = ?2 WHERE id = ?1",
            params![actor.user_id, lang.map(|l| l.code())],
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifies(hash: &str, pin: &str) -> bool {
        let parsed = PasswordHash::new(hash).unwrap();
        Argon2::default()
            .verify_password(pin.as_bytes(), &parsed)
            .is_ok()
    }

    /// New PINs are hashed with 7 MiB and 5 passes; hashes made earlier
    /// with the default parameters still verify, each with its own.
    #[test]
    fn pins_hashed_now_and_before_both_verify() {
        let now = hash_pin("2468", Some([3; 16])).unwrap();
        let parsed = PasswordHash::new(&now).unwrap();
        let params = argon2::Params::try_from(&parsed).unwrap();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (7 * 1024, 5, 1)
        );
        assert!(verifies(&now, "2468"));
        assert!(!verifies(&now, "2469"));
        let salt = SaltString::encode_b64(&[9; 16]).unwrap();
        let before = Argon2::default()
            .hash_password(b"1357", &salt)
            .unwrap()
            .to_string();
        assert!(before.contains("m=19456,t=2"), "{before}");
        assert!(verifies(&before, "1357"));
        assert!(!verifies(&before, "1358"));
    }
}

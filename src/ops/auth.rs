//! Signing in with a PIN, and PIN hashing (Argon2id, salted).

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use chrono::{DateTime, Utc};
use rusqlite::params;

use super::Actor;
use crate::domain::auth::{LockState, pin_format_ok};
use crate::domain::instant_to_text;
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
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(PinError::Hash)
}

/// Checks a user's PIN at `now`. Five wrong PINs in a row lock the user for
/// five minutes; the count and the lock are stored, so restarting the
/// program does not reset them.
pub fn sign_in(
    store: &mut Store,
    username: &str,
    pin: &str,
    now: DateTime<Utc>,
) -> Result<Actor, SignInError> {
    // Read, check and count in one BEGIN IMMEDIATE transaction: attempts
    // from several workstations at once are counted one after the other,
    // so the lock cannot be raced.
    store.write(|tx| check_pin(tx, username, pin, now, None))?
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
    store.write(|tx| check_pin(tx, username, old_pin, now, Some(&hash)))?
}

/// Checks `pin` inside the caller's transaction. The outer result is a
/// database failure (nothing committed); the inner one the answer, with
/// the failure count already written. With `new_hash`, a right PIN is
/// replaced by it (and a one-time PIN is then no longer one).
fn check_pin(
    tx: &rusqlite::Transaction,
    username: &str,
    pin: &str,
    now: DateTime<Utc>,
    new_hash: Option<&str>,
) -> Result<Result<Actor, SignInError>, SignInError> {
    let username = username.trim();
    let user = queries::user_by_name(tx, username)?
        .ok_or_else(|| SignInError::UnknownUser(username.to_string()))?;
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
    let parsed = PasswordHash::new(&user.pin_hash)
        .map_err(|_| SignInError::BadHash(user.username.clone()))?;
    let good = pin_format_ok(pin)
        && Argon2::default()
            .verify_password(pin.as_bytes(), &parsed)
            .is_ok();
    if good {
        let must_change: bool = tx.query_row(
            "SELECT must_change_pin FROM users WHERE id = ?1",
            [user.id],
            |r| r.get(0),
        )?;
        match new_hash {
            Some(h) => tx.execute(
                "UPDATE users SET failed_pins = 0, locked_until = NULL, pin_hash = ?2, must_change_pin = 0 WHERE id = ?1",
                params![user.id, h],
            )?,
            None => tx.execute(
                "UPDATE users SET failed_pins = 0, locked_until = NULL WHERE id = ?1",
                [user.id],
            )?,
        };
        if must_change && new_hash.is_none() {
            return Ok(Err(SignInError::MustChangePin(user.username)));
        }
        return Ok(Ok(Actor {
            user_id: user.id,
            username: user.username,
            full_name: user.full_name,
            role: user.role,
        }));
    }
    let next = state.after_failure(now);
    tx.execute(
        "UPDATE users SET failed_pins = ?2, locked_until = ?3 WHERE id = ?1",
        params![user.id, next.failed, next.locked_until.map(instant_to_text)],
    )?;
    // The failure is committed before it is reported.
    Ok(Err(match next.locked_at(now) {
        Some(until) => SignInError::Locked {
            user: user.username,
            until,
        },
        None => SignInError::WrongPin {
            user: user.username,
            left: next.attempts_left(),
        },
    }))
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

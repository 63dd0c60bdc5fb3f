//! Read queries: what the screens and the CLI show. Nothing here writes.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use std::collections::HashMap;

mod locations;
pub use locations::*;

mod export;
mod lists;
mod patients;
mod plan;
mod records;
mod site;
mod stock;
mod ward;
mod warnings;
pub use export::*;
pub use lists::*;
pub use patients::*;
pub use plan::*;
pub use records::*;
pub use site::*;
pub use stock::*;
pub use ward::*;
pub use warnings::*;

use crate::domain::alerts::{self, Alert, AlertConfig, LevelPolicy, LotBalance};
use crate::domain::{LotStatus, PlaceKind, Role, date_from_text, instant_from_text};

fn parse_enum<T: std::str::FromStr>(idx: usize, s: String) -> rusqlite::Result<T> {
    s.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("unknown value {s:?}").into(),
        )
    })
}

fn opt_date(s: Option<String>) -> Option<NaiveDate> {
    s.as_deref().and_then(date_from_text)
}

/// A date column (`YYYY-MM-DD` or NULL), read without copying its text.
fn date_at(r: &rusqlite::Row, idx: usize) -> rusqlite::Result<Option<NaiveDate>> {
    Ok(match r.get_ref(idx)? {
        rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t).ok().and_then(date_from_text),
        _ => None,
    })
}

/// A column holding one of a type's names, read without copying its text.
fn enum_at<T: std::str::FromStr>(r: &rusqlite::Row, idx: usize) -> rusqlite::Result<T> {
    let text = r.get_ref(idx)?.as_str().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })?;
    text.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("unknown value {text:?}").into(),
        )
    })
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

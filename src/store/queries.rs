//! Read queries: what the screens and the CLI show. Nothing here writes.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use std::collections::HashMap;

mod locations;
pub use locations::*;

mod export;
mod patients;
mod plan;
mod records;
mod site;
mod stock;
mod ward;
mod warnings;
pub use export::*;
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

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

//! A scanned pack: the barcode read, its product found, its lot as
//! recorded. One lookup for the console's scans and the command line's
//! `--scan`.

use chrono::NaiveDate;
use rusqlite::Connection;

use super::items::ItemRef;
use super::stock::{self, LotRef, StockError};
use crate::gs1::{self, Gs1, Gs1Error};

/// What a scan of a pack says, with what the database knows of it.
#[derive(Debug, Clone)]
pub struct ScannedPack {
    pub gs1: Gs1,
    /// The GTIN-14 read.
    pub gtin: String,
    pub item: ItemRef,
    /// The scanned lot as recorded (`None`: no lot in the barcode, or a lot
    /// never received here).
    pub lot: Option<LotRef>,
}

impl ScannedPack {
    /// The lot number printed in the barcode.
    pub fn lot_number(&self) -> Option<&str> {
        self.gs1.lot.as_deref()
    }

    /// The expiry printed on the pack and the one recorded for its lot,
    /// when they differ: the pack is not what the records say.
    pub fn expiry_mismatch(&self) -> Option<(NaiveDate, NaiveDate)> {
        match (self.gs1.expiry, self.lot.as_ref().and_then(|l| l.expiry)) {
            (Some(label), Some(recorded)) if label != recorded => Some((label, recorded)),
            _ => None,
        }
    }

    /// The earlier of the printed and the recorded expiry, when it is
    /// before `today`.
    pub fn expired_on(&self, today: NaiveDate) -> Option<NaiveDate> {
        [self.gs1.expiry, self.lot.as_ref().and_then(|l| l.expiry)]
            .into_iter()
            .flatten()
            .filter(|e| *e < today)
            .min()
    }
}

/// Why a scan does not name a pack wardstock knows.
#[derive(Debug)]
pub enum ScanError {
    /// Not GS1 data.
    NotGs1(Gs1Error),
    /// GS1 data without a product code (GTIN).
    NoGtin,
    /// A product code no item is linked to.
    UnknownGtin {
        gtin: String,
    },
    Stock(StockError),
}

impl From<StockError> for ScanError {
    fn from(e: StockError) -> Self {
        match e {
            StockError::UnknownGtin(gtin) => ScanError::UnknownGtin { gtin },
            other => ScanError::Stock(other),
        }
    }
}

impl std::error::Error for ScanError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScanError::NotGs1(e) => Some(e),
            ScanError::Stock(e) => Some(e),
            _ => None,
        }
    }
}

/// Reads a scanned pack: the GS1 data (with the scanners' group-separator
/// substitute, if the site has one), the item its GTIN is linked to, and
/// the scanned lot as recorded.
pub fn read_pack(
    conn: &Connection,
    data: &str,
    separator: Option<char>,
    today: NaiveDate,
) -> Result<ScannedPack, ScanError> {
    let g = gs1::parse(data, gs1::Options { separator, today }).map_err(ScanError::NotGs1)?;
    let gtin = g.gtin.clone().ok_or(ScanError::NoGtin)?;
    let item = stock::item_by_gtin(conn, &gtin)?;
    let lot = match g.lot.as_deref() {
        Some(n) => match stock::lot_by_number(conn, &item, n) {
            Ok(l) => Some(l),
            Err(StockError::UnknownLot { .. }) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    Ok(ScannedPack {
        gs1: g,
        gtin,
        item,
        lot,
    })
}

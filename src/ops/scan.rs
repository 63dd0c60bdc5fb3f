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

// --- wristbands ---------------------------------------------------------------

/// What the site's wristbands carry (`site set --wristband`): the GS1 GSRN
/// of the patient (AI 8018), the bare MRN, or either (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WristbandKind {
    Gsrn,
    Mrn,
    #[default]
    Either,
}

impl WristbandKind {
    pub const ALL: [WristbandKind; 3] = [
        WristbandKind::Gsrn,
        WristbandKind::Mrn,
        WristbandKind::Either,
    ];

    pub fn code(self) -> &'static str {
        match self {
            WristbandKind::Gsrn => "gsrn",
            WristbandKind::Mrn => "mrn",
            WristbandKind::Either => "either",
        }
    }

    pub fn parse(s: &str) -> Option<WristbandKind> {
        WristbandKind::ALL
            .into_iter()
            .find(|k| k.code().eq_ignore_ascii_case(s.trim()))
    }
}

/// The `settings` key of the wristband setting.
const WRISTBAND_KEY: &str = "wristband";

/// What the site's wristbands carry (`either` when never set).
pub fn wristband_kind(conn: &Connection) -> rusqlite::Result<WristbandKind> {
    Ok(crate::store::queries::setting(conn, WRISTBAND_KEY)?
        .as_deref()
        .and_then(WristbandKind::parse)
        .unwrap_or_default())
}

/// The wristband setting with who set it and when (RFC 3339), for `site show`.
pub fn wristband_setting(
    conn: &Connection,
) -> rusqlite::Result<(WristbandKind, Option<String>, Option<String>)> {
    use crate::store::queries::setting;
    Ok((
        wristband_kind(conn)?,
        setting(conn, "wristband_set_by")?,
        setting(conn, "wristband_set_at")?,
    ))
}

/// `wardstock site set --wristband gsrn|mrn|either`: an administrator says
/// what the site's wristbands carry; kept with who and when.
pub fn set_wristband_kind(
    store: &mut crate::store::Store,
    actor: &super::Actor,
    kind: WristbandKind,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<WristbandKind, WristbandError> {
    if actor.role != crate::domain::Role::Admin {
        return Err(WristbandError::NotAdmin { role: actor.role });
    }
    store
        .write(|tx| -> rusqlite::Result<()> {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2), ('wristband_set_by', ?3), ('wristband_set_at', ?4)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                rusqlite::params![
                    WRISTBAND_KEY,
                    kind.code(),
                    actor.username,
                    crate::domain::instant_to_text(now)
                ],
            )?;
            Ok(())
        })
        .map_err(WristbandError::Store)?;
    Ok(kind)
}

/// What a wristband carries.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Band {
    /// The patient's GS1 GSRN (AI 8018).
    Gsrn(String),
    /// The bare MRN (a Code 128 of the MRN, or the MRN typed).
    Mrn(String),
}

/// How wristband data arrived: a scan, or typed by the nurse (the
/// fallback when the band cannot be scanned, where a form allows typing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Scanned,
    Typed,
}

/// The patient a wristband names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BandPatient {
    pub band: Band,
    #[serde(skip)]
    pub patient_id: i64,
    pub mrn: String,
    pub name: String,
    /// The ward they lie on (code), if admitted.
    pub ward: Option<String>,
    #[serde(skip)]
    pub ward_id: Option<i64>,
    pub bed: Option<String>,
    pub discharged: bool,
}

/// Why wristband data names no patient (the words are in `i18n::wristband`).
#[derive(Debug)]
pub enum WristbandError {
    Empty,
    /// A GSRN that is not one (its check digit, mostly): rescan, or type the MRN.
    Gsrn {
        ai: String,
        value: String,
        problem: gs1::GsrnProblem,
    },
    /// A GSRN typed or imported for a patient that is not one.
    BadGsrn {
        value: String,
        problem: gs1::GsrnProblem,
    },
    /// A caregiver's badge (AI 8017), not a patient's wristband.
    Badge {
        gsrn: String,
    },
    /// A product barcode, not a wristband.
    Pack,
    /// A bare MRN scanned where the site's wristbands carry a GSRN.
    SiteUsesGsrn {
        mrn: String,
    },
    /// A GSRN scanned where the site's wristbands carry the MRN.
    SiteUsesMrn {
        gsrn: String,
    },
    /// No patient has this GSRN.
    UnknownGsrn {
        gsrn: String,
    },
    /// No patient has this MRN.
    UnknownMrn {
        mrn: String,
    },
    /// The GSRN is another patient's already.
    GsrnElsewhere {
        gsrn: String,
        mrn: String,
        name: String,
    },
    /// Only an administrator changes the wristband setting.
    NotAdmin {
        role: crate::domain::Role,
    },
    Store(rusqlite::Error),
}

impl std::error::Error for WristbandError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WristbandError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for WristbandError {
    fn from(e: rusqlite::Error) -> Self {
        WristbandError::Store(e)
    }
}

/// A scanner's symbology identifier (`]C0`, `]d2` …) carries nothing of
/// an MRN.
fn without_symbology(data: &str) -> &str {
    let b = data.as_bytes();
    if b.len() > 3 && b[0] == b']' && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphanumeric() {
        &data[3..]
    } else {
        data
    }
}

/// Reads wristband data, without looking anyone up: a GS1 GSRN (AI 8018,
/// its check digit verified), or else the bare MRN. A caregiver's badge
/// (AI 8017) and a product barcode are not wristbands.
pub fn read_band(
    data: &str,
    separator: Option<char>,
    today: NaiveDate,
) -> Result<Band, WristbandError> {
    let text = data.trim();
    if text.is_empty() {
        return Err(WristbandError::Empty);
    }
    match gs1::parse(text, gs1::Options { separator, today }) {
        Ok(g) => {
            if let Some(gsrn) = g.gsrn_recipient {
                return Ok(Band::Gsrn(gsrn));
            }
            if let Some(gsrn) = g.gsrn_provider {
                return Err(WristbandError::Badge { gsrn });
            }
            if g.gtin.is_some() {
                return Err(WristbandError::Pack);
            }
        }
        Err(Gs1Error::Gsrn {
            ai, value, problem, ..
        }) => {
            return Err(if ai == "8017" {
                WristbandError::Badge { gsrn: value }
            } else {
                WristbandError::Gsrn { ai, value, problem }
            });
        }
        Err(_) => {}
    }
    let mrn = without_symbology(text).trim();
    if mrn.is_empty() {
        return Err(WristbandError::Empty);
    }
    Ok(Band::Mrn(mrn.to_string()))
}

fn band_patient(
    conn: &Connection,
    band: Band,
    column: &str,
    value: &str,
) -> rusqlite::Result<Option<BandPatient>> {
    use rusqlite::OptionalExtension;
    let sql = format!(
        "SELECT p.id, p.mrn, p.name, w.code, p.ward_id, p.bed, p.discharged_at IS NOT NULL
         FROM patients p LEFT JOIN places w ON w.id = p.ward_id WHERE p.{column} = ?1"
    );
    conn.prepare_cached(&sql)?
        .query_row([value], |r| {
            Ok(BandPatient {
                band: band.clone(),
                patient_id: r.get(0)?,
                mrn: r.get(1)?,
                name: r.get(2)?,
                ward: r.get(3)?,
                ward_id: r.get(4)?,
                bed: r.get(5)?,
                discharged: r.get(6)?,
            })
        })
        .optional()
}

/// The patient with this GSRN, if any.
pub fn patient_by_gsrn(conn: &Connection, gsrn: &str) -> rusqlite::Result<Option<BandPatient>> {
    band_patient(conn, Band::Gsrn(gsrn.to_string()), "gsrn", gsrn)
}

/// A scanned wristband of the kind the site's wristbands carry, or the refusal.
fn allowed_here(conn: &Connection, band: &Band) -> Result<(), WristbandError> {
    match (wristband_kind(conn)?, band) {
        (WristbandKind::Gsrn, Band::Mrn(mrn)) => {
            Err(WristbandError::SiteUsesGsrn { mrn: mrn.clone() })
        }
        (WristbandKind::Mrn, Band::Gsrn(gsrn)) => {
            Err(WristbandError::SiteUsesMrn { gsrn: gsrn.clone() })
        }
        _ => Ok(()),
    }
}

/// The patient a wristband names, as the site's setting allows: a scanned
/// GSRN where wristbands carry the MRN, or a scanned bare MRN where they
/// carry a GSRN, is refused (a typed MRN is the fallback and always read).
/// One rule for the console's scans, the dose form and the command line.
pub fn identify_wristband(
    conn: &Connection,
    data: &str,
    entry: Entry,
    separator: Option<char>,
    today: NaiveDate,
) -> Result<BandPatient, WristbandError> {
    let band = match read_band(data, separator, today) {
        // An MRN of digits alone may read as a GTIN: a patient's MRN first.
        Err(WristbandError::Pack) => {
            let digits = without_symbology(data.trim());
            match band_patient(conn, Band::Mrn(digits.into()), "mrn", digits)? {
                Some(_) if digits.bytes().all(|b| b.is_ascii_digit()) => {
                    Band::Mrn(digits.to_string())
                }
                _ => return Err(WristbandError::Pack),
            }
        }
        b => b?,
    };
    if entry == Entry::Scanned {
        allowed_here(conn, &band)?;
    }
    match &band {
        Band::Gsrn(g) => {
            patient_by_gsrn(conn, g)?.ok_or_else(|| WristbandError::UnknownGsrn { gsrn: g.clone() })
        }
        Band::Mrn(m) => band_patient(conn, band.clone(), "mrn", m)?
            .ok_or_else(|| WristbandError::UnknownMrn { mrn: m.clone() }),
    }
}

/// The MRN a dose's wristband names, for the patient right at the bedside:
/// a GSRN is the MRN of the patient who has it (none: refused as unknown);
/// a bare MRN is itself (another patient's, or nobody's, is the wrong
/// patient, said by the seven rights). A scan is refused when it is not
/// the kind the site's wristbands carry.
pub fn wristband_mrn(
    conn: &Connection,
    data: &str,
    entry: Entry,
    separator: Option<char>,
    today: NaiveDate,
) -> Result<String, WristbandError> {
    let band = read_band(data, separator, today);
    if entry == Entry::Scanned
        && let Ok(b) = &band
    {
        allowed_here(conn, b)?;
    }
    match band {
        Ok(Band::Gsrn(g)) => Ok(patient_by_gsrn(conn, &g)?
            .ok_or(WristbandError::UnknownGsrn { gsrn: g })?
            .mrn),
        Ok(Band::Mrn(m)) => Ok(m),
        // A pack's barcode in the wristband's place names no patient: the
        // wrong patient.
        Err(WristbandError::Pack | WristbandError::Empty) => Ok(data.trim().to_string()),
        Err(e) => Err(e),
    }
}

/// Checks a GSRN typed or imported for a patient (18 digits, the check
/// digit) and that no other patient has it; `patient_id` is the patient it
/// is for (`None`: a new one). Returns the GSRN.
pub fn check_patient_gsrn(
    conn: &Connection,
    gsrn: &str,
    patient_id: Option<i64>,
) -> Result<String, WristbandError> {
    // The human-readable form "(8018)…" is accepted too.
    let raw = gsrn.trim();
    let raw = raw.strip_prefix("(8018)").unwrap_or(raw).trim();
    let g = gs1::check_gsrn(raw).map_err(|problem| WristbandError::BadGsrn {
        value: raw.to_string(),
        problem,
    })?;
    if let Some(other) = patient_by_gsrn(conn, &g)?
        && Some(other.patient_id) != patient_id
    {
        return Err(WristbandError::GsrnElsewhere {
            gsrn: g,
            mrn: other.mrn,
            name: other.name,
        });
    }
    Ok(g)
}

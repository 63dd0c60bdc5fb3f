//! Bedside scanning compliance: doses given per ward and nurse, scanned or
//! not, and why not.

use super::*;

/// Doses given (fully or partly) by one nurse on one ward over a period:
/// how many with the pack scanned, how many not, and why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanningLine {
    pub ward: String,
    /// The nurse's user name; `None` on a ward's or the whole total.
    pub nurse: Option<String>,
    pub given: i64,
    pub scanned: i64,
    pub unscanned: i64,
    /// Scanned share in tenths of a percent (`None`: nothing given).
    pub scanned_permille: Option<i64>,
    pub below_target: bool,
    /// Unscanned doses by reason code (`None`: recorded before a reason
    /// was asked), most first.
    pub unscanned_by_reason: Vec<ReasonCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    pub code: Option<String>,
    pub doses: i64,
}

/// The scanning compliance report: a line per ward and nurse, a total per
/// ward, and the total of all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanningReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub target_percent: i64,
    pub lines: Vec<ScanningLine>,
    pub wards: Vec<ScanningLine>,
    pub total: ScanningLine,
}

impl ScanningLine {
    fn new(ward: &str, nurse: Option<&str>) -> ScanningLine {
        ScanningLine {
            ward: ward.to_string(),
            nurse: nurse.map(str::to_string),
            given: 0,
            scanned: 0,
            unscanned: 0,
            scanned_permille: None,
            below_target: false,
            unscanned_by_reason: Vec::new(),
        }
    }

    fn add(&mut self, scanned: bool, code: Option<&str>, doses: i64) {
        self.given += doses;
        if scanned {
            self.scanned += doses;
        } else {
            self.unscanned += doses;
            let code = code.map(str::to_string);
            match self.unscanned_by_reason.iter_mut().find(|r| r.code == code) {
                Some(r) => r.doses += doses,
                None => self.unscanned_by_reason.push(ReasonCount { code, doses }),
            }
        }
    }

    fn finish(&mut self) {
        self.scanned_permille = seven_rights::scanned_permille(self.scanned, self.given);
        self.below_target = seven_rights::below_scanning_target(self.scanned, self.given);
        self.unscanned_by_reason
            .sort_by(|a, b| b.doses.cmp(&a.doses).then_with(|| a.code.cmp(&b.code)));
    }
}

/// Scanned and unscanned doses given from `from` (included) to `to`
/// (excluded), per ward (where the dose was given: the ward its stock left)
/// and nurse, on one ward or all.
pub fn scanning_report(
    conn: &Connection,
    ward: Option<i64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> rusqlite::Result<ScanningReport> {
    let mut stmt = conn.prepare_cached(
        "SELECT w.code, u.username, a.scanned,
                CASE WHEN a.scanned = 0 AND instr(a.unscanned_reason, ':') > 0
                     THEN substr(a.unscanned_reason, 1, instr(a.unscanned_reason, ':') - 1) END,
                COUNT(*)
         FROM administrations a
         JOIN users u ON u.id = a.user_id
         JOIN prescriptions r ON r.id = a.prescription_id
         JOIN patients p ON p.id = r.patient_id
         LEFT JOIN movements m ON m.id = a.movement_id
         LEFT JOIN open_packs o ON o.id = a.open_pack_id
         JOIN places w ON w.id = COALESCE(m.from_place_id, o.place_id, p.ward_id)
         WHERE a.outcome IN ('given', 'partially_given')
           AND a.recorded_at >= ?1 AND a.recorded_at < ?2
           AND (?3 IS NULL OR w.id = ?3)
         GROUP BY 1, 2, 3, 4
         ORDER BY 1, 2",
    )?;
    let rows = stmt.query_map(
        params![instant_to_text(from), instant_to_text(to), ward],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, i64>(4)?,
            ))
        },
    )?;
    let mut lines: Vec<ScanningLine> = Vec::new();
    let mut wards: Vec<ScanningLine> = Vec::new();
    let mut total = ScanningLine::new("", None);
    for row in rows {
        let (w, nurse, scanned, code, n) = row?;
        if lines
            .last()
            .is_none_or(|l| l.ward != w || l.nurse.as_deref() != Some(nurse.as_str()))
        {
            lines.push(ScanningLine::new(&w, Some(&nurse)));
        }
        if wards.last().is_none_or(|l| l.ward != w) {
            wards.push(ScanningLine::new(&w, None));
        }
        for line in [lines.last_mut(), wards.last_mut(), Some(&mut total)]
            .into_iter()
            .flatten()
        {
            line.add(scanned, code.as_deref(), n);
        }
    }
    for line in lines.iter_mut().chain(wards.iter_mut()) {
        line.finish();
    }
    total.finish();
    Ok(ScanningReport {
        from,
        to,
        target_percent: seven_rights::SCANNING_TARGET_PERCENT,
        lines,
        wards,
        total,
    })
}

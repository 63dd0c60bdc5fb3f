//! Stocktake: start, count, see and approve a count of a place.

use super::*;

// ---------------------------------------------------------------- stocktake

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountLine {
    pub lot_id: i64,
    pub item_code: String,
    pub item_name: String,
    pub lot_number: String,
    pub expiry: Option<NaiveDate>,
    /// Stock when the line was last counted (or when the stocktake started).
    pub expected: i64,
    pub counted: Option<i64>,
    /// Stock now.
    pub current: i64,
    /// A controlled drug: its variance is explained and the approval signed
    /// by two.
    pub controlled: bool,
    /// Why the count differs, as explained before approval.
    pub explanation: Option<String>,
    /// The item's unit price, cents: what a variance is worth.
    pub unit_price_cents: i64,
    /// The stocktake is approved: its variances are in the ledger, and the
    /// stock now is no longer compared with the count.
    pub settled: bool,
}

impl CountLine {
    pub fn variance(&self) -> Option<i64> {
        self.counted.map(|c| c - self.expected)
    }
    /// What the variance is worth, cents (negative: missing).
    pub fn variance_cents(&self) -> Option<i64> {
        self.variance()
            .map(|v| v.saturating_mul(self.unit_price_cents))
    }
    /// Stock moved since the line was counted: it must be counted again.
    /// Once approved, a line's own adjustment is not a move.
    pub fn moved(&self) -> bool {
        !self.settled && self.current != self.expected
    }
}

/// Which items a stocktake counts, each kind said explicitly: an ATC code
/// prefix ("atc:B01"), one item code ("code:PARA500T"), or words of the
/// item's name, all of which must appear ("glove nitrile"; "name:…").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountFilter {
    All,
    Atc(String),
    Code(String),
    Name(Vec<String>),
}

impl CountFilter {
    /// Reads what the user typed: "atc:…", "code:…", "name:…", or plain words
    /// of the name.
    pub fn parse(text: &str) -> CountFilter {
        let t = text.trim();
        let lower = t.to_lowercase();
        let after = |p: &str| t[p.len()..].trim().to_string();
        if t.is_empty() {
            CountFilter::All
        } else if lower.starts_with("atc:") {
            CountFilter::Atc(after("atc:").to_uppercase())
        } else if lower.starts_with("code:") {
            CountFilter::Code(after("code:"))
        } else if lower.starts_with("name:") {
            CountFilter::Name(
                after("name:")
                    .split_whitespace()
                    .map(str::to_lowercase)
                    .collect(),
            )
        } else {
            CountFilter::Name(t.split_whitespace().map(str::to_lowercase).collect())
        }
    }

    /// As stored with the stocktake and shown.
    pub fn text(&self) -> String {
        match self {
            CountFilter::All => String::new(),
            CountFilter::Atc(p) => format!("atc:{p}"),
            CountFilter::Code(c) => format!("code:{c}"),
            CountFilter::Name(w) => w.join(" "),
        }
    }

    /// Whether an item (code, name, generic name, ATC) is counted.
    pub fn matches(
        &self,
        code: &str,
        name: &str,
        generic: Option<&str>,
        atc: Option<&str>,
    ) -> bool {
        match self {
            CountFilter::All => true,
            CountFilter::Atc(p) => atc.is_some_and(|a| a.to_uppercase().starts_with(p.as_str())),
            CountFilter::Code(c) => code.eq_ignore_ascii_case(c),
            CountFilter::Name(words) => {
                let hay = format!("{} {}", name, generic.unwrap_or("")).to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stocktake {
    pub id: i64,
    pub place: String,
    pub status: String,
    pub filter: String,
    /// The one storage location counted, when not the whole place.
    pub location: Option<String>,
    /// A controlled-drug check: every controlled drug at the place.
    pub controlled: bool,
    pub lines: Vec<CountLine>,
}

/// Starts counting a place, or one storage location of it: every lot with
/// stock there (whose item matches `filter` on code, name or ATC, when
/// given) becomes a line to count.
pub fn start_stocktake(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &PlaceRef,
    filter: &str,
    location: Option<&str>,
) -> Result<i64> {
    start(store, actor, now, place, filter, location, false)
}

/// Starts a controlled-drug check of a place: every lot of every controlled
/// drug held there becomes a line to count; its approval needs a second
/// signature and an explanation of every variance.
pub fn start_cd_check(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &PlaceRef,
) -> Result<i64> {
    start(store, actor, now, place, "", None, true)
}

fn start(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    place: &PlaceRef,
    filter: &str,
    location: Option<&str>,
    controlled: bool,
) -> Result<i64> {
    allow(actor, Operation::StartStocktake)?;
    not_in_transit(place)?;
    store.write(|tx| {
        let location = location
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| location_by_code(tx, place, l))
            .transpose()?;
        let open: Option<i64> = tx
            .query_row("SELECT id FROM stocktakes WHERE place_id = ?1 AND status = 'open'", [place.id], |r| r.get(0))
            .optional()?;
        if let Some(id) = open {
            return Err(StockError::StocktakeOpen { id, place: place.code.clone() });
        }
        let location_id = location.as_ref().map(|l| l.id);
        tx.execute(
            "INSERT INTO stocktakes (place_id, filter, status, started_at, started_by, location_id, controlled) VALUES (?1, ?2, 'open', ?3, ?4, ?5, ?6)",
            params![place.id, filter.trim(), instant_to_text(now), actor.user_id, location_id, controlled],
        )?;
        let id = tx.last_insert_rowid();
        // The items counted, by the explicit filter (read here, not by a
        // substring of every column).
        let mut which = CountFilter::parse(filter);
        // A plain word that is an item's code is that item.
        if let CountFilter::Name(words) = &which
            && words.len() == 1
            && let Ok(item) = item_by_code(tx, &words[0])
        {
            which = CountFilter::Code(item.code);
        }
        let items: Vec<i64> = tx
            .prepare("SELECT id, code, name, generic_name, atc, controlled FROM items")?
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, bool>(5)?,
                ))
            })?
            .filter_map(|row| match row {
                Ok((id, code, name, generic, atc, cd)) => (which.matches(&code, &name, generic.as_deref(), atc.as_deref())
                    && (!controlled || cd))
                    .then_some(Ok(id)),
                Err(e) => Some(Err(e)),
            })
            .collect::<rusqlite::Result<_>>()?;
        tx.execute("UPDATE stocktakes SET filter = ?2 WHERE id = ?1", params![id, which.text()])?;
        let mut n = 0;
        let mut add = tx.prepare_cached(
            "INSERT INTO stocktake_lines (stocktake_id, lot_id, item_id, expected)
             SELECT ?1, b.lot_id, b.item_id, sum(b.qty) FROM location_balances b
             WHERE b.place_id = ?2 AND b.item_id = ?3 AND b.qty > 0 AND (?4 IS NULL OR b.location_id = ?4)
             GROUP BY b.lot_id, b.item_id",
        )?;
        for item in items {
            n += add.execute(params![id, place.id, item, location_id])?;
        }
        if n == 0 && controlled {
            return Err(CdRefusal::NoControlledStock { place: place.code.clone() }.into());
        }
        if n == 0 && !filter.trim().is_empty() {
            return Err(StockError::NothingToCount { place: place.code.clone(), filter: filter.trim().to_string() });
        }
        Ok(id)
    })
}

/// The stocktake open at a place, if any.
pub fn open_stocktake(conn: &Connection, place_id: i64) -> Result<Option<Stocktake>> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM stocktakes WHERE place_id = ?1 AND status = 'open'",
            [place_id],
            |r| r.get(0),
        )
        .optional()?;
    id.map(|id| stocktake(conn, id)).transpose()
}

pub fn stocktake(conn: &Connection, id: i64) -> Result<Stocktake> {
    let (place_id, status, filter, location_id, controlled): (i64, String, String, Option<i64>, bool) = conn
        .query_row(
            "SELECT place_id, status, filter, location_id, controlled FROM stocktakes WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?
        .ok_or(StockError::UnknownStocktake(id))?;
    let place = place_by_id(conn, place_id)?;
    let location: Option<String> = location_id
        .map(|l| {
            conn.query_row("SELECT code FROM locations WHERE id = ?1", [l], |r| {
                r.get(0)
            })
        })
        .transpose()?;
    let mut stmt = conn.prepare_cached(
        "SELECT s.lot_id, i.code, i.name, l.lot_number, l.expiry, s.expected, s.counted,
                COALESCE((SELECT sum(qty) FROM location_balances b
                          WHERE b.place_id = ?2 AND b.lot_id = s.lot_id AND (?3 IS NULL OR b.location_id = ?3)), 0),
                i.controlled, s.explanation, i.unit_price_cents
         FROM stocktake_lines s JOIN items i ON i.id = s.item_id JOIN lots l ON l.id = s.lot_id
         WHERE s.stocktake_id = ?1 ORDER BY i.name, l.expiry, l.lot_number",
    )?;
    let lines = stmt
        .query_map(params![id, place_id, location_id], |r| {
            Ok(CountLine {
                lot_id: r.get(0)?,
                item_code: r.get(1)?,
                item_name: r.get(2)?,
                lot_number: r.get(3)?,
                expiry: r
                    .get::<_, Option<String>>(4)?
                    .as_deref()
                    .and_then(date_from_text),
                expected: r.get(5)?,
                counted: r.get(6)?,
                current: r.get(7)?,
                controlled: r.get(8)?,
                explanation: r.get(9)?,
                unit_price_cents: r.get(10)?,
                settled: status != "open",
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Stocktake {
        id,
        place: place.code,
        status,
        filter,
        location,
        controlled,
        lines,
    })
}

/// Records a count for a lot (a lot found on the shelf but not listed is
/// added). The line's expected stock is taken at the moment of counting.
pub fn count(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    stocktake_id: i64,
    item: &ItemRef,
    lot: &str,
    counted: i64,
) -> Result<CountLine> {
    allow(actor, Operation::Count)?;
    if counted < 0 {
        return Err(StockError::NegativeCount);
    }
    crate::ops::items::count_ok(counted)?;
    store.write(|tx| {
        let st = stocktake(tx, stocktake_id)?;
        if st.status != "open" {
            return Err(StockError::StocktakeClosed { id: stocktake_id, status: st.status });
        }
        let place = place_by_code(tx, &st.place)?;
        let l = lot_by_number(tx, item, lot)?;
        let current = match &st.location {
            Some(code) => crate::store::queries::held_at(tx, location_by_code(tx, &place, code)?.id, l.id)?,
            None => balance(tx, place.id, l.id)?,
        };
        tx.execute(
            "INSERT INTO stocktake_lines (stocktake_id, lot_id, item_id, expected, counted, counted_by, counted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (stocktake_id, lot_id) DO UPDATE SET expected = excluded.expected, counted = excluded.counted,
                 counted_by = excluded.counted_by, counted_at = excluded.counted_at,
                 explanation = CASE WHEN stocktake_lines.counted IS excluded.counted AND stocktake_lines.expected = excluded.expected
                                    THEN stocktake_lines.explanation END",
            params![stocktake_id, l.id, item.id, current, counted, actor.user_id, instant_to_text(now)],
        )?;
        stocktake(tx, stocktake_id)?
            .lines
            .into_iter()
            .find(|c| c.lot_id == l.id)
            .ok_or(StockError::CountNotRecorded)
    })
}

/// Approves a stocktake: every line counted and nothing moved since its
/// count, then each variance is written as an adjustment movement.
pub fn approve_stocktake(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    stocktake_id: i64,
    witness: Option<&Actor>,
) -> Result<Vec<CountLine>> {
    allow(actor, Operation::ApproveStocktake)?;
    store.write(|tx| {
        let st = stocktake(tx, stocktake_id)?;
        if st.status != "open" {
            return Err(StockError::StocktakeClosed { id: stocktake_id, status: st.status });
        }
        let uncounted: Vec<(String, String)> = st.lines.iter().filter(|l| l.counted.is_none()).map(|l| (l.item_code.clone(), l.lot_number.clone())).collect();
        if !uncounted.is_empty() {
            return Err(StockError::NotCounted(uncounted));
        }
        let moved: Vec<(String, String)> = st.lines.iter().filter(|l| l.moved()).map(|l| (l.item_code.clone(), l.lot_number.clone())).collect();
        if !moved.is_empty() {
            return Err(StockError::MovedSinceCount(moved));
        }
        // Controlled drugs: every variance explained, the approval signed by two.
        let unexplained: Vec<(String, String, i64)> = st
            .lines
            .iter()
            .filter(|l| l.controlled && l.variance() != Some(0) && l.explanation.is_none())
            .map(|l| (l.item_code.clone(), l.lot_number.clone(), l.variance().unwrap_or(0)))
            .collect();
        if !unexplained.is_empty() {
            return Err(CdRefusal::VarianceUnexplained { stocktake: stocktake_id, lines: unexplained }.into());
        }
        let mut signer = None;
        for l in st.lines.iter().filter(|l| l.controlled || st.controlled) {
            signer = cosign(tx, actor, witness, &item_by_code(tx, &l.item_code)?, now)?.or(signer);
        }
        let place = place_by_code(tx, &st.place)?;
        // A count of one location adjusts that location; a count of the
        // whole place takes missing units location by location and puts
        // found ones where the item is kept.
        let location = st.location.as_deref().map(|c| location_by_code(tx, &place, c)).transpose()?;
        for l in st.lines.iter().filter(|l| l.variance() != Some(0)) {
            let item = item_by_code(tx, &l.item_code)?;
            let diff = l.variance().unwrap_or(0);
            let mut m = movement(actor, now, MovementKind::Adjustment, &item, l.lot_id);
            if diff > 0 {
                m.to_place = Some(place.id);
                m.to_location = location.as_ref().map(|l| l.id);
            } else {
                m.from_place = Some(place.id);
                m.from_location = location.as_ref().map(|l| l.id);
            }
            m.qty = diff.abs();
            m.reason = Some(format!("stocktake {stocktake_id}: counted {} of {}", l.counted.unwrap_or(0), l.expected));
            m.order_ref = Some(format!("ST-{stocktake_id}"));
            if let Some(why) = &l.explanation {
                m.reason = Some(format!("{}: {why}", m.reason.unwrap_or_default()));
            }
            append_signed(tx, &m, signer.filter(|_| l.controlled))?;
        }
        tx.execute(
            "UPDATE stocktakes SET status = 'approved', approved_at = ?2, approved_by = ?3, witness_id = ?4 WHERE id = ?1",
            params![stocktake_id, instant_to_text(now), actor.user_id, signer],
        )?;
        Ok(st.lines)
    })
}

/// Explains why a counted line differs from what was expected (what
/// happened to the units). Every variance of a controlled drug is explained
/// before the stocktake is approved; a recount clears the explanation.
pub fn explain_variance(
    store: &mut Store,
    actor: &Actor,
    stocktake_id: i64,
    item: &ItemRef,
    lot: &str,
    why: &str,
) -> Result<CountLine> {
    allow(actor, Operation::Count)?;
    let why = why.trim();
    if why.is_empty() {
        return Err(CdRefusal::ExplanationEmpty.into());
    }
    store.write(|tx| {
        let st = stocktake(tx, stocktake_id)?;
        if st.status != "open" {
            return Err(StockError::StocktakeClosed {
                id: stocktake_id,
                status: st.status,
            });
        }
        let l = lot_by_number(tx, item, lot)?;
        let Some(line) = st.lines.into_iter().find(|c| c.lot_id == l.id) else {
            return Err(CdRefusal::NothingToExplain {
                stocktake: stocktake_id,
                item: item.name.clone(),
                lot: lot.to_string(),
            }
            .into());
        };
        if line.variance().unwrap_or(0) == 0 {
            return Err(CdRefusal::NothingToExplain {
                stocktake: stocktake_id,
                item: item.name.clone(),
                lot: lot.to_string(),
            }
            .into());
        }
        tx.execute(
            "UPDATE stocktake_lines SET explanation = ?3 WHERE stocktake_id = ?1 AND lot_id = ?2",
            params![stocktake_id, l.id, why],
        )?;
        Ok(CountLine {
            explanation: Some(why.to_string()),
            ..line
        })
    })
}

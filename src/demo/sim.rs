//! The demo's stock simulation: lots, ward lines and prescriptions as it
//! tracks them, and the `Sim` that books every movement through the ledger.

use super::*;

pub(super) struct DemoItem {
    pub(super) id: i64,
    /// The formulary code this item is (a variant of).
    pub(super) base_code: String,
    pub(super) kind: ItemKind,
    pub(super) form: String,
    pub(super) pack: i64,
    pub(super) price: i64,
    pub(super) strength_milli: Option<i64>,
    pub(super) strength_unit: Option<String>,
    pub(super) dose_unit: String,
}

#[derive(Clone, Copy)]
pub(super) struct DemoLot {
    pub(super) id: i64,
    pub(super) expiry: NaiveDate,
    pub(super) seq: i64,
}

pub(super) struct WardLine {
    pub(super) item: usize,
    pub(super) rate: f64,
    pub(super) safety: i64,
    pub(super) max: i64,
}

pub(super) struct Rx {
    pub(super) id: i64,
    pub(super) patient: i64,
    pub(super) ward: usize,
    pub(super) item: usize,
    pub(super) units: i64,
    pub(super) freq: Frequency,
    pub(super) times: Vec<NaiveTime>,
    pub(super) start: DateTime<Utc>,
    pub(super) end: Option<DateTime<Utc>>,
    pub(super) time_critical: bool,
}

/// In-memory mirror of the balances, so the history can be simulated with
/// FEFO without reading back what was just written.
pub(super) struct Sim<'a> {
    pub(super) tx: &'a rusqlite::Transaction<'a>,
    pub(super) lots: Vec<DemoLot>,
    /// (place index, item index) → (lot index, qty)
    pub(super) held: HashMap<(usize, usize), Vec<(usize, i64)>>,
    pub(super) place_ids: Vec<i64>,
    pub(super) items: Vec<DemoItem>,
    pub(super) movements: i64,
    /// The site's time zone: the demo's days and dose times are on its clock.
    pub(super) zone: Tz,
}

impl Sim<'_> {
    pub(super) fn lot_stock(&self, place: usize, item: usize) -> Vec<LotStock> {
        self.held
            .get(&(place, item))
            .map(|v| {
                v.iter()
                    .map(|&(l, q)| LotStock {
                        lot_id: l as i64,
                        expiry: Some(self.lots[l].expiry),
                        received_seq: self.lots[l].seq,
                        status: LotStatus::Ok,
                        qty: q,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(super) fn usable(&self, place: usize, item: usize, day: NaiveDate) -> i64 {
        self.lot_stock(place, item)
            .iter()
            .filter(|l| l.usable_on(day))
            .map(|l| l.qty)
            .sum()
    }

    pub(super) fn add(&mut self, place: usize, item: usize, lot: usize, qty: i64) {
        let v = self.held.entry((place, item)).or_default();
        match v.iter_mut().find(|(l, _)| *l == lot) {
            Some((_, q)) => *q += qty,
            None => v.push((lot, qty)),
        }
    }

    pub(super) fn take(&mut self, place: usize, item: usize, lot: usize, qty: i64) {
        if let Some(v) = self.held.get_mut(&(place, item)) {
            if let Some((_, q)) = v.iter_mut().find(|(l, _)| *l == lot) {
                *q -= qty;
            }
            v.retain(|(_, q)| *q > 0);
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn record(
        &mut self,
        at: DateTime<Utc>,
        user: i64,
        kind: MovementKind,
        item: usize,
        lot: usize,
        from: Option<usize>,
        to: Option<usize>,
        qty: i64,
        reason: Option<&str>,
        patient: Option<i64>,
        order_ref: Option<String>,
    ) -> rusqlite::Result<()> {
        ledger::append(
            self.tx,
            &NewMovement {
                at,
                user_id: user,
                kind,
                item_id: self.items[item].id,
                lot_id: self.lots[lot].id,
                from_place: from.map(|p| self.place_ids[p]),
                to_place: to.map(|p| self.place_ids[p]),
                from_location: None,
                to_location: None,
                qty,
                reason: reason.map(str::to_string),
                patient_id: patient,
                order_ref,
            },
        )?;
        if let Some(f) = from {
            self.take(f, item, lot, qty);
        }
        if let Some(t) = to {
            self.add(t, item, lot, qty);
        }
        self.movements += 1;
        Ok(())
    }

    /// A new lot from a supplier into the pharmacy (place 0).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn receive(
        &mut self,
        at: DateTime<Utc>,
        user: i64,
        item: usize,
        lot_number: &str,
        expiry: NaiveDate,
        qty: i64,
        reason: Option<&str>,
        po: u64,
    ) -> rusqlite::Result<()> {
        let seq = self.lots.len() as i64;
        let id =
            ledger::lot_id_or_create(self.tx, self.items[item].id, lot_number, Some(expiry), at)?;
        self.lots.push(DemoLot { id, expiry, seq });
        self.record(
            at,
            user,
            MovementKind::Receipt,
            item,
            seq as usize,
            None,
            Some(0),
            qty,
            reason,
            None,
            Some(format!("PO-{po:06}")),
        )
    }

    /// Moves up to `qty` FEFO from `from` (to `to`, or out of stock); returns (lot, qty) picked.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn fefo_move(
        &mut self,
        at: DateTime<Utc>,
        user: i64,
        kind: MovementKind,
        item: usize,
        from: usize,
        to: Option<usize>,
        qty: i64,
        patient: Option<i64>,
        order_ref: Option<String>,
    ) -> rusqlite::Result<Vec<(usize, i64)>> {
        let day = at.with_timezone(&self.zone).date_naive();
        let plan = fefo::pick(&self.lot_stock(from, item), qty, day);
        let mut out = Vec::new();
        for p in plan.picks {
            self.record(
                at,
                user,
                kind,
                item,
                p.lot_id as usize,
                Some(from),
                to,
                p.qty,
                None,
                patient,
                order_ref.clone(),
            )?;
            out.push((p.lot_id as usize, p.qty));
        }
        Ok(out)
    }
}

pub(super) fn local_at(zone: &Tz, day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let t = NaiveTime::from_hms_opt(hour.min(23), minute.min(59), 0).unwrap_or(NaiveTime::MIN);
    schedule::local_instant(zone, day, t).unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(t)))
}

pub(super) fn route_for(form: &str) -> &'static str {
    match form {
        "tablet" | "capsule" | "oral solution" => "PO",
        "injection" => "IV",
        "infusion" => "IV infusion",
        "suppository" => "PR",
        "inhaler" => "INH",
        "patch" => "TD",
        "cream" => "TOP",
        "eye drops" => "OPH",
        _ => "PO",
    }
}

/// The demo's history of controlled drugs, signed by a second user as the
/// register requires: a dose by its recorded witness, the storekeeper's
/// movements by a pharmacist, a pharmacist's by a nurse manager, a nurse's
/// by another clinical user.
pub(super) fn sign_controlled_history(conn: &rusqlite::Connection) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO movement_witnesses (movement_id, witness_id, signed_at)
         SELECT m.id, w, m.at FROM (
             SELECT m.id, m.at,
                    COALESCE(
                        (SELECT a.witness_id FROM administrations a
                         WHERE m.kind = 'administration' AND a.recorded_at = m.at AND a.lot_id = m.lot_id
                           AND a.witness_id IS NOT NULL AND a.witness_id <> m.user_id LIMIT 1),
                        CASE u.role
                            WHEN 'storekeeper' THEN (SELECT id FROM users WHERE role = 'pharmacist' AND active = 1 ORDER BY id LIMIT 1)
                            WHEN 'pharmacist' THEN (SELECT id FROM users WHERE role = 'nurse_manager' AND active = 1 ORDER BY id LIMIT 1)
                            ELSE (SELECT id FROM users WHERE role IN ('nurse', 'nurse_manager') AND active = 1 AND id <> m.user_id ORDER BY id LIMIT 1)
                        END) AS w
             FROM movements m JOIN items i ON i.id = m.item_id JOIN users u ON u.id = m.user_id
             WHERE i.controlled = 1
               AND NOT EXISTS (SELECT 1 FROM movement_witnesses s WHERE s.movement_id = m.id)
         ) m WHERE w IS NOT NULL",
        [],
    )
}

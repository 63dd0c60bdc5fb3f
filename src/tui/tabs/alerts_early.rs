//! The early warnings on the Alerts tab (demand surge, supplier risk, a
//! critical item with one supplier): computed in a background job apart
//! from the stock warnings (they build the MRP problem, a few hundred
//! milliseconds at hospital scale) and merged into the list when ready.

use chrono::{DateTime, Utc};

use crate::domain::alerts::AlertKind;
use crate::domain::early::EarlySettings;
use crate::store::queries::AlertRow;
use crate::tui::component::Ctx;
use crate::tui::views::AlertsView;

/// An early warning's kind (the job's rows are these alone).
pub fn is_early(k: &AlertKind) -> bool {
    matches!(
        k,
        AlertKind::DemandSurge { .. } | AlertKind::SupplierRisk { .. } | AlertKind::SingleSupplier
    )
}

/// The early warnings of every place at `now`.
pub fn load_early(
    conn: &rusqlite::Connection,
    now: DateTime<Utc>,
    s: &EarlySettings,
) -> Result<Vec<AlertRow>, String> {
    crate::ops::early::early_warnings(conn, now, s, None)
        .map(|list| list.into_iter().map(|w| w.row).collect())
        .map_err(|e| e.to_string())
}

/// Asks for the early warnings: on their own thread and connection when
/// the terminal runs, in place otherwise (tests).
pub fn spawn(cx: &mut Ctx) {
    let s = cx.settings.early.clone();
    let now = cx.now;
    if cx.jobs.background {
        let path = cx.store.path().to_path_buf();
        cx.jobs.early.spawn(true, move |_| {
            crate::store::Store::open(&path)
                .map_err(|e| e.to_string())
                .and_then(|st| load_early(&st.conn, now, &s))
        });
    } else {
        let r = load_early(&cx.store.conn, now, &s);
        cx.jobs.early.spawn(false, move |_| r);
    }
}

/// The list with `early` in place of the early warnings it held, worst
/// first (the order among equals kept).
pub fn merged(view: AlertsView, early: &AlertsView) -> AlertsView {
    let mut pairs: Vec<(AlertRow, String)> = view
        .rows
        .into_iter()
        .zip(view.haystack)
        .filter(|(r, _)| !is_early(&r.alert.kind))
        .collect();
    pairs.extend(
        early
            .rows
            .iter()
            .cloned()
            .zip(early.haystack.iter().cloned()),
    );
    pairs.sort_by_key(|(r, _)| r.alert.severity);
    let (rows, haystack) = pairs.into_iter().unzip();
    AlertsView { rows, haystack }
}

/// The sentence of the selected row when it is an early warning (it names
/// what is behind it), for the line under the list.
pub fn selected_message(row: Option<&AlertRow>) -> Option<&str> {
    row.filter(|r| is_early(&r.alert.kind))
        .map(|r| r.message.as_str())
}

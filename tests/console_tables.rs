//! The console's tables at 80×24 on the demo clinic: every name a user acts
//! on (patient, drug with its strength), every quantity and status shows
//! whole, names read from the database; what is cut at a narrower width
//! ends in "…". The Alerts tab: a filter by place, item or kind, projected
//! waste in units and money, totals per kind. In English and Chinese.

mod common;

use common::console::Console;
use crossterm::event::KeyCode;
use wardstock::domain::alerts::AlertKind;
use wardstock::i18n::{self, Lang};

/// The words of a drug's name up to its strength, as the console shows
/// them ("Metronidazole 500 mg/100 ml", the form after it left out).
fn name_and_strength(name: &str) -> String {
    const UNITS: [&str; 14] = [
        "mg",
        "g",
        "kg",
        "ml",
        "mL",
        "l",
        "L",
        "μg",
        "mcg",
        "microgram",
        "ng",
        "IU",
        "mmol",
        "%",
    ];
    let shown = wardstock::tui::words::strength(name);
    let words: Vec<&str> = shown.split(' ').collect();
    let Some(i) = (1..words.len()).find(|&k| words[k].starts_with(|c: char| c.is_ascii_digit()))
    else {
        return shown;
    };
    let j = (i..words.len())
        .find(|&k| {
            !(words[k].starts_with(|c: char| c.is_ascii_digit())
                || UNITS.contains(&words[k].split('/').next().unwrap_or("")))
        })
        .unwrap_or(words.len());
    words[..j].join(" ")
}

/// The first characters of a name: enough to see it was drawn.
fn start(name: &str) -> String {
    name.chars().take(8).collect()
}

fn strings(c: &Console, sql: &str, arg: &str) -> Vec<String> {
    let conn = &c.app.store().conn;
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([arg], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn ward_code(c: &Console) -> String {
    c.app
        .cx
        .current_place()
        .map(|p| p.code.clone())
        .expect("a place")
}

fn patients_of(c: &Console, ward: &str) -> Vec<String> {
    strings(
        c,
        "SELECT p.name FROM patients p JOIN places w ON w.id = p.ward_id WHERE w.code = ?1",
        ward,
    )
}

fn drugs_of(c: &Console, ward: &str) -> Vec<String> {
    strings(
        c,
        "SELECT DISTINCT i.name FROM prescriptions r JOIN items i ON i.id = r.item_id
         JOIN patients p ON p.id = r.patient_id JOIN places w ON w.id = p.ward_id
         WHERE w.code = ?1",
        ward,
    )
}

/// Every name drawn on the screen (seen by its start) is there whole;
/// returns how many were seen.
fn whole_where_drawn(screen: &str, names: &[String]) -> usize {
    let mut seen = 0;
    for name in names {
        if screen.contains(&start(name)) {
            seen += 1;
            assert!(screen.contains(name.as_str()), "{name:?} is cut:\n{screen}");
        }
    }
    seen
}

/// A drug's name split into the words before its strength and the
/// strength ("Metronidazole", "500 mg/100 ml").
fn head_and_strength(want: &str) -> (String, String) {
    let words: Vec<&str> = want.split(' ').collect();
    let i = (1..words.len())
        .find(|&k| words[k].starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(words.len());
    (words[..i].join(" "), words[i..].join(" "))
}

/// Asserts a drug's name and strength are whole on `line` (its form may
/// end in "…"); one wider than `room` may be cut, its strength whole and
/// the cut marked.
fn assert_drug_on(line: &str, name: &str, room: usize, screen: &str) {
    let want = name_and_strength(name);
    if i18n::width(&want) <= room {
        assert!(
            line.contains(want.as_str()),
            "{want:?} is cut in {line:?}\n{screen}"
        );
    } else {
        let (_, strength) = head_and_strength(&want);
        assert!(
            line.contains(&strength) && line.contains('…'),
            "{want:?}: its strength {strength:?} whole and the cut marked in {line:?}"
        );
    }
}

/// Every drug drawn on the screen (a line holding the start of its name
/// and its strength) shows its name and strength whole; returns how many
/// were seen.
fn drugs_whole_where_drawn(screen: &str, names: &[String], room: usize) -> usize {
    let mut seen = 0;
    for name in names {
        let want = name_and_strength(name);
        let (head, strength) = head_and_strength(&want);
        if strength.is_empty() {
            continue;
        }
        for line in screen
            .lines()
            .filter(|l| l.contains(&start(&head)) && l.contains(&format!(" {strength}")))
        {
            seen += 1;
            assert_drug_on(line, name, room, screen);
        }
    }
    seen
}

/// Every item drawn on the screen (a line holding its code) shows its name
/// and strength whole; returns how many were seen.
fn items_whole_where_drawn(screen: &str, items: &[(String, String)], room: usize) -> usize {
    let mut seen = 0;
    for (code, name) in items {
        for line in screen.lines().filter(|l| {
            l.split_whitespace()
                .any(|w| w.trim_start_matches('▶') == code)
        }) {
            seen += 1;
            assert_drug_on(line, name, room, screen);
        }
    }
    seen
}

fn items_by_code(c: &Console, sql: &str, arg: &str) -> Vec<(String, String)> {
    let conn = &c.app.store().conn;
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([arg], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn the_schedule_shows_whole_patient_and_drug_names_at_80_columns() {
    for lang in [Lang::En, Lang::ZhCn] {
        for by_patient in [false, true] {
            let mut c = Console::in_lang(80, 24, Some(lang));
            c.sign_in("nurse").key(KeyCode::Char('2'));
            if by_patient {
                c.key(KeyCode::F(7));
            }
            let ward = ward_code(&c);
            let s = c.screen();
            let patients = whole_where_drawn(&s, &patients_of(&c, &ward));
            let least = if by_patient { 3 } else { 5 };
            assert!(patients >= least, "patients on the schedule:\n{s}");
            // Grouped by patient the patient heads the group: the drug has
            // as much room as by time.
            let room = 30;
            let rows = s
                .lines()
                .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()) || l.starts_with("PRN"))
                .collect::<Vec<_>>()
                .join("\n");
            let drugs = drugs_whole_where_drawn(&rows, &drugs_of(&c, &ward), room);
            assert!(drugs >= 5, "drugs on the schedule:\n{s}");
            // The status of every dose whole: none ends in "…".
            for status in [
                "due now",
                "upcoming",
                "overdue",
                "应执行",
                "待执行",
                "已逾时",
            ] {
                let mut cut: String = status.chars().collect();
                cut.pop();
                assert!(!s.contains(&format!("{cut}…")), "{status:?} cut:\n{s}");
            }
            // Narrower, the names that no longer fit end in "…".
            c.resize(64, 24);
            let s = c.screen();
            assert!(s.contains('…'), "a cut name is marked:\n{s}");
            for l in s.lines() {
                assert!(wardstock::i18n::width(l) <= 64, "{l:?}");
            }
        }
    }
}

#[test]
fn grouped_by_patient_each_patient_heads_their_doses_and_the_selection_stays_in_view() {
    use wardstock::tui::views::Slot;
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("nurse")
            .key(KeyCode::Char('2'))
            .key(KeyCode::F(7));
        let v = c.app.tabs.administration.view.clone();
        let who = |slot: Slot| match slot {
            Slot::Dose(d) => v.rows[d].patient.clone(),
            Slot::Prn(p) => v.prn[p].patient.clone(),
        };
        // From the top: a heading line per patient, in the order of the
        // groups, each with the patient's number, and no patient column.
        let s = c.screen();
        let headings: Vec<&str> = s
            .lines()
            .filter(|l| {
                v.slots
                    .iter()
                    .any(|&x| l.starts_with(&format!("{} · ", who(x))))
            })
            .collect();
        assert!(headings.len() >= 2, "{s}");
        let mut groups: Vec<String> = Vec::new();
        for &x in &v.slots {
            if groups.last() != Some(&who(x)) {
                groups.push(who(x));
            }
        }
        for (h, g) in headings.iter().zip(&groups) {
            assert!(h.starts_with(g.as_str()), "{h:?} heads {g}:\n{s}");
        }
        let mrn = v.mrn(v.slots[0]).to_string();
        assert!(headings[0].contains(&mrn), "{s}");
        let header = s.lines().nth(3).unwrap_or("");
        let patient_col = i18n::text_in(lang, "tui.col.patient");
        assert!(!header.contains(patient_col), "{header}");
        // Down through every line: the selected line is always drawn, and
        // the last one shows under its patient's heading.
        for _ in 0..v.slots.len() {
            c.key(KeyCode::Down);
        }
        let s = c.screen();
        let last = *v.slots.last().unwrap();
        let lines: Vec<&str> = s.lines().collect();
        let heading = lines
            .iter()
            .rposition(|l| l.starts_with(&format!("{} · ", who(last))))
            .unwrap_or_else(|| panic!("the last patient's heading:\n{s}"));
        let item = match last {
            Slot::Dose(d) => v.rows[d].item.clone(),
            Slot::Prn(p) => v.prn[p].item.clone(),
        };
        let start: String = item.chars().take(8).collect();
        assert!(
            lines[heading..].iter().any(|l| l.contains(&start)),
            "{item} under its heading:\n{s}"
        );
    }
}

#[test]
fn prescriptions_show_whole_patients_drugs_and_statuses_at_80_columns() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("nurse").key(KeyCode::Char('1'));
        let ward = ward_code(&c);
        let s = c.screen();
        assert!(whole_where_drawn(&s, &patients_of(&c, &ward)) >= 4, "{s}");
        assert!(
            drugs_whole_where_drawn(&s, &drugs_of(&c, &ward), 30) >= 8,
            "{s}"
        );
        let statuses = strings(
            &c,
            "SELECT DISTINCT r.status FROM prescriptions r JOIN patients p ON p.id = r.patient_id
             JOIN places w ON w.id = p.ward_id WHERE w.code = ?1",
            &ward,
        );
        let list: Vec<&str> = s.lines().skip(4).take(17).collect();
        for l in &list {
            assert!(!l.ends_with('…'), "the status is cut in {l:?}\n{s}");
        }
        assert!(statuses.iter().any(|st| {
            let word = wardstock::tui::words::code(st);
            list.iter().any(|l| l.ends_with(word.as_str()))
        }));
    }
}

#[test]
fn ward_stock_shows_whole_names_and_quantities_at_80_columns() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("nurse").key(KeyCode::Char('3'));
        let ward = ward_code(&c);
        let s = c.screen();
        let items = items_by_code(
            &c,
            "SELECT DISTINCT i.code, i.name FROM balances b JOIN items i ON i.id = b.item_id
             JOIN places w ON w.id = b.place_id WHERE w.code = ?1 AND b.qty > 0",
            &ward,
        );
        assert!(items_whole_where_drawn(&s, &items, 36) >= 15, "{s}");
        // Every shown item's usable quantity whole, on its line.
        let tab = &c.app.tabs.stock;
        for &i in tab.filtered.iter().take(10) {
            let l = &tab.view.lines[i];
            let line = s
                .lines()
                .find(|x| x.starts_with(&format!("{} ", l.code)))
                .unwrap_or_else(|| panic!("{} not shown:\n{s}", l.code));
            assert!(
                line.split_whitespace().any(|w| w == i18n::num(l.usable)),
                "{} usable {} in {line:?}",
                l.code,
                l.usable
            );
        }
    }
}

#[test]
fn an_items_lots_show_whole_lot_numbers_and_statuses() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("pharm").key(KeyCode::Char('3'));
        let place = ward_code(&c);
        // An item of this place with an expired lot beside a usable one.
        let code = strings(
            &c,
            "SELECT i.code FROM balances b JOIN items i ON i.id = b.item_id
             JOIN places p ON p.id = b.place_id
             WHERE p.code = ?1 AND b.qty > 0 AND b.expiry < '2026-11-22'
             ORDER BY i.code LIMIT 1",
            &place,
        );
        let code = code.first().expect("an expired lot in the demo").clone();
        c.typed(&code.to_lowercase()).key(KeyCode::Enter);
        let s = c.screen();
        let lots = strings(
            &c,
            "SELECT l.lot_number FROM balances b JOIN lots l ON l.id = b.lot_id
             JOIN items i ON i.id = b.item_id WHERE i.code = ?1 AND b.qty > 0
             AND b.place_id = (SELECT id FROM places WHERE code = (SELECT code FROM places
             WHERE kind = 'pharmacy' LIMIT 1))",
            &code,
        );
        assert!(!lots.is_empty());
        for lot in &lots {
            let line = s
                .lines()
                .find(|l| l.contains(lot.as_str()))
                .unwrap_or_else(|| panic!("lot {lot} not shown:\n{s}"));
            assert!(!line.ends_with('…'), "cut: {line:?}\n{s}");
        }
        let expired = i18n::text_in(lang, "tui.lot.expired");
        assert!(s.contains(expired), "{expired:?} whole:\n{s}");
        // The item with the longest name here: its name, pack and price
        // whole above its lots.
        c.key(KeyCode::Esc).key(KeyCode::Esc);
        let items = items_by_code(
            &c,
            "SELECT i.code, i.name FROM balances b JOIN items i ON i.id = b.item_id
             JOIN places p ON p.id = b.place_id WHERE p.code = ?1 AND b.qty > 0
             ORDER BY length(i.name) DESC, i.code LIMIT 1",
            &place,
        );
        let (code, name) = items[0].clone();
        c.typed(&code.to_lowercase()).key(KeyCode::Enter);
        let s = c.screen();
        let price: i64 = c.count(&format!(
            "SELECT unit_price_cents FROM items WHERE code = '{code}'"
        ));
        let head: String = s.lines().skip(2).take(3).collect::<Vec<_>>().join(" ");
        assert!(head.contains(&name), "{name:?} whole:\n{s}");
        let price = i18n::money(price);
        assert!(
            head.contains(&price) && !head.contains(&format!("{price}…")),
            "its price {price} whole:\n{s}"
        );
    }
}

#[test]
fn the_pick_list_shows_whole_codes_names_and_lots() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, Some(lang));
        c.sign_in("store")
            .key(KeyCode::Char('4'))
            .key(KeyCode::Enter);
        let wardstock::tui::tabs::pharmacy::Mode::PickList(order) = &c.app.tabs.pharmacy.mode
        else {
            panic!("an order open:\n{}", c.screen())
        };
        let order = order.clone();
        let s = c.screen();
        for l in &order.lines {
            assert!(s.contains(l.item.code.as_str()), "{}:\n{s}", l.item.code);
            let items = items_by_code(
                &c,
                "SELECT code, name FROM items WHERE code = ?1",
                &l.item.code,
            );
            assert_eq!(items_whole_where_drawn(&s, &items, 30), 1, "{s}");
            for sug in &l.suggestions {
                assert!(
                    s.contains(sug.lot_number.as_str()),
                    "{}:\n{s}",
                    sug.lot_number
                );
            }
        }
    }
}

#[test]
fn the_patient_record_shows_whole_statuses_and_drugs() {
    let mut c = Console::new(80, 24);
    c.sign_in("nurse")
        .key(KeyCode::Char('2'))
        .key(KeyCode::F(4));
    let s = c.screen();
    let name = s.lines().nth(1).unwrap_or_default().to_string();
    let ward = ward_code(&c);
    let patient = patients_of(&c, &ward)
        .into_iter()
        .find(|p| name.contains(p.as_str()))
        .unwrap_or_else(|| panic!("a patient record:\n{s}"));
    let statuses = strings(
        &c,
        "SELECT r.status FROM prescriptions r JOIN patients p ON p.id = r.patient_id
         WHERE p.name = ?1",
        &patient,
    );
    for st in statuses.iter().filter(|s| s.as_str() != "superseded") {
        let word = wardstock::tui::words::code(st);
        assert!(s.contains(word.as_str()), "{word:?} whole:\n{s}");
    }
    let drugs = strings(
        &c,
        "SELECT i.name FROM prescriptions r JOIN patients p ON p.id = r.patient_id
         JOIN items i ON i.id = r.item_id WHERE p.name = ?1",
        &patient,
    );
    assert!(drugs_whole_where_drawn(&s, &drugs, 60) >= 1, "{s}");
}

/// The Alerts tab of the pharmacist.
fn alerts(lang: Lang, w: u16) -> Console {
    let mut c = Console::in_lang(w, 24, Some(lang));
    c.sign_in("pharm").key(KeyCode::Char('5'));
    assert!(!c.app.tabs.alerts.view.rows.is_empty(), "{}", c.screen());
    c
}

#[test]
fn projected_waste_shows_whole_in_units_and_money_at_every_width() {
    for lang in [Lang::En, Lang::ZhCn] {
        for w in [80, 100, 140] {
            let mut c = alerts(lang, w);
            let kind = i18n::text_in(lang, "tables.alerts.kind.waste");
            c.typed(kind);
            let tab = &c.app.tabs.alerts;
            assert!(!tab.filtered.is_empty(), "waste warnings in the demo");
            let rows: Vec<_> = tab
                .filtered
                .iter()
                .map(|&i| tab.view.rows[i].clone())
                .collect();
            let s = c.screen();
            for r in &rows {
                let AlertKind::ExpiryWaste { units, .. } = r.alert.kind else {
                    panic!("{:?} is not waste", r.alert.kind)
                };
                let price: i64 = c.count(&format!(
                    "SELECT unit_price_cents FROM items WHERE code = '{}'",
                    r.item
                ));
                let line = s
                    .lines()
                    .find(|l| {
                        l.contains(&format!(" {} ", r.place))
                            && l.contains(&start(&name_and_strength(&r.item_name)))
                            && l.split_whitespace().any(|x| x == i18n::num(units))
                    })
                    .unwrap_or_else(|| panic!("{units} units of {} whole:\n{s}", r.item));
                assert!(
                    line.ends_with(&i18n::money(units * price)),
                    "its money {} in {line:?}",
                    i18n::money(units * price)
                );
            }
        }
    }
}

#[test]
fn the_alerts_filter_narrows_to_the_typed_place_item_or_kind_and_esc_clears_it() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = alerts(lang, 80);
        let all = c.app.tabs.alerts.view.rows.clone();
        // A place.
        let place = all
            .iter()
            .map(|r| r.place.clone())
            .find(|p| p.starts_with("W-"))
            .expect("a ward's warning");
        c.typed(&place.to_lowercase());
        let tab = &c.app.tabs.alerts;
        assert_eq!(
            tab.filtered.len(),
            all.iter().filter(|r| r.place == place).count(),
            "{place}"
        );
        assert!(
            tab.filtered
                .iter()
                .all(|&i| tab.view.rows[i].place == place)
        );
        let n = tab.filtered.len();
        let s = c.screen();
        let shown = i18n::text_in(lang, "tables.alerts.count");
        let _ = shown;
        assert!(
            s.lines()
                .nth(2)
                .unwrap_or_default()
                .contains(&format!("{n}")),
            "{s}"
        );
        // Esc clears it.
        c.key(KeyCode::Esc);
        assert_eq!(c.app.tabs.alerts.filtered.len(), all.len());
        // An item, by a word of its name.
        let item = all
            .iter()
            .find(|r| r.item_name.is_ascii())
            .expect("an item")
            .clone();
        let word = item.item_name.split(' ').next().unwrap().to_lowercase();
        c.typed(&word);
        let tab = &c.app.tabs.alerts;
        assert!(
            tab.filtered
                .iter()
                .all(|&i| tab.view.rows[i].item_name.to_lowercase().contains(&word))
        );
        assert_eq!(
            tab.filtered.len(),
            all.iter()
                .filter(|r| r.item_name.to_lowercase().contains(&word))
                .count()
        );
        c.key(KeyCode::Esc);
        // A kind, in the reader's words.
        let expired = i18n::text_in(lang, "tables.alerts.kind.expired");
        c.typed(expired);
        let tab = &c.app.tabs.alerts;
        let n = all
            .iter()
            .filter(|r| r.alert.kind == AlertKind::Expired)
            .count();
        assert!(n > 0);
        assert_eq!(tab.filtered.len(), n);
        assert!(
            tab.filtered
                .iter()
                .all(|&i| tab.view.rows[i].alert.kind == AlertKind::Expired)
        );
        // Typing while filtering never switches the tab: digits are typed.
        c.typed("9");
        assert_eq!(c.app.tabs.alerts.filter.value(), format!("{expired}9"));
        assert!(c.app.tabs.alerts.filtered.is_empty());
        c.key(KeyCode::Esc);
        assert!(c.app.tabs.alerts.filter.value().is_empty());
    }
}

#[test]
fn the_totals_per_kind_equal_the_warnings_counted() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = alerts(lang, 80);
        let rows = c.app.tabs.alerts.view.rows.clone();
        let s = c.screen();
        let totals: String = s
            .lines()
            .rev()
            .skip(2)
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        let count =
            |f: &dyn Fn(&AlertKind) -> bool| rows.iter().filter(|r| f(&r.alert.kind)).count();
        let kinds: [(&str, usize); 5] = [
            (
                "tables.alerts.kind.expired",
                count(&|k| *k == AlertKind::Expired),
            ),
            (
                "tables.alerts.kind.recalled",
                count(&|k| *k == AlertKind::Recalled),
            ),
            (
                "tables.alerts.kind.out",
                count(&|k| *k == AlertKind::OutOfStock),
            ),
            (
                "tables.alerts.kind.expiring",
                count(&|k| matches!(k, AlertKind::Expiring { .. })),
            ),
            (
                "tables.alerts.kind.waste",
                count(&|k| matches!(k, AlertKind::ExpiryWaste { .. })),
            ),
        ];
        let mut shown = 0;
        for (key, n) in kinds {
            if n == 0 {
                continue;
            }
            shown += 1;
            let text = format!("{} {}", i18n::text_in(lang, key), i18n::num(n as i64));
            assert!(
                totals.replace("  ", " ").contains(&text),
                "{text:?} in the totals:\n{s}"
            );
        }
        assert!(shown >= 3, "{s}");
        // The projected waste in units and money, added up.
        let (units, cents) = rows.iter().fold((0, 0), |(u, m), r| match r.alert.kind {
            AlertKind::ExpiryWaste { units, .. } => (u + units, m + r.alert.value_cents),
            _ => (u, m),
        });
        assert!(units > 0);
        assert!(totals.contains(&i18n::num(units)), "{units} in:\n{s}");
        assert!(totals.contains(&i18n::money(cents)), "{cents} in:\n{s}");
        // Filtered, the totals follow the filter.
        c.typed(i18n::text_in(lang, "tables.alerts.kind.expired"));
        let t = &c.app.tabs.alerts.totals;
        assert_eq!(
            t.kinds.iter().sum::<usize>(),
            c.app.tabs.alerts.filtered.len()
        );
        assert_eq!(t.waste_units, 0);
    }
}

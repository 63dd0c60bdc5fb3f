//! The Reports tab: a report chosen, its period and place set, run in the
//! background, its sheets read on the screen and exported; the charts of
//! use per day, stock over time and the Pareto of cost, tested against the
//! ledger and drawn at 80×24 in both languages.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{Duration, NaiveDate};
use wardstock::ops::reports::{self, By, series};
use wardstock::store::Store;

/// The day after the demo's latest movement: a period ending on it holds
/// every movement.
fn last_day(store: &Store) -> NaiveDate {
    let at: String = store
        .conn
        .query_row("SELECT MAX(at) FROM movements", [], |r| r.get(0))
        .unwrap();
    NaiveDate::parse_from_str(&at[..10], "%Y-%m-%d").unwrap() + Duration::days(1)
}

#[test]
fn the_stock_line_ends_at_the_stock_held() {
    let (_d, store) = common::open_demo();
    let pairs: Vec<(String, String, i64)> = store
        .conn
        .prepare(
            "SELECT p.code, i.code, SUM(b.qty) FROM balances b JOIN places p ON p.id = b.place_id
             JOIN items i ON i.id = b.item_id WHERE p.kind IN ('pharmacy', 'ward')
             GROUP BY p.id, i.id ORDER BY SUM(b.qty) DESC LIMIT 6",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!pairs.is_empty());
    let last = last_day(&store);
    let (from, to) = series::period(&store.zone(), last - Duration::days(59), last).unwrap();
    for (place, item, held) in pairs {
        let s = series::stock_over_time(&store.conn, &item, &place, from, to).unwrap();
        assert_eq!(s.days.len(), 60, "one point a day");
        assert_eq!(s.days.last().unwrap().closing, held, "{item} at {place}");
        // Every day closes where the stock card's movements up to it leave it.
        let card = reports::stock_card(&store.conn, &item, &place, None, from, to).unwrap();
        assert_eq!(s.opening, card.opening);
        assert_eq!(s.days.last().unwrap().closing, card.closing);
    }
}

#[test]
fn the_daily_bars_add_up_to_the_consumption_total() {
    let (_d, store) = common::open_demo();
    let last = last_day(&store);
    let (from, to) = series::period(&store.zone(), last - Duration::days(29), last).unwrap();
    let mut places: Vec<Option<String>> = vec![None];
    places.extend(
        store
            .conn
            .prepare("SELECT code FROM places WHERE kind IN ('ward', 'pharmacy') ORDER BY code")
            .unwrap()
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|p| Some(p.unwrap())),
    );
    let mut some_use = false;
    for place in places {
        let bars = series::daily_use(&store.conn, place.as_deref(), from, to).unwrap();
        assert_eq!(bars.len(), 30, "a bar for every day, empty days too");
        let used = reports::consumption(&store.conn, place.as_deref(), By::Item, from, to)
            .unwrap()
            .total
            .used;
        assert_eq!(
            bars.iter().map(|b| b.units).sum::<i64>(),
            used.units,
            "{place:?}"
        );
        assert_eq!(
            bars.iter().map(|b| b.cents).sum::<i64>(),
            used.cents,
            "{place:?}"
        );
        some_use |= used.units > 0;
    }
    assert!(some_use, "the demo's wards used something");
}

#[test]
fn the_pareto_bars_are_the_cost_by_item_largest_first() {
    let (_d, store) = common::open_demo();
    let last = last_day(&store);
    let (from, to) = series::period(&store.zone(), last - Duration::days(29), last).unwrap();
    let bars = series::pareto(&store.conn, None, from, to).unwrap();
    assert!(bars.len() > 3);
    assert!(bars.windows(2).all(|w| w[0].cents >= w[1].cents));
    let total = reports::consumption(&store.conn, None, By::Item, from, to)
        .unwrap()
        .total
        .used
        .cents;
    assert_eq!(bars.iter().map(|b| b.cents).sum::<i64>(), total);
    assert!((bars.last().unwrap().cumulative - 1.0).abs() < 1e-9);
    assert!(bars[0].top && !bars.last().unwrap().top);
}

use common::console::Console;
use crossterm::event::KeyCode;
use wardstock::i18n::Lang;
use wardstock::tui::app::Tab;
use wardstock::tui::tabs::reports::{Kind, Row};

fn words(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::ZhCn => zh,
    }
}

/// The console's Reports moves.
trait ReportsConsole {
    fn choose(&mut self, kind: Kind) -> &mut Self;
    fn to_row(&mut self, row: Row) -> &mut Self;
    fn assert_numbers_whole(&mut self);
}

impl ReportsConsole for Console {
    /// Chooses a report on the settings' first line.
    fn choose(&mut self, kind: Kind) -> &mut Self {
        self.to_row(Row::Report);
        for _ in 0..Kind::ALL.len() {
            if self.app.tabs.reports.setup.kind == kind {
                return self;
            }
            self.key(KeyCode::Right);
        }
        panic!("{kind:?} is on the list");
    }

    /// Moves to a line of the settings.
    fn to_row(&mut self, row: Row) -> &mut Self {
        for _ in 0..8 {
            self.key(KeyCode::Up);
        }
        for _ in 0..8 {
            if self.app.tabs.reports.setup.row == row {
                return self;
            }
            self.key(KeyCode::Down);
        }
        panic!("{row:?} is a line of the settings");
    }

    /// Every number of the first rows shown is on the screen whole.
    fn assert_numbers_whole(&mut self) {
        let s = self.screen();
        let tab = &self.app.tabs.reports;
        let shown = tab.shown.as_ref().expect("a report is shown");
        let t = &shown.texts[tab.sheet];
        let cols = t.layout(tab.col, 80);
        assert!(!t.rows.is_empty(), "rows to read: {s}");
        let mut checked = 0;
        // The selected row and the four above it are on the screen.
        let sel = tab.sel.selected.min(t.rows.len() - 1);
        for row in &t.rows[sel.saturating_sub(4)..=sel] {
            for &(i, _) in &cols {
                if t.number[i] && !row[i].is_empty() {
                    assert!(s.contains(&row[i]), "{} whole on the screen:\n{s}", row[i]);
                    checked += 1;
                }
            }
        }
        assert!(checked > 0, "numbers were checked:\n{s}");
    }
}

#[test]
fn the_reports_tab_is_for_those_asked_for_reports_not_a_ward_nurse() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, lang);
        c.sign_in("manager");
        let s = c.screen();
        assert!(s.contains(words(lang, "7 Reports", "7 报表")), "{s}");
        c.key(KeyCode::Char('7'));
        assert_eq!(c.app.tab, Tab::Reports);
        let s = c.screen();
        assert!(
            s.contains(words(lang, "Pareto of cost", "费用帕累托")),
            "{s}"
        );
        assert!(s.contains(words(lang, "Last 30 days", "最近 30 天")), "{s}");
        c.sign_out();
        for user in ["pharm", "store", "admin"] {
            c.sign_in(user);
            assert!(
                c.screen().contains(words(lang, "7 Reports", "7 报表")),
                "{user} sees Reports"
            );
            c.sign_out();
        }
        c.sign_in("nurse");
        let s = c.screen();
        assert!(!s.contains(words(lang, "Reports", "报表")), "{s}");
        c.key(KeyCode::Char('7'));
        assert_ne!(c.app.tab, Tab::Reports, "7 is no key for a nurse");
    }
}

/// The item with the most stock at the console's place.
fn item_held_here(c: &Console) -> String {
    let place = c.app.cx.current_place().unwrap().id;
    c.app
        .store()
        .conn
        .query_row(
            "SELECT i.code FROM balances b JOIN items i ON i.id = b.item_id WHERE b.place_id = ?1
             GROUP BY i.id ORDER BY SUM(b.qty) DESC LIMIT 1",
            [place],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn the_charts_draw_at_80x24_with_their_titles_in_both_languages() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, lang);
        c.sign_in("manager").key(KeyCode::Char('7'));
        // Use per day: a bar a day, the days under them.
        c.choose(Kind::DailyUse).key(KeyCode::Enter);
        let s = c.screen();
        println!("{s}");
        assert!(s.contains(words(lang, "Use per day at", "每日消耗")), "{s}");
        assert!(s.contains('█') || s.contains('▄'), "bars: {s}");
        assert!(c.app.tabs.reports.chart);
        // In money.
        c.key(KeyCode::Esc)
            .to_row(Row::Option)
            .key(KeyCode::Right)
            .key(KeyCode::Enter);
        let s = c.screen();
        println!("{s}");
        assert!(s.contains(words(lang, "(money)", "（金额）")), "{s}");
        // The numbers behind it, as a table.
        c.key(KeyCode::Char('c'));
        c.assert_numbers_whole();
        // Stock over time of the item held most here.
        let item = item_held_here(&c);
        c.key(KeyCode::Esc)
            .choose(Kind::StockLine)
            .to_row(Row::Option)
            .typed(&item);
        assert!(c.screen().contains(&format!("→ {item}")));
        c.key(KeyCode::Enter);
        let s = c.screen();
        println!("{s}");
        assert!(
            s.contains(&item) && s.contains(words(lang, "Stock of", "库存走势")),
            "{s}"
        );
        // The Pareto of cost.
        c.key(KeyCode::Esc).choose(Kind::Pareto).key(KeyCode::Enter);
        let s = c.screen();
        println!("{s}");
        assert!(
            s.contains(words(lang, "Pareto of cost", "费用帕累托")),
            "{s}"
        );
        assert!(
            s.contains("100 %") && s.contains(words(lang, "80 % of the cost", "的 80 %")),
            "{s}"
        );
        c.key(KeyCode::Char('c'));
        println!("{}", c.screen());
        c.assert_numbers_whole();
    }
}

#[test]
fn a_report_runs_and_shows_its_rows_with_numbers_whole_in_both_languages() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, lang);
        c.sign_in("manager").key(KeyCode::Char('7'));
        // Consumption by item at the manager's ward over the last 30 days.
        c.choose(Kind::Consumption).key(KeyCode::Enter);
        let s = c.screen();
        println!("{s}");
        assert!(c.app.tabs.reports.viewing, "{s}");
        assert!(s.contains('★'), "the items that make 80 % are marked: {s}");
        c.assert_numbers_whole();
        // The columns that do not fit come with →, whole.
        let first = c.app.tabs.reports.col;
        c.key(KeyCode::Right);
        assert!(c.app.tabs.reports.col > first);
        c.assert_numbers_whole();
        println!("{}", c.screen());
        c.key(KeyCode::Left);
        assert_eq!(c.app.tabs.reports.col, first, "← goes back");
        c.key(KeyCode::Right);
        c.assert_numbers_whole();
        println!("{}", c.screen());
        while c.app.tabs.reports.shown.as_ref().unwrap().texts[0]
            .more_right(c.app.tabs.reports.col, 80)
        {
            c.key(KeyCode::Right);
        }
        let s = c.screen();
        println!("{s}");
        assert!(
            s.contains(words(lang, "Cost", "金额")) || s.contains('%'),
            "{s}"
        );
        c.assert_numbers_whole();
        // Scrolling the rows.
        c.key(KeyCode::PageDown);
        c.assert_numbers_whole();
        // The expiry report's two sheets, Tab between them.
        c.key(KeyCode::Esc).choose(Kind::Expiry).key(KeyCode::Enter);
        assert_eq!(c.app.tabs.reports.sheet, 0);
        let s = c.screen();
        println!("{s}");
        c.key(KeyCode::Tab);
        assert_eq!(c.app.tabs.reports.sheet, 1, "Tab: the next sheet");
        let s = c.screen();
        println!("{s}");
        assert!(s.contains(words(lang, "Wasted", "报损")), "{s}");
        c.key(KeyCode::BackTab);
        assert_eq!(c.app.tabs.reports.sheet, 0);
        // The stock card of the item held most here.
        let item = item_held_here(&c);
        c.key(KeyCode::Esc)
            .choose(Kind::StockCard)
            .to_row(Row::Option)
            .typed(&item)
            .key(KeyCode::Enter);
        let s = c.screen();
        println!("{s}");
        assert!(s.contains(&item), "{s}");
        c.assert_numbers_whole();
    }
}

#[test]
fn the_report_shown_is_exported_whole_and_the_console_says_where() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut c = Console::in_lang(80, 24, lang);
        let out = tempfile::tempdir().unwrap();
        c.sign_in("pharm").key(KeyCode::Char('7'));
        c.app.tabs.reports.export_dir = Some(out.path().to_path_buf());
        c.choose(Kind::Expiry).key(KeyCode::Enter);
        let rows: Vec<usize> = c
            .app
            .tabs
            .reports
            .shown
            .as_ref()
            .unwrap()
            .report
            .sheets
            .iter()
            .map(|s| s.rows.len() + usize::from(s.total.is_some()))
            .collect();
        c.key(KeyCode::Char('e'));
        let said = c.status();
        assert!(said.contains(&out.path().display().to_string()), "{said}");
        let mut files: Vec<String> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let csv: Vec<&String> = files.iter().filter(|f| f.ends_with(".csv")).collect();
        assert_eq!(csv.len(), 2, "a CSV per sheet: {files:?}");
        for f in &files {
            assert!(!f.ends_with(".partial"), "{files:?}");
        }
        let stem = files
            .iter()
            .find(|f| f.ends_with(".xlsx"))
            .expect("a workbook")
            .trim_end_matches(".xlsx");
        assert!(said.contains(&format!("{stem}.xlsx")), "{said}");
        assert!(said.contains(" 2 "), "two CSV files: {said}");
        assert!(files.iter().all(|f| f.starts_with(stem)), "{files:?}");
        // Each CSV holds its sheet: the keys, every row and the totals.
        for name in &csv {
            let n = if name.ends_with("-wasted.csv") {
                rows[1]
            } else {
                rows[0]
            };
            let text = std::fs::read_to_string(out.path().join(name)).unwrap();
            let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
            assert!(r.headers().unwrap().iter().any(|h| h == "place"), "{name}");
            assert_eq!(r.records().count(), n, "{name}");
        }
        // The workbook: a worksheet per sheet, its numbers as numbers.
        let xlsx: Vec<&String> = files.iter().filter(|f| f.ends_with(".xlsx")).collect();
        assert_eq!(xlsx.len(), 1, "{files:?}");
        let bytes = std::fs::read(out.path().join(xlsx[0])).unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let names = book.sheet_names();
        assert_eq!(names.len(), 2, "{names:?}");
        let range = book.worksheet_range(&names[0]).unwrap();
        let numbers = range
            .used_cells()
            .filter(|(_, _, d)| matches!(d, Data::Float(_) | Data::Int(_)))
            .count();
        assert!(numbers > 0 || rows[0] <= 1, "numbers as numbers");
        // The same report again is written beside, never over.
        c.key(KeyCode::Char('e'));
        assert_eq!(
            std::fs::read_dir(out.path()).unwrap().count(),
            files.len() * 2
        );
        // A folder that cannot be written: nothing is, and it is said.
        let blocked = out.path().join("blocked");
        std::fs::write(&blocked, "a file, not a folder").unwrap();
        c.app.tabs.reports.export_dir = Some(blocked.clone());
        c.key(KeyCode::Char('e'));
        assert!(
            c.status()
                .contains(words(lang, "Nothing was exported", "未导出任何文件")),
            "{}",
            c.status()
        );
        assert_eq!(
            std::fs::read_dir(out.path()).unwrap().count(),
            files.len() * 2 + 1
        );
    }
}

#[test]
fn a_report_runs_in_the_background_while_the_screen_answers() {
    let mut c = Console::new(80, 24);
    c.sign_in("manager").key(KeyCode::Char('7'));
    c.app.cx.jobs.background = true;
    c.choose(Kind::Consumption).key(KeyCode::Enter);
    // The settings stay on the screen, saying it runs.
    let s = c.screen();
    assert!(s.contains("Running Consumption and cost"), "{s}");
    let started = std::time::Instant::now();
    while !c.app.tabs.reports.viewing {
        assert!(started.elapsed().as_secs() < 60, "the report comes back");
        std::thread::sleep(std::time::Duration::from_millis(10));
        c.app.poll_jobs();
    }
    let s = c.screen();
    assert!(s.contains('★'), "{s}");
    c.assert_numbers_whole();
}

#[test]
fn the_supply_reports_run_from_the_screen() {
    let mut c = Console::new(80, 24);
    c.sign_in("pharm").key(KeyCode::Char('7'));
    for kind in [Kind::Suppliers, Kind::Service, Kind::Compliance] {
        c.choose(kind);
        if kind != Kind::Suppliers {
            // Every ward.
            c.to_row(Row::Place);
            while c.app.tabs.reports.setup.place != 0 {
                c.key(KeyCode::Right);
            }
        }
        c.key(KeyCode::Enter);
        let s = c.screen();
        println!("{s}");
        assert!(c.app.tabs.reports.viewing, "{kind:?} ran: {s}");
        c.key(KeyCode::Esc);
    }
    // A report of the wards is not asked of the pharmacy.
    c.choose(Kind::Service).to_row(Row::Place);
    while c
        .app
        .cx
        .places
        .get(c.app.tabs.reports.setup.place.wrapping_sub(1))
        .is_none_or(|p| p.kind != wardstock::domain::PlaceKind::Pharmacy)
    {
        c.key(KeyCode::Right);
    }
    c.key(KeyCode::Enter);
    assert!(c.status().contains("wards"), "{}", c.status());
}

#[test]
fn every_view_draws_at_small_and_large_sizes_and_follows_the_language() {
    let mut c = Console::new(80, 24);
    c.sign_in("manager").key(KeyCode::Char('7'));
    let item = item_held_here(&c);
    let mut views = Vec::new();
    for kind in Kind::ALL {
        c.choose(kind);
        // The item typed once stays for the card and the line.
        if kind == Kind::StockCard {
            c.to_row(Row::Option).typed(&item);
        }
        views.push(c.screen());
        c.key(KeyCode::Enter);
        assert!(c.app.tabs.reports.viewing, "{kind:?}: {}", c.status());
        for (w, h) in [(60, 16), (61, 17), (100, 30), (200, 50), (80, 24)] {
            c.resize(w, h);
            c.screen();
            c.key(KeyCode::Char('c'));
            c.screen();
            c.key(KeyCode::Char('c'));
        }
        c.key(KeyCode::Esc);
    }
    println!("{}", views[0]);
    // The reader's language changes: the report is written again in it.
    c.choose(Kind::Consumption).key(KeyCode::Enter);
    c.key(KeyCode::F(12));
    let s = c.screen();
    assert!(s.contains("7 报表") && s.contains("合计"), "{s}");
    println!("{s}");
    c.key(KeyCode::Esc);
    println!("{}", c.screen());
}

#[test]
fn the_help_names_the_reports_tab_only_for_those_who_see_it() {
    for (user, sees) in [("manager", true), ("nurse", false)] {
        let mut c = Console::new(80, 24);
        c.sign_in(user).key(KeyCode::F(1));
        let s = c.screen();
        println!("{s}");
        assert_eq!(s.contains("Reports"), sees, "{user}: {s}");
    }
}

#[test]
fn a_pack_scanned_on_the_settings_names_the_item_of_a_card() {
    let mut c = Console::new(80, 24);
    c.sign_in("manager").key(KeyCode::Char('7'));
    let (gtin, code): (String, String) = c
        .app
        .store()
        .conn
        .query_row(
            "SELECT g.gtin, i.code FROM item_gtins g JOIN items i ON i.id = g.item_id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // Scanned while the first day is being typed: the day stays as typed.
    c.choose(Kind::StockCard).to_row(Row::From);
    let day = c.app.tabs.reports.setup.from.value().to_string();
    c.scan(&format!("(01){gtin}"));
    assert_eq!(c.app.tab, Tab::Reports);
    assert_eq!(c.app.tabs.reports.setup.from.value(), day);
    assert_eq!(c.app.tabs.reports.setup.item.value(), code);
    assert!(c.status().contains(&code), "{}", c.status());
    c.key(KeyCode::Enter);
    assert!(c.app.tabs.reports.viewing, "{}", c.status());
    assert!(c.screen().contains(&code));
}

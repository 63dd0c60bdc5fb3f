//! The command line's arguments: every command and its options, as clap reads them.

use super::*;

#[derive(Debug, Parser)]
#[command(
    name = "wardstock",
    version,
    about = "Hospital ward and pharmacy stock: prescriptions, administration, lots, FEFO, replenishment."
)]
#[command(
    after_help = "Without a subcommand, wardstock opens the console.\nThe database is --db PATH, else $WARDSTOCK_DB, else the default file in the data folder."
)]
pub struct Cli {
    /// Database file (default: the data folder; demo.sqlite with --demo).
    #[arg(long, global = true, env = "WARDSTOCK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Language: en or zh-CN (default: $WARDSTOCK_LANG, else the user's own setting, else the system's).
    #[arg(long, global = true, value_name = "en|zh-CN")]
    pub lang: Option<String>,
    /// Open the console on the demo database, creating it (clinic scale) if it is empty.
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the terminal console (the default).
    Console,
    /// Load a spreadsheet (CSV) of items, places, locations, suppliers, users, patients, allergies or opening stock, or a whole site's folder of them.
    Import(import::ImportArgs),
    /// Write items, places, locations, suppliers, users, patients, allergies, stock or movements as CSV.
    Export(import::ExportArgs),
    /// Fill an empty database with a demo clinic or hospital.
    Demo {
        #[arg(long, value_enum, default_value = "clinic")]
        scale: DemoScale,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Replace an existing wardstock database.
        #[arg(long)]
        force: bool,
        /// "Now" of the demo (RFC 3339); default the current time.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// The demo site's IANA time zone, e.g. Europe/Rome, Asia/Shanghai
        /// (default: the computer's, else UTC).
        #[arg(long, value_name = "ZONE")]
        timezone: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Verify that every balance equals its ledger and that none is negative
    /// (--full: the file's own integrity and references too; slower).
    Check {
        /// Also SQLite's integrity check of every page and index, and every
        /// reference between rows: reads the whole file.
        #[arg(long)]
        full: bool,
        #[arg(long)]
        json: bool,
    },
    /// List stock balances by place, item and lot.
    Stock {
        /// Only this place (PHARM, a ward code).
        #[arg(long, value_name = "CODE")]
        place: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Stock operations (receive, transfer, issue, waste, return, quarantine, release, recall, stocktake).
    #[command(flatten)]
    Ops(stock::StockCommand),
    /// Enter a prescription on behalf of the prescriber (it awaits validation).
    Prescribe {
        #[command(flatten)]
        who: stock::UserArgs,
        #[command(flatten)]
        rx: RxArgs,
        #[arg(long)]
        mrn: String,
        /// The product (for a generic prescription: the preferred product; default the first of its ATC code).
        #[arg(long, value_name = "CODE", required_unless_present = "atc")]
        item: Option<String>,
        /// A generic prescription by ATC code, e.g. J01CA04.
        #[arg(long, value_name = "ATC")]
        atc: Option<String>,
        /// Products allowed for a generic prescription, e.g. AMOX500C,AMOX250C (default: every product of the ATC code).
        #[arg(long, value_name = "CODES", requires = "atc", value_delimiter = ',')]
        allow: Vec<String>,
        #[arg(long)]
        route: String,
        #[arg(long)]
        indication: String,
        #[arg(long)]
        prescriber: String,
        /// Start (RFC 3339); default now.
        #[arg(long, value_name = "TIME")]
        start: Option<String>,
        #[arg(long)]
        time_critical: bool,
    },
    /// Suspend, resume, stop or change a prescription.
    Rx {
        #[command(subcommand)]
        command: RxCommand,
    },
    /// Record a dose at the bedside: the seven rights on the wristband and pack scans.
    Administer {
        /// The prescription.
        rx: i64,
        #[command(flatten)]
        who: stock::UserArgs,
        /// The scheduled time of the dose (RFC 3339); omit for a PRN dose.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// The wristband scan (the MRN it carries).
        #[arg(long, value_name = "MRN", required_unless_present = "dob")]
        wristband: Option<String>,
        /// Without a wristband: the date of birth confirmed with the patient (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", conflicts_with = "wristband")]
        dob: Option<String>,
        /// The pack scan (GS1). A given dose needs it, or --unable-to-scan.
        #[arg(long, value_name = "DATA")]
        scan: Option<String>,
        /// The pack cannot be scanned: why, a code of the ward's list (wardstock ward reasons
        /// --kind unable_to_scan) or "other: …"; the first-expired lot is used, recorded "not scanned".
        #[arg(long, value_name = "CODE")]
        unable_to_scan: Option<String>,
        /// Units given (default: the prescribed dose in units of the item).
        #[arg(long)]
        units: Option<i64>,
        /// The route was checked against the prescription.
        #[arg(long)]
        route_confirmed: bool,
        /// Why the dose is given outside its window: a code of the ward's timing list, or "other: …".
        #[arg(long)]
        timing_reason: Option<String>,
        #[arg(
            long,
            default_value = "given",
            value_name = "given|partially_given|held|refused|not_given_supply|missed"
        )]
        outcome: String,
        /// Why it was held, refused, missed or partly given: a code of the ward's list (wardstock ward reasons), or "other: …".
        #[arg(long)]
        reason: Option<String>,
        /// A second user witnessing a controlled drug (PIN from WARDSTOCK_WITNESS_PIN or asked).
        #[arg(long, value_name = "USER")]
        witness: Option<String>,
        /// A second user double-checking a high-alert drug (PIN from WARDSTOCK_CHECK_PIN or asked).
        #[arg(long, value_name = "USER")]
        double_check: Option<String>,
    },
    /// A ward's administration schedule: doses due, overdue, missed, upcoming and recorded.
    Mar {
        #[arg(long, value_name = "WARD")]
        ward: String,
        /// From (RFC 3339); default 4 h ago.
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// To (RFC 3339); default 12 h ahead.
        #[arg(long, value_name = "TIME")]
        to: Option<String>,
        /// Group the doses by patient (default: by time).
        #[arg(long)]
        by_patient: bool,
        #[arg(long)]
        json: bool,
    },
    /// Replenishment from the prescriptions (MRP): ward deliveries and supplier orders, with pegging and exceptions.
    Plan {
        #[command(subcommand)]
        command: Option<plan::PlanCommand>,
        #[command(flatten)]
        horizon: plan::HorizonArgs,
        #[arg(long)]
        json: bool,
    },
    /// Plan an MRP problem file (JSON) without a database: what-ifs and checks of the engine.
    Mrp {
        /// The problem file.
        #[arg(long, value_name = "FILE")]
        input: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Simulate AS IS (periodic review to par levels) against TO BE (daily MRP) for one ward and the pharmacy.
    Simulate(simulate::SimulateArgs),
    /// Suppliers and purchase orders.
    Po {
        #[command(subcommand)]
        command: plan::PoCommand,
    },
    /// A ward's own settings: reason lists, administration times; its open multi-dose packs.
    Ward {
        #[command(subcommand)]
        command: ward::WardCommand,
    },
    /// Patients: admit, move, discharge, list, show; `patient MRN` shows the record.
    #[command(args_conflicts_with_subcommands = true)]
    Patient {
        #[command(subcommand)]
        command: Option<refdata::PatientCommand>,
        /// The patient whose record to show (allergies, prescriptions, every dose with its lot).
        mrn: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Therapeutic substitutes a pharmacist approved: add, remove, list (then `rx substitute` allows one for a prescription).
    Substitute {
        #[command(subcommand)]
        command: super::substitutes::SubstituteCommand,
    },
    /// Stock held for scheduled cases (surgery, procedures): new, list, show, use, cancel.
    Reserve {
        #[command(subcommand)]
        command: super::reserve::ReserveCommand,
    },
    /// A patient's allergies, intolerances and contraindications.
    Allergy {
        #[command(subcommand)]
        command: refdata::AllergyCommand,
    },
    /// Where an item a ward lacks is: every usable unit at the pharmacy and the other wards, nearest first (then `transfer new --from WARD` for an emergency transfer).
    Find {
        /// The item's code.
        item: String,
        /// The ward that lacks it (left out of the list; times are to it).
        #[arg(long = "for", value_name = "WARD")]
        for_ward: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Which patients received units of a lot, and where the rest is (for a recall).
    Trace {
        #[arg(long, value_name = "LOT")]
        lot: String,
        /// The item, when several share the lot number.
        #[arg(long, value_name = "CODE")]
        item: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The pharmacist's validation queue and decisions.
    Validate {
        #[command(subcommand)]
        command: ValidateCommand,
    },
    /// Start a new site: an empty database with the site's name and time zone,
    /// its pharmacy and one administrator (PIN from WARDSTOCK_PIN or asked twice).
    Init {
        /// The site's name, e.g. "Riverside Clinic".
        #[arg(long)]
        site: String,
        /// The site's IANA time zone, e.g. Europe/Rome, Asia/Shanghai.
        #[arg(long)]
        timezone: String,
        /// The pharmacy's code, e.g. PHARM.
        #[arg(long)]
        pharmacy: String,
        #[arg(long)]
        pharmacy_name: Option<String>,
        /// The administrator's user name.
        #[arg(long)]
        admin: String,
        /// The administrator's full name.
        #[arg(long)]
        admin_name: Option<String>,
    },
    /// The site's settings: show them, or (an administrator) change the time zone.
    Site {
        #[command(subcommand)]
        command: site::SiteCommand,
    },
    /// Make a consistent, checked copy of the database while others work
    /// (never copy the .sqlite file alone: it loses what sits in its -wal file).
    /// With --daily DIR --keep N, a backup is made each day when the first user signs in.
    Backup {
        /// The backup file to write (without it: how the daily backups stand).
        file: Option<PathBuf>,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        daily: site::DailyArgs,
    },
    /// Replace the database (--db) with a checked backup.
    Restore {
        /// The backup file.
        backup: PathBuf,
        /// Restore even though the database holds movements newer than the backup.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
    /// Barcode tools.
    Gs1 {
        #[command(subcommand)]
        command: Gs1Command,
    },
    /// List stock warnings (expiry, quarantine, recall, levels), worst first.
    Alerts {
        #[arg(long, value_name = "CODE")]
        place: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The formulary: add, edit, retire, list and show items, link and unlink GTINs.
    Item {
        #[command(subcommand)]
        command: refdata::ItemCommand,
    },
    /// The pharmacy and the wards: add, edit, close, list.
    Place {
        #[command(subcommand)]
        command: refdata::PlaceCommand,
    },
    /// Storage locations inside a place (shelves, fridges, the safe, trolleys): add, edit, close, list; where an item is kept; move stock between them.
    Location {
        #[command(subcommand)]
        command: refdata::LocationCommand,
    },
    /// Suppliers: add, edit, list.
    Supplier {
        #[command(subcommand)]
        command: refdata::SupplierCommand,
    },
    /// Change your own PIN (the current or one-time PIN, then the new one twice;
    /// WARDSTOCK_PIN and WARDSTOCK_NEW_PIN for scripts).
    Pin(refdata::PinArgs),
    /// The site's users (administrators), and a user's own language.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Reports: `report scanning` (doses given with and without the pack scanned), `report stock-card`.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// The cold chain: temperature readings of fridges, freezers and cold rooms, excursions,
    /// and the pharmacist's decision on the stock they hold.
    Cold {
        #[command(subcommand)]
        command: super::cold::ColdCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Pack scanning at the bedside: doses given, scanned and not (with why), per ward and nurse.
    Scanning {
        /// One ward (default: every ward).
        #[arg(long, value_name = "WARD")]
        ward: Option<String>,
        #[command(flatten)]
        out: ReportOut,
    },
    /// The stock card of an item (or one lot) at a place: opening balance, every movement with the
    /// running balance, closing balance.
    StockCard {
        /// The item's code.
        #[arg(long, value_name = "CODE")]
        item: String,
        /// The place's code (the pharmacy or a ward).
        #[arg(long, value_name = "PLACE")]
        place: String,
        /// One lot only.
        #[arg(long, value_name = "LOT")]
        lot: Option<String>,
        #[command(flatten)]
        out: ReportOut,
    },
    /// Consumption and cost over a period: what left the wards (or one place) to patients, without a
    /// patient, wasted and returned, in units and money, by ward, item, patient, ATC group or
    /// prescriber; the groups that make 80 % of the cost marked.
    Consumption {
        /// One place (default: every ward).
        #[arg(long, value_name = "PLACE")]
        place: Option<String>,
        /// ward, item, patient, atc or prescriber.
        #[arg(long, value_name = "BY", default_value = "item")]
        by: String,
        #[command(flatten)]
        out: ReportOut,
    },
    /// Stock value and turnover per place: value on hand, days of cover at the recent rate of use,
    /// and items with no movement out in the window (dead stock).
    StockValue {
        /// One place (default: the pharmacy and every ward).
        #[arg(long, value_name = "PLACE")]
        place: Option<String>,
        /// The window of use, in days (ending now; --from and --to are not used).
        #[arg(long, value_name = "N", default_value_t = 90)]
        days: i64,
        #[command(flatten)]
        out: ReportOut,
    },
    /// Stocktake variances: what the stocktakes approved over the period found missing or over, per
    /// place and item, in units and money.
    Variances {
        /// One place (default: every place).
        #[arg(long, value_name = "PLACE")]
        place: Option<String>,
        #[command(flatten)]
        out: ReportOut,
    },
    /// Expiry: what expires in the next days at each place, with the waste projected at its rate of
    /// use, in units and money; and what was wasted over the period, and why.
    Expiry {
        /// One place (default: the pharmacy and every ward).
        #[arg(long, value_name = "PLACE")]
        place: Option<String>,
        /// Lots expiring within this many days from today.
        #[arg(long, value_name = "N", default_value_t = 90)]
        days: i64,
        #[command(flatten)]
        out: ReportOut,
    },
    /// Supplier performance: order lines due in the period on time and in full (OTIF) per supplier
    /// and per supplier and item, and the late deliveries.
    Suppliers {
        /// One supplier (default: every supplier).
        #[arg(long, value_name = "CODE")]
        supplier: Option<String>,
        #[command(flatten)]
        out: ReportOut,
    },
    /// Service: stock-outs per ward and item (doses not given for lack of supply, urgent requests,
    /// times the ward's stock fell to zero), each with its last occurrence.
    Service {
        /// One ward (default: every ward).
        #[arg(long, value_name = "WARD")]
        ward: Option<String>,
        #[command(flatten)]
        out: ReportOut,
    },
    /// Bedside compliance: doses given on time, early or late, missed, unscanned packs and
    /// wristbands per ward (or nurse), and the overrides with their reasons.
    Compliance {
        /// One ward (default: every ward).
        #[arg(long, value_name = "WARD")]
        ward: Option<String>,
        /// ward, or nurse (a row per ward and nurse).
        #[arg(long, value_name = "BY", default_value = "ward")]
        by: String,
        #[command(flatten)]
        out: ReportOut,
    },
    /// The cold chain: each excursion over the period (location, start, minutes, peak, lots held)
    /// and each held lot's decision (released, disposed of or pending, by whom, comment).
    ColdChain {
        /// One place's cold locations (default: every place).
        #[arg(long, value_name = "PLACE")]
        place: Option<String>,
        #[command(flatten)]
        out: ReportOut,
    },
}

/// The period of a report and where it goes.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportOut {
    /// First day (YYYY-MM-DD, the site's days); default 30 days before --to.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD), included; default today.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Print the report as JSON.
    #[arg(long, conflicts_with_all = ["csv", "xlsx"])]
    pub json: bool,
    /// Write the report as CSV (UTF-8 with BOM, as the exports) to this file; a report of more
    /// than one sheet writes each further sheet beside it as FILE-SHEET.csv.
    #[arg(long, value_name = "FILE", conflicts_with = "xlsx")]
    pub csv: Option<std::path::PathBuf>,
    /// Write the report as an Excel workbook (XLSX) to this file: a worksheet per sheet, numbers
    /// as numbers, dates as dates.
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Set the language you read: en, zh-CN, or system (follow the computer's).
    Language {
        #[command(flatten)]
        who: stock::UserArgs,
        #[arg(value_name = "en|zh-CN|system")]
        language: String,
    },
    #[command(flatten)]
    Admin(refdata::UserAdmin),
}

/// The size of a demo database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoScale {
    /// The central pharmacy, 3 wards, ~150 items, ~40 patients.
    Clinic,
    /// 26 wards, 5,000 items, 100,000 lots, >1,000,000 movements, 700 patients.
    Hospital,
}

impl From<DemoScale> for Scale {
    fn from(s: DemoScale) -> Scale {
        match s {
            DemoScale::Clinic => Scale::Clinic,
            DemoScale::Hospital => Scale::Hospital,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Gs1Command {
    /// Decode scanned or typed GS1 data: element string, (01)… label text, Digital Link URI or GTIN.
    Decode {
        /// The data, e.g. "(01)09506000134352(17)271231(10)ABC".
        data: String,
        /// A character the scanner sends instead of the group separator (ASCII 29).
        #[arg(long, value_name = "CHAR")]
        separator: Option<char>,
        #[arg(long)]
        json: bool,
    },
}

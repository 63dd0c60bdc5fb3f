//! `wardstock simulate [--scenario paper|FILE] [--days 90] [--replications N]
//! [--seed S] [--json]`: compares the AS IS policy (periodic review to par
//! levels) with TO BE (daily MRP from prescriptions) for one ward and the
//! pharmacy on the same random demand, and prints costs, service, stock and
//! the saving, as tables or JSON. Needs no database.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result};
use clap::Args;
use comfy_table::{CellAlignment, Table, presets::UTF8_BORDERS_ONLY};

use crate::i18n;
use crate::planning::sim::{self, Estimate, Metrics, Scenario, SimOptions, SimResult, StockSeries};
use crate::t;

/// Options of `wardstock simulate`.
#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// `paper` (the built-in case study of ten drugs) or a scenario file
    /// (TOML, or JSON; the paper's file is the template).
    #[arg(long, default_value = "paper", value_name = "paper|FILE")]
    pub scenario: String,
    /// Days of analysis (after the scenario's warm-up).
    #[arg(long, default_value_t = sim::DEFAULT_DAYS as u32,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
    /// Independent replications (the confidence intervals need at least 2).
    #[arg(long, default_value_t = sim::DEFAULT_REPLICATIONS as u32,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Seed of the random demand; the same seed gives the same result.
    #[arg(long, default_value_t = sim::DEFAULT_SEED)]
    pub seed: u64,
    /// The drug whose stock build-up is drawn (default: the first).
    #[arg(long, value_name = "CODE")]
    pub drug: Option<String>,
    /// Build the scenario from the database: the ward's ten most expensive
    /// drugs by use over the last 90 days (the paper scenario's costs and timing).
    #[arg(long, requires = "ward")]
    pub from_db: bool,
    /// The ward of --from-db.
    #[arg(long, value_name = "CODE", requires = "from_db")]
    pub ward: Option<String>,
    /// Print the result as JSON (no progress bar).
    #[arg(long)]
    pub json: bool,
}

/// Runs the simulation and prints it. A malformed scenario file is reported
/// on stderr, naming the field, with exit code 2.
pub fn run(args: &SimulateArgs, db: Option<&Path>) -> Result<i32> {
    let scenario = if args.from_db {
        let ward = args.ward.as_deref().unwrap_or_default();
        let store = crate::store::Store::open(&crate::config::resolve_db(
            db.map(Path::to_path_buf),
            false,
        )?)?;
        crate::ops::plan::scenario_from_db(&store.conn, ward, chrono::Utc::now())?
    } else if args.scenario == "paper" {
        Scenario::paper().context(t!("cli.sim.paper_broken"))?
    } else {
        let path = Path::new(&args.scenario);
        let text = std::fs::read_to_string(path)
            .with_context(|| t!("cli.sim.cannot_read", path = path.display()))?;
        let read = if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Scenario::from_json(&text)
        } else {
            Scenario::from_text(&text)
        };
        match read {
            Ok(s) => s,
            Err(e) => {
                super::print_refusal(&format!("{}: {e}", path.display()), "input");
                return Ok(2);
            }
        }
    };
    if let Some(code) = &args.drug
        && !scenario.drugs.iter().any(|d| &d.code == code)
    {
        super::print_refusal(
            &t!(
                "cli.sim.no_drug",
                code = code,
                drugs = scenario
                    .drugs
                    .iter()
                    .map(|d| d.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "input",
        );
        return Ok(2);
    }
    let options = SimOptions {
        days: args.days as usize,
        replications: args.replications as usize,
        seed: args.seed,
    };

    let bar = if args.json || !std::io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else {
        let b = indicatif::ProgressBar::new(options.replications as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{} [{{bar:40}}] {{pos}}/{{len}} {} {{elapsed}}",
                t!("cli.sim.simulating"),
                t!("cli.sim.replications")
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b
    };
    let result = sim::simulate(&scenario, &options, &mut |done, _| {
        bar.set_position(done as u64)
    });
    bar.finish_and_clear();

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &result).context(t!("cli.sim.cannot_write"))?;
        writeln!(out)?;
    } else {
        out.write_all(render_text(&result, &scenario, args.drug.as_deref()).as_bytes())?;
    }
    out.flush()?;
    Ok(0)
}

/// The result as text: costs, service and stock, per drug, the stock
/// build-up of one drug and the saving.
pub fn render_text(r: &SimResult, scenario: &Scenario, drug: Option<&str>) -> String {
    let mut s = String::new();
    let title = if r.description.is_empty() {
        t!("cli.sim.title", name = r.scenario)
    } else {
        t!(
            "cli.sim.title_described",
            name = r.scenario,
            description = r.description
        )
    };
    s.push_str(&title);
    s.push('\n');
    s.push_str(&t!(
        "cli.sim.about",
        days = r.days,
        warmup = r.warmup_days,
        replications = r.replications,
        seed = r.seed
    ));
    s.push('\n');
    s.push_str(&t!(
        "cli.sim.policies",
        target = pct(r.service_level_target),
        z = format!("{:.4}", r.z),
        review = scenario.as_is.review_days,
        unplanned = pct(scenario.demand.unplanned_share)
    ));
    s.push_str("\n\n");
    let (as_is, to_be) = (t!("cli.sim.as_is"), t!("cli.sim.to_be"));

    let (a, b) = (&r.as_is.total, &r.to_be.total);
    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY).set_header([
        t!("cli.sim.cost"),
        as_is,
        to_be,
        t!("cli.sim.saving"),
    ]);
    let sv = &r.saving;
    let cost_rows: [(&str, Getter); 5] = [
        (t!("cli.sim.ordering"), |m| m.cost.ordering),
        (t!("cli.sim.purchasing"), |m| m.cost.purchasing),
        (t!("cli.sim.holding"), |m| m.cost.holding),
        (t!("cli.sim.shortage"), |m| m.cost.shortage),
        (t!("cli.sim.distribution"), |m| m.cost.distribution),
    ];
    for (name, get) in cost_rows {
        let (x, y) = (get(a), get(b));
        t.add_row([
            name.to_string(),
            money(&x),
            money(&y),
            num(x.mean - y.mean, 0),
        ]);
    }
    t.add_row([
        t!("cli.sim.total").to_string(),
        money(&a.cost.total),
        money(&b.cost.total),
        format!("{}{}", money(&sv.total), percent_of(sv.percent.as_ref())),
    ]);
    let op = |m: &Metrics| m.cost.total.mean - m.cost.purchasing.mean;
    t.add_row([
        t!("cli.sim.total_operating").to_string(),
        num(op(a), 0),
        num(op(b), 0),
        format!(
            "{}{}",
            money(&sv.operating),
            percent_of(sv.operating_percent.as_ref())
        ),
    ]);
    right_align(&mut t, 1..4);
    s.push_str(&t.to_string());
    s.push_str("\n\n");

    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY)
        .set_header([t!("cli.sim.service"), as_is, to_be]);
    let rows: [(&str, Getter, Kind); 13] = [
        (t!("cli.sim.fill_rate"), |m| m.fill_rate, Kind::Percent),
        (
            t!("cli.sim.days_without_stockout"),
            |m| m.cycle_service_level,
            Kind::Percent,
        ),
        (t!("cli.sim.stockouts"), |m| m.stockouts, Kind::Count),
        (
            t!("cli.sim.units_demanded"),
            |m| m.units_demanded,
            Kind::Count,
        ),
        (t!("cli.sim.units_short"), |m| m.units_short, Kind::Count),
        (
            t!("cli.sim.ward_stock_units"),
            |m| m.average_stock.ward_units,
            Kind::Count,
        ),
        (
            t!("cli.sim.ward_stock_euro"),
            |m| m.average_stock.ward_value,
            Kind::Count,
        ),
        (
            t!("cli.sim.pharmacy_stock_units"),
            |m| m.average_stock.pharmacy_units,
            Kind::Count,
        ),
        (
            t!("cli.sim.pharmacy_stock_euro"),
            |m| m.average_stock.pharmacy_value,
            Kind::Count,
        ),
        (
            t!("cli.sim.supplier_lines"),
            |m| m.supplier_order_lines,
            Kind::Count,
        ),
        (
            t!("cli.sim.ward_lines"),
            |m| m.ward_order_lines,
            Kind::Count,
        ),
        (
            t!("cli.sim.ward_deliveries"),
            |m| m.ward_deliveries,
            Kind::Count,
        ),
        (
            t!("cli.sim.urgent_purchases"),
            |m| m.urgent_purchases,
            Kind::Count,
        ),
    ];
    for (name, get, kind) in rows {
        t.add_row([name.to_string(), kind.show(&get(a)), kind.show(&get(b))]);
    }
    right_align(&mut t, 1..3);
    s.push_str(&t.to_string());
    s.push_str("\n\n");

    let mut t = Table::new();
    t.load_preset(UTF8_BORDERS_ONLY).set_header([
        t!("cli.sim.drug").to_string(),
        t!("cli.sim.cost_of", policy = as_is),
        t!("cli.sim.cost_of", policy = to_be),
        t!("cli.sim.saving").to_string(),
        t!("cli.sim.fill_of", policy = as_is),
        t!("cli.sim.fill_of", policy = to_be),
        t!("cli.sim.no_stockout_of", policy = as_is),
        t!("cli.sim.no_stockout_of", policy = to_be),
        t!("cli.sim.ward_stock_of", policy = as_is),
        t!("cli.sim.ward_stock_of", policy = to_be),
    ]);
    for ((da, db), ds) in r.as_is.drugs.iter().zip(&r.to_be.drugs).zip(&sv.drugs) {
        let (ma, mb) = (&da.metrics, &db.metrics);
        t.add_row([
            da.drug.clone(),
            num(ma.cost.total.mean, 0),
            num(mb.cost.total.mean, 0),
            ds.percent
                .as_ref()
                .map_or_else(|| "-".to_string(), |p| format!("{:.1} %", p.mean)),
            pct(ma.fill_rate.mean),
            pct(mb.fill_rate.mean),
            pct(ma.cycle_service_level.mean),
            pct(mb.cycle_service_level.mean),
            num(ma.average_stock.ward_units.mean, 0),
            num(mb.average_stock.ward_units.mean, 0),
        ]);
    }
    right_align(&mut t, 1..10);
    s.push_str(&t.to_string());
    s.push_str("\n\n");

    let pick = drug
        .and_then(|c| r.series.drugs.iter().find(|d| d.drug == c))
        .or_else(|| r.series.drugs.first());
    if let Some(d) = pick {
        s.push_str(&t!("cli.sim.buildup", drug = d.drug));
        s.push('\n');
        s.push_str(&chart(t!("cli.sim.ward"), &d.as_is, &d.to_be, |x| &x.ward));
        s.push_str(&chart(t!("cli.sim.pharmacy"), &d.as_is, &d.to_be, |x| {
            &x.pharmacy
        }));
        s.push('\n');
    }

    let abs = |e: &Estimate| Estimate {
        mean: e.mean.abs(),
        ..*e
    };
    let saves = sv.total.mean >= 0.0;
    let amount = money(&abs(&sv.total));
    let line = match (&sv.percent, saves) {
        (Some(p), true) => t!(
            "cli.sim.saves_percent",
            amount = amount,
            percent = format!("{:.2}", p.mean.abs()),
            half = format!("{:.2}", p.half_width())
        ),
        (Some(p), false) => t!(
            "cli.sim.costs_more_percent",
            amount = amount,
            percent = format!("{:.2}", p.mean.abs()),
            half = format!("{:.2}", p.half_width())
        ),
        (None, true) => t!("cli.sim.saves", amount = amount),
        (None, false) => t!("cli.sim.costs_more", amount = amount),
    };
    s.push_str(&line);
    s.push('\n');
    if let Some(p) = &sv.operating_percent {
        let amount = money(&abs(&sv.operating));
        let (percent, half) = (
            format!("{:.1}", p.mean.abs()),
            format!("{:.1}", p.half_width()),
        );
        let line = if sv.operating.mean >= 0.0 {
            t!(
                "cli.sim.operating_saves",
                amount = amount,
                percent = percent,
                half = half
            )
        } else {
            t!(
                "cli.sim.operating_costs_more",
                amount = amount,
                percent = percent,
                half = half
            )
        };
        s.push_str(&line);
        s.push('\n');
    }
    s
}

/// Reads one measure of a policy's results.
type Getter = fn(&Metrics) -> Estimate;

#[derive(Clone, Copy)]
enum Kind {
    Percent,
    Count,
}

impl Kind {
    fn show(self, e: &Estimate) -> String {
        match self {
            Kind::Percent => {
                if e.low.is_some() {
                    format!("{:.2} % ± {:.2}", 100.0 * e.mean, 100.0 * e.half_width())
                } else {
                    format!("{:.2} %", 100.0 * e.mean)
                }
            }
            Kind::Count => money(e),
        }
    }
}

fn right_align(t: &mut Table, cols: std::ops::Range<usize>) {
    for c in cols {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// `12,345 ± 67` (no interval: the mean alone).
fn money(e: &Estimate) -> String {
    if e.low.is_some() {
        format!("{} ± {}", num(e.mean, 0), num(e.half_width(), 0))
    } else {
        num(e.mean, 0)
    }
}

fn percent_of(p: Option<&Estimate>) -> String {
    p.map_or_else(String::new, |p| format!(" ({:.2} %)", p.mean))
}

fn pct(x: f64) -> String {
    let v = 100.0 * x;
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0} %")
    } else {
        format!("{v:.1} %")
    }
}

/// A number with thousands separators.
fn num(x: f64, decimals: usize) -> String {
    crate::domain::thousands(x, decimals)
}

/// Two sparklines (AS IS, TO BE) of one place on a common scale.
fn chart(
    place: &str,
    a: &StockSeries,
    b: &StockSeries,
    get: fn(&StockSeries) -> &Vec<u64>,
) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (xa, xb) = (get(a), get(b));
    let max = xa.iter().chain(xb).copied().max().unwrap_or(0);
    let line = |xs: &[u64]| -> String {
        xs.iter()
            .map(|&v| {
                if max == 0 {
                    BARS[0]
                } else {
                    let i = ((v as f64 / max as f64) * (BARS.len() - 1) as f64).round() as usize;
                    BARS[i.min(BARS.len() - 1)]
                }
            })
            .collect()
    };
    let mean = |xs: &[u64]| {
        if xs.is_empty() {
            0.0
        } else {
            xs.iter().sum::<u64>() as f64 / xs.len() as f64
        }
    };
    let (as_is, to_be) = (t!("cli.sim.as_is"), t!("cli.sim.to_be"));
    let label = i18n::width(as_is).max(i18n::width(to_be));
    let stats = |xs: &[u64]| {
        t!(
            "cli.sim.mean_max",
            mean = num(mean(xs), 0),
            max = num(xs.iter().copied().max().unwrap_or(0) as f64, 0)
        )
    };
    format!(
        "  {} {} {}  {}\n  {} {} {}  {}\n",
        super::cell(place, 8),
        super::cell(as_is, label),
        line(xa),
        stats(xa),
        super::cell("", 8),
        super::cell(to_be, label),
        line(xb),
        stats(xb),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_thousands_separators() {
        assert_eq!(num(1234567.4, 0), "1,234,567");
        assert_eq!(num(-1234.5, 1), "-1,234.5");
        assert_eq!(num(999.0, 0), "999");
        assert_eq!(num(-0.2, 0), "0");
    }
}

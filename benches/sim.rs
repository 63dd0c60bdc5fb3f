//! The policy simulation of the paper's case study: the default run
//! (`wardstock simulate`: ten drugs, 90 days after a week's warm-up, 30
//! replications, each with a daily MRP plan of ward and pharmacy for TO BE),
//! and one replication alone, measured in one run so the cost per
//! replication can be quoted.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use wardstock::planning::sim::{self, Scenario, SimOptions};

fn simulation(c: &mut Criterion) {
    let scenario = Scenario::paper().expect("the built-in paper scenario reads");
    let mut group = c.benchmark_group("simulate_paper");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for replications in [1, sim::DEFAULT_REPLICATIONS] {
        let options = SimOptions {
            replications,
            ..SimOptions::default()
        };
        group.bench_function(format!("{replications}_replications"), |b| {
            b.iter(|| sim::simulate(black_box(&scenario), &options, &mut |_, _| {}))
        });
    }
    group.finish();
}

criterion_group!(benches, simulation);
criterion_main!(benches);

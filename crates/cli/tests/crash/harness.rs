//! Killing `tandem run` with SIGKILL at random points, and counting what arrived.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::common::{count, tandem};
use crate::support::{World, flows};

/// Passes killed in each test before one is allowed to finish.
pub const KILLS: usize = 5;

/// The variable that sets the seed of the kill points, to repeat a failed run.
const SEED_VARIABLE: &str = "TANDEM_CRASH_SEED";

/// Kill delays drawn from a seeded generator (SplitMix64). The seed is printed, so a failure
/// can be repeated with `TANDEM_CRASH_SEED`: the same seed draws the same delays, each a
/// share of the maximum delay. A pass's speed still varies from run to run, so the records
/// written before each kill may not be the same.
pub struct KillPoints {
    state: u64,
}

impl KillPoints {
    /// Seeds from `TANDEM_CRASH_SEED`, or from the clock when it is not set.
    pub fn new() -> KillPoints {
        let seed = std::env::var(SEED_VARIABLE)
            .ok()
            .and_then(|text| text.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(7, |since| since.as_nanos() as u64)
            });
        eprintln!("kill points seed {seed}; set {SEED_VARIABLE}={seed} to repeat this run");
        KillPoints { state: seed }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut mixed = self.state;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        mixed ^ (mixed >> 31)
    }

    /// Returns a delay between 150 milliseconds and `max`, at a share of that span drawn
    /// from the generator.
    pub fn delay(&mut self, max: Duration) -> Duration {
        let min = 150;
        let span = (max.as_millis() as u64).saturating_sub(min).max(1);
        let share = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        Duration::from_millis(min + (share * span as f64) as u64)
    }
}

/// How long a killed pass may take to write its first record before it is killed anyway.
const MAX_WAIT_FOR_WRITES: Duration = Duration::from_secs(120);

/// Starts `tandem run --once` in `dir`, with its output discarded.
fn spawn_pass(dir: &Path) -> Child {
    tandem()
        .arg("run")
        .arg("--config")
        .arg(dir.join("tandem.toml"))
        .args(["--once", "--json", "--env-file"])
        .arg(dir.join("tandem.env"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tandem starts")
}

/// Waits until one more record has arrived on the target or the pass has exited, for at most
/// [`MAX_WAIT_FOR_WRITES`].
async fn wait_for_writes(world: &World, pass: &mut Child, arrived: &impl Fn(&World) -> usize) {
    let before = arrived(world);
    let started = Instant::now();
    while started.elapsed() < MAX_WAIT_FOR_WRITES {
        let exited = pass.try_wait().expect("tandem status").is_some();
        if exited || arrived(world) > before {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs [`KILLS`] passes and kills each with SIGKILL. `arrived` counts the target records on
/// the emulator. The first pass is killed after a delay drawn from `points` up to
/// `max_delay`, wherever it is. Each later pass is killed that long after it writes its first
/// record, so the kills land while records are being written even where a pass spends long
/// reading and matching first. Fails when no record arrived before the last kill.
pub async fn kill_passes(
    world: &World,
    points: &mut KillPoints,
    max_delay: Duration,
    arrived: impl Fn(&World) -> usize,
) {
    for kill in 0..KILLS {
        let mut pass = spawn_pass(world.dir.path());
        if kill > 0 {
            wait_for_writes(world, &mut pass, &arrived).await;
        }
        let delay = points.delay(max_delay);
        tokio::time::sleep(delay).await;
        let exited = pass.try_wait().expect("tandem status").is_some();
        // `Child::kill` sends SIGKILL on Unix: no destructor or signal handler runs.
        let _ = pass.kill();
        let _ = pass.wait();
        let count = arrived(world);
        eprintln!("killed pass {kill} {delay:?} in (exited already: {exited}); {count} arrived");
    }
    assert!(arrived(world) > 0, "no record arrived before the last kill");
}

/// Runs a pass that must complete, then one that must write nothing and leave no dead letter.
pub async fn finish(world: &World) {
    let started = Instant::now();
    world.pass().await;
    eprintln!("the finishing pass took {:?}", started.elapsed());
    let started = Instant::now();
    let last = world.assert_second_pass_writes_nothing().await;
    eprintln!("the last pass took {:?}", started.elapsed());
    for flow in flows(&last) {
        let name = flow["flow"].as_str().expect("flow name");
        let letters = world.dead_letters(name).await;
        let open: Vec<&Value> = letters.iter().filter(|l| l["status"] == "open").collect();
        let first: Vec<&&Value> = open.iter().take(3).collect();
        assert_eq!(
            count(flow, "dead_letters"),
            0,
            "{flow}; first open letters: {first:?}"
        );
    }
}

/// Checks that every key of `expected` occurs exactly once in `keys` and that no other key
/// occurs, naming `what` was counted. A `None` key (a record that names no source) fails too.
pub fn assert_once(
    what: &str,
    keys: impl IntoIterator<Item = Option<String>>,
    expected: &BTreeSet<String>,
) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut unkeyed = 0;
    for key in keys {
        match key {
            Some(key) => *counts.entry(key).or_default() += 1,
            None => unkeyed += 1,
        }
    }
    assert_eq!(unkeyed, 0, "{what} written without a source key");
    let doubled: Vec<(&String, &usize)> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        doubled.is_empty(),
        "{what} written more than once: {doubled:?}"
    );
    let missing: Vec<&String> = expected
        .iter()
        .filter(|k| !counts.contains_key(*k))
        .collect();
    assert!(missing.is_empty(), "{what} never written: {missing:?}");
    let unexpected: Vec<&String> = counts.keys().filter(|k| !expected.contains(*k)).collect();
    assert!(
        unexpected.is_empty(),
        "{what} with unexpected keys: {unexpected:?}"
    );
}

/// Returns a text field of every record, `None` where it is blank.
pub fn field_values(records: &[Map<String, Value>], field: &str) -> Vec<Option<String>> {
    records
        .iter()
        .map(|record| record.get(field).and_then(Value::as_str))
        .map(|value| value.filter(|text| !text.is_empty()).map(str::to_string))
        .collect()
}

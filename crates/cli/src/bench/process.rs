//! One `tandem run --once` pass in a child process, with its wall time, CPU time and peak
//! resident memory read from `/proc`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Clock ticks per second of the CPU times in `/proc/PID/stat`. Linux fixes this `USER_HZ`
/// at 100 in its user-space ABI on every architecture it supports.
const TICKS_PER_SECOND: f64 = 100.0;

/// How often the child's memory high-water mark is sampled.
const SAMPLE_INTERVAL: Duration = Duration::from_millis(5);

/// The maximum time a pass may take before the bench gives up on it.
const PASS_TIMEOUT: Duration = Duration::from_secs(3600);

/// What one pass cost the engine's process.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessUsage {
    /// From start to exit.
    pub wall: Duration,
    /// User plus system CPU time, at 10 ms resolution.
    pub cpu: Duration,
    /// Peak resident memory (`VmHWM`) in bytes, sampled every 5 ms until the process exits.
    pub peak_rss: u64,
}

/// Runs `tandem run --config DIR/tandem.toml --once --json --env-file DIR/tandem.env` with
/// this executable and returns its usage and its stdout. Fails when the pass fails.
pub fn run_pass(dir: &Path) -> anyhow::Result<(ProcessUsage, String)> {
    let stdout_path = dir.join("pass.out");
    let stderr_path = dir.join("pass.err");
    let executable = std::env::current_exe().context("cannot find the tandem executable")?;
    let started = Instant::now();
    let mut child = Command::new(executable)
        .arg("run")
        .arg("--config")
        .arg(dir.join("tandem.toml"))
        .args(["--once", "--json", "--env-file"])
        .arg(dir.join("tandem.env"))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path)?)
        .stderr(std::fs::File::create(&stderr_path)?)
        .spawn()
        .context("cannot start `tandem run` for a bench pass")?;

    let usage = watch(child.id(), started);
    let status = child.wait().context("cannot wait for the bench pass")?;
    let usage = usage?;
    let stdout = std::fs::read_to_string(&stdout_path)?;
    if !status.success() {
        let stderr = std::fs::read_to_string(&stderr_path)?;
        bail!("a bench pass failed ({status}): {stdout}{stderr}");
    }
    Ok((usage, stdout))
}

/// Samples the child until it has exited but is not yet reaped, so its final CPU times can
/// still be read from `/proc/PID/stat`.
fn watch(pid: u32, started: Instant) -> anyhow::Result<ProcessUsage> {
    let mut usage = ProcessUsage::default();
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .with_context(|| format!("cannot read /proc/{pid}/stat (the bench needs Linux)"))?;
        let (state, cpu) = parse_stat(&stat)?;
        if state == 'Z' || state == 'X' {
            usage.wall = started.elapsed();
            usage.cpu = cpu;
            return Ok(usage);
        }
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status"))
            && let Some(peak) = parse_peak_rss(&status)
        {
            usage.peak_rss = usage.peak_rss.max(peak);
        }
        if started.elapsed() > PASS_TIMEOUT {
            bail!("a bench pass ran longer than {} s", PASS_TIMEOUT.as_secs());
        }
        std::thread::sleep(SAMPLE_INTERVAL);
    }
}

/// Returns the state letter and user plus system CPU time of a `/proc/PID/stat` line.
fn parse_stat(stat: &str) -> anyhow::Result<(char, Duration)> {
    // The command name in brackets may contain spaces, so fields are counted after its `)`.
    let rest = stat
        .rfind(')')
        .map(|end| &stat[end + 1..])
        .context("unexpected /proc stat format")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields
        .first()
        .and_then(|field| field.chars().next())
        .context("no state in /proc stat")?;
    // After the name: state is field 3 of proc(5), utime 14 and stime 15.
    let ticks = |index: usize| -> anyhow::Result<u64> {
        fields
            .get(index)
            .context("short /proc stat line")?
            .parse::<u64>()
            .context("invalid CPU time in /proc stat")
    };
    let total = ticks(11)? + ticks(12)?;
    Ok((
        state,
        Duration::from_secs_f64(total as f64 / TICKS_PER_SECOND),
    ))
}

/// Returns `VmHWM` of a `/proc/PID/status` text in bytes.
fn parse_peak_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_reads_state_and_cpu_after_spaced_name() {
        let stat = "4242 (tandem run) S 1 4242 4242 0 -1 4194304 900 0 0 0 150 25 0 0 20 0 \
                    4 0 100 1000 200";
        let (state, cpu) = parse_stat(stat).unwrap();
        assert_eq!(state, 'S');
        assert_eq!(cpu, Duration::from_millis(1750));
    }

    #[test]
    fn stat_rejects_truncated_line() {
        assert!(parse_stat("4242 (tandem) S 1 2").is_err());
    }

    #[test]
    fn status_peak_rss_is_in_bytes() {
        let status = "Name:\ttandem\nVmPeak:\t  90000 kB\nVmHWM:\t   12345 kB\nVmRSS:\t 100 kB\n";
        assert_eq!(parse_peak_rss(status), Some(12345 * 1024));
    }

    #[test]
    fn status_without_peak_rss_is_none() {
        assert_eq!(parse_peak_rss("Name:\ttandem\nState:\tZ (zombie)\n"), None);
    }
}

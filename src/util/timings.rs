//! `check --timings`: wall time per phase of the pipeline, printed on stderr.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Collects phase durations when enabled; costs nothing but a branch when not.
#[derive(Debug, Default)]
pub struct Timings {
    enabled: bool,
    phases: Mutex<Vec<(String, Duration, Option<u64>)>>,
}

impl Timings {
    pub fn enabled() -> Timings {
        Timings { enabled: true, phases: Mutex::new(Vec::new()) }
    }

    /// Runs `f`, recording its wall time under `phase`.
    pub fn time<R>(&self, phase: &str, f: impl FnOnce() -> R) -> R {
        if !self.enabled {
            return f();
        }
        let start = Instant::now();
        let result = f();
        let elapsed = start.elapsed();
        if let Ok(mut phases) = self.phases.lock() {
            phases.push((phase.to_string(), elapsed, resident_mib()));
        }
        result
    }

    /// One line per phase, in the order they finished, with the resident memory at its end where the
    /// system tells it.
    pub fn report(&self) -> String {
        let phases = self.phases.lock().map(|p| p.clone()).unwrap_or_default();
        let width = phases.iter().map(|(name, ..)| name.len()).max().unwrap_or(0);
        phases
            .iter()
            .map(|(name, d, rss)| {
                let rss = rss.map(|mib| format!("  {mib:>7} MiB resident")).unwrap_or_default();
                format!("{name:<width$}  {:>9.1} ms{rss}\n", d.as_secs_f64() * 1000.0)
            })
            .collect()
    }
}

/// Resident memory of this process in MiB (Linux; elsewhere `None`).
fn resident_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

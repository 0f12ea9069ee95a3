//! `check --timings`: wall time per phase of the pipeline, printed on stderr.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Collects phase durations when enabled; costs nothing but a branch when not.
#[derive(Debug, Default)]
pub struct Timings {
    enabled: bool,
    phases: Mutex<Vec<(String, Duration)>>,
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
            phases.push((phase.to_string(), elapsed));
        }
        result
    }

    /// One line per phase, in the order they finished.
    pub fn report(&self) -> String {
        let phases = self.phases.lock().map(|p| p.clone()).unwrap_or_default();
        let width = phases.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
        phases.iter().map(|(name, d)| format!("{name:<width$}  {:>9.1} ms\n", d.as_secs_f64() * 1000.0)).collect()
    }
}

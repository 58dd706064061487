//! The results table: printed, and written to `bench/RESULTS.md` with the
//! date, the machine and the command.

use std::fmt::Write as _;
use std::path::Path;

use hdrhistogram::Histogram;

/// One line of the table.
pub struct Row {
    pub what: String,
    pub courier: String,
    pub baseline: String,
    pub ratio: String,
}

impl Row {
    pub fn single(what: impl Into<String>, courier: impl Into<String>) -> Row {
        Row {
            what: what.into(),
            courier: courier.into(),
            baseline: "–".into(),
            ratio: "–".into(),
        }
    }

    pub fn compared(what: impl Into<String>, courier: f64, baseline: f64, unit: &str) -> Row {
        Row {
            what: what.into(),
            courier: format!("{} {unit}", human(courier)),
            baseline: format!("{} {unit}", human(baseline)),
            ratio: if baseline > 0.0 {
                format!("{:.2}×", courier / baseline)
            } else {
                "–".into()
            },
        }
    }
}

pub fn human(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// A percentile of a µs histogram, in ms.
pub fn ms(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

pub fn table(rows: &[Row]) -> String {
    let mut out =
        String::from("| measure | Courier | baseline | Courier ÷ baseline |\n|---|---|---|---|\n");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            r.what, r.courier, r.baseline, r.ratio
        );
    }
    out
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} cores (nproc), {model}")
}

/// Writes the results, followed by the hand-written analysis kept in
/// `bench/ANALYSIS.md` (where the time and memory go, before/after figures).
pub fn write_results(path: &Path, command: &str, table: &str, notes: &str) -> std::io::Result<()> {
    let analysis = std::fs::read_to_string(path.with_file_name("ANALYSIS.md")).unwrap_or_default();
    let date = std::process::Command::new("date")
        .arg("-u")
        .arg("+%Y-%m-%d %H:%M UTC")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let text = format!(
        "# Courier benchmark results\n\n- date: {date}\n- machine: {}\n- command: `{command}`\n\n{table}\n{notes}\n{analysis}",
        machine()
    );
    std::fs::write(path, text)
}

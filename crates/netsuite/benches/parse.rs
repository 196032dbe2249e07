//! Parse throughput of the largest recorded search pages, compared with Python's zeep parsing
//! the same bytes in the same run.
//!
//! `cargo bench -p tandem-netsuite --bench parse` prints records per second and megabytes per
//! second for this crate's streaming parser and for zeep 4.3.3 (lxml tree plus zeep's
//! deserializer, driven by NetSuite's 2023_2 WSDL), and the ratio between them. zeep is
//! installed on first use into a virtual environment under the cargo target directory. Without
//! Python or network access the zeep columns are left out.
//!
//! The recordings come from 2013_2 endpoints. Both parsers read them with every namespace
//! version rewritten to 2023_2, so that zeep can match them against the 2023_2 WSDL.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use tandem_netsuite::operations::Operation;
use tandem_netsuite::parse::search_response;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus/netsuite");
const ZEEP_VERSION: &str = "4.3.3";
const ZEEP_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/zeep_parse.py");

/// The largest recorded search pages, in corpus paths.
const PAGES: [&str; 4] = [
    "iloveitaly__netsuite_integration/spec/cassettes/inventory_item/search/01_search_response.xml",
    "iloveitaly__netsuite_integration/spec/cassettes/inventory_item/get/01_search_response.xml",
    "iloveitaly__netsuite_integration/spec/cassettes/order/invalid_item/02_search_response.xml",
    "iloveitaly__netsuite_integration/spec/cassettes/item_fulfillment/latest/01_search_response.xml",
];

/// The throughput of one parser on one page.
struct Measure {
    records: usize,
    parses: u64,
    elapsed: Duration,
}

impl Measure {
    fn records_per_second(&self) -> f64 {
        (self.records as f64 * self.parses as f64) / self.elapsed.as_secs_f64()
    }

    fn megabytes_per_second(&self, bytes: usize) -> f64 {
        (bytes as f64 * self.parses as f64) / self.elapsed.as_secs_f64() / 1e6
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs a short smoke pass.
    let full = std::env::args().any(|argument| argument == "--bench");
    let duration = if full {
        Duration::from_secs(3)
    } else {
        Duration::from_millis(10)
    };
    let work = target_dir().join("netsuite-bench");
    std::fs::create_dir_all(&work).expect("cannot create the bench folder");
    let pages: Vec<(String, PathBuf, Vec<u8>)> =
        PAGES.iter().map(|path| prepare_page(path, &work)).collect();

    let rust: Vec<Measure> = pages
        .iter()
        .map(|(_, _, bytes)| measure_rust(bytes, duration))
        .collect();
    let zeep = if full {
        measure_zeep(&pages, duration)
    } else {
        None
    };
    print_table(&pages, &rust, zeep.as_deref());
}

/// Reads a page, rewrites its namespace versions to 2023_2 and writes the result for zeep.
fn prepare_page(path: &str, work: &Path) -> (String, PathBuf, Vec<u8>) {
    let source = Path::new(CORPUS).join(path);
    let text = std::fs::read_to_string(&source).expect("cannot read a recorded page");
    let rewritten = rewrite_versions(&text);
    let name = path
        .trim_start_matches("iloveitaly__netsuite_integration/spec/cassettes/")
        .replace('/', "_");
    let out = work.join(&name);
    std::fs::write(&out, &rewritten).expect("cannot write a page for zeep");
    let short = path
        .trim_start_matches("iloveitaly__netsuite_integration/spec/cassettes/")
        .to_string();
    (short, out, rewritten.into_bytes())
}

/// Replaces every `_YYYY_N.` namespace version with `_2023_2.`.
fn rewrite_versions(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < bytes.len() {
        let candidate = bytes.get(index..index + 8);
        let is_version = candidate.is_some_and(|part| {
            part[0] == b'_'
                && part[1..5].iter().all(u8::is_ascii_digit)
                && part[5] == b'_'
                && part[6].is_ascii_digit()
                && part[7] == b'.'
        });
        if is_version {
            out.push_str("_2023_2.");
            index += 8;
        } else {
            let character = text[index..].chars().next().unwrap_or_default();
            out.push(character);
            index += character.len_utf8().max(1);
        }
    }
    out
}

fn measure_rust(bytes: &[u8], duration: Duration) -> Measure {
    let records = parse_records(bytes);
    let mut parses = 0u64;
    let started = Instant::now();
    loop {
        std::hint::black_box(parse_records(std::hint::black_box(bytes)));
        parses += 1;
        if started.elapsed() >= duration {
            break;
        }
    }
    Measure {
        records,
        parses,
        elapsed: started.elapsed(),
    }
}

fn parse_records(bytes: &[u8]) -> usize {
    let page = search_response(bytes, Operation::Search, 200).expect("a recorded page parses");
    page.body.records.len()
}

/// Runs zeep on every page, installing it first when needed. `None` when Python or zeep
/// cannot be had.
fn measure_zeep(pages: &[(String, PathBuf, Vec<u8>)], duration: Duration) -> Option<Vec<Measure>> {
    let python = zeep_python()?;
    let wsdl = Path::new(CORPUS).join("kokobd__netsuite-wsdl/netsuite.wsdl");
    let output = Command::new(&python)
        .arg(ZEEP_SCRIPT)
        .arg(&wsdl)
        .arg(duration.as_secs_f64().to_string())
        .args(pages.iter().map(|(_, path, _)| path))
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!("zeep failed: {}", String::from_utf8_lossy(&output.stderr));
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let measures: Vec<Measure> = text.lines().filter_map(zeep_line).collect();
    (measures.len() == pages.len()).then_some(measures)
}

/// Reads `path \t records \t parses \t seconds`.
fn zeep_line(line: &str) -> Option<Measure> {
    let fields: Vec<&str> = line.split('\t').collect();
    let [_, records, parses, seconds] = fields.as_slice() else {
        return None;
    };
    Some(Measure {
        records: records.parse().ok()?,
        parses: parses.parse().ok()?,
        elapsed: Duration::from_secs_f64(seconds.parse().ok()?),
    })
}

/// Returns the Python of a virtual environment with zeep, creating it under the target
/// directory on first use.
fn zeep_python() -> Option<PathBuf> {
    let venv = target_dir().join("zeep-venv");
    let python = venv.join("bin/python");
    let has_zeep = |python: &Path| {
        Command::new(python)
            .args([
                "-c",
                &format!("import zeep; assert zeep.__version__ == '{ZEEP_VERSION}'"),
            ])
            .status()
            .is_ok_and(|status| status.success())
    };
    if python.exists() && has_zeep(&python) {
        return Some(python);
    }
    eprintln!("installing zeep {ZEEP_VERSION} into {}", venv.display());
    let created = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|status| status.success());
    let pip = venv.join("bin/pip");
    let installed = created
        && Command::new(pip)
            .args(["install", "--quiet", &format!("zeep=={ZEEP_VERSION}")])
            .status()
            .is_ok_and(|status| status.success());
    if installed && has_zeep(&python) {
        Some(python)
    } else {
        eprintln!("zeep is not available; its columns are left out");
        None
    }
}

/// Returns the cargo target directory: `CARGO_TARGET_DIR`, or the folder three levels above
/// this bench's executable (`target/release/deps/parse-...`).
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("the bench knows its executable");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .expect("the bench runs from the target directory")
}

fn print_table(pages: &[(String, PathBuf, Vec<u8>)], rust: &[Measure], zeep: Option<&[Measure]>) {
    println!(
        "{:<45} {:>8} {:>7} {:>12} {:>9} {:>12} {:>9} {:>7}",
        "page", "MB", "records", "Rust rec/s", "Rust MB/s", "zeep rec/s", "zeep MB/s", "ratio"
    );
    for (index, (name, _, bytes)) in pages.iter().enumerate() {
        let ours = &rust[index];
        let size = bytes.len() as f64 / 1e6;
        print!(
            "{:<45} {:>8.3} {:>7} {:>12.0} {:>9.1}",
            name,
            size,
            ours.records,
            ours.records_per_second(),
            ours.megabytes_per_second(bytes.len())
        );
        match zeep.map(|measures| &measures[index]) {
            Some(theirs) => {
                let ratio = ours.megabytes_per_second(bytes.len())
                    / theirs.megabytes_per_second(bytes.len());
                println!(
                    " {:>12.0} {:>9.2} {:>6.0}x",
                    theirs.records_per_second(),
                    theirs.megabytes_per_second(bytes.len()),
                    ratio
                );
            }
            None => println!(),
        }
    }
}

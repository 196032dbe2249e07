//! Client libraries written by others, which the fidelity tests drive against the emulators:
//! Python packages in a virtual environment and Node packages. They are installed on first use
//! under the test build's temporary folder, from the pinned lists next to this file, so
//! `cargo test` needs only `python3` (with `venv`) and `npm` on the machine.

#![allow(dead_code)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

const REQUIREMENTS: &str = include_str!("requirements.txt");
const PACKAGE_JSON: &str = include_str!("package.json");

/// Serializes installs between the tests of one test binary; the lock file does the same
/// between test binaries.
static INSTALLING: Mutex<()> = Mutex::new(());

fn root() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("clients")
}

/// Returns the path of this folder's scripts, such as `zeep_client.py`.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(name)
}

/// Returns the Python interpreter of a virtual environment that holds the packages of
/// `requirements.txt`, creating it on first use.
pub fn python() -> PathBuf {
    let venv = root().join("venv");
    let python = venv.join("bin/python");
    install_once("python", REQUIREMENTS, || {
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
        let requirements = root().join("requirements.txt");
        write(&requirements, REQUIREMENTS);
        run(Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements));
    });
    python
}

/// Returns a folder whose `node_modules` holds the packages of `package.json`, installing
/// them on first use. Run Node scripts with this folder as `NODE_PATH`'s parent.
pub fn node_project() -> PathBuf {
    let project = root().join("node");
    install_once("node", PACKAGE_JSON, || {
        write(&project.join("package.json"), PACKAGE_JSON);
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&project));
    });
    project
}

/// Runs `install` unless a marker says the same list was installed before.
fn install_once(kind: &str, list: &str, install: impl FnOnce()) {
    let _guard = INSTALLING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    std::fs::create_dir_all(root()).expect("create the clients folder");
    let lock = File::create(root().join(format!("{kind}.lock"))).expect("create the lock file");
    lock.lock().expect("lock the clients folder");
    let marker = root().join(format!("{kind}.installed"));
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(list) {
        return;
    }
    install();
    write(&marker, list);
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create a folder for the clients");
    }
    std::fs::write(path, text).unwrap_or_else(|error| panic!("cannot write {path:?}: {error}"));
}

fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?} ({error}); is it installed?"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

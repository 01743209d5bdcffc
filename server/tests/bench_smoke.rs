//! The side-by-side benchmark still works: `server/bench/side-by-side.sh --quick` runs the load
//! tool against ngIRCd, Redis and papo-server (the debug builds) and every server's row in its
//! table says nothing was lost. Nothing here asserts a timing.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The quick run takes a few seconds; this only stops a hung one.
const BOUND: Duration = Duration::from_secs(300);
/// Rows the quick run must print.
const SERVERS: [&str; 4] = ["ngircd", "redis", "papo-mem", "papo-sqlite"];

/// `name` in PATH, or in /usr/sbin (not in every user's PATH; Debian puts ngircd there).
fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Builds the `load` example beside the server binary (`cargo test` alone builds examples, but
/// `cargo test --test bench_smoke` does not) and returns its path.
fn load_example(server: &Path) -> PathBuf {
    let profile_dir = server.parent().expect("the server binary has a directory");
    let mut build = Command::new(env!("CARGO"));
    build.args(["build", "-q", "-p", "papo-server", "--example", "load"]);
    if profile_dir
        .file_name()
        .is_some_and(|name| name == "release")
    {
        build.arg("--release");
    }
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "building the load example failed");
    profile_dir.join("examples").join("load")
}

#[test]
fn side_by_side_quick_run_has_every_server_and_loses_nothing() {
    for tool in ["ngircd", "redis-server"] {
        assert!(
            find_tool(tool).is_some(),
            "{tool} is not installed: the benchmark smoke test needs ngIRCd and Redis \
             (apt-get install ngircd redis-server; .ci/run installs them)"
        );
    }
    let server = Path::new(env!("CARGO_BIN_EXE_papo-server"));
    let load = load_example(server);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/side-by-side.sh");

    let mut child = Command::new("bash")
        .arg(&script)
        .arg("--quick")
        .env("PAPO_SERVER_BIN", server)
        .env("PAPO_LOAD_BIN", &load)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the script starts");
    // Read both pipes on threads so a full pipe never stalls the script.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the script") {
            break Some(status);
        }
        if started.elapsed() > BOUND {
            // SIGTERM lets the script stop the servers it started; SIGKILL if it does not.
            // SAFETY: kill(2) on our own child's PID.
            unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
            std::thread::sleep(Duration::from_secs(10));
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = out.join().expect("stdout reader");
    let err = err.join().expect("stderr reader");
    let report = format!("--- stdout\n{out}\n--- stderr\n{err}");
    let status = status.unwrap_or_else(|| panic!("the quick run took over {BOUND:?}\n{report}"));
    assert!(status.success(), "the script failed ({status})\n{report}");

    // Table rows: server round clients deliveries/s per-cpu-s p50 p99 p99.9 lost …
    for server in SERVERS {
        let row = out
            .lines()
            .map(|line| line.split_whitespace().collect::<Vec<_>>())
            .find(|fields| fields.first() == Some(&server) && fields.get(1) == Some(&"1"))
            .unwrap_or_else(|| panic!("no table row for {server}\n{report}"));
        assert_eq!(row.get(8), Some(&"0"), "{server} lost lines\n{report}");
    }
}

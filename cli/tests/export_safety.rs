//! `export --out` replaces only a regular file, through a temporary file
//! with a random name created exclusively in the target's directory, which
//! no failure and no SIGINT/SIGTERM leaves behind; a replaced file keeps its
//! permissions.

mod support;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

use support::{command, fails, ok, run, scratch, write};

const SCHEMA: &str = r#"{"table": "t", "partition_key": [{"name": "id", "type": "S"}]}"#;
const SQL: &str = "SELECT * FROM t";

/// `--memory` and `--schema` files for table `t` with three items in `dir`.
fn files(dir: &Path) -> (String, String) {
    let schema = write(dir, "t.schema.json", SCHEMA);
    let items = (0..3).map(|i| format!("{{\"id\":{{\"S\":\"i{i}\"}}}}\n")).collect::<String>();
    (schema, write(dir, "t.jsonl", &items))
}

fn export(dir: &Path, out: &Path) -> std::process::Output {
    let (schema, memory) = files(dir);
    run(&[
        "--memory",
        &memory,
        "--schema",
        &schema,
        "export",
        SQL,
        "--allow-scan",
        "--out",
        out.to_str().unwrap(),
    ])
}

/// Names in `dir` other than the inputs and `keep`.
fn leftovers(dir: &Path, keep: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !["t.schema.json", "t.jsonl"].contains(&n.as_str()) && !keep.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

#[test]
fn a_character_device_is_not_replaced() {
    let d = scratch();
    let dev = d.path().join("null");
    // A private copy of /dev/null (needs root, as the original report did).
    let made = std::process::Command::new("mknod").arg(&dev).args(["c", "1", "3"]).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mknod needs root");
        return;
    }
    let line = fails(&export(d.path(), &dev), 2, "usage error");
    assert!(line.contains("not a regular file"), "{line}");
    assert!(std::fs::symlink_metadata(&dev).unwrap().file_type().is_char_device());
    assert_eq!(leftovers(d.path(), &["null"]), Vec::<String>::new());
}

#[test]
fn an_existing_directory_is_not_replaced_and_nothing_is_left() {
    let d = scratch();
    let target = d.path().join("out");
    std::fs::create_dir(&target).unwrap();
    let line = fails(&export(d.path(), &target), 2, "usage error");
    assert!(line.contains("is a directory"), "{line}");
    assert!(target.is_dir());
    assert_eq!(leftovers(d.path(), &["out"]), Vec::<String>::new());
}

#[test]
fn a_symlink_is_not_followed_or_replaced() {
    let d = scratch();
    let victim = write(d.path(), "victim", "precious");
    let out = d.path().join("out.jsonl");
    std::os::unix::fs::symlink(&victim, &out).unwrap();
    let line = fails(&export(d.path(), &out), 2, "usage error");
    assert!(line.contains("symbolic link"), "{line}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");

    // Symlinks planted at the temporary names an export used to pick
    // (`.NAME.dynaquery-<pid>.tmp`) are neither followed nor clobbered.
    std::fs::remove_file(&out).unwrap();
    let me = std::process::id();
    for pid in me..me + 3000 {
        std::os::unix::fs::symlink(&victim, d.path().join(format!(".out.jsonl.dynaquery-{pid}.tmp")))
            .unwrap();
    }
    ok(&export(d.path(), &out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 3);
    assert!(!std::fs::symlink_metadata(&out).unwrap().file_type().is_symlink());
}

#[test]
fn a_replaced_file_keeps_its_permissions() {
    let d = scratch();
    let out = d.path().join("out.jsonl");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o444)).unwrap();
    ok(&export(d.path(), &out));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 3);
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o7777, 0o444);
    assert_eq!(leftovers(d.path(), &["out.jsonl"]), Vec::<String>::new());
}

/// An endpoint that accepts connections and never answers.
fn silent_listener() -> (std::net::TcpListener, String) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    (l, url)
}

#[test]
fn sigint_and_sigterm_remove_the_temporary_file() {
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let d = scratch();
        let (schema, _) = files(d.path());
        let (_listener, url) = silent_listener();
        let out = d.path().join("out.jsonl");
        let mut child = command(&[
            "--endpoint",
            &url,
            "--schema",
            &schema,
            "export",
            SQL,
            "--allow-scan",
            "--out",
            out.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
        // Wait for the temporary file: the export is under way, blocked on the listener.
        let start = Instant::now();
        while leftovers(d.path(), &[]).is_empty() {
            assert!(start.elapsed() < Duration::from_secs(20), "no temporary file appeared");
            std::thread::sleep(Duration::from_millis(20));
        }
        let killed = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status();
        assert!(killed.unwrap().success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "SIG{signal}");
        assert_eq!(leftovers(d.path(), &[]), Vec::<String>::new(), "SIG{signal} left a file behind");
    }
}

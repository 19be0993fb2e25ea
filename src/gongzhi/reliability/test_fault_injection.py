"""Fault injection: points awards, counter redemptions and activity sign-ups from 16 concurrent clients against the
real production server (``gongzhi serve --workers 3`` under ``gongzhi.settings.prod``), one gunicorn worker
SIGKILLed mid-load, then the whole server SIGKILLed and started again.

A client that gets no answer (its worker died under it) retries the same request: awards and redemptions with the
same idempotency key, sign-ups with theirs, cancellations by reading back where they stand. Afterwards the database must hold
every acknowledged write exactly once, the ledger must verify, no activity may have more confirmed volunteers than
places (nor anyone waiting while a place is free), no stock may be below zero, and every acknowledged state change
must have its row in the append-only histories.

Runs on PostgreSQL and, as the embedded default deploys it (one machine, SQLite in WAL mode behind ``gongzhi serve``),
on SQLite. The helpers here (``prepare``, ``Load``, ``audit``) are shared with the longer ``test_soak.py``.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .liveserver import LiveServer, LiveSite, request

START_POINTS, AWARD_POINTS = 50, 10
SOAP_PRICE, OIL_PRICE = 5, 5  # 洗衣液 (a few on the shelf) and 食用油 (plenty)
SIGNUP_REASON = "临时有事，无法参加"
LIVE = ("confirmed", "waitlisted", "pending")


# --- the database the server runs on, prepared through the services (runs in a subprocess: site.call) ------------


def prepare(*, residents: int, volunteers: int, capacities: list[int], soap_stock: int, oil_stock: int) -> dict:
    """A community with a rule table, residents with points accounts (one in five starts with none), a shop with a
    scarce and an ample item, published activities with small capacities and volunteers with logins."""
    from gongzhi.accounts.models import User
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.services import role_grant, token_create
    from gongzhi.activities.models import Category
    from gongzhi.activities.services import ActivityInput, activity_create, activity_publish
    from gongzhi.core import clock
    from gongzhi.org.divisions import UnitKind
    from gongzhi.org.services import unit_create
    from gongzhi.people.models import VolunteerProfile, VolunteerStatus
    from gongzhi.people.services import PersonInput, person_create, volunteer_apply
    from gongzhi.points import services as points
    from gongzhi.points.models import RuleKind, RuleTrigger
    from gongzhi.supermarket import services as shop

    district = unit_create(code="370117", name="钢城区", kind=UnitKind.DISTRICT, parent=None)
    street = unit_create(code="370117001", name="艾山街道", kind=UnitKind.STREET, parent=district)
    community = unit_create(code="370117001001", name="永兴社区", kind=UnitKind.COMMUNITY, parent=street)
    admin = User.objects.create(username="fault-district", display_name="区级管理员")
    role_grant(user=admin, role=Role.DISTRICT_ADMIN, unit=district, actor=None)
    clerk = User.objects.create(username="fault-counter", display_name="超市店员")
    role_grant(user=clerk, role=Role.MERCHANT, unit=street, actor=None)
    today = clock.today()
    points.ruleset_adopt(unit=community, title="永兴社区积分细则", decision="居民代表会议决议",
                         adopted_on=today - dt.timedelta(days=1), effective_from=today - dt.timedelta(days=1),
                         items=[points.RuleItemInput(code="manual", name="人工奖励", kind=RuleKind.EARN,
                                                     trigger=RuleTrigger.MANUAL, points=AWARD_POINTS)],
                         actor=admin)
    merchant = shop.merchant_create(unit=community, name="永兴社区积分超市", kind="store", actor=admin)
    shop.merchant_staff_add(merchant=merchant, user=clerk, actor=admin)
    soap = shop.item_create(merchant=merchant, data=shop.ItemInput(name="洗衣液", points_price=SOAP_PRICE),
                            stock=soap_stock, actor=admin)
    oil = shop.item_create(merchant=merchant, data=shop.ItemInput(name="食用油", points_price=OIL_PRICE),
                           stock=oil_stock, actor=admin)
    pool = points.pool_for_unit(community)
    people = []
    for i in range(residents):
        person = person_create(data=PersonInput(name=f"居民{i:04d}", unit=community), actor=admin, source="test")
        account = points.account_for_person(person)
        start = 0 if i % 5 == 4 else START_POINTS
        if start:
            points.transaction_post(kind="award", unit=community, idempotency_key=f"start-{person.pk}",
                                    legs=[points.Leg(pool, -start), points.Leg(account, start)],
                                    reason="起始积分", actor=admin)
        people.append({"person_id": person.pk, "account_id": account.pk, "start": start})
    starts = clock.now() + dt.timedelta(days=7)
    activities = []
    for n, capacity in enumerate(capacities):
        activity = activity_create(data=ActivityInput(
            title=f"永兴社区环境清扫（第{n + 1}场）", category=Category.objects.get(code="environment"), unit=community,
            starts_at=starts + dt.timedelta(days=n), ends_at=starts + dt.timedelta(days=n, hours=3),
            capacity=capacity, address="永兴路文化广场"), actor=admin)
        activity_publish(activity=activity, actor=admin)
        activities.append({"id": activity.pk, "capacity": capacity})
    vols = []
    for i in range(volunteers):
        user = User.objects.create(username=f"fault-vol-{i:04d}", display_name=f"志愿者{i:04d}")
        role_grant(user=user, role=Role.VOLUNTEER, unit=community, actor=None)
        person = person_create(data=PersonInput(name=f"志愿者{i:04d}", unit=community), actor=admin, source="test")
        person.user = user
        person.save(update_fields=["user"])
        profile = volunteer_apply(person=person, actor=admin, consent_confirmed=True)
        VolunteerProfile.objects.filter(pk=profile.pk).update(status=VolunteerStatus.ACTIVE)
        vols.append({"volunteer_id": profile.pk, "token": token_create(user=user, name="fault")[1]})
    return {"admin_id": admin.pk, "admin_token": token_create(user=admin, name="fault")[1],
            "clerk_token": token_create(user=clerk, name="fault")[1], "merchant_id": merchant.pk,
            "items": [{"id": soap.pk, "stock": soap_stock, "price": SOAP_PRICE},
                      {"id": oil.pk, "stock": oil_stock, "price": OIL_PRICE}],
            "pool_id": pool.pk, "people": people, "activities": activities, "volunteers": vols}


# --- the load: client threads recording every acknowledged write ------------------------------------------------


NO_ANSWER = (OSError, http.client.HTTPException)


@dataclass
class Acks:
    """What the server acknowledged (2xx), and what else happened, across all client threads."""

    awards: list[dict] = field(default_factory=list)       # key, transaction id, person, points
    redemptions: list[dict] = field(default_factory=list)  # key, redemption id, transaction id, item
    signups: list[dict] = field(default_factory=list)      # signup id, activity, status at the answer
    cancels: list[dict] = field(default_factory=list)      # signup id
    keys: dict[str, set] = field(default_factory=lambda: {"award": set(), "redeem": set()})  # every key sent
    outcomes: Counter = field(default_factory=Counter)     # refusal codes, retries, read-backs
    server_errors: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)  # 503 service_unavailable: the database went away mid-request
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, row: dict) -> None:
        with self.lock:
            getattr(self, kind).append(row)

    def count(self, what: str, n: int = 1) -> None:
        with self.lock:
            self.outcomes[what] += n

    def note(self, where: list, text: str) -> None:
        with self.lock:
            where.append(text)

    def summary(self) -> dict:
        return {"awards": len(self.awards), "redemptions": len(self.redemptions), "signups": len(self.signups),
                "cancels": len(self.cancels), **dict(self.outcomes)}

    def dump(self, path: Path) -> Path:
        path.write_text(json.dumps({"awards": self.awards, "redemptions": self.redemptions, "signups": self.signups,
                                    "cancels": self.cancels, "keys": {k: sorted(v) for k, v in self.keys.items()}}))
        return path


class Load:
    """``clients`` threads, each looping over award / redeem / sign up or cancel until :meth:`stop`.

    Each volunteer belongs to one thread, which knows whether it has a live sign-up; awards and redemptions go to
    random residents (so several threads race on the same accounts and items). A request with no answer is retried
    (for up to ``give_up`` seconds, the server may be restarting): with the same idempotency key for points and
    sign-ups, and for cancellations by reading ``/me/signups`` when the retry is told the first went through."""

    def __init__(self, server: LiveServer, world: dict, *, clients: int, seed: int = 6, give_up: float = 90):
        from django.core import signing

        self.server, self.world, self.clients, self.give_up = server, world, clients, give_up
        self.acks = Acks()
        self._signing, self._secret = signing, server.site.secret_key
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._client, args=(i, random.Random(seed * 1000 + i)), daemon=True,
                                          name=f"fault-client-{i}") for i in range(clients)]

    # requests

    def _member_token(self, person_id: int) -> str:
        from gongzhi.supermarket.services import MEMBER_SALT

        return self._signing.dumps({"p": person_id, "t": int(time.time())}, key=self._secret, salt=MEMBER_SALT,
                                   compress=False)

    def _send(self, method: str, path: str, body, token: str) -> tuple[int, dict, int]:
        """Until an answer below 500 comes: (status, JSON, attempts). ``body`` may be a callable (fresh per try)."""
        deadline, attempts = time.monotonic() + self.give_up, 0
        while True:
            attempts += 1
            try:
                status, data = request(self.server.port, method, path, body() if callable(body) else body,
                                       {"Authorization": f"Bearer {token}"}, timeout=15)
            except NO_ANSWER as exc:
                self.acks.count("no answer, retried")
                problem = f"{method} {path}: no answer ({type(exc).__name__})"
            else:
                if status < 500:
                    if attempts > 1:
                        self.acks.count("answered after a retry")
                    return status, data if isinstance(data, dict | list) else {"raw": data}, attempts
                unavailable = status == 503 and isinstance(data, dict) and data.get("code") == "service_unavailable"
                self.acks.note(self.acks.unavailable if unavailable else self.acks.server_errors,
                               f"{method} {path}: {status} {str(data)[:300]}")
                problem = f"{method} {path}: {status}"
            if time.monotonic() > deadline:
                raise RuntimeError(f"gave up after {attempts} attempts: {problem}")
            time.sleep(min(0.05 * attempts, 0.5))

    def _refused(self, what: str, status: int, data: dict, expected: set[str]) -> None:
        code = data.get("code", "")
        if code in expected:
            self.acks.count(f"{what} refused: {code}")
        else:
            self.acks.note(self.acks.unexpected, f"{what}: {status} {json.dumps(data, ensure_ascii=False)[:300]}")

    def award(self, rng: random.Random) -> None:
        person = rng.choice(self.world["people"])
        key = uuid.uuid4().hex
        with self.acks.lock:
            self.acks.keys["award"].add(key)
        status, data, _ = self._send("POST", "/api/v1/points/awards", {
            "person_id": person["person_id"], "reason": "参与环境整治", "idempotency_key": key},
            self.world["admin_token"])
        if status == 201:
            self.acks.add("awards", {"key": key, "tx": data["id"], "person_id": person["person_id"],
                                     "amount": data["amount"]})
        else:
            self._refused("award", status, data, set())

    def redeem(self, rng: random.Random) -> None:
        person = rng.choice(self.world["people"])
        item = self.world["items"][0 if rng.random() < 0.6 else 1]
        key = uuid.uuid4().hex
        with self.acks.lock:
            self.acks.keys["redeem"].add(key)
        status, data, _ = self._send("POST", "/api/v1/supermarket/redemptions", lambda: {
            "merchant_id": self.world["merchant_id"], "member_token": self._member_token(person["person_id"]),
            "item_id": item["id"], "quantity": 1, "idempotency_key": key}, self.world["clerk_token"])
        if status == 201:
            self.acks.add("redemptions", {"key": key, "id": data["id"], "tx": data["transaction_id"],
                                          "item_id": item["id"], "person_id": person["person_id"],
                                          "points": data["points"]})
        else:
            self._refused("redeem", status, data, {"points.insufficient_balance", "supermarket.out_of_stock"})

    def _live_signup(self, token: str, activity_id: int) -> dict | None:
        status, rows, _ = self._send("GET", "/api/v1/me/signups", None, token)
        rows = rows if status == 200 and isinstance(rows, list) else []
        live = [s for s in rows if s["activity_id"] == activity_id and s["status"] in LIVE]
        return live[0] if live else None

    def signup_or_cancel(self, rng: random.Random, mine: list[dict], live: dict[int, tuple[int, int]]) -> None:
        volunteer = rng.choice(mine)
        vid, token = volunteer["volunteer_id"], volunteer["token"]
        if vid not in live:
            activity = rng.choice(self.world["activities"])["id"]
            # one key for the attempt and its retries: an attempt that went through unanswered is answered again
            status, data, attempts = self._send("POST", f"/api/v1/activities/{activity}/signups",
                                                {"idempotency_key": uuid.uuid4().hex}, token)
            if status == 201 and data.get("status") in LIVE:
                self.acks.add("signups", {"id": data["id"], "activity_id": activity, "volunteer_id": vid,
                                          "status": data["status"]})
                live[vid] = (data["id"], activity)
                if attempts > 1:
                    self.acks.count("sign-up answered by its key after a retry")
            else:
                self._refused("sign-up", status, data, set())
        else:
            signup_id, activity = live[vid]
            status, data, attempts = self._send("POST", f"/api/v1/activities/signups/{signup_id}/cancel",
                                                {"reason": SIGNUP_REASON}, token)
            if status == 200 and data.get("status") == "cancelled":
                self.acks.add("cancels", {"id": signup_id, "activity_id": activity})
                del live[vid]
            elif status == 409 and data.get("code") == "activities.signup_bad_transition" and attempts > 1:
                if self._live_signup(token, activity) is None:
                    self.acks.count("cancellation found by read-back after a retry")
                    del live[vid]
                else:
                    self.acks.note(self.acks.unexpected, f"cancel of {signup_id}: 409 on retry, still live")
            else:
                self._refused("cancel", status, data, set())

    def _client(self, i: int, rng: random.Random) -> None:
        mine = self.world["volunteers"][i::self.clients]
        live: dict[int, tuple[int, int]] = {}
        try:
            while not self._stop.is_set():
                r = rng.random()
                if r < 0.35:
                    self.award(rng)
                elif r < 0.65:
                    self.redeem(rng)
                else:
                    self.signup_or_cancel(rng, mine, live)
        except Exception as exc:  # noqa: BLE001 -- reported by the test
            self.acks.note(self.acks.unexpected, f"client {i} stopped: {type(exc).__name__}: {exc}")

    # control

    def start(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def writes(self) -> int:
        return len(self.acks.awards) + len(self.acks.redemptions) + len(self.acks.signups) + len(self.acks.cancels)

    def wait_for_writes(self, n: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.writes() < n and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self, timeout: float = 120) -> Acks:
        self._stop.set()
        for t in self._threads:
            t.join(timeout)
        return self.acks


# --- the audit (runs in a subprocess on the server's database: site.call) ---------------------------------------


def audit(*, acks_path: str, world: dict) -> dict:
    """Every breach of what the acknowledgements promise, and how many acknowledged writes were checked."""
    from django.db.models import Count, Sum

    from gongzhi.activities.models import Activity, Signup, SignupEvent
    from gongzhi.points.models import Account, PointsTransaction, Posting
    from gongzhi.points.selectors import ledger_findings
    from gongzhi.supermarket.models import CatalogueItem, Redemption, RedemptionEvent, StockMovement

    acks = json.loads(Path(acks_path).read_text())
    bad: list[str] = list(ledger_findings(limit=20))
    award_prefix = f"award:{world['admin_id']}:"

    # awards: each acknowledged one is there, once, with its posting; none posted under a key nobody sent
    txs = {tx.pk: tx for tx in PointsTransaction.objects.filter(pk__in=[a["tx"] for a in acks["awards"]])}
    accounts = {p["person_id"]: p["account_id"] for p in world["people"]}
    posted = {(p["transaction_id"], p["account_id"]): p["amount"]
              for p in Posting.objects.filter(transaction_id__in=list(txs)).values("transaction_id", "account_id",
                                                                                   "amount")}
    for a in acks["awards"]:
        tx = txs.get(a["tx"])
        if tx is None or tx.idempotency_key != award_prefix + a["key"]:
            bad.append(f"award {a['key']}: acknowledged as transaction {a['tx']}, not in the ledger under its key")
        elif posted.get((tx.pk, accounts[a["person_id"]])) != a["amount"]:
            bad.append(f"award {a['key']}: transaction {tx.pk} has no posting of {a['amount']} to the resident")
    award_keys = set(PointsTransaction.objects.filter(idempotency_key__startswith=award_prefix)
                     .values_list("idempotency_key", flat=True))
    stray = {k.removeprefix(award_prefix) for k in award_keys} - set(acks["keys"]["award"])
    bad += [f"award posted under a key no client sent: {k}" for k in sorted(stray)[:10]]
    by_key = Counter(a["key"] for a in acks["awards"])
    bad += [f"award {k}: acknowledged {n} times" for k, n in by_key.items() if n > 1]

    # redemptions: once per key, with their transaction, stock movement and event; stock adds up and stays >= 0
    reds = {r.pk: r for r in Redemption.objects.select_related("transaction").filter(
        pk__in=[r["id"] for r in acks["redemptions"]])}
    for r in acks["redemptions"]:
        row = reds.get(r["id"])
        if row is None or row.transaction_id != r["tx"] or row.transaction.idempotency_key != f"supermarket:{r['key']}":
            bad.append(f"redemption {r['key']}: acknowledged as {r['id']} (transaction {r['tx']}), not found so")
    per_key = (Redemption.objects.values("transaction__idempotency_key").annotate(n=Count("pk")).filter(n__gt=1))
    bad += [f"redemption key {row['transaction__idempotency_key']}: {row['n']} redemptions" for row in per_key]
    red_keys = set(Redemption.objects.values_list("transaction__idempotency_key", flat=True))
    stray = {k.removeprefix("supermarket:") for k in red_keys} - set(acks["keys"]["redeem"])
    bad += [f"redemption under a key no client sent: {k}" for k in sorted(stray)[:10]]
    no_event = Redemption.objects.annotate(n=Count("events")).filter(n=0).values_list("pk", flat=True)[:10]
    bad += [f"redemption {pk}: no event row" for pk in no_event]
    moves = Counter(StockMovement.objects.filter(redemption__isnull=False).values_list("redemption_id", flat=True))
    bad += [f"redemption {pk}: {moves.get(pk, 0)} stock movements" for pk in
            Redemption.objects.values_list("pk", flat=True) if moves.get(pk, 0) != 1][:10]
    for item in world["items"]:
        row = CatalogueItem.objects.get(pk=item["id"])
        taken = Redemption.objects.filter(item=row).aggregate(s=Sum("quantity"))["s"] or 0
        moved = StockMovement.objects.filter(item=row).aggregate(s=Sum("change"))["s"] or 0
        last = StockMovement.objects.filter(item=row).order_by("-pk").first()
        if row.stock < 0:
            bad.append(f"item {row.pk}: stock {row.stock} below zero")
        if row.stock != item["stock"] - taken or row.stock != moved or (last and last.stock_after != row.stock):
            bad.append(f"item {row.pk}: stock {row.stock}, opening {item['stock']} − redeemed {taken}, "
                       f"movements sum {moved}, last stock_after {last.stock_after if last else None}")

    # balances: each resident's is the opening points + awards − redemptions (ledger_findings: = their postings)
    balances = dict(Account.objects.filter(pk__in=list(accounts.values())).values_list("pk", "balance"))
    sums = dict(Posting.objects.filter(account_id__in=list(accounts.values())).values("account_id")
                .annotate(s=Sum("amount")).values_list("account_id", "s"))
    bad += [f"account {pk}: balance {bal}, postings {sums.get(pk, 0)}" for pk, bal in balances.items()
            if bal != (sums.get(pk) or 0)][:10]

    # sign-ups: acknowledged ones exist (cancelled ones cancelled), capacity holds, counters and waitlist agree,
    # and each sign-up's events chain from nothing to its present status
    signups = {s.pk: s for s in Signup.objects.filter(activity_id__in=[a["id"] for a in world["activities"]])}
    events: dict[int, list[SignupEvent]] = {}
    for e in SignupEvent.objects.filter(signup_id__in=list(signups)).order_by("pk"):
        events.setdefault(e.signup_id, []).append(e)
    for s in acks["signups"]:
        row = signups.get(s["id"])
        if row is None or row.activity_id != s["activity_id"] or row.volunteer_id != s["volunteer_id"]:
            bad.append(f"sign-up {s['id']}: acknowledged ({s['status']}) but not in the database as such")
        elif s["status"] not in [e.to_status for e in events.get(row.pk, [])]:
            bad.append(f"sign-up {s['id']}: acknowledged as {s['status']}, no event says so")
    for c in acks["cancels"]:
        row = signups.get(c["id"])
        if row is None or row.status != "cancelled":
            bad.append(f"sign-up {c['id']}: cancellation acknowledged, status {row.status if row else None}")
    for pk, row in signups.items():
        chain = events.get(pk, [])
        if not chain or chain[0].from_status != "" or chain[-1].to_status != row.status or any(
                a.to_status != b.from_status for a, b in zip(chain, chain[1:], strict=False)):
            bad.append(f"sign-up {pk}: events {[(e.from_status, e.to_status) for e in chain]} vs status {row.status}")
    for a in world["activities"]:
        act = Activity.objects.get(pk=a["id"])
        statuses = Counter(s.status for s in signups.values() if s.activity_id == act.pk)
        if statuses["confirmed"] > act.capacity:
            bad.append(f"activity {act.pk}: {statuses['confirmed']} confirmed for {act.capacity} places")
        if (act.confirmed_count, act.waitlist_count) != (statuses["confirmed"], statuses["waitlisted"]):
            bad.append(f"activity {act.pk}: counters {act.confirmed_count}/{act.waitlist_count}, "
                       f"rows {statuses['confirmed']}/{statuses['waitlisted']}")
        if statuses["waitlisted"] and statuses["confirmed"] < act.capacity:
            bad.append(f"activity {act.pk}: {statuses['waitlisted']} waiting with "
                       f"{act.capacity - statuses['confirmed']} places free")
        live = Counter(s.volunteer_id for s in signups.values()
                       if s.activity_id == act.pk and s.status in LIVE)
        bad += [f"activity {act.pk}: volunteer {v} has {n} live sign-ups" for v, n in live.items() if n > 1]

    return {"findings": bad, "checked": {
        "awards": len(acks["awards"]), "redemptions": len(acks["redemptions"]), "signups": len(acks["signups"]),
        "cancels": len(acks["cancels"]), "transactions": PointsTransaction.objects.count(),
        "redemption_rows": Redemption.objects.count(), "signup_rows": len(signups),
        "signup_events": sum(len(v) for v in events.values()),
        "redemption_events": RedemptionEvent.objects.count(),
        "stock": dict(CatalogueItem.objects.filter(pk__in=[i["id"] for i in world["items"]])
                      .values_list("pk", "stock")),
        "confirmed": {a["id"]: Counter(s.status for s in signups.values() if s.activity_id == a["id"])["confirmed"]
                      for a in world["activities"]}}}


def check_after_restart(server: LiveServer, world: dict, acks: Acks, rng: random.Random, sample: int = 15) -> list[str]:
    """Read a sample of the acknowledged writes back through the restarted server's API."""
    problems = []
    tokens = {v["volunteer_id"]: v["token"] for v in world["volunteers"]}
    for r in rng.sample(acks.redemptions, min(sample, len(acks.redemptions))):
        status, data = request(server.port, "GET", f"/api/v1/supermarket/redemptions/{r['id']}", None,
                               {"Authorization": f"Bearer {world['clerk_token']}"})
        if status != 200 or data.get("transaction_id") != r["tx"]:
            problems.append(f"redemption {r['id']} after restart: {status} {data}")
    cancelled = {c["id"] for c in acks.cancels}
    for s in rng.sample(acks.signups, min(sample, len(acks.signups))):
        status, data = request(server.port, "GET", "/api/v1/me/signups", None,
                               {"Authorization": f"Bearer {tokens[s['volunteer_id']]}"})
        row = next((x for x in data if x["id"] == s["id"]), None) if status == 200 else None
        if row is None or (s["id"] in cancelled) != (row["status"] == "cancelled"):
            problems.append(f"sign-up {s['id']} after restart: {status} {row}")
    return problems


def ledger_verify(site: LiveSite) -> tuple[int, str]:
    done = site.manage("ledger", "verify", check=False, timeout=300)
    return done.returncode, (done.stdout + done.stderr).strip()


@pytest.fixture
def live_site(tmp_path, transactional_db):
    """A deployment with a copy of the migrated test database: beside it on PostgreSQL, a file on SQLite."""
    site = LiveSite.from_test_database(tmp_path / "var")
    try:
        yield site
    finally:
        site.drop()


def test_sixteen_clients_lose_and_double_nothing_when_a_worker_is_killed_mid_load(live_site):
    """16 clients, 3 sync workers: one worker SIGKILLed mid-load (gunicorn forks a replacement), the rest of the
    server SIGKILLed once the clients stop; what was acknowledged must be in the database, once."""
    site = live_site
    t0 = time.monotonic()
    server = LiveServer(site, workers=3, collectstatic=False)  # the API only: no pages, no static files
    with ThreadPoolExecutor(1) as pool:  # the server boots while the rows are written
        preparing = pool.submit(site.call, "gongzhi.reliability.test_fault_injection:prepare", residents=120,
                                volunteers=100, capacities=[30, 8], soap_stock=10, oil_stock=2000)
        server.start()
        world = preparing.result()
    t_ready = time.monotonic()
    try:
        load = Load(server, world, clients=16).start()
        load.wait_for_writes(50)
        before = set(server.worker_pids())
        killed = server.kill_worker(rng=random.Random(6))
        replaced = server.wait_for_workers(without={killed})
        load.wait_for_writes(load.writes() + 120, timeout=15)
        acks = load.stop()
        t_loaded = time.monotonic()
    finally:
        server.kill()  # no graceful shutdown: what was acknowledged must already be in the database
    with ThreadPoolExecutor(1) as pool:
        verifying = pool.submit(ledger_verify, site)
        result = site.call("gongzhi.reliability.test_fault_injection:audit",
                           acks_path=str(acks.dump(site.var_dir / "acks.json")), world=world)
        code, verify_output = verifying.result()
    print(f"\n{site.vendor}: {time.monotonic() - t0:.1f} s (ready {t_ready - t0:.1f}, load {t_loaded - t_ready:.1f}); "
          f"acknowledged {acks.summary()}; checked {result['checked']}; worker {killed} killed, "
          f"{sorted(set(replaced) - before)} forked")

    assert killed in before and killed not in replaced
    assert acks.unexpected == []
    assert acks.server_errors == [] and acks.unavailable == []
    assert code == 0, verify_output
    assert result["findings"] == []
    assert len(acks.awards) >= 20 and len(acks.redemptions) >= 20 and len(acks.signups) >= 20
    # the scarce item sold out and an activity filled: the limits were really exercised around the kill
    assert result["checked"]["stock"][str(world["items"][0]["id"])] == 0
    assert result["checked"]["confirmed"][str(world["activities"][1]["id"])] == world["activities"][1]["capacity"]


def test_a_connection_the_database_cut_between_requests_costs_no_request(live_site):
    """A database restart, a fail-over or an idle-session timeout cuts the workers' persistent connections while
    they sit idle: the next request on each worker must be answered as if nothing happened — reads and writes."""
    site = live_site
    if site.vendor != "postgresql":
        pytest.skip("the database cuts connections from its side on PostgreSQL")
    server = LiveServer(site, workers=2, collectstatic=False)
    world = site.call("gongzhi.reliability.test_fault_injection:prepare", residents=4, volunteers=2,
                      capacities=[5], soap_stock=5, oil_stock=5)
    server.start()
    admin = {"Authorization": f"Bearer {world['admin_token']}"}
    try:
        answers = []
        for round_ in range(4):
            for _ in range(4):  # both workers hold a connection before the cut
                answers.append(request(server.port, "GET", "/api/v1/me", None, admin)[0])
            cut = site.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
            assert cut, "no app connection was open to cut"
            time.sleep(0.2)
            for i in range(4):
                status, data = request(server.port, "POST", "/api/v1/points/awards", {
                    "person_id": world["people"][i]["person_id"], "reason": "参与环境整治",
                    "idempotency_key": f"cut-{round_}-{i}"}, admin)
                answers.append(status)
                assert status == 201, (round_, i, status, data)
    finally:
        server.kill()
    assert set(answers) <= {200, 201}

"""The locust users of ``python -m bench points`` (run by it as ``locust -f bench/locust_points.py <User> --headless``).

``CheckinDesk`` (``--scenario checkin``): each simulated client works through its share of the confirmed sign-ups
like a volunteer's phone and the desk: ``POST /api/v1/checkins`` (the volunteer's token, the activity's QR token),
and once that check-in is at least ``BENCH_LAG`` seconds old (so the derived hours are not zero) ``POST
/api/v1/checkouts`` and the desk's ``POST /api/v1/activities/{id}/confirm`` of that attendance, which records the
service hours and — in the same transaction, by the ``hours.record_added`` subscriber — awards the points. A flow is
those three requests; the next check-in is sent while earlier ones wait for their check-out.

``Resident`` (``--scenario award``): each simulated client alternates an award (``POST /api/v1/points/awards``) and a counter redemption
(``POST /api/v1/supermarket/redemptions`` with a fresh signed member token) of a random resident, with no wait
between requests. Locust's FastHttpUser (geventhttpclient) keeps one connection per user and reconnects when the
server closes it (gunicorn's sync workers close after every response).

Every request's latency is recorded here from locust's ``request`` event, exactly (locust's own percentile table
rounds above 100 ms), and only inside the measured window (after ``BENCH_WARMUP`` seconds, for ``BENCH_SECONDS``).
The samples go as JSON to ``BENCH_OUT`` when the test stops. ``BENCH_SETUP`` is the set-up child's JSON (tokens,
residents, shops). Django is set up with the servers' settings only to sign the member tokens with their key.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from types import SimpleNamespace

import django
from locust import FastHttpUser, events, task

django.setup()

from gongzhi.hours.services import checkin_token  # noqa: E402 -- needs the settings above
from gongzhi.supermarket.services import member_token_create  # noqa: E402 -- needs the settings above

AWARD_POINTS = 10
SETUP = json.loads(open(os.environ["BENCH_SETUP"]).read())  # noqa: SIM115 -- read once at import
WARMUP, SECONDS = float(os.environ["BENCH_WARMUP"]), float(os.environ["BENCH_SECONDS"])
WINDOW = {"from": 0.0, "to": 0.0}
SAMPLES: dict[str, list[float]] = {"award": [], "redeem": []} if "pairs" not in SETUP else {
    "checkin": [], "checkout": [], "confirm": []}
ERRORS: dict[str, int] = {}
PAIRS = iter(SETUP.get("http_pairs", []))  # (activity id, volunteer token) of confirmed sign-ups, shared by all users
LAG = float(os.environ.get("BENCH_LAG", "1.5"))
STATE = {"out_of_pairs": 0}


@events.test_start.add_listener
def _start(environment, **_kw):
    now = time.perf_counter()
    WINDOW["from"], WINDOW["to"] = now + WARMUP, now + WARMUP + SECONDS


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **_kw):
    end = time.perf_counter()
    if end - response_time / 1000 < WINDOW["from"] or end > WINDOW["to"]:
        return
    status = getattr(response, "status_code", 0)
    if exception is None and status in (200, 201):
        SAMPLES[name].append(response_time / 1000)
    else:
        body = (getattr(response, "text", "") or "")[:80]
        what = f"{name} {status} {body!r}" if status else f"{name} {type(exception).__name__}"
        ERRORS[what] = ERRORS.get(what, 0) + 1


@events.test_stop.add_listener
def _stop(environment, **_kw):
    with open(os.environ["BENCH_OUT"], "w") as fh:
        json.dump({"samples": SAMPLES, "errors": ERRORS, **STATE}, fh)


class Resident(FastHttpUser):
    """One counter or award client; ``host`` is the server (``--host``)."""

    def on_start(self):
        self.rng = random.Random()
        self.award = {"Authorization": f"Bearer {SETUP['award_token']}", "Content-Type": "application/json"}
        self.counter = {"Authorization": f"Bearer {SETUP['counter_token']}", "Content-Type": "application/json"}
        self.n = 0

    @task
    def award_or_redeem(self):
        people, merchants = SETUP["people"], SETUP["merchants"]
        p = people[self.rng.randrange(len(people))]
        self.n += 1
        if self.n % 2:
            body = {"person_id": p["person_id"], "reason": "基准测试奖励", "points": AWARD_POINTS,
                    "idempotency_key": uuid.uuid4().hex}
            self.client.post("/api/v1/points/awards", data=json.dumps(body), headers=self.award, name="award")
        else:
            m = merchants[p["community"]]
            body = {"merchant_id": m["merchant_id"], "item_id": m["item_id"], "quantity": 1,
                    "member_token": member_token_create(person=SimpleNamespace(pk=p["person_id"])),
                    "idempotency_key": uuid.uuid4().hex}
            self.client.post("/api/v1/supermarket/redemptions", data=json.dumps(body), headers=self.counter,
                             name="redeem")


class CheckinDesk(FastHttpUser):
    """Check-ins, then check-outs and the desk's confirmation of each (see the module docstring)."""

    def on_start(self):
        self.desk = {"Authorization": f"Bearer {SETUP['desk_token']}", "Content-Type": "application/json"}
        self.waiting: list[tuple[float, int, str, int]] = []  # (checked in at, activity id, volunteer key, attendance)
        self.qr: dict[int, tuple[float, str]] = {}
        self.check_in_next = True  # alternate: one check-in per finished flow keeps the queue steady

    def _qr(self, activity_id: int) -> str:
        """The activity's rotating QR token as the desk screen shows it (re-drawn every 10 s here)."""
        at, token = self.qr.get(activity_id, (0.0, ""))
        if time.monotonic() - at > 10:
            token = checkin_token(SimpleNamespace(pk=activity_id))
            self.qr[activity_id] = (time.monotonic(), token)
        return token

    def _headers(self, key: str) -> dict:
        return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    @task
    def step(self):
        ripe = self.waiting and time.monotonic() - self.waiting[0][0] >= LAG
        if ripe and not self.check_in_next:
            self.check_in_next = True
            _at, activity_id, key, attendance = self.waiting.pop(0)
            body = json.dumps({"token": self._qr(activity_id)})
            r = self.client.post("/api/v1/checkouts", data=body, headers=self._headers(key), name="checkout")
            if r.status_code == 200:
                self.client.post(f"/api/v1/activities/{activity_id}/confirm", name="confirm", headers=self.desk,
                                 data=json.dumps({"attendance_ids": [attendance]}))
            return
        self.check_in_next = False
        pair = next(PAIRS, None)
        if pair is None:
            STATE["out_of_pairs"] += 1
            time.sleep(0.2)
            return
        activity_id, key = pair
        r = self.client.post("/api/v1/checkins", data=json.dumps({"token": self._qr(activity_id)}),
                             headers=self._headers(key), name="checkin")
        if r.status_code == 201:
            self.waiting.append((time.monotonic(), activity_id, key, r.json()["id"]))

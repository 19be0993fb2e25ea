"""Appeals (诉求) over the three years up to the run and the AppealEvent history each one's state implies, following
``appeals.rules.TRANSITIONS`` step by step (submit → accept → dispatch → start → resolve → inform → rate → visit →
close; 重办 after an unsatisfied rating, R-H5; 不予受理 with an R-H2 reason; duplicates merged into an earlier open
appeal). Old appeals are mostly closed, recent ones spread along the loop, and no step lies in the future. The
fields the services set on each step (owner = the district's handler, 首问负责; accept/dispatch/reply limits;
assignee unit; rating; visit) are set the same way. Channel, category and urgency mixes follow 12345 practice:
随手拍 and the hotline lead, most matters are normal."""

from __future__ import annotations

import datetime as dt
import random

from gongzhi.core import crypto

from .bulk import Bulk
from .names import GIVEN, ROADS, SURNAMES
from .org import World

TZ = dt.timezone(dt.timedelta(hours=8))
DAYS = 3 * 365
MATTERS = ("路灯不亮", "井盖松动", "垃圾未清运", "下水道堵塞", "楼道堆放杂物", "噪音扰民", "水管漏水", "绿化带损坏",
           "违规停车", "小广告", "独居老人需要助餐", "电梯故障", "道路破损", "占道经营", "供暖不热", "宠物扰民")
CHANNELS = (("photo_report", 35), ("hotline_12345", 30), ("walk_in", 10), ("grid_visit", 15), ("open311", 7),
            ("secretary_meeting", 3))
URGENCIES = (("normal", 85), ("urgent", 12), ("emergency", 3))
LOOP = ["accept", "dispatch", "start", "resolve", "inform", "rate", "visit", "close"]
REJECT_REASONS = ("litigation", "petition", "already_concluded", "secrets_privacy")


def _reach(rnd: random.Random, age_days: float) -> int:
    """How many steps of LOOP an appeal of this age has taken."""
    if age_days > 30:
        return len(LOOP) if rnd.random() < 0.97 else rnd.randrange(1, len(LOOP))
    reach = min(len(LOOP), int(age_days / 30 * len(LOOP) + rnd.random() * 3))
    return rnd.randrange(0, reach + 1)


def generate(world: World, n: int, rnd: random.Random, bulk: Bulk) -> dict:
    from gongzhi.appeals.models import Appeal, Category

    now = world.now
    categories = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    channel_names, channel_weights = zip(*CHANNELS, strict=True)
    urgency_names, urgency_weights = zip(*URGENCIES, strict=True)
    fields = list(Appeal._meta.concrete_fields)
    columns = [f.column for f in fields]
    defaults = {f.column: (None if f.null else f.get_default()) for f in fields}
    start = now - dt.timedelta(days=DAYS)
    span = (now - start).total_seconds()
    moments = sorted(start + dt.timedelta(seconds=rnd.random() * span) for _ in range(n))
    appeals = bulk.sink("appeals_appeal", columns)
    events = bulk.sink("appeals_appealevent", ["id", "appeal_id", "action", "from_state", "to_state", "actor_id", "at",
                                               "note", "detail"])
    aid, eid = bulk.next_id("appeals_appeal"), bulk.next_id("appeals_appealevent")
    day_seq: dict[str, int] = {}
    open_by_leaf: dict[int, tuple[int, str]] = {}
    by_state: dict[str, int] = {}
    n_events = 0
    leaves = world.leaves
    for submitted in moments:
        day = submitted.astimezone(TZ).strftime("%Y%m%d")
        day_seq[day] = day_seq.get(day, 0) + 1
        number = f"SQ{day}{day_seq[day]:05d}"
        leaf = rnd.choice(leaves)
        owner = world.handler(leaf)
        channel = rnd.choices(channel_names, channel_weights)[0]
        urgency = rnd.choices(urgency_names, urgency_weights)[0]
        row = dict(defaults)
        anonymous = rnd.random() < 0.1
        name = "" if channel == "open311" and rnd.random() < 0.5 else rnd.choice(SURNAMES) + rnd.choice(GIVEN)
        phone = f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}" if name else ""
        road = rnd.choice(ROADS)
        row.update(id=aid, number=number, channel=channel, category_id=rnd.choice(categories), unit_id=leaf.id,
                   description=f"{road}{rnd.randrange(1, 200)}号附近{rnd.choice(MATTERS)}",
                   address=f"{leaf.district.name}{road}{rnd.randrange(1, 200)}号",
                   latitude=f"{leaf.lat + rnd.uniform(-0.004, 0.004):.6f}",
                   longitude=f"{leaf.lng + rnd.uniform(-0.005, 0.005):.6f}",
                   reporter_name_enc=crypto.encrypt(name), reporter_phone_enc=crypto.encrypt(phone),
                   anonymous=anonymous, urgency=urgency, submitted_at=submitted,
                   accept_due_at=submitted + dt.timedelta(hours=8 if urgency == "normal" else 2), reopen_count=0)
        history = [("submit", "", "submitted", None, submitted, {"channel": channel})]
        state, at = "submitted", submitted
        age = (now - submitted).total_seconds() / 86400

        def step(action, to_state, hours, detail=None, actor=owner):
            nonlocal state, at
            when = at + dt.timedelta(hours=hours)
            if when >= now:
                return False
            history.append((action, state, to_state, actor, when, detail or {}))  # noqa: B023 (this iteration)
            state, at = to_state, when
            return True

        x = rnd.random()
        if x < 0.03:
            reason = rnd.choice(REJECT_REASONS)
            if step("reject", "rejected", rnd.uniform(0.3, 8), {"reason": reason}):
                row["reject_reason"] = reason
        elif x < 0.05 and leaf.id in open_by_leaf:
            into_id, into_number = open_by_leaf[leaf.id]
            if step("merge", "merged", rnd.uniform(0.3, 8), {"into": into_id, "into_number": into_number}):
                row["merged_into_id"] = into_id
        else:
            reach = _reach(rnd, age)
            reopen = rnd.random() < 0.04
            for action in LOOP[:reach]:
                hours = rnd.uniform(0.3, 30)
                if action == "accept":
                    if not step("accept", "accepted", rnd.uniform(0.2, 6)):
                        break
                    row.update(owner_id=owner, accepted_at=at, reply_due_at=at + dt.timedelta(days=7),
                               dispatch_due_at=at + dt.timedelta(hours=8))
                elif action == "dispatch":
                    target = leaf.home or leaf
                    late = at + dt.timedelta(hours=hours) > row["dispatch_due_at"]
                    if not step("dispatch", "dispatched", hours,
                                {"unit": target.id, "team": None, "user": None, "late": late}):
                        break
                    row.update(assignee_unit_id=target.id, dispatched_at=at)
                elif action == "rate":
                    rating = 1 + (rnd.random() < 0.5) if reopen else rnd.choices((5, 4, 3), (65, 27, 8))[0]
                    if not step("rate", "rated", hours, {"rating": rating}):
                        break
                    row["rating"] = rating
                    if reopen and step("reopen", "accepted", rnd.uniform(1, 24)):
                        row.update(reopen_count=1, rating=None, visit_satisfied=None, assignee_unit_id=None,
                                   resolved_at=None, reply_due_at=at + dt.timedelta(days=7))
                        ok = True
                        for again in ("dispatch", "start", "resolve", "inform"):
                            ok = step(again, {"dispatch": "dispatched", "start": "in_progress",
                                              "resolve": "resolved", "inform": "informed"}[again],
                                      rnd.uniform(0.3, 30),
                                      {"unit": (leaf.home or leaf).id, "team": None, "user": None, "late": False}
                                      if again == "dispatch" else None)
                            if not ok:
                                break
                            if again == "dispatch":
                                row.update(assignee_unit_id=(leaf.home or leaf).id, dispatched_at=at)
                            if again == "resolve":
                                row["resolved_at"] = at
                        if not ok:
                            break
                        rating = rnd.choices((5, 4, 3), (50, 35, 15))[0]
                        if not step("rate", "rated", rnd.uniform(0.3, 30), {"rating": rating}):
                            break
                        row["rating"] = rating
                else:
                    target = {"start": "in_progress", "resolve": "resolved", "inform": "informed",
                              "visit": "visited", "close": "closed"}[action]
                    if not step(action, target, hours, {"satisfied": True} if action == "visit" else None):
                        break
                    if action == "resolve":
                        row["resolved_at"] = at
                    if action == "visit":
                        row["visit_satisfied"] = True
        row["state"] = state
        if state in ("submitted", "accepted"):
            open_by_leaf[leaf.id] = (aid, number)
        by_state[state] = by_state.get(state, 0) + 1
        appeals.row(*(row[c] for c in columns))
        for action, from_state, to_state, actor, when, detail in history:
            events.row(eid, aid, action, from_state, to_state, actor, when, "", detail)
            eid += 1
            n_events += 1
        aid += 1
        if (aid % 100_000) == 0:
            bulk.log(f"  {aid:,} appeals")
    appeals.close()
    events.close()
    return {"appeals": n, "events": n_events, "by_state": by_state}

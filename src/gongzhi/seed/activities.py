"""Activities and their service records over the three years up to the run, the way the hours app leaves them:
March (学雷锋月) and summer peaks, weekends busier; most activities at communities and villages, some at streets and
the district; about 16 volunteers each (a long tail up to 120), a few multi-day; volunteers serve mostly in their own
street and a few serve a lot. Hours are the time actually served (R-V4): the activity's length, sometimes a quarter
or half hour less. About 1 % of records are corrected and 0.3 % revoked by an appended row that supersedes the
original (R-V6, append-only); beneficiary counts for every finished activity, 2 % corrected the same way."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from decimal import Decimal

from .bulk import Bulk
from .org import UnitKind, World
from .volunteers import VolunteerRow

MONTH_WEIGHT = {1: 0.7, 2: 0.6, 3: 2.0, 4: 1.0, 5: 1.1, 6: 1.0, 7: 1.5, 8: 1.4, 9: 1.0, 10: 1.1, 11: 0.9, 12: 0.9}
TZ = dt.timezone(dt.timedelta(hours=8))
TITLES = {"default": ("志愿服务活动",), "prefix": ("学雷锋", "文明实践", "邻里守望", "暖心", "红帆", "关爱", "绿色",
                                              "平安", "助老", "周末")}
DURATIONS = (1, 1.5, 2, 2, 2, 3, 3, 4)
LESS = (Decimal(0), Decimal(0), Decimal(0), Decimal(0), Decimal("0.25"), Decimal("0.5"))


def generate(world: World, volunteers: list[VolunteerRow], records: int, rnd: random.Random, bulk: Bulk) -> dict:
    from gongzhi.activities.models import Category

    now = world.now
    categories = list(Category.objects.filter(active=True).values_list("pk", "name"))
    cat_weights = [3 if i < 4 else 1 for i in range(len(categories))]
    first = (now - dt.timedelta(days=3 * 365)).date()
    last = (now - dt.timedelta(days=1)).date()
    days = [first + dt.timedelta(d) for d in range((last - first).days + 1)]
    day_weights = [MONTH_WEIGHT[d.month] * (1.4 if d.weekday() >= 5 else 1.0) for d in days]
    active = [v for v in volunteers if v.active] or volunteers
    by_street: dict[int, list[int]] = {}
    for v in active:
        by_street.setdefault(world.leaves[v.unit_index].street.id, []).append(v.id)
    streets = world.streets
    homes = world.homes
    home_weights = [3.0 if h.kind == UnitKind.COMMUNITY else 1.0 for h in homes]
    # cumulated once (choices(weights=…) sums them on every draw: a province's ~50,000 homes; the same draws)
    streets_of: dict[int, list] = {}
    for s in streets:
        streets_of.setdefault(id(s.district), []).append(s)
    home_cum, cat_cum, day_cum = (list(itertools.accumulate(w)) for w in (home_weights, cat_weights, day_weights))
    teams_by_street: dict[int, list[int]] = {}
    for oid, unit in world.teams:
        teams_by_street.setdefault((unit.street or unit).id, []).append(oid)
    act = bulk.sink("activities_activity", [
        "id", "project_id", "title", "category_id", "description", "unit_id", "organiser_id", "address", "latitude",
        "longitude", "checkin_radius_m", "starts_at", "ends_at", "capacity", "requires_approval", "audience",
        "min_age", "status", "confirmed_count", "waitlist_count", "created_by_id", "created_at", "updated_at"])
    rec = bulk.sink("hours_servicerecord", [
        "id", "volunteer_id", "activity_id", "attendance_id", "unit_path", "day", "started_at", "ended_at", "hours",
        "content", "source", "kind", "supersedes_id", "reason", "confirmed_by_id", "confirmed_at"])
    ben = bulk.sink("activities_beneficiarycount", ["id", "activity_id", "group", "count", "supersedes_id", "note",
                                                    "recorded_by_id", "recorded_at"])
    aid, rid, bid = (bulk.next_id(t) for t in ("activities_activity", "hours_servicerecord",
                                                 "activities_beneficiarycount"))
    written = activities = 0
    while written < records:
        r = rnd.random()
        if r < 0.02:
            unit = rnd.choice(world.districts)
            street = rnd.choice(streets_of[id(unit)])
        elif r < 0.12:
            unit = street = rnd.choice(streets)
        else:
            unit = rnd.choices(homes, cum_weights=home_cum)[0]
            street = unit.street
        category, category_name = rnd.choices(categories, cum_weights=cat_cum)[0]
        day = rnd.choices(days, cum_weights=day_cum)[0]
        start = dt.datetime.combine(day, dt.time(rnd.randrange(8, 19), rnd.choice((0, 30))), TZ)
        hours = DURATIONS[rnd.randrange(len(DURATIONS))]
        n_days = 1 if rnd.random() < 0.95 else rnd.randrange(2, 4)
        end = start + dt.timedelta(days=n_days - 1, hours=hours)
        cancelled = rnd.random() < 0.02
        k = 0 if cancelled else min(120, 1 + int(rnd.expovariate(1 / 14)))
        organiser = rnd.choice(teams_by_street.get(street.id, [None]))
        handler = world.handler(unit)
        title = f"{rnd.choice(TITLES['prefix'])}{category_name}活动"
        created = start - dt.timedelta(days=rnd.randrange(2, 20))
        act.row(aid, None, title[:120], category, "", unit.id, organiser, unit.name, f"{unit.lat:.6f}",
                f"{unit.lng:.6f}", 300, start, end, max(k, 1) + rnd.randrange(0, 10), False, "community", 0,
                "cancelled" if cancelled else "finished", k, 0, handler, created, end)
        pool = by_street.get(street.id) or [v.id for v in active]
        chosen: set[int] = set()
        for _ in range(k):
            group = pool if rnd.random() < 0.8 else None
            if group is None:
                chosen.add(active[int(len(active) * rnd.random() ** 2.2)].id)
            else:
                chosen.add(group[int(len(group) * rnd.random() ** 2.2)])
        confirmed = end + dt.timedelta(hours=rnd.randrange(1, 48))
        for v in sorted(chosen):
            for d in range(n_days):
                served = Decimal(str(hours)) - LESS[rnd.randrange(len(LESS))]
                sday = day + dt.timedelta(d)
                rec.row(rid, v, aid, None, unit.path, sday, None, None, served, "", "back_entry", "original", None,
                        "", handler, confirmed)
                written += 1
                original, rid = rid, rid + 1
                x = rnd.random()
                if x < 0.01:
                    rec.row(rid, v, aid, None, unit.path, sday, None, None, max(Decimal("0.25"), served - Decimal("0.5")),
                            "", "back_entry", "correction", original, "核实后更正服务时长", handler,
                            confirmed + dt.timedelta(days=rnd.randrange(1, 10)))
                    rid += 1
                elif x < 0.013:
                    rec.row(rid, v, aid, None, unit.path, sday, None, None, Decimal(0), "", "back_entry", "revocation",
                            original, "误录，撤销", handler, confirmed + dt.timedelta(days=rnd.randrange(1, 10)))
                    rid += 1
        if not cancelled:
            count = rnd.randrange(5, 121)
            ben.row(bid, aid, "general", count, None, "", handler, confirmed)
            bid += 1
            if rnd.random() < 0.02:
                ben.row(bid, aid, "general", max(0, count + rnd.randrange(-4, 10)), bid - 1, "更正", handler,
                        confirmed + dt.timedelta(days=1))
                bid += 1
        aid += 1
        activities += 1
        if activities % 50_000 == 0:
            bulk.log(f"  {written:,} service records, {activities:,} activities")
    act.close()
    rec.close()
    ben.close()
    return {"activities": activities, "records": written}

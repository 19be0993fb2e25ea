"""Volunteers among the residents (aged 18–70): profiles with 志愿者编号 from the district's counter (R-V3, the
counter moved past them so the application's next number follows), the status history each status implies
(applied → active, some still in screening, a few suspended), skills, availability, a declared service location for
40 %, and teams (志愿服务队, about one per 140 volunteers as in 钢城区's 476 for 6.5万) with their members."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from gongzhi.people.rules import AVAILABILITY_SLOTS

from .bulk import Bulk
from .org import World
from .people import PersonRow

SLOTS = list(AVAILABILITY_SLOTS)
TEAM_WORDS = ("红帆", "暖心", "夕阳红", "护河", "义诊", "助老", "文明交通", "青年突击", "巾帼", "邻里守望", "爱心",
              "应急救援", "普法", "环保", "便民维修", "读书", "雷锋", "党员先锋", "银龄", "新就业群体")
STATUS_MIX = (("active", 93), ("screening", 3), ("applied", 2), ("suspended", 2))


@dataclass
class VolunteerRow:
    id: int  # VolunteerProfile id
    person_id: int
    unit_index: int  # into world.leaves
    active: bool


def generate(world: World, people: list[PersonRow], n: int, rnd: random.Random, bulk: Bulk) -> list[VolunteerRow]:
    from gongzhi.people.models import Skill

    now = world.now
    today = now.date()
    adults = [p for p in people if 18 <= (today - p.birth).days // 365 <= 70]
    chosen = sorted(rnd.sample(adults, min(n, len(adults))), key=lambda p: p.id)
    skills = list(Skill.objects.values_list("pk", flat=True))
    leaves = world.leaves
    profile = bulk.sink("people_volunteerprofile", ["id", "person_id", "unit_id", "number", "status", "availability",
                                                    "motivation", "applied_at", "status_changed_at"])
    changes = bulk.sink("people_volunteerstatuschange", ["id", "profile_id", "from_status", "to_status", "actor_id",
                                                        "reason", "at"])
    vskills = bulk.sink("people_volunteerprofile_skills", ["id", "volunteerprofile_id", "skill_id"])
    locations = bulk.sink("dispatch_servicelocation", ["id", "volunteer_id", "latitude", "longitude", "label",
                                                       "updated_at"])
    vid, cid = bulk.next_id("people_volunteerprofile"), bulk.next_id("people_volunteerstatuschange")
    sid, lid = bulk.next_id("people_volunteerprofile_skills"), bulk.next_id("dispatch_servicelocation")
    counters = _counters(world)
    names, weights = zip(*STATUS_MIX, strict=True)
    out: list[VolunteerRow] = []
    for p in chosen:
        leaf = leaves[p.unit_index]
        district = leaf.path[:6]
        counters[district] = counters.get(district, 0) + 1
        status = rnd.choices(names, weights)[0]
        applied = now - dt.timedelta(days=rnd.randrange(30, 6 * 365), hours=rnd.randrange(24))
        history = [("", "applied", applied)]
        at = applied
        if status != "applied":
            at = at + dt.timedelta(hours=rnd.randrange(2, 240))
            history.append(("applied", "screening" if status == "screening" else "active", at))
        if status == "suspended":
            at = at + dt.timedelta(days=rnd.randrange(30, 700))
            history.append(("active", "suspended", min(at, now)))
        slots = sorted(rnd.sample(SLOTS, rnd.randint(1, 3)), key=SLOTS.index)
        profile.row(vid, p.id, leaf.id, f"ZY{district}{counters[district]:07d}", status, slots, "", applied,
                    history[-1][2])
        for from_status, to_status, when in history:
            changes.row(cid, vid, from_status, to_status, world.handler(leaf) if from_status else None,
                        "" if to_status != "suspended" else "长期未参加活动", when)
            cid += 1
        for skill in rnd.sample(skills, min(len(skills), rnd.choice((0, 1, 1, 2, 2, 3)))):
            vskills.row(sid, vid, skill)
            sid += 1
        if rnd.random() < 0.4:
            locations.row(lid, vid, f"{leaf.lat + rnd.uniform(-0.013, 0.013):.6f}",
                          f"{leaf.lng + rnd.uniform(-0.016, 0.016):.6f}", "", now)
            lid += 1
        out.append(VolunteerRow(vid, p.id, p.unit_index, status == "active"))
        vid += 1
    profile.close()
    changes.close()
    vskills.close()
    locations.close()
    _store_counters(counters)
    teams(world, out, rnd, bulk)
    return out


def _counters(world: World) -> dict[str, int]:
    from gongzhi.people.models import Counter

    return {name.split(":", 1)[1]: value for name, value in
            Counter.objects.filter(name__startswith="volunteer:").values_list("name", "value")}


def _store_counters(counters: dict[str, int]) -> None:
    from gongzhi.people.models import Counter

    for district, value in counters.items():
        Counter.objects.update_or_create(name=f"volunteer:{district}", defaults={"value": value})


def teams(world: World, volunteers: list[VolunteerRow], rnd: random.Random, bulk: Bulk) -> None:
    """Teams at streets and communities, members mostly from the team's own street."""
    now = world.now
    org = bulk.sink("org_organisation", ["id", "name", "kind", "unit_id", "parent_id", "description", "contact_name",
                                         "contact_phone", "founded_on", "active", "created_at"])
    members = bulk.sink("people_teammembership", ["id", "team_id", "person_id", "role", "joined_on", "left_on"])
    oid, mid = bulk.next_id("org_organisation"), bulk.next_id("people_teammembership")
    by_street: dict[int, list[VolunteerRow]] = {}
    for v in volunteers:
        by_street.setdefault(world.leaves[v.unit_index].street.id, []).append(v)
    n_teams = max(len(world.streets), round(len(volunteers) / 140))
    used: set[tuple[int, str]] = set()
    world.teams = []
    for t in range(n_teams):
        street = world.streets[t % len(world.streets)]
        pool = by_street.get(street.id) or volunteers
        unit = street if rnd.random() < 0.3 else rnd.choice([h for h in world.homes if h.street is street] or [street])
        name = f"{unit.name}{rnd.choice(TEAM_WORDS)}志愿服务队"
        if (unit.id, name) in used:
            name = f"{unit.name}{rnd.choice(TEAM_WORDS)}志愿服务{t + 1}队"
        used.add((unit.id, name))
        founded = (now - dt.timedelta(days=rnd.randrange(60, 8 * 365))).date()
        org.row(oid, name, "team", unit.id, None, "", "", "", founded, True, now)
        size = min(len(pool), max(5, int(rnd.expovariate(1 / 25))))
        for k, v in enumerate(rnd.sample(pool, size)):
            members.row(mid, oid, v.person_id, "leader" if k == 0 else "member", founded, None)
            mid += 1
        world.teams.append((oid, unit))
        oid += 1
    org.close()
    members.close()

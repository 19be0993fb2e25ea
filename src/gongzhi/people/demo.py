"""Residents, households, volunteers and team members of the 钢城区 demo (called by ``gongzhi demo``).

About 2,000 synthetic residents in households across every community and village, with valid-checksum synthetic
ID numbers (R-I1; older residents keep historical address codes such as 371203 = the old 钢城区, R-I2), and 500
volunteers in every status with their full screening history (R-V2, 多轮筛选). Rows are computed with the same
``derive_person_fields`` the services use and written with ``bulk_create``: loading has to take seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from gongzhi.core import clock
from gongzhi.core.demo_data import names as N
from gongzhi.core.demo_data.logins import LOGINS, DemoLogin
from gongzhi.core.demo_data.places import DISTRICT_CODE, DISTRICT_NAME, PLACES, STREETS, TEAMS, Place
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Organisation, OrgKind, Unit

from .identity import age_on, make_id_number
from .models import (
    ConsentPurpose,
    ConsentRecord,
    Household,
    Person,
    PersonChange,
    ReviewDecision,
    Skill,
    Tag,
    TeamMembership,
    TeamRole,
    VolunteerCertificate,
    VolunteerProfile,
    VolunteerReview,
    VolunteerStatus,
    VolunteerStatusChange,
)
from .rules import volunteer_rules
from .services import PersonInput, derive_person_fields, volunteer_number_block

BATCH = 500
DEMO_NOTE = "演示数据"

# Household shapes and their weights in town communities / in villages.
HOUSEHOLD_KINDS = {
    "elder_alone": (0.10, 0.16),
    "elder_couple": (0.14, 0.20),
    "family": (0.42, 0.28),
    "three_gen": (0.14, 0.18),
    "single": (0.15, 0.08),
    "grand_child": (0.05, 0.10),
}

STATUS_SHARES = [
    (VolunteerStatus.APPLIED, 0.06),
    (VolunteerStatus.SCREENING, 0.05),
    (VolunteerStatus.REJECTED, 0.03),
    (VolunteerStatus.SUSPENDED, 0.03),
]
PASS_NOTES = ["资料齐全，同意进入下一轮", "已电话核实本人意愿", "面谈通过，服务意愿强", "已核实身份信息", "同意注册"]
REJECT_NOTES = ["多次联系不上本人，资料不全", "所报岗位需要的证书未能提供", "本人表示暂时无法参加服务"]
SUSPEND_REASONS = ["本人申请暂停（外出务工）", "长期未参加活动，经本人同意暂停", "身体原因暂停服务"]
# Skill weights for volunteers (codes from people/migrations/0002).
SKILL_WEIGHTS = {"first_aid": 5, "elderly_care": 4, "tutoring": 4, "arts": 3, "plumbing_electric": 3, "driving": 3,
                 "it": 2, "haircut": 2, "psychology": 2, "mediation": 2, "medical": 1, "legal": 1}


@dataclass
class Planned:
    """A resident before it becomes a row."""

    name: str
    male: bool
    birth: dt.date
    unit: Unit
    place: Place
    household: tuple[int, str]  # (unit id, label)
    address: str
    phone: str = ""
    tags: set[str] = field(default_factory=set)
    guardian: str = ""
    login: DemoLogin | None = None
    id_number: str = ""
    person: Person | None = None

    def age(self, today: dt.date) -> int:
        return age_on(self.birth, today)


class _Names:
    def __init__(self, rng: random.Random, today: dt.date):
        self.rng, self.today = rng, today
        self.surnames = [s for s, _ in N.SURNAMES]
        self.weights = [w for _, w in N.SURNAMES]
        self.ids: set[str] = set()
        self.phones: set[str] = {login.phone for login in LOGINS}

    def surname(self) -> str:
        return self.rng.choices(self.surnames, self.weights)[0]

    def given(self, birth: dt.date, male: bool) -> str:
        for upto, men, women in N.GIVEN_NAMES:
            if birth.year <= upto:
                return self.rng.choice(men if male else women)
        raise AssertionError("unreachable")

    def birth(self, age: int) -> dt.date:
        return self.today - dt.timedelta(days=age * 365 + age // 4 + self.rng.randint(1, 364))

    def phone(self, age: int) -> str:
        if age < 12 or (age < 18 and self.rng.random() < 0.5) or (age >= 80 and self.rng.random() < 0.4):
            return ""
        while True:
            phone = self.rng.choice(N.PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def id_number(self, birth: dt.date, male: bool) -> str:
        """A valid synthetic ID number; address code current (370117) or as it was when issued (R-I2)."""
        r = self.rng.random()
        if birth.year < 1990:
            code = "371203" if r < 0.5 else "371202" if r < 0.6 else "370117"
        elif birth.year <= 2017:
            code = "371203" if r < 0.15 else "370116" if r < 0.2 else "370117"
        else:
            code = "370117"
        while True:
            number = make_id_number(code, birth, self.rng.randrange(500) * 2 + (1 if male else 0))
            if number not in self.ids:
                self.ids.add(number)
                return number


class _Plan:
    """Where people live: one address book per community/village, grids inside it."""

    def __init__(self, ctx, rng: random.Random, names: _Names):
        self.ctx, self.rng, self.names = ctx, rng, names
        self.places = [(p, ctx.unit(p.code)) for p in PLACES]
        grids: dict[int, list[Unit]] = {}
        for grid in Unit.objects.filter(kind=UnitKind.GRID, path__startswith=DISTRICT_CODE).order_by("code"):
            grids.setdefault(grid.parent_id, []).append(grid)
        self.grids = grids
        self.streets = {s.code: s.name for s in STREETS}
        self.labels: set[tuple[str, str]] = set()
        self.people: list[Planned] = []

    def reserve(self, place: Place, label: str) -> None:
        self.labels.add((place.code, label))

    def address(self, place: Place) -> tuple[str, str]:
        """(household label, full address), unique within the community/village."""
        while True:
            if place.road:
                label = (f"{place.road}{self.rng.randint(1, 60)}号{self.rng.randint(1, 12)}号楼"
                         f"{self.rng.randint(1, 4)}单元{self.rng.randint(1, 6)}0{self.rng.randint(1, 2)}")
            else:
                label = f"{place.name}{self.rng.randint(1, 320)}号"
            if (place.code, label) not in self.labels:
                self.labels.add((place.code, label))
                prefix = DISTRICT_NAME if place.road else f"{DISTRICT_NAME}{self.streets[place.street_code]}"
                return label, prefix + label

    def home_unit(self, place: Place, community: Unit) -> Unit:
        grids = self.grids.get(community.pk, [])
        return self.rng.choice(grids) if grids and self.rng.random() < 0.9 else community

    def household(self, place: Place, community: Unit) -> list[Planned]:
        rng, names = self.rng, self.names
        kinds = list(HOUSEHOLD_KINDS)
        kind = rng.choices(kinds, [HOUSEHOLD_KINDS[k][place.kind == "village"] for k in kinds])[0]
        unit = self.home_unit(place, community)
        label, address = self.address(place)
        members: list[tuple[str, bool, dt.date]] = []  # (name, male, birth)
        family = names.surname()

        def person(male: bool, age: int, surname: str | None = None) -> None:
            birth = names.birth(age)
            members.append(((surname or names.surname()) + names.given(birth, male), male, birth))

        if kind == "elder_alone":
            person(rng.random() < 0.35, rng.randint(68, 92), family)
        elif kind == "elder_couple":
            age = rng.randint(62, 86)
            person(True, age, family)
            person(False, max(58, age - rng.randint(0, 5)))
        elif kind == "single":
            person(rng.random() < 0.55, rng.randint(20, 60), family)
        elif kind == "grand_child":
            age = rng.randint(58, 78)
            person(True, age, family)
            if rng.random() < 0.6:
                person(False, age - rng.randint(0, 4))
            for _ in range(rng.randint(1, 2)):
                person(rng.random() < 0.5, rng.randint(3, 16), family)
        else:  # family, three_gen
            age = rng.randint(26, 55)
            person(True, age, family)
            person(False, max(22, age - rng.randint(-2, 5)))
            for _ in range(rng.choices([0, 1, 2, 3], [0.15, 0.5, 0.3, 0.05])[0]):
                person(rng.random() < 0.5, rng.randint(0, min(age - 22, 24)), family)
            if kind == "three_gen":
                grand = rng.randint(age + 22, min(age + 35, 92))
                person(rng.random() < 0.4, grand, family)
        planned = []
        for name, male, birth in members:
            p = Planned(name=name, male=male, birth=birth, unit=unit, place=place, household=(unit.pk, label),
                        address=address)
            p.phone = names.phone(p.age(self.ctx.today))
            planned.append(p)
        self._tag(kind, planned)
        return planned

    def _tag(self, kind: str, members: list[Planned]) -> None:
        rng, today = self.rng, self.ctx.today
        adults = [m for m in members if m.age(today) >= 18]
        head = members[0]
        for m in members:
            age = m.age(today)
            if kind == "elder_alone":
                m.tags.add("elderly_alone")
            elif kind == "elder_couple":
                m.tags.add("empty_nest")
            elif kind == "grand_child" and age < 18:
                m.tags.add("orphan_child" if rng.random() < 0.4 else "left_behind_child")
            if age >= 6 and rng.random() < 0.025:
                m.tags.add("disabled")
            if age >= 55 and rng.random() < 0.12:
                m.tags.add("chronic_illness")
            if 20 <= age <= 45 and rng.random() < (0.08 if m.male else 0.03):
                m.tags.add("new_employment")
            if m.male and 28 <= age <= 75 and rng.random() < 0.06:
                m.tags.add("veteran")
            if age >= 22 and rng.random() < 0.12:
                m.tags.add("party_member")
            if age < 18 and adults:
                m.guardian = adults[0].name
        poor = 0.06 if kind in ("elder_alone", "grand_child") else 0.015
        r = rng.random()
        if r < poor:
            head.tags.add("dibao")
        elif r < poor + 0.02:
            head.tags.add("low_income")

    def fill(self, total: int) -> None:
        weights = [p.weight for p, _ in self.places]
        while len(self.people) < total:
            place, community = self.rng.choices(self.places, weights)[0]
            self.people += self.household(place, community)[: total - len(self.people)]


def _login_people(ctx, plan: _Plan) -> list[Planned]:
    out = []
    for login in LOGINS:
        spec = login.person
        if spec is None:
            continue
        unit = ctx.unit(login.unit_code)
        place = next(p for p in PLACES if p.code == unit.path[:12])
        if unit.kind == UnitKind.COMMUNITY and plan.grids.get(unit.pk):
            unit = plan.grids[unit.pk][0]  # the login's person lives in the community's first grid
        label = spec.address.removeprefix(DISTRICT_NAME)
        plan.reserve(place, label)
        out.append(Planned(name=spec.name, male=spec.male, birth=spec.birth, unit=unit, place=place,
                           household=(unit.pk, label), address=spec.address, phone=login.phone,
                           tags=set(spec.tags), login=login))
    return out


def _write_people(ctx, planned: list[Planned], names: _Names) -> None:
    today = ctx.today
    households = {}
    for p in planned:
        if p.household not in households:
            households[p.household] = Household(unit_id=p.household[0], label=p.household[1])
    Household.objects.bulk_create(households.values(), batch_size=BATCH)
    rows, minors, fields = [], [], []
    for p in planned:
        p.id_number = names.id_number(p.birth, p.male)
        derived = derive_person_fields(
            PersonInput(name=p.name, unit=p.unit, id_number=p.id_number, phone=p.phone, address=p.address,
                        household_label=p.household[1], guardian_name=p.guardian),
            today=today,
        )
        p.person = Person(**derived.values, household=households[p.household],
                          user=ctx.user(p.login.username) if p.login else None)
        rows.append(p.person)
        fields = fields or sorted(derived.values)
        if derived.minor_under_14:
            minors.append(p)  # R-P2: children under 14 are registered with a guardian's consent
    Person.objects.bulk_create(rows, batch_size=BATCH)
    PersonChange.objects.bulk_create(
        [PersonChange(person=p.person, actor=None, source="demo", fields=fields, created=True) for p in planned],
        batch_size=BATCH,
    )
    tags = {t.code: t.pk for t in Tag.objects.all()}
    Through = Person.tags.through
    Through.objects.bulk_create(
        [Through(person_id=p.person.pk, tag_id=tags[code]) for p in planned for code in sorted(p.tags) if code in tags],
        batch_size=BATCH,
    )
    ConsentRecord.objects.bulk_create(
        [ConsentRecord(person=p.person, purpose=ConsentPurpose.GUARDIAN, granted=True, guardian_name=p.guardian,
                       note=DEMO_NOTE) for p in minors],
        batch_size=BATCH,
    )
    ctx.count("户", len(households))
    ctx.count("居民", len(rows))


@dataclass
class _Volunteer:
    planned: Planned
    status: str
    applied_at: dt.datetime
    reviewers: list[str]
    profile: VolunteerProfile | None = None
    active_since: dt.datetime | None = None
    events: list[tuple] = field(default_factory=list)  # (at, from, to, actor username, reason, review decision)


def _reviewers(unit_code: str) -> list[str]:
    """Distinct in-scope reviewers for a volunteer registered under ``unit_code``: community, street, district."""
    from gongzhi.accounts.demo import worker_username

    chain = [worker_username(unit_code[:12])]
    chain += [login.username for login in LOGINS
              if login.role == "social_worker" and login.unit_code == unit_code[:12]]
    chain += [worker_username(unit_code[:9]), "demo-district"]
    return list(dict.fromkeys(chain))


def _pick_volunteers(ctx, rng: random.Random, planned: list[Planned]) -> list[_Volunteer]:
    today, now = ctx.today, clock.now()
    rules = volunteer_rules()
    fixed = [p for p in planned if p.login and p.login.person and p.login.person.volunteer]
    unit_weight = {"370117001002": 3.0, "370117001001": 2.0, "370117002001": 2.0}

    def key(p: Planned) -> float:
        age = p.age(today)
        w = unit_weight.get(p.place.code, 1.0) * (0.3 if age < 18 else 0.8 if age < 25 else 0.7 if age > 60 else 1.0)
        return rng.random() ** (1 / w)  # weighted sampling without replacement (Efraimidis–Spirakis)

    if rules.screening_rounds < 2:  # one round: nobody is between rounds
        statuses_shares = [(s, sh) for s, sh in STATUS_SHARES if s != VolunteerStatus.SCREENING]
    else:
        statuses_shares = STATUS_SHARES
    eligible = [p for p in planned if p.login is None and max(rules.min_age, 14) <= p.age(today) <= 72]
    chosen = sorted(eligible, key=key, reverse=True)[: max(0, ctx.volunteers - len(fixed))]
    statuses = []
    n = len(chosen)
    for status, share in statuses_shares:
        statuses += [status] * (max(1, round(n * share)) if n >= 20 else 0)
    statuses = statuses[:n] + [VolunteerStatus.ACTIVE] * max(0, n - len(statuses))
    rng.shuffle(statuses)
    out = []
    for p, status in [*((p, VolunteerStatus.ACTIVE) for p in fixed), *zip(chosen, statuses, strict=True)]:
        pending = status in (VolunteerStatus.APPLIED, VolunteerStatus.SCREENING)
        days = rng.randint(4, 45) if pending else rng.randint(60, 1000)
        applied_at = now - dt.timedelta(days=days, minutes=rng.randint(0, 600))
        out.append(_Volunteer(p, status, applied_at, _reviewers(p.unit.code)))
    return out


def _history(v: _Volunteer, rng: random.Random, rounds: int, now: dt.datetime) -> None:
    """The status changes and screening rounds that lead to ``v.status`` (same transitions as the services)."""
    worker = v.reviewers[0]
    t = v.applied_at
    v.events.append((t, "", VolunteerStatus.APPLIED, worker, "工作人员代为登记", None))
    if v.status == VolunteerStatus.APPLIED:
        return
    rounds = min(rounds, len(v.reviewers))
    target = {VolunteerStatus.SCREENING: 1, VolunteerStatus.REJECTED: rng.randint(1, rounds)}.get(v.status, rounds)
    state = VolunteerStatus.APPLIED
    for r in range(1, target + 1):
        t = t + dt.timedelta(days=rng.randint(1, 8), hours=rng.randint(1, 6))
        if t >= now:  # a recent application: squeeze the rounds into the last hours, still in order
            t = now - dt.timedelta(minutes=10 * (rounds + 1 - r))
        reviewer = v.reviewers[r - 1]
        if v.status == VolunteerStatus.REJECTED and r == target:
            note = rng.choice(REJECT_NOTES)
            v.events.append((t, state, VolunteerStatus.REJECTED, reviewer, note, (r, ReviewDecision.REJECT)))
            return
        note = rng.choice(PASS_NOTES)
        if r >= rounds:
            v.events.append((t, state, VolunteerStatus.ACTIVE, reviewer, note, (r, ReviewDecision.PASS)))
            v.active_since, state = t, VolunteerStatus.ACTIVE
        elif state == VolunteerStatus.APPLIED:
            v.events.append((t, state, VolunteerStatus.SCREENING, reviewer, note, (r, ReviewDecision.PASS)))
            state = VolunteerStatus.SCREENING
        else:
            v.events.append((t, state, state, reviewer, note, (r, ReviewDecision.PASS)))
    if v.status == VolunteerStatus.SUSPENDED:
        t = t + (now - t) * rng.uniform(0.3, 0.9)
        v.events.append((t, VolunteerStatus.ACTIVE, VolunteerStatus.SUSPENDED, worker, rng.choice(SUSPEND_REASONS), None))


def _write_volunteers(ctx, rng: random.Random, planned: list[Planned]) -> list[_Volunteer]:
    now = clock.now()
    rounds = volunteer_rules().screening_rounds
    volunteers = sorted(_pick_volunteers(ctx, rng, planned), key=lambda v: v.applied_at)
    if not volunteers:
        return []
    for v in volunteers:
        _history(v, rng, rounds, now)
    numbers = volunteer_number_block(ctx.unit(DISTRICT_CODE), len(volunteers))
    users = {u: ctx.user(u) for v in volunteers for u in v.reviewers}
    profiles = []
    for v, number in zip(volunteers, numbers, strict=True):
        v.profile = VolunteerProfile(
            person=v.planned.person, unit=v.planned.unit, number=number, status=v.status,
            availability=sorted(rng.sample(N.AVAILABILITY, rng.randint(1, 3)), key=N.AVAILABILITY.index),
            motivation=rng.choice(N.MOTIVATIONS), status_changed_at=v.events[-1][0],
        )
        profiles.append(v.profile)
    VolunteerProfile.objects.bulk_create(profiles, batch_size=BATCH)
    for v in volunteers:
        v.profile.applied_at = v.applied_at
    VolunteerProfile.objects.bulk_update(profiles, ["applied_at"], batch_size=BATCH)

    changes, reviews = [], []
    for v in volunteers:
        for at, frm, to, actor, reason, review in v.events:
            if frm != to:
                changes.append(VolunteerStatusChange(profile=v.profile, from_status=frm, to_status=to,
                                                     actor=users[actor], reason=reason, at=at))
            if review:
                reviews.append(VolunteerReview(profile=v.profile, round=review[0], decision=review[1], note=reason,
                                               reviewer=users[actor], at=at))
    _bulk_create_at(VolunteerStatusChange, changes)
    _bulk_create_at(VolunteerReview, reviews)

    consents = []
    for v in volunteers:
        worker = users[v.reviewers[0]]
        consents.append(ConsentRecord(person=v.planned.person, purpose=ConsentPurpose.REGISTRATION, granted=True,
                                      recorded_by=worker, note="volunteer", recorded_at=v.applied_at))
        if v.planned.age(ctx.today) < volunteer_rules().guardian_consent_below:  # R-V9
            consents.append(ConsentRecord(person=v.planned.person, purpose=ConsentPurpose.GUARDIAN, granted=True,
                                          guardian_name=v.planned.guardian, recorded_by=worker, note="volunteer",
                                          recorded_at=v.applied_at))
    _bulk_create_at(ConsentRecord, consents, field="recorded_at")

    skills = {s.code: s for s in Skill.objects.all()}
    codes = [c for c in SKILL_WEIGHTS if c in skills]
    Through = VolunteerProfile.skills.through
    links, certificates = [], []
    for v in volunteers:
        spec = v.planned.login.person if v.planned.login else None
        chosen = list(spec.skills) if spec else sorted(
            set(rng.choices(codes, [SKILL_WEIGHTS[c] for c in codes], k=rng.choice([0, 1, 1, 2, 2, 3])))
        )
        for code in chosen:
            links.append(Through(volunteerprofile_id=v.profile.pk, skill_id=skills[code].pk))
            if code in N.CERTIFICATES and (spec or rng.random() < 0.4):
                issued = (v.applied_at - dt.timedelta(days=rng.randint(30, 2000))).date()
                certificates.append(VolunteerCertificate(
                    profile=v.profile, skill=skills[code], name=N.CERTIFICATES[code],
                    number=f"DEMO-{issued:%Y}-{rng.randrange(10**6):06d}", issued_on=issued,
                    expires_on=issued + dt.timedelta(days=3 * 365) if code == "first_aid" else None,
                ))
    Through.objects.bulk_create(links, batch_size=BATCH)
    VolunteerCertificate.objects.bulk_create(certificates, batch_size=BATCH)
    ctx.count("志愿者", len(volunteers))
    for status in VolunteerStatus:
        ctx.count(f"志愿者·{status.label}", sum(v.status == status for v in volunteers))
    return volunteers


def _bulk_create_at(model, rows: list, *, field: str = "at") -> None:
    """bulk_create, then restore the historical timestamps that ``auto_now_add`` overwrote."""
    wanted = [getattr(r, field) for r in rows]
    model.objects.bulk_create(rows, batch_size=BATCH)
    for row, at in zip(rows, wanted, strict=True):
        setattr(row, field, at)
    model.objects.bulk_update(rows, [field], batch_size=BATCH)


def _write_teams(ctx, rng: random.Random, volunteers: list[_Volunteer]) -> None:
    active = [v for v in volunteers if v.status == VolunteerStatus.ACTIVE]
    memberships = []
    for spec in TEAMS:
        team = Organisation.objects.get(kind=OrgKind.TEAM, name=spec.name, unit=ctx.unit(spec.unit_code))
        fixed = [v for v in active if v.planned.login and v.planned.login.person.team == spec.name]
        rest = [v for v in active if not v.planned.login or v.planned.login.person.team != spec.name]
        pool = [v for v in rest if v.planned.unit.code.startswith(spec.unit_code)]
        if len(pool) < spec.size:  # a small demo: fill up from the rest of the district
            pool += [v for v in rest if not v.planned.unit.code.startswith(spec.unit_code)]
        rng.shuffle(pool)
        if spec.prefer_tag:
            pool.sort(key=lambda v: spec.prefer_tag not in v.planned.tags)
        members = pool[: max(0, spec.size - len(fixed))] + fixed
        for i, v in enumerate(members):
            joined = v.active_since + (clock.now() - v.active_since) * rng.uniform(0, 0.5)
            memberships.append(TeamMembership(team=team, person=v.planned.person, joined_on=joined.date(),
                                              role=TeamRole.LEADER if i == 0 else TeamRole.MEMBER))
    TeamMembership.objects.bulk_create(memberships, batch_size=BATCH)
    ctx.count("队员", len(memberships))


def contribute(ctx) -> None:
    rng = ctx.rng("people")
    names = _Names(rng, ctx.today)
    plan = _Plan(ctx, rng, names)
    plan.people = _login_people(ctx, plan)
    plan.fill(ctx.residents)
    _write_people(ctx, plan.people, names)
    volunteers = _write_volunteers(ctx, rng, plan.people)
    _write_teams(ctx, rng, volunteers)

"""The activities part of the 钢城区 demo: the seeds' projects and a year of activities ending at ``ctx.today``.

The seeds' yearly figures are the target ("全区累计开展各类志愿服务480余场次, 8000余人次志愿者投身服务, 惠及群众4.5万
人次"): about 480 finished activities across the district's communities, villages and streets, about 8,000 confirmed
sign-ups of the demo's active volunteers (counters consistent), 惠及人次 on every finished activity summing to about
45,000. Ahead of today: a few published activities in 永兴社区 and district-wide (two already full with a waitlist) that
the ``demo-volunteer`` login may join, and one dangerous 抢险救灾 drill covered by an accident-insurance policy (R-V10).

Everything is written with ``bulk_create`` (status history included) and so publishes no domain events; the hours
demo adds attendances and service records to the finished activities afterwards.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from gongzhi.core.demo_data.places import DISTRICT_CODE, PLACES, STREETS
from gongzhi.org.models import Organisation, OrgKind
from gongzhi.people.models import TeamMembership, VolunteerProfile, VolunteerStatus

from .models import (
    Activity,
    ActivityEvent,
    ActivityStatus,
    Audience,
    BeneficiaryCount,
    BeneficiaryGroup,
    Category,
    InsurancePolicy,
    Project,
    Signup,
    SignupEvent,
    SignupStatus,
)

BATCH = 1000
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
FINISHED = 482
TARGET_SIGNUPS = 8150
TARGET_BENEFICIARIES = 45_300

# (name, category, unit code, organiser team name or "", description) — the seeds' projects first
PROJECTS = [
    ("天更蓝水更清", "environment", DISTRICT_CODE, "“天更蓝水更清”环保志愿服务队",
     "河流、公园垃圾清理和环保宣传，守护钢城的蓝天碧水"),
    ("文明交通引导", "civilised_traffic", DISTRICT_CODE, "", "早晚高峰路口文明交通劝导，倡导礼让斑马线"),
    ("钢城无孤", "child_care", DISTRICT_CODE, "手拉手孤困儿童关爱志愿团",
     "孤困儿童长期结对帮扶：入户访视、课业辅导、心理疏导、趣味陪伴"),
    ("暑期五彩课堂", "summer_care", DISTRICT_CODE, "", "暑期托管：作业辅导、非遗手工、安全教育、体育游戏"),
    ("红马甲一刻钟", "governance", "370117001001", "永兴社区红马甲志愿服务队",
     "“红马甲一刻钟”党建服务：网格走访、便民驿站、闲置物品跳蚤市场"),
    ("中高考护航", "exam_escort", DISTRICT_CODE, "", "考点周边秩序维护、爱心送考、考生家长服务"),
    ("义诊义剪进社区", "clinic_haircut", DISTRICT_CODE, "", "健康义诊、爱心理发，服务老年人和行动不便群众"),
    ("银龄陪伴", "elderly_care", DISTRICT_CODE, "", "独居、空巢老人探访陪伴和智慧助老"),
    ("学雷锋志愿服务月", "lei_feng", DISTRICT_CODE, "", "每年三月学雷锋集中志愿服务"),
]

# category → activity titles ({place} is the unit's name)
TITLES = {
    "environment": ["{place}河道垃圾清理", "{place}公园环境清扫", "{place}垃圾分类宣传", "{place}植树护绿"],
    "civilised_traffic": ["{place}路口文明交通劝导", "{place}校门口护学岗", "{place}非机动车规范停放引导"],
    "child_care": ["{place}孤困儿童入户访视", "{place}儿童课业辅导", "{place}儿童趣味陪伴活动"],
    "summer_care": ["{place}暑期五彩课堂", "{place}暑期作业辅导", "{place}暑期非遗手工课"],
    "governance": ["{place}网格走访", "{place}便民驿站值守", "{place}闲置物品跳蚤市场", "{place}居民议事会服务"],
    "exam_escort": ["{place}高考考点护航", "{place}中考爱心送考"],
    "clinic_haircut": ["{place}健康义诊", "{place}爱心义剪", "{place}血压血糖免费测"],
    "elderly_care": ["{place}独居老人探访", "{place}智慧助老课堂", "{place}老年人防诈骗宣讲"],
    "lei_feng": ["{place}学雷锋便民服务", "{place}学雷锋清洁家园"],
    "helping_disabled": ["{place}助残上门服务", "{place}残疾人康复陪护"],
    "convenience": ["{place}便民维修", "{place}便民服务集市"],
    "culture": ["{place}文化惠民演出", "{place}全民阅读分享会"],
    "patrol": ["{place}平安巡逻", "{place}消防安全检查宣传"],
    "customs_reform": ["{place}移风易俗宣讲", "{place}文明新风倡议"],
}
PROJECT_OF = {"environment": "天更蓝水更清", "civilised_traffic": "文明交通引导", "child_care": "钢城无孤",
              "summer_care": "暑期五彩课堂", "exam_escort": "中高考护航", "clinic_haircut": "义诊义剪进社区",
              "elderly_care": "银龄陪伴", "lei_feng": "学雷锋志愿服务月"}
GROUPS = {"elderly_care": BeneficiaryGroup.ELDERLY, "clinic_haircut": BeneficiaryGroup.ELDERLY,
          "child_care": BeneficiaryGroup.CHILDREN, "summer_care": BeneficiaryGroup.CHILDREN,
          "exam_escort": BeneficiaryGroup.STUDENTS, "helping_disabled": BeneficiaryGroup.DISABLED}


def is_loaded() -> bool:
    return Activity.objects.exists()


def _month_category(rng, day: dt.date) -> str:
    """Seasonal: 学雷锋 in March, 中高考 in June, summer care in July/August, otherwise the everyday mix."""
    if day.month == 3 and rng.random() < 0.35:
        return "lei_feng"
    if day.month == 6 and rng.random() < 0.25:
        return "exam_escort"
    if day.month in (7, 8) and rng.random() < 0.4:
        return "summer_care"
    return rng.choices(
        ["environment", "civilised_traffic", "child_care", "governance", "clinic_haircut", "elderly_care",
         "helping_disabled", "convenience", "culture", "patrol", "customs_reform"],
        weights=[14, 10, 9, 16, 8, 12, 5, 9, 6, 7, 4])[0]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def _jitter(unit, rng) -> tuple[Decimal | None, Decimal | None]:
    if unit.latitude is None or unit.longitude is None:
        return None, None
    return (Decimal(unit.latitude) + Decimal(f"{rng.uniform(-0.002, 0.002):.6f}"),
            Decimal(unit.longitude) + Decimal(f"{rng.uniform(-0.002, 0.002):.6f}"))


def _projects(ctx, categories) -> dict[str, Project]:
    teams = {o.name: o for o in Organisation.objects.filter(kind=OrgKind.TEAM)}
    start = ctx.today - dt.timedelta(days=400)
    rows = [Project(name=name, category=categories[cat], unit=ctx.unit(code), organiser=teams.get(team),
                    description=desc, starts_on=start, created_by=ctx.user("demo-district"))
            for name, cat, code, team, desc in PROJECTS]
    Project.objects.bulk_create(rows)
    ctx.count("志愿服务项目", len(rows))
    return {p.name: p for p in rows}


class _Writer:
    """Collects activities with their sign-ups, history and figures, then writes them in bulk."""

    def __init__(self, ctx, rng):
        self.ctx, self.rng = ctx, rng
        self.district_user = ctx.user("demo-district")
        self.activities: list[Activity] = []
        self.plans: list[tuple[list[VolunteerProfile], list[VolunteerProfile], list[tuple[str, int]]]] = []

    def add(self, activity: Activity, confirmed: list, waitlisted: list, beneficiaries: list[tuple[str, int]]):
        activity.confirmed_count, activity.waitlist_count = len(confirmed), len(waitlisted)
        self.activities.append(activity)
        self.plans.append((confirmed, waitlisted, beneficiaries))

    def write(self) -> None:
        Activity.objects.bulk_create(self.activities, batch_size=BATCH)
        events, signups, figures = [], [], []
        for a, (confirmed, waitlisted, beneficiaries) in zip(self.activities, self.plans, strict=True):
            published = a.starts_at - dt.timedelta(days=self.rng.randint(5, 14))
            chain = [("", ActivityStatus.DRAFT, published - dt.timedelta(days=1)),
                     (ActivityStatus.DRAFT, ActivityStatus.PUBLISHED, published)]
            if a.status in (ActivityStatus.ONGOING, ActivityStatus.FINISHED):
                chain.append((ActivityStatus.PUBLISHED, ActivityStatus.ONGOING, a.starts_at))
            if a.status == ActivityStatus.FINISHED:
                chain.append((ActivityStatus.ONGOING, ActivityStatus.FINISHED, a.ends_at))
            events += [ActivityEvent(activity=a, from_status=f, to_status=t, actor=a.created_by, at=at)
                       for f, t, at in chain]
            span = max(1, int((a.starts_at - published).total_seconds()) - 3600)
            for status, people in ((SignupStatus.CONFIRMED, confirmed), (SignupStatus.WAITLISTED, waitlisted)):
                for v in people:
                    at = published + dt.timedelta(seconds=self.rng.randint(60, span))
                    signups.append(Signup(activity=a, volunteer=v, status=status, created_at=at, updated_at=at,
                                          created_by_id=v.person.user_id))
            recorded = a.ends_at + dt.timedelta(hours=1)
            figures += [BeneficiaryCount(activity=a, group=g, count=n, recorded_by=a.created_by,
                                         recorded_at=recorded) for g, n in beneficiaries]
        ActivityEvent.objects.bulk_create(events, batch_size=BATCH)
        Signup.objects.bulk_create(signups, batch_size=BATCH)
        SignupEvent.objects.bulk_create(
            [SignupEvent(signup=s, from_status="", to_status=s.status, actor_id=s.created_by_id, at=s.created_at)
             for s in signups], batch_size=BATCH)
        BeneficiaryCount.objects.bulk_create(figures, batch_size=BATCH)
        self.ctx.count("活动", len(self.activities))
        self.ctx.count("报名·已录用", sum(s.status == SignupStatus.CONFIRMED for s in signups))
        self.ctx.count("报名·候补", sum(s.status == SignupStatus.WAITLISTED for s in signups))
        self.ctx.count("惠及人次", sum(f.count for f in figures))


def _volunteers_by_place() -> tuple[list[VolunteerProfile], dict[str, list[VolunteerProfile]]]:
    active = list(VolunteerProfile.objects.filter(status=VolunteerStatus.ACTIVE).select_related("unit", "person")
                  .order_by("pk"))
    by_place: dict[str, list[VolunteerProfile]] = {}
    for v in active:
        by_place.setdefault(v.unit.path[:12], []).append(v)
    return active, by_place


def _finished(ctx, rng, writer: _Writer, categories, projects, active, by_place) -> None:
    places = [(p, ctx.unit(p.code)) for p in PLACES]
    streets = [ctx.unit(s.code) for s in STREETS]
    district = ctx.unit(DISTRICT_CODE)
    workers = {"370117001001": ctx.user("demo-community"), "370117002001": ctx.user("demo-community-b")}
    first = ctx.today - dt.timedelta(days=364)
    days = sorted(first + dt.timedelta(days=rng.randrange(0, 364)) for _ in range(FINISHED))
    sizes = [rng.uniform(0.45, 1.55) for _ in days]
    scale = TARGET_SIGNUPS / sum(sizes)
    reach = [rng.lognormvariate(0, 0.45) for _ in days]
    reach_scale = TARGET_BENEFICIARIES / sum(reach)
    for day, size, benefit in zip(days, sizes, reach, strict=True):
        category = _month_category(rng, day)
        level = rng.random()
        if level < 0.12:
            unit, audience, pool = district, Audience.PUBLIC, active
        elif level < 0.27:
            unit = rng.choice(streets)
            audience = Audience.PUBLIC
            pool = [v for v in active if v.unit.path.startswith(unit.path)]
        else:
            place, unit = rng.choices(places, weights=[p.weight for p, _ in places])[0]
            audience, pool = Audience.COMMUNITY, by_place.get(place.code, [])
        wanted = max(3, round(size * scale))
        if len(pool) < wanted:  # a small community: open it to the whole district
            audience, pool = Audience.PUBLIC, active
        confirmed = rng.sample(pool, min(wanted, len(pool)))
        capacity = len(confirmed) + rng.choice([0, 0, 1, 2, 3, 5])
        hour = rng.choice([8, 8, 9, 9, 9, 14, 14, 15])
        starts = _at(day, hour, rng.choice([0, 0, 30]))
        # half-day services: with ~8,000 人次 the year comes to the seeds' "总服务时长超3万小时"
        ends = starts + dt.timedelta(minutes=rng.choice([180, 240, 240, 270, 300, 300]))
        lat, lng = _jitter(unit, rng)
        count = max(5, round(benefit * reach_scale))
        group = GROUPS.get(category, BeneficiaryGroup.GENERAL)
        if group != BeneficiaryGroup.GENERAL and rng.random() < 0.4:
            part = round(count * rng.uniform(0.2, 0.4))
            figures = [(group, count - part), (BeneficiaryGroup.GENERAL, part)]
        else:
            figures = [(group, count)]
        title = rng.choice(TITLES[category]).format(place=unit.name)
        writer.add(Activity(
            project=projects.get(PROJECT_OF.get(category, "")), title=title, category=categories[category],
            description=f"{title}。", unit=unit, address=f"{unit.address or unit.name}", latitude=lat,
            longitude=lng, starts_at=starts, ends_at=ends, capacity=capacity, audience=audience,
            status=ActivityStatus.FINISHED, created_by=workers.get(unit.path, ctx.user("demo-district")),
        ), confirmed, [], figures)


def _upcoming(ctx, rng, writer: _Writer, categories, projects, active, by_place) -> None:
    """Open activities ahead: 永兴社区 ones the demo volunteer may join, two full with a waitlist, one district-wide."""
    yongxing = ctx.unit("370117001001")
    district = ctx.unit(DISTRICT_CODE)
    me = (VolunteerProfile.objects.select_related("person", "unit")
          .filter(person__user__username="demo-volunteer", status=VolunteerStatus.ACTIVE).first())
    local = [v for v in by_place.get(yongxing.path, []) if me is None or v.pk != me.pk]
    others = [v for v in active if me is None or v.pk != me.pk]
    red_vests = Organisation.objects.filter(name="永兴社区红马甲志愿服务队").first()
    plans = [
        # (days ahead, title, category, unit, capacity, taken, waitlist, audience, approval, includes me)
        (2, "永兴社区便民驿站值守", "governance", yongxing, 8, 3, 0, Audience.COMMUNITY, False, True),
        (4, "永兴社区独居老人探访", "elderly_care", yongxing, 10, 4, 0, Audience.COMMUNITY, False, False),
        (6, "永兴社区闲置物品跳蚤市场", "governance", yongxing, 6, 6, 3, Audience.COMMUNITY, False, False),
        (9, "永兴社区健康义诊", "clinic_haircut", yongxing, 12, 5, 0, Audience.COMMUNITY, True, False),
        (5, "全区河道垃圾清理", "environment", district, 30, 30, 4, Audience.PUBLIC, False, False),
        (12, "全区学雷锋便民服务集市", "convenience", district, 40, 12, 0, Audience.PUBLIC, False, False),
        (3, "红马甲一刻钟网格走访", "governance", yongxing, 6, 2, 0, Audience.TEAM, False, False),
    ]
    team_members = []
    if red_vests is not None:
        ids = set(TeamMembership.objects.filter(team=red_vests, left_on__isnull=True).values_list("person_id",
                                                                                                  flat=True))
        team_members = [v for v in others if v.person_id in ids]
    for ahead, title, cat, unit, capacity, taken, waiting, audience, approval, mine in plans:
        day = ctx.today + dt.timedelta(days=ahead)
        starts = _at(day, rng.choice([9, 14]))
        pool = team_members if audience == Audience.TEAM else (local if unit == yongxing else others)
        people = rng.sample(pool, min(len(pool), taken + waiting))
        confirmed = [me, *people[: taken - 1]] if mine and me is not None else people[:taken]
        waitlisted = people[taken:]
        lat, lng = _jitter(unit, rng)
        writer.add(Activity(
            project=projects.get("红马甲一刻钟" if audience == Audience.TEAM else PROJECT_OF.get(cat, "")),
            title=title, category=categories[cat], description=f"{title}，欢迎志愿者报名参加。", unit=unit,
            organiser=red_vests if audience == Audience.TEAM else None, address=unit.address or unit.name,
            latitude=lat, longitude=lng, starts_at=starts, ends_at=starts + dt.timedelta(hours=2, minutes=30),
            capacity=capacity, audience=audience, requires_approval=approval, status=ActivityStatus.PUBLISHED,
            created_by=ctx.user("demo-community") if unit == yongxing else ctx.user("demo-district"),
        ), confirmed, waitlisted, [])


def _dangerous(ctx, rng, writer: _Writer, categories, active) -> InsurancePolicy:
    """R-V10: a 抢险救灾 drill is published only under a policy covering its days; adults only (R-V9)."""
    district = ctx.unit(DISTRICT_CODE)
    day = ctx.today + dt.timedelta(days=10)
    starts = _at(day, 8, 30)
    adults = [v for v in active if v.person.birth_date and v.person.birth_date < day.replace(year=day.year - 18)]
    confirmed = rng.sample(adults, min(15, len(adults)))
    activity = Activity(
        title="汛期抢险救灾应急演练", category=categories["emergency_rescue"], unit=district,
        description="防汛抢险应急演练：沙袋装填、群众转移引导。须年满18周岁，已投保志愿服务意外险。",
        address="钢城区汶河大堤（颜庄段）", starts_at=starts, ends_at=starts + dt.timedelta(hours=4), capacity=20,
        audience=Audience.PUBLIC, min_age=18, status=ActivityStatus.PUBLISHED, created_by=ctx.user("demo-district"),
    )
    writer.add(activity, confirmed, [], [])
    return InsurancePolicy(unit=district, insurer="中国人寿财产保险钢城支公司", policy_number=f"PICC-GC-{day.year}-0001",
                           starts_on=ctx.today, ends_on=ctx.today + dt.timedelta(days=90),
                           note="志愿服务团体意外险（演示虚构）", created_by=ctx.user("demo-district"))


def contribute(ctx) -> None:
    rng = ctx.rng("activities")
    categories = {c.code: c for c in Category.objects.all()}
    projects = _projects(ctx, categories)
    active, by_place = _volunteers_by_place()
    if not active:
        ctx.log("  activities: no active volunteers, only projects")
        return
    writer = _Writer(ctx, rng)
    _finished(ctx, rng, writer, categories, projects, active, by_place)
    _upcoming(ctx, rng, writer, categories, projects, active, by_place)
    policy = _dangerous(ctx, rng, writer, categories, active)
    writer.write()
    policy.save()
    policy.activities.set([a for a in writer.activities if a.category.dangerous])
    ctx.count("意外险保单", 1)

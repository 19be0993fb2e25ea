"""The appeals (诉求) of the 钢城区 demo: a year of requests from every channel, moved through the real services.

Riders of 泉新泉驿新就业群体志愿服务队 snap broken street lights and rubbish (随手拍, which earns them points through
the points app's subscriber); the 12345 hotline transfers calls; residents walk in ("家里水龙头坏了"); 书记有约 office
hours bring heating, property-management and leaking-roof matters; grid workers record what they see on visits.
Most are closed with a rating, recent ones are still open, a few are overdue, reopened (重办, R-H5), refused with an
R-H2 reason or merged as duplicates. Every step runs through ``appeals.services`` at a past moment on the one clock
(``gongzhi.core.clock.now`` patched, as the supermarket demo does), so numbers, limits and events are the real ones.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

from gongzhi.accounts.demo import worker_username
from gongzhi.accounts.services import user_create
from gongzhi.core import clock, crypto
from gongzhi.core.demo_data.logins import YONGXING, YONGXING_GRID_1
from gongzhi.org.models import Organisation, Unit
from gongzhi.people.models import Person

from . import services
from .models import Appeal, AppealState, Channel, RejectReason, Urgency

TOTAL = 240
RIDERS = 8
RIDER_TEAM = "泉新泉驿新就业群体志愿服务队"

# channel → [(category code, description, urgency)]; the words are the seeds' own where they have them
MATTERS = {
    Channel.PHOTO_REPORT: [
        ("C01", "{road}路口路灯损坏，晚上一片漆黑", Urgency.NORMAL),
        ("C01", "{road}人行道旁路灯不亮", Urgency.NORMAL),
        ("E01", "{road}垃圾堆积，无人清运", Urgency.NORMAL),
        ("E01", "{road}绿化带里垃圾堆积，有异味", Urgency.NORMAL),
        ("C01", "{road}井盖缺失，行人容易踩空", Urgency.URGENT),
    ],
    Channel.HOTLINE: [
        ("C02", "{road}路面坑洼，雨天积水", Urgency.NORMAL),
        ("E05", "{road}占道经营，影响通行", Urgency.NORMAL),
        ("E03", "{road}夜间施工噪音扰民", Urgency.NORMAL),
        ("S04", "小区楼道杂物堆放，存在消防隐患", Urgency.NORMAL),
    ],
    Channel.WALK_IN: [
        ("S01", "家里水龙头坏了，老人自己修不了", Urgency.NORMAL),
        ("S01", "家里电路跳闸，请帮忙检修", Urgency.URGENT),
        ("S02", "独居老人需要定期上门探访", Urgency.NORMAL),
        ("S03", "残疾人家庭申请无障碍扶手安装", Urgency.NORMAL),
    ],
    Channel.SECRETARY_MEETING: [
        ("C01", "冬季供暖不足，室内温度偏低", Urgency.URGENT),
        ("S05", "物业管理纠纷：物业费收取与服务不对等", Urgency.NORMAL),
        ("C05", "房屋漏水，楼上住户管道渗漏", Urgency.NORMAL),
    ],
    Channel.GRID_VISIT: [
        ("S05", "邻里纠纷：楼上楼下噪音矛盾", Urgency.NORMAL),
        ("E01", "小区空地私搭乱建", Urgency.NORMAL),
        ("C04", "小区树木枝杈遮挡路灯", Urgency.NORMAL),
    ],
}
CHANNEL_WEIGHTS = [(Channel.PHOTO_REPORT, 34), (Channel.HOTLINE, 24), (Channel.WALK_IN, 16),
                   (Channel.SECRETARY_MEETING, 12), (Channel.GRID_VISIT, 14)]
NOTES = {
    "resolve": ["已更换灯泡，恢复照明", "已清运完毕", "已上门维修", "已协调物业处理", "已调解，双方达成一致"],
    "inform": ["已电话告知办理结果", "已当面答复诉求人"],
    "reject": "已进入诉讼程序，依法不予受理",
}


@contextmanager
def _at(moment: dt.datetime):
    with mock.patch.object(clock, "now", lambda: moment):
        yield


def is_loaded() -> bool:
    return Appeal.objects.filter(unit__path__startswith="370117").exists()


def _weighted(rng, pairs):
    total = sum(w for _v, w in pairs)
    pick = rng.uniform(0, total)
    for value, weight in pairs:
        pick -= weight
        if pick <= 0:
            return value
    return pairs[-1][0]


def _riders(ctx) -> list:
    """Login accounts (no password) for a few riders of the new-employment team, linked to their resident records."""
    team = Organisation.objects.filter(name=RIDER_TEAM).first()
    people = Person.objects.filter(user__isnull=True, tags__code="new_employment").order_by("pk")
    if team is not None:
        members = people.filter(team_memberships__team=team, team_memberships__left_on__isnull=True)
        people = members if members.exists() else people
    riders = []
    for n, person in enumerate(people.distinct()[:RIDERS], start=1):
        user = user_create(username=f"demo-rider-{n:02d}", password=None, display_name=person.name)
        Person.objects.filter(pk=person.pk).update(user=user)  # the rider's own account for 随手拍
        riders.append(user)
    ctx.count("随手拍骑手账号（不可登录）", len(riders))
    return riders


def _places(ctx) -> list[tuple[Unit, str, int]]:
    """(community or village, its road, weight): the seeds' communities get more requests."""
    from gongzhi.core.demo_data.places import PLACES

    out = []
    for place in PLACES:
        unit = Unit.objects.filter(code=place.code).first()
        if unit is None or unit.latitude is None:
            continue
        weight = 6 if place.from_seed else 2
        out.append((unit, place.road or f"{place.name}村道", weight))
    return out


def _moment(rng, today: dt.date, days_ago: int) -> dt.datetime:
    from django.utils import timezone

    day = today - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 19), rng.randint(0, 59))))


def _point(rng, unit: Unit) -> tuple[Decimal, Decimal]:
    return (Decimal(f"{float(unit.latitude) + rng.uniform(-0.003, 0.003):.6f}"),
            Decimal(f"{float(unit.longitude) + rng.uniform(-0.003, 0.003):.6f}"))


class _Flow:
    """Moves one appeal along at increasing past moments, never beyond ``now``."""

    def __init__(self, rng, now: dt.datetime, appeal: Appeal, worker, start: dt.datetime):
        self.rng, self.now, self.appeal, self.worker, self.t = rng, now, appeal, worker, start

    def step(self, hours_lo: float, hours_hi: float, fn, **kw) -> bool:
        t = self.t + dt.timedelta(hours=self.rng.uniform(hours_lo, hours_hi))
        if t >= self.now:
            return False
        self.t = t
        with _at(t):
            self.appeal = fn(appeal=self.appeal, actor=self.worker, **kw)
        return True


def _handle(flow: _Flow, rng, *, target: dict, stop: str, rating: int, accepted: bool = False) -> None:
    """Accept → dispatch → start → resolve → inform → rate → visit → close, stopping after ``stop``; a reopened
    appeal (``accepted``) starts again at dispatch."""
    chain = [
        ("accept", 0.3, 6, services.appeal_accept, {}),
        ("dispatch", 0.2, 3, services.appeal_dispatch, target),
        ("start", 0.5, 8, services.appeal_start, {}),
        ("resolve", 4, 72, services.appeal_resolve, {"note": rng.choice(NOTES["resolve"])}),
        ("inform", 0.5, 6, services.appeal_inform, {"note": rng.choice(NOTES["inform"])}),
        ("rate", 2, 48, services.appeal_rate, {"rating": rating}),
        ("visit", 12, 72, services.appeal_visit, {"satisfied": rating > 2}),
        ("close", 0.5, 4, services.appeal_close, {}),
    ]
    for name, lo, hi, fn, kw in chain[1:] if accepted else chain:
        if name == "close" and rating <= 2:
            return
        if not flow.step(lo, hi, fn, **kw) or name == stop:
            return


def _snapped_again(rng, now, original: Appeal, riders: list, worker) -> Appeal:
    """Another rider snaps the same broken lamp a few metres away an hour or two later; the worker merges it."""
    at = original.submitted_at + dt.timedelta(hours=rng.uniform(0.5, 3))
    if at >= now:
        at = now - dt.timedelta(minutes=10)
    with _at(at):
        again = services.appeal_submit(data=services.AppealInput(
            channel=Channel.PHOTO_REPORT, category_code=original.category.code, description=original.description,
            unit=original.unit, address=original.address, latitude=original.latitude + Decimal("0.000080"),
            longitude=original.longitude, urgency=original.urgency), actor=rng.choice(riders))
    flow = _Flow(rng, now, again, worker, at)
    flow.step(0.2, 2, services.appeal_merge, into=original, note=f"与 {original.number} 重复")
    return flow.appeal


def contribute(ctx) -> None:
    rng = ctx.rng("appeals")
    now = clock.now()
    riders = _riders(ctx)
    places = _places(ctx)
    if not places:
        return
    workers = {unit.pk: ctx.user(worker_username(unit.code)) for unit, _road, _w in places}
    yongxing = ctx.unit(YONGXING)
    grid_worker, resident = ctx.user("demo-grid"), ctx.user("demo-resident")
    teams = {t.unit_id: t for t in Organisation.objects.filter(kind="team").order_by("pk")}
    people = list(Person.objects.filter(unit__path__startswith="370117").order_by("pk")
                  .values_list("name", "phone_enc")[:1500])
    made: list[Appeal] = []
    tally = {"merged": 0, "rejected": 0, "reopened": 0}
    for n in range(TOTAL):
        unit, road, _w = _weighted(rng, [((u, r, w), w) for u, r, w in places])
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        code, text, urgency = rng.choice(MATTERS[channel])
        # the year's spread: a third within the last month (many still open), the rest over the year before
        days_ago = rng.randint(0, 30) if n % 3 == 0 else rng.randint(31, 360)
        submitted = min(_moment(rng, ctx.today, days_ago), now - dt.timedelta(minutes=30))
        worker = workers[unit.pk]
        if channel == Channel.PHOTO_REPORT:
            actor = riders[n % len(riders)] if riders and n % 5 else resident
        elif channel == Channel.GRID_VISIT and unit.pk == yongxing.pk:
            actor = grid_worker
        else:
            actor = worker
        name, phone_enc = people[rng.randrange(len(people))] if people else ("", "")
        phone = crypto.decrypt(phone_enc) if phone_enc else ""
        lat, lng = _point(rng, unit)
        with _at(submitted):
            appeal = services.appeal_submit(data=services.AppealInput(
                channel=channel, category_code=code, description=text.format(road=road), unit=unit,
                address=f"{road}附近" if channel in (Channel.PHOTO_REPORT, Channel.GRID_VISIT) else "",
                latitude=lat, longitude=lng,
                reporter_name="" if actor in riders or actor == resident else name,
                reporter_phone="" if actor in riders or actor == resident else phone,
                anonymous=channel == Channel.PHOTO_REPORT and rng.random() < 0.2, urgency=urgency), actor=actor)
        handler = grid_worker if appeal.unit.path.startswith(YONGXING_GRID_1) else worker
        flow = _Flow(rng, now, appeal, handler, submitted)
        if channel == Channel.PHOTO_REPORT and rng.random() < 0.12:
            made.append(_snapped_again(rng, now, appeal, riders or [resident], worker))
            tally["merged"] += made[-1].state == AppealState.MERGED
        fate = rng.random()
        if fate < 0.03:
            flow.step(0.5, 8, services.appeal_reject, reason=RejectReason.LITIGATION, note=NOTES["reject"])
            tally["rejected"] += 1
            made.append(flow.appeal)
            continue
        team = teams.get(unit.pk)
        target = {"team": team} if team is not None and rng.random() < 0.4 else {"unit": appeal.unit}
        if days_ago <= 2:
            stop = rng.choice(["", "accept", "dispatch", "start"])  # fresh: still on its way
        elif days_ago <= 30:
            stop = rng.choice(["accept", "start", "resolve", "inform", "rate", "close", "close", "close"])
        else:
            stop = "close" if rng.random() < 0.96 else rng.choice(["", "start"])  # the odd one left overdue
        rating = rng.choices([5, 4, 3, 2, 1], weights=[55, 28, 9, 5, 3])[0]
        if stop:
            _handle(flow, rng, target=target, stop=stop, rating=rating)
        if flow.appeal.state in (AppealState.VISITED, AppealState.RATED) and rating <= 2:
            if flow.step(1, 24, services.appeal_reopen, note="诉求人不满意，重新办理"):  # 重办 (R-H5)
                tally["reopened"] += 1
                if days_ago > 30:
                    _handle(flow, rng, target=target, stop="close", rating=rng.choice([4, 5]), accepted=True)
        made.append(flow.appeal)
    ctx.count("诉求", len(made))
    ctx.count("诉求（已办结）", Appeal.objects.filter(state=AppealState.CLOSED).count())
    ctx.count("诉求（重办）", tally["reopened"])
    ctx.count("诉求（合并重复）", tally["merged"])
    ctx.count("诉求（不予受理）", tally["rejected"])


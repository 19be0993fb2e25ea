"""The order board of the 钢城区 demo: a 温暖小哥-style repair team (金鼎社区便民维修邻里志愿服务队, "居民有需求，
社区马上办") with 水电维修 orders ("家里水龙头坏了") taken and done by its members, 永兴社区 orders for the
``demo-volunteer`` login (a few open on the board, a few done), and the candidate table built at the end.

Deterministic: fixed titles, times from ``ctx.rng("dispatch")`` relative to the demo's today; every write goes
through ``dispatch.services`` at the moment it happened (the one clock patched), so the figures page has real
response times.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from gongzhi.accounts.services import user_create
from gongzhi.core import clock
from gongzhi.org.models import Organisation, OrgKind
from gongzhi.people.models import Skill, VolunteerProfile, VolunteerStatus
from gongzhi.people.services import volunteer_update

from . import services
from .models import Order

JINDING, YONGXING = "370117001002", "370117001001"
REPAIR_TEAM = "金鼎社区便民维修邻里志愿服务队"

REPAIRS = [  # (title, description, address)
    ("家里水龙头坏了", "厨房水龙头关不严，一直滴水，老人不会修", "金鼎社区3号楼2单元"),
    ("卫生间下水道堵了", "独居老人家中下水不畅", "金鼎社区7号楼1单元"),
    ("楼道灯不亮", "5号楼3层楼道声控灯坏了，晚上上下楼看不见", "金鼎社区5号楼"),
    ("插座跳闸", "家里一用电饭锅就跳闸，请帮忙看看线路", "金鼎社区12号楼4单元"),
    ("暖气片漏水", "卧室暖气片接口渗水", "金鼎社区9号楼2单元"),
    ("换水龙头阀芯", "阀芯老化，已买好配件", "金鼎社区2号楼1单元"),
]
YONGXING_TASKS = [  # (title, description, skill code or "")
    ("帮独居老人取药", "社区卫生服务站取降压药，送到家", ""),
    ("课后作业辅导", "双职工家庭孩子（三年级）作业辅导一小时", "tutoring"),
    ("便民驿站值守", "红马甲一刻钟：驿站饮水、充电服务值守两小时", ""),
    ("陪同老人就医", "陪同行动不便的老人去区人民医院复查", ""),
    ("应急救护宣传", "社区广场应急救护知识宣传，需持急救证", "first_aid"),
]


def is_loaded() -> bool:
    return Order.objects.filter(title=REPAIRS[0][0], unit__code=JINDING).exists()


@contextmanager
def _at(moment: dt.datetime):
    with mock.patch.object(clock, "now", lambda: moment):
        yield


def _repair_team(ctx) -> Organisation:
    team = Organisation.objects.filter(name=REPAIR_TEAM).first()
    return team or Organisation.objects.filter(kind=OrgKind.TEAM, unit__code=JINDING).order_by("pk").first()


def _handymen(ctx, team: Organisation, plumbing: Skill) -> list:
    """Two members of the repair team: 水电能手 (the skill is recorded) with a login of their own (no password set:
    the demo's published password belongs to the fixed demo logins only)."""
    district = ctx.user("demo-district")
    members = list(VolunteerProfile.objects.filter(
        person__team_memberships__team=team, person__team_memberships__left_on__isnull=True,
        status=VolunteerStatus.ACTIVE).select_related("person", "unit").order_by("pk")[:2])
    users = []
    for i, profile in enumerate(members, start=1):
        codes = sorted(set(profile.skills.values_list("code", flat=True)) | {plumbing.code})
        volunteer_update(profile=profile, actor=district, skills=codes)
        person = profile.person
        if person.user_id is None:
            person.user = user_create(username=f"demo-wenxuan-{i}", password=None, display_name=person.name)
            person.save(update_fields=["user"])
        users.append(person.user)
    return users


def contribute(ctx) -> None:
    rng = ctx.rng("dispatch")
    today = timezone.make_aware(dt.datetime.combine(ctx.today, dt.time(8, 0)))
    worker_b = ctx.user("demo-street")  # 艾山街道 dispatches for 金鼎社区
    worker = ctx.user("demo-community")
    plumbing = Skill.objects.get(code="plumbing_electric")
    skills = {s.code: s for s in Skill.objects.all()}
    team = _repair_team(ctx)
    handymen = _handymen(ctx, team, plumbing) if team is not None else []
    made = taken = 0
    for i, (title, description, address) in enumerate(REPAIRS):
        created = today - dt.timedelta(days=2 * (len(REPAIRS) - i), hours=rng.randint(0, 8))
        with _at(created):
            order = services.order_create(actor=worker_b, title=title, description=description,
                                          unit=ctx.unit(JINDING), address=address, skill=plumbing, team=team,
                                          due_at=created + dt.timedelta(hours=4))
        made += 1
        if i == len(REPAIRS) - 1 or not handymen:
            continue  # the newest stays open on the team's board
        user = handymen[i % len(handymen)]
        moment = created + dt.timedelta(minutes=rng.randint(3, 45))
        with _at(moment):
            services.order_take(order=order, actor=user)
        with _at(moment + dt.timedelta(minutes=rng.randint(10, 40))):
            services.order_start(order=order, actor=user)
        with _at(moment + dt.timedelta(hours=rng.randint(1, 3))):
            services.order_done(order=order, actor=user, note="已修好，居民满意")
        taken += 1
    volunteer = ctx.user("demo-volunteer")
    for i, (title, description, code) in enumerate(YONGXING_TASKS):
        created = today - dt.timedelta(days=len(YONGXING_TASKS) - i, hours=rng.randint(0, 6))
        with _at(created):
            order = services.order_create(actor=worker, title=title, description=description,
                                          unit=ctx.unit(YONGXING), skill=skills.get(code) if code else None,
                                          due_at=created + dt.timedelta(days=1))
        made += 1
        if i < 2 and VolunteerProfile.objects.filter(person__user=volunteer, status=VolunteerStatus.ACTIVE).exists():
            moment = created + dt.timedelta(minutes=rng.randint(5, 25))
            with _at(moment):
                services.order_take(order=order, actor=volunteer)
            with _at(moment + dt.timedelta(hours=2)):
                services.order_done(order=order, actor=volunteer)
            taken += 1
    rows = services.candidates_rebuild()
    ctx.count("派单任务", made)
    ctx.count("已接单任务", taken)
    ctx.count("接单候选人", rows)

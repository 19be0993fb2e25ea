"""The recognition part of the 钢城区 demo: star levels, certificates, ratings and last year's honours lists.

Runs after ``activities.demo`` and ``hours.demo`` (INSTALLED_APPS order) and reads their service records. Star levels
follow R-V8: one candidate list per street counting hours up to yesterday; 艾山街道's list was published by
the street admin and approved by the district admin (1★, 2★ … one row per level, in order); the other streets' lists
were published by the district admin and are still awaiting a second admin's approval. Certificates: issued ones for
the ``demo-volunteer`` login and a few 永兴社区 volunteers, plus requests waiting in the worker queue. Ratings: about a
fifth of the service records rated 1–5 by the organiser, some on a beneficiary's behalf. Honours: each street's top
ten by incentive score for the calendar year holding most of the demo's service (2025 when loaded early in 2026). Everything is written with ``bulk_create``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear

from gongzhi.activities.models import Activity
from gongzhi.org.divisions import UnitKind
from gongzhi.org.models import Unit
from gongzhi.people.models import VolunteerProfile, VolunteerStatus

from . import selectors
from .models import (
    AwardKind,
    Certificate,
    CertificateEvent,
    CertificateStatus,
    Honour,
    HonourList,
    RaterKind,
    Rating,
    StarAward,
    StarCandidate,
    StarCandidateList,
)
from .services import CODE_ALPHABET, CODE_LENGTH, certificate_contents

YONGXING = "370117001001"
AISHAN = "370117001"
RATED_SHARE = 0.2
BENEFICIARIES = ["刘奶奶", "王大爷", "张阿姨", "孙爷爷", "社区居民代表"]
COMMENTS = ["服务热情周到", "准时到岗，认真负责", "耐心细致，群众满意", ""]


def is_loaded() -> bool:
    return StarCandidateList.objects.exists() or Rating.objects.exists()


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    from django.utils import timezone

    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


def _stars(ctx, period_end: dt.date) -> None:
    district, street = ctx.user("demo-district"), ctx.user("demo-street")
    lists, entries = [], []
    for unit in Unit.objects.filter(kind=UnitKind.STREET).order_by("path"):
        rows = selectors.star_candidates(unit=unit, period_end=period_end)
        if not rows:
            continue
        ours = unit.code == AISHAN
        cl = StarCandidateList(unit=unit, period_end=period_end, published_by=street if ours else district,
                               published_at=_at(period_end + dt.timedelta(days=3)))
        lists.append((cl, rows, ours))
    StarCandidateList.objects.bulk_create([cl for cl, _, _ in lists])
    for cl, rows, _ in lists:
        entries += [StarCandidate(candidate_list=cl, volunteer=r.volunteer, current_level=r.current_level,
                                  level=r.level, hours=r.hours) for r in rows]
    StarCandidate.objects.bulk_create(entries)
    awards = []
    for cl, _, ours in lists:
        if not ours:
            continue  # still in 公示, waiting for an admin other than the publisher
        for e in StarCandidate.objects.filter(candidate_list=cl):
            awards += [StarAward(volunteer_id=e.volunteer_id, kind=AwardKind.AWARD, level=level,
                                 hours_at_award=e.hours, candidate=e, approved_by=district,
                                 approved_at=_at(period_end + dt.timedelta(days=10)))
                       for level in range(e.current_level + 1, e.level + 1)]
    StarAward.objects.bulk_create(awards)
    ctx.count("星级候选名单", len(lists))
    ctx.count("星级认定", len(awards))


def _ratings(ctx, rng) -> None:
    fallback = ctx.user("demo-community")
    pairs = list(selectors.records_that_count().filter(hours__gt=0).values_list("activity_id", "volunteer_id")
                 .distinct().order_by("activity_id", "volunteer_id"))
    activities = {a.pk: a for a in Activity.objects.filter(pk__in={a for a, _ in pairs}).select_related("unit")}
    rows = []
    for activity_id, volunteer_id in pairs:
        if rng.random() >= RATED_SHARE:
            continue
        act = activities[activity_id]
        beneficiary = rng.random() < 0.3
        rows.append(Rating(
            activity=act, volunteer_id=volunteer_id, unit_path=act.unit.path,
            score=rng.choices([5, 4, 3, 2], weights=[62, 30, 6, 2])[0],
            rater_kind=RaterKind.BENEFICIARY if beneficiary else RaterKind.ORGANISER,
            beneficiary_label=rng.choice(BENEFICIARIES) if beneficiary else "", comment=rng.choice(COMMENTS),
            rated_by=act.created_by or fallback, rated_at=act.ends_at + dt.timedelta(hours=rng.randint(1, 48)),
        ))
    Rating.objects.bulk_create(rows, batch_size=2000)
    ctx.count("服务评价", len(rows))


def _code(rng) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _certificates(ctx, rng, year_end: dt.date) -> None:
    worker = ctx.user("demo-community")
    yongxing = ctx.unit(YONGXING)
    totals = (selectors.records_that_count(unit_path=yongxing.path).values("volunteer_id")
              .annotate(h=Sum("hours")).order_by("-h", "volunteer_id"))
    ids = [row["volunteer_id"] for row in totals[:12]]
    own = VolunteerProfile.objects.filter(person__user__username="demo-volunteer",
                                          status=VolunteerStatus.ACTIVE).first()
    if own is not None and own.pk not in ids and selectors.volunteer_hours(own, unit_path=yongxing.path) > 0:
        ids.insert(0, own.pk)
    elif own is not None and own.pk in ids:
        ids.remove(own.pk)
        ids.insert(0, own.pk)
    volunteers = {v.pk: v for v in VolunteerProfile.objects.filter(pk__in=ids).select_related("person", "unit")}
    issue_day = min(ctx.today, year_end + dt.timedelta(days=15))
    certs, events, seq = [], [], 0
    for i, vid in enumerate(ids):
        v = volunteers[vid]
        state = CertificateStatus.ISSUED if i < 8 else (CertificateStatus.ACCEPTED if i < 9
                                                        else CertificateStatus.REQUESTED)
        cert = Certificate(volunteer=v, unit=yongxing, period_start=dt.date(year_end.year, 1, 1), period_end=year_end,
                           purpose=rng.choice(["升学", "求职", "评优评先", ""]),
                           requested_by=v.person.user or worker, requested_at=_at(issue_day - dt.timedelta(days=5)),
                           status=state)
        if state == CertificateStatus.ISSUED:
            contents = certificate_contents(cert, issue_date=issue_day)
            if Decimal(contents["hours"]) <= 0 or (contents["minor"] and contents["guardian"] is None):
                continue
            seq += 1
            cert.number = f"ZM{yongxing.code}{issue_day.year}{seq:05d}"
            cert.verify_code = _code(rng)
            contents.update({"number": cert.number, "verify_code": cert.verify_code,
                             "issue_date": issue_day.isoformat(), "person_in_charge": "王建华",
                             "handler": str(worker), "contact": "0634-6012345", "notes": ""})
            cert.snapshot = contents
            cert.issued_at = _at(issue_day, 15)
        certs.append(cert)
    Certificate.objects.bulk_create(certs)
    flow = [CertificateStatus.REQUESTED, CertificateStatus.ACCEPTED, CertificateStatus.ISSUED]
    for cert in certs:
        steps = flow[:flow.index(cert.status) + 1]
        for n, to_status in enumerate(steps):
            events.append(CertificateEvent(certificate=cert, from_status=steps[n - 1] if n else "", to_status=to_status,
                                           actor=cert.requested_by if n == 0 else worker,
                                           at=cert.requested_at + dt.timedelta(days=2 * n)))
    CertificateEvent.objects.bulk_create(events)
    ctx.count("志愿服务证明", len(certs))


def _honours(ctx, year: int) -> None:
    district, street = ctx.user("demo-district"), ctx.user("demo-street")
    period = selectors.year_period(year)
    made = []
    for unit in Unit.objects.filter(kind=UnitKind.STREET).order_by("path"):
        ranking = selectors.incentive_ranking(unit=unit, period=period, top=10)
        if not ranking:
            continue
        hl = HonourList(unit=unit, year=year, title="优秀志愿者", formula=ranking[0][1].formula,
                        published_by=street if unit.code == AISHAN else district,
                        published_at=_at(period.end + dt.timedelta(days=20)))
        made.append((hl, ranking))
    HonourList.objects.bulk_create([hl for hl, _ in made])
    Honour.objects.bulk_create([Honour(honour_list=hl, volunteer=v, rank=i, score=s.total)
                                for hl, ranking in made for i, (v, s) in enumerate(ranking, start=1)])
    ctx.count("表彰", sum(len(r) for _, r in made))


def contribute(ctx) -> None:
    if not selectors.records_that_count().exists():
        ctx.log("  recognition: no service records, nothing to recognise")
        return
    rng = ctx.rng("recognition")
    period_end = ctx.today - dt.timedelta(days=1)
    by_year = (selectors.records_that_count(end=period_end).annotate(y=ExtractYear("day")).values("y")
               .annotate(n=Count("pk")).order_by("-n", "-y"))
    honours_year = by_year[0]["y"] if by_year else period_end.year
    _ratings(ctx, rng)
    _stars(ctx, period_end)
    _certificates(ctx, rng, min(period_end, dt.date(honours_year, 12, 31)))
    _honours(ctx, honours_year)

"""Training courses, a year of sessions with attendance, and upcoming sessions of the 钢城区 demo.

Courses come from the seeds: 网格员履职能力提升培训, 党建引领社区治理专题培训, 社区书记先锋论坛 (钢城区委社会工作部,
"累计覆盖人员超500人次"), the graded volunteer system with 《社区志愿者手册》 and the 急救先锋 / 法律顾问 professional
teams ("理论培训+实务督导"). About 22 sessions over the past year are held with more than 500 attendances (人次);
a few upcoming ones are open to ``demo-volunteer`` (永兴社区) with places left. Everything is written in bulk.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from gongzhi.core import clock
from gongzhi.core.demo_data.places import DISTRICT_CODE
from gongzhi.people.models import Skill, VolunteerProfile, VolunteerStatus

from .models import AttendanceMark, Course, CourseLevel, Enrolment, Session, SessionStatus

AISHAN, LIXIN = "370117001", "370117002"
YONGXING = "370117001001"

# (unit code, title, level, skill code, 学时, assessed, description)
COURSES = [
    (DISTRICT_CODE, "《社区志愿者手册》通识培训", CourseLevel.GENERAL, "", "2", False,
     "新注册志愿者必修：志愿服务理念、权利义务、服务礼仪与安全常识，发放《社区志愿者手册》。"),
    (DISTRICT_CODE, "急救技能培训", CourseLevel.BASIC, "first_aid", "4", True,
     "心肺复苏、AED使用、创伤止血包扎，理论与实操考核合格者编入“急救先锋”志愿队。"),
    (DISTRICT_CODE, "网格员履职能力提升培训", CourseLevel.BASIC, "", "3", True,
     "网格走访、信息采集、矛盾排查与上报流程，联合区委政法委开展。"),
    (DISTRICT_CODE, "党建引领社区治理专题培训", CourseLevel.INTERMEDIATE, "", "3", False,
     "党建引领基层治理的政策与案例，区委组织部、党校授课。"),
    (DISTRICT_CODE, "“法律顾问”志愿者实务培训", CourseLevel.INTERMEDIATE, "legal", "3", True,
     "常见民事纠纷、公益法律服务流程，培育“法律顾问”专业志愿队。"),
    (DISTRICT_CODE, "社区书记先锋论坛", CourseLevel.ADVANCED, "", "4", False,
     "社区书记交流治理经验、研讨疑难案例。"),
    (AISHAN, "社工“理论培训+实务督导”研修班", CourseLevel.INTERMEDIATE, "psychology", "6", True,
     "理论授课结合一线实务督导，提升社工与骨干志愿者的专业服务能力。"),
    (AISHAN, "三会协商议事规则培训", CourseLevel.BASIC, "mediation", "2", False,
     "民情分析会、阳光议事会、协商推进会的组织流程。"),
    (LIXIN, "“马上志愿服务队”应急处置培训", CourseLevel.BASIC, "", "2", True,
     "群众诉求快速响应、突发事件先期处置与安全防护。"),
    (YONGXING, "“红马甲一刻钟”便民服务培训", CourseLevel.GENERAL, "", "2", False,
     "网格走访、便民驿站值守与闲置物品跳蚤市场的服务规范。"),
]

# (course index, days ago, capacity) for the sessions already held; attendance is marked for each
HELD = [
    (0, 350, 60), (1, 330, 40), (2, 320, 50), (3, 300, 50), (0, 280, 60), (5, 265, 30), (6, 250, 30), (1, 230, 40),
    (2, 210, 50), (8, 195, 30), (4, 180, 30), (7, 160, 30), (0, 140, 60), (3, 120, 50), (9, 100, 30), (1, 85, 40),
    (6, 70, 30), (5, 55, 30), (4, 40, 30), (2, 28, 50), (8, 18, 30), (0, 9, 60),
]
# (course index, days ahead, capacity, share already taken) for upcoming sessions
UPCOMING = [(1, 6, 40, 0.6), (0, 12, 60, 0.3), (6, 20, 30, 0.5), (9, 9, 30, 0.4)]
PLACES = {DISTRICT_CODE: ["钢城区新时代文明实践中心", "区委党校报告厅", "区红十字会培训室"],
          AISHAN: ["艾山街道党群服务中心"], LIXIN: ["里辛街道社工站"], YONGXING: ["永兴社区党群服务中心"]}
TRAINERS = ["区红十字会 王医生", "区委党校 刘老师", "区司法局 陈律师", "市社工督导 孙老师", "街道社工站 李老师"]
CREATORS = {DISTRICT_CODE: "demo-district", AISHAN: "demo-street", LIXIN: "demo-district",
            YONGXING: "demo-community"}
ABSENT_NOTES = ["请假", "临时值班", "身体不适"]


def is_loaded() -> bool:
    return Course.objects.filter(unit__code=DISTRICT_CODE).exists()


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def contribute(ctx) -> None:
    rng = ctx.rng("training")
    now = clock.now()
    skills = {s.code: s for s in Skill.objects.all()}
    courses = [Course(unit=ctx.unit(code), title=title, level=level, skill=skills.get(skill) if skill else None,
                      hours=Decimal(hours), description=desc, created_by=ctx.user(CREATORS[code]))
               for code, title, level, skill, hours, _assessed, desc in COURSES]
    Course.objects.bulk_create(courses)
    assessed = [c[5] for c in COURSES]

    volunteers = list(VolunteerProfile.objects.filter(status=VolunteerStatus.ACTIVE)
                      .select_related("unit", "person").order_by("pk"))
    me = next((v for v in volunteers if v.person.user_id == ctx.user("demo-volunteer").pk), None)

    sessions, plan = [], []
    for idx, days_ago, capacity in HELD:
        course = courses[idx]
        day = ctx.today - dt.timedelta(days=days_ago)
        start = _at(day, rng.choice([9, 14]), rng.choice([0, 30]))
        s = Session(course=course, starts_at=start, ends_at=start + dt.timedelta(hours=min(float(course.hours), 3)),
                    place=rng.choice(PLACES[COURSES[idx][0]]), trainer=rng.choice(TRAINERS), capacity=capacity,
                    status=SessionStatus.HELD, created_by=course.created_by)
        sessions.append(s)
        plan.append((s, idx, True))
    for idx, days_ahead, capacity, share in UPCOMING:
        course = courses[idx]
        start = _at(ctx.today + dt.timedelta(days=days_ahead), 9, 0)
        s = Session(course=course, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                    place=PLACES[COURSES[idx][0]][0], trainer=rng.choice(TRAINERS), capacity=capacity,
                    status=SessionStatus.SCHEDULED, created_by=course.created_by)
        sessions.append(s)
        plan.append((s, idx, share))

    enrolments: list[Enrolment] = []
    for s, idx, held in plan:
        path = s.course.unit.path
        pool = [v for v in volunteers if v.unit.path.startswith(path) and v.applied_at < s.starts_at - dt.timedelta(days=3)
                and v is not me]
        if held is True:
            n = min(len(pool), s.capacity - rng.randint(0, max(1, s.capacity // 6)))
        else:
            n = min(len(pool), int(s.capacity * held))
        chosen = rng.sample(pool, n)
        if held is True and me is not None and idx in (0, 1) and me.applied_at < s.starts_at and not any(
                e.volunteer is me and e.session.course is s.course for e in enrolments):
            chosen = [me, *chosen[: s.capacity - 1]]
        s.enrolled_count = len(chosen)
        worker = s.created_by
        for v in chosen:
            at = s.starts_at - dt.timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 8))
            self_service = v.person.user_id is not None and rng.random() < 0.5
            enrolments.append(Enrolment(session=s, volunteer=v, enrolled_at=at,
                                        enrolled_by=v.person.user if self_service else worker))
    Session.objects.bulk_create(sessions)
    Enrolment.objects.bulk_create(enrolments, batch_size=500)

    marks, corrections = [], []
    index = {id(s): idx for s, idx, _ in plan}
    for e in enrolments:
        s = e.session
        if s.status != SessionStatus.HELD:
            continue
        attended = e.volunteer is me or rng.random() < 0.9
        score = passed = None
        note = ""
        if attended and assessed[index[id(s)]]:
            score = Decimal(rng.randint(52, 100))
            if e.volunteer is me:
                score = Decimal(rng.randint(80, 98))
            passed = score >= 60
        elif not attended:
            note = rng.choice(ABSENT_NOTES)
        marks.append(AttendanceMark(enrolment=e, attended=attended, passed=passed, score=score, note=note,
                                    marked_by=s.created_by, marked_at=s.ends_at + dt.timedelta(hours=1)))
    AttendanceMark.objects.bulk_create(marks, batch_size=500)
    # a few corrections (补考 after a failed assessment): appended rows superseding the first mark
    for m in [m for m in marks if m.passed is False][:6]:
        score = Decimal(rng.randint(60, 85))
        corrections.append(AttendanceMark(enrolment=m.enrolment, attended=True, passed=True, score=score,
                                          note="补考通过", supersedes=m, marked_by=m.marked_by,
                                          marked_at=min(m.marked_at + dt.timedelta(days=7), now)))
    AttendanceMark.objects.bulk_create(corrections)

    attended = sum(m.attended for m in marks)
    ctx.count("培训课程", len(courses))
    ctx.count("培训场次", len(sessions))
    ctx.count("培训报名", len(enrolments))
    ctx.count("培训参训人次", attended)

"""Activity pages: volunteer and worker lists, detail with sign-up and organiser controls, create/edit, my sign-ups
with the calendar link, the iCalendar feed, insurance pages."""

from __future__ import annotations

import datetime as dt
import io
import re

from django.urls import reverse
from icalendar import Calendar
from python_calamine import CalamineWorkbook

from gongzhi.activities.ical import calendar_user_id
from gongzhi.activities.models import Activity, BeneficiaryCount, Category, InsurancePolicy, Signup
from gongzhi.activities.services import beneficiaries_record, insurance_policy_create, signup_create


def test_volunteer_list_shows_open_activities_with_places_or_waitlist(browser_login, world, make_activity,
                                                                      volunteer_user):
    make_activity(title="有名额的活动", capacity=5)
    full = make_activity(title="已满的活动", capacity=1)
    signup_create(activity=full, volunteer=volunteer_user, actor=world.user("volunteer"))
    make_activity(title="草稿活动", publish=False)
    page = browser_login("volunteer").get(reverse("activities:list")).content.decode()
    assert "有名额的活动" in page and "已报 0 / 5 人" in page
    assert "已满的活动" in page and "名额已满" in page
    assert "草稿活动" not in page


def test_worker_list_filters_and_shows_drafts(browser_login, world, make_activity):
    make_activity(title="草稿活动", publish=False)
    make_activity(title="雷锋活动", category=Category.objects.get(code="lei_feng"))
    client = browser_login("community")
    page = client.get(reverse("activities:list")).content.decode()
    assert "草稿活动" in page and "雷锋活动" in page
    r = client.get(reverse("activities:list"), {"category": "lei_feng"}, HTTP_HX_REQUEST="true")
    assert "雷锋活动" in r.content.decode() and "草稿活动" not in r.content.decode()
    assert "<html" not in r.content.decode()  # htmx swaps only the results
    make_activity(title="金鼎活动", unit=world.community_a2, actor=world.user("street"))
    page = browser_login("street").get(reverse("activities:list"), {"unit": world.community_a2.pk}).content.decode()
    assert "金鼎活动" in page and "雷锋活动" not in page


def test_street_admin_sees_only_their_street(browser_login, world, make_activity):
    make_activity(title="艾山活动")
    other = make_activity(title="里辛活动", unit=world.community_b, actor=world.user("community_b"))
    client = browser_login("street")
    page = client.get(reverse("activities:list")).content.decode()
    assert "艾山活动" in page and "里辛活动" not in page
    assert client.get(reverse("activities:detail", args=[other.pk])).status_code == 404


def test_volunteer_signs_up_and_cancels_on_the_detail_page(browser_login, world, make_activity, volunteer_user):
    activity = make_activity()
    client = browser_login("volunteer")
    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "立即报名" in page and "组织方操作" not in page
    r = client.post(reverse("activities:signup", args=[activity.pk]), {})
    assert r.status_code == 302
    signup = Signup.objects.get(activity=activity)
    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "取消报名" in page and "已录用" in page
    r = client.post(reverse("activities:signup_action", args=[signup.pk, "cancel"]))
    assert r.status_code == 302
    signup.refresh_from_db()
    assert signup.status == "cancelled"


def test_minor_refused_on_page_shows_the_message(browser_login, world, make_activity):

    from gongzhi.activities.tests.conftest import make_volunteer
    from gongzhi.people.models import ConsentPurpose, ConsentRecord

    profile = make_volunteer(world, "小明", world.community_a, user=world.user("volunteer"),
                             birth=dt.date(2016, 1, 1), guardian_name="家长")
    ConsentRecord.objects.create(person=profile.person, purpose=ConsentPurpose.GUARDIAN, granted=False)
    activity = make_activity()
    r = browser_login("volunteer").post(reverse("activities:signup", args=[activity.pk]), {})
    assert r.status_code == 400
    assert "监护人" in r.content.decode()
    assert not Signup.objects.exists()


def test_organiser_publishes_starts_finishes_and_records_beneficiaries(browser_login, world, make_activity):
    activity = make_activity(publish=False)
    client = browser_login("community")
    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "发布活动" in page
    for action in ("publish", "start", "finish"):
        assert client.post(reverse("activities:transition", args=[activity.pk, action])).status_code == 302
    r = client.post(reverse("activities:transition", args=[activity.pk, "publish"]))
    assert r.status_code == 409
    r = client.post(reverse("activities:beneficiaries", args=[activity.pk]), {"group": "elderly", "count": "35"})
    assert r.status_code == 302
    r = client.post(reverse("activities:beneficiaries", args=[activity.pk]), {"group": "elderly", "count": "40"})
    assert r.status_code == 302
    rows = list(BeneficiaryCount.objects.filter(activity=activity).order_by("pk"))
    assert [r.count for r in rows] == [35, 40] and rows[1].supersedes == rows[0]  # append-only
    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "惠及人次：40" in page
    r = client.post(reverse("activities:beneficiaries", args=[activity.pk]), {"group": "elderly", "count": "-1"})
    assert r.status_code == 400 and BeneficiaryCount.objects.count() == 2


def test_cancel_on_page_needs_a_reason(browser_login, world, make_activity):
    activity = make_activity()
    client = browser_login("community")
    r = client.post(reverse("activities:transition", args=[activity.pk, "cancel"]), {"reason": ""})
    assert r.status_code == 400
    r = client.post(reverse("activities:transition", args=[activity.pk, "cancel"]), {"reason": "场地临时占用"})
    assert r.status_code == 302
    assert Activity.objects.get(pk=activity.pk).status == "cancelled"


def test_create_and_edit_pages(browser_login, world):
    client = browser_login("community")
    assert client.get(reverse("activities:create")).status_code == 200
    body = {"title": "永兴社区义诊", "category": Category.objects.get(code="clinic_haircut").pk,
            "unit": world.community_a.pk, "starts_at": "2030-06-01T09:00", "ends_at": "2030-06-01T08:00",
            "capacity": "8", "audience": "community", "min_age": "0", "address": "永兴社区卫生室"}
    r = client.post(reverse("activities:create"), body)
    assert r.status_code == 400 and "结束时间须晚于开始时间" in r.content.decode()
    assert not Activity.objects.exists()
    body["ends_at"] = "2030-06-01T11:00"
    r = client.post(reverse("activities:create"), body)
    assert r.status_code == 302
    activity = Activity.objects.get()
    assert activity.status == "draft" and activity.created_by == world.user("community")
    assert client.get(reverse("activities:edit", args=[activity.pk])).status_code == 200
    body["title"] = "永兴社区义诊义剪"
    assert client.post(reverse("activities:edit", args=[activity.pk]), body).status_code == 302
    activity.refresh_from_db()
    assert activity.title == "永兴社区义诊义剪"
    r = client.post(reverse("activities:edit", args=[activity.pk]), body | {"starts_at": "0001-01-01"})
    assert r.status_code == 400 and "活动时间须在2000年至2100年之间" in r.content.decode()
    r = client.post(reverse("activities:create"), body | {"starts_at": "0001-01-01"})
    assert r.status_code == 400 and "活动时间须在2000年至2100年之间" in r.content.decode()
    assert Activity.objects.count() == 1
    client.post(reverse("activities:transition", args=[activity.pk, "publish"]))
    r = client.post(reverse("activities:edit", args=[activity.pk]), {"capacity": "4", "address": "x"})
    assert r.status_code == 400 and "只能增加" in r.content.decode()
    assert client.post(reverse("activities:edit", args=[activity.pk]),
                       {"capacity": "12", "address": "永兴社区卫生室二楼"}).status_code == 302
    assert Activity.objects.get().capacity == 12


def test_pages_refuse_outsiders(browser_login, world, make_activity):
    activity = make_activity(publish=False)
    assert browser_login("grid").get(reverse("activities:create")).status_code == 403
    client = browser_login("community_b")
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 404
    assert client.post(reverse("activities:transition", args=[activity.pk, "publish"])).status_code == 404


def test_my_page_links_the_calendar_and_the_feed_lists_live_signups(client, browser_login, world, make_activity,
                                                                    volunteer_user):
    kept = make_activity(title="社区读书会", address="永兴书屋")
    dropped = make_activity(title="已取消报名的活动")
    signup_create(activity=kept, volunteer=volunteer_user, actor=world.user("volunteer"))
    s = signup_create(activity=dropped, volunteer=volunteer_user, actor=world.user("volunteer"))
    from gongzhi.activities.services import signup_cancel

    signup_cancel(signup=s, actor=world.user("volunteer"))
    page = browser_login("volunteer").get(reverse("activities:my")).content.decode()
    # the token is signed with a timestamp, so the page's may be a second older than one made here
    token = re.search(r"/activities/calendar/([^/\"]+)\.ics", page).group(1)
    assert calendar_user_id(token) == world.user("volunteer").pk and "webcal://" in page
    client.logout()
    r = client.get(f"/activities/calendar/{token}.ics")  # no session: the token is the key
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    events = [c for c in cal.walk("VEVENT")]
    assert [str(e["summary"]) for e in events] == ["社区读书会"]
    assert str(events[0]["location"]) == "永兴书屋"
    assert events[0].decoded("dtstart") == kept.starts_at
    assert client.get(f"/activities/calendar/{token[:-2]}xx.ics").status_code == 404


def test_insurance_page_and_roster_with_masked_id_numbers(browser_login, world, make_activity, volunteer_user):  # R-V10
    rescue = make_activity(publish=False, category=Category.objects.get(code="emergency_rescue"))
    client = browser_login("community")
    r = client.post(reverse("activities:insurance"), {"unit": world.community_a.pk, "insurer": "中国人寿钢城支公司",
                                                      "policy_number": "PICC-2030-001", "starts_on": "2030-01-01",
                                                      "ends_on": "2030-12-31"})
    assert r.status_code == 302
    from gongzhi.activities.services import activity_publish

    activity_publish(activity=rescue, actor=world.user("community"))
    signup_create(activity=rescue, volunteer=volunteer_user, actor=world.user("volunteer"))
    page = client.get(reverse("activities:insurance")).content.decode()
    assert "PICC-2030-001" in page
    policy = InsurancePolicy.objects.get()
    r = client.get(reverse("activities:roster", args=[policy.pk]))
    assert r.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
    person = volunteer_user.person
    assert rows[1][0] == person.name and rows[1][1] == volunteer_user.number
    assert rows[1][2] == person.id_number_masked and "*" in rows[1][2]
    assert person.id_number_clear() not in {str(c) for row in rows for c in row}
    assert rows[1][7] == "PICC-2030-001"
    assert browser_login("grid").get(reverse("activities:insurance")).status_code == 403


def test_beneficiaries_service_publishes_the_replaced_row(world, make_activity):
    from gongzhi.core import events

    activity = make_activity()
    from gongzhi.activities.services import activity_start

    activity_start(activity=activity, actor=world.user("community"))
    seen = []
    handler = events.subscribe("activities.beneficiaries_recorded", lambda **kw: seen.append(kw))
    try:
        first = beneficiaries_record(activity=activity, group="children", count=12, actor=world.user("community"))
        second = beneficiaries_record(activity=activity, group="children", count=15, actor=world.user("community"))
    finally:
        events.unsubscribe("activities.beneficiaries_recorded", handler)
    assert [(e["row"], e["replaced"]) for e in seen] == [(first, None), (second, first)]


def test_insurance_service_refuses_activities_outside_the_unit(world, make_activity):
    from gongzhi.core.errors import DomainError

    other = make_activity(unit=world.community_b, actor=world.user("community_b"))
    try:
        insurance_policy_create(unit=world.street_a, insurer="人保", policy_number="Z9", starts_on=other.starts_at.date(),
                                ends_on=other.ends_at.date(), actor=world.user("district"), activities=[other])
    except DomainError as err:
        assert err.code == "activities.policy_activity_outside"
    else:
        raise AssertionError("a policy covered another street's activity")

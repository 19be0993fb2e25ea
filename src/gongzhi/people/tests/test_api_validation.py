"""Bad input through the API: a 4xx with the shared JSON shape, a Chinese message and a machine code; nothing saved.

R-I1/R-I2 (ID numbers), phone format, R-P2 (under 14 needs a guardian), duplicates (409).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from gongzhi.core import clock
from gongzhi.people.identity import make_id_number
from gongzhi.people.models import (
    ConsentPurpose,
    ConsentRecord,
    Counter,
    Household,
    Person,
    PersonChange,
    TeamMembership,
    VolunteerCertificate,
    VolunteerProfile,
    VolunteerReview,
)
from gongzhi.people.services import volunteer_apply

CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_refused(r, status: int, code: str, message: str | None = None) -> dict:
    """The one error shape: {"code", "message" (Chinese), "detail"} with the expected status."""
    assert r.status_code == status, r.content
    body = r.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == code
    assert CJK.search(body["message"]), body["message"]
    if message is not None:
        assert body["message"] == message
    return body


class Counts:
    """Row counts of everything a person or volunteer write touches, to prove nothing partial was saved."""

    MODELS = (Person, PersonChange, Household, ConsentRecord, VolunteerProfile, VolunteerReview,
              VolunteerCertificate, TeamMembership, Counter)

    def __init__(self):
        self.before = self.now()
        self.counter_values = list(Counter.objects.order_by("pk").values_list("value", flat=True))

    @staticmethod
    def now():
        return {m.__name__: m.objects.count() for m in Counts.MODELS}

    def assert_unchanged(self):
        assert self.now() == self.before
        assert list(Counter.objects.order_by("pk").values_list("value", flat=True)) == self.counter_values


def person_body(world, **overrides) -> dict:
    body = {"name": "孙悟空", "unit_id": world.community_a.pk, "id_number": make_id_number("370117", dt.date(1990, 3, 8), 51),
            "phone": "13588889999", "address": "钢城区府前大街1号", "household": "府前大街1号", "tags": ["party_member"]}
    body.update(overrides)
    return body


def test_valid_person_is_created_with_derived_fields(api, world):
    """The control case: valid input saves the person with birth date and sex derived from the ID number."""
    r = api("community").post("people", person_body(world, id_number="11010519491231002X"))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["birth_year"] == 1949 and body["sex"] == "F"
    person = Person.objects.get(pk=body["id"])
    assert person.birth_date == dt.date(1949, 12, 31)


@pytest.mark.parametrize(
    ("overrides", "status", "code", "message"),
    [
        ({"id_number": "110105194912310021"}, 400, "people.id_number_invalid", "身份证号码校验位错误"),
        ({"id_number": "11010519490230002X"}, 400, "people.id_number_invalid", "身份证号码中的出生日期无效"),
        ({"id_number": make_id_number("999999", dt.date(1980, 1, 1), 11)}, 400, "people.id_number_invalid",
         "身份证号码中的地址码不存在"),
        ({"id_number": make_id_number("371203", dt.date(2020, 1, 1), 11)}, 400, "people.id_number_invalid",
         "身份证号码中的地址码不存在"),  # R-I2: 371203 was abandoned in 2017
        ({"id_number": "12345"}, 400, "people.id_number_invalid", None),
        ({"phone": "138123456789"}, 400, "people.phone_invalid", "手机号码格式不正确"),
        ({"phone": "0531-76543210"}, 400, "people.phone_invalid", "手机号码格式不正确"),
        ({"name": ""}, 400, "people.name_invalid", None),
        ({"name": "   "}, 400, "people.name_invalid", None),
        ({"name": "<script>"}, 400, "people.name_invalid", None),
        ({"name": "张" * 51}, 422, "validation_error", None),
        ({"tags": ["no_such_tag"]}, 400, "people.tag_unknown", None),
        ({"id_type": "passport-ish"}, 400, "people.id_type_invalid", None),
        ({"unit_id": "abc"}, 422, "validation_error", None),
        ({"unit_id": None}, 422, "validation_error", None),
        ({"phone": "1" * 21}, 422, "validation_error", None),
    ],
)
def test_bad_person_input_is_refused_and_nothing_saved(api, world, overrides, status, code, message):
    """Each bad field gives its own code and Chinese message; no person, household or change row appears."""
    counts = Counts()
    r = api("community").post("people", person_body(world, **overrides))
    assert_refused(r, status, code, message)
    counts.assert_unchanged()


def test_person_must_live_in_a_community_village_or_grid(api, world):
    """A street is not a home unit: 400 people.unit_invalid."""
    counts = Counts()
    r = api("street").post("people", person_body(world, unit_id=world.street_a.pk))
    assert_refused(r, 400, "people.unit_invalid")
    counts.assert_unchanged()


def test_missing_required_fields_are_422(api, world):
    """A body without name or unit is a validation error listing the missing fields."""
    counts = Counts()
    body = assert_refused(api("community").post("people", {}), 422, "validation_error")
    assert {tuple(e["loc"][-1:]) for e in body["detail"]} == {("name",), ("unit_id",)}
    counts.assert_unchanged()


def test_malformed_json_is_400(api, world):
    """A body that is not JSON is refused with the shared shape, not a 500."""
    c = api("community")
    counts = Counts()
    r = c.client.post("/api/v1/people", "{not json", content_type="application/json", **c.headers)
    assert_refused(r, 400, "bad_request")
    counts.assert_unchanged()


def test_duplicate_id_number_is_409(api, world):
    """The same ID number twice (even typed with a lowercase x or by another community) is a 409."""
    assert api("community").post("people", person_body(world, id_number="11010519491231002X")).status_code == 201
    counts = Counts()
    r = api("community").post("people", person_body(world, name="另一人", id_number="11010519491231002x"))
    assert_refused(r, 409, "people.id_number_duplicate")
    r = api("community_b").post("people", person_body(world, unit_id=world.community_b.pk,
                                                      id_number="11010519491231002X"))
    assert_refused(r, 409, "people.id_number_duplicate")
    counts.assert_unchanged()


def _child_id(years: int, seq: int = 61) -> str:
    today = clock.today()
    return make_id_number("370117", today.replace(year=today.year - years) - dt.timedelta(days=30), seq)


def test_child_under_14_needs_a_guardian(api, world):
    """R-P2 / PIPL Art.31: registering a child under 14 without a guardian is refused; nothing saved."""
    counts = Counts()
    r = api("community").post("people", person_body(world, id_number=_child_id(10)))
    body = assert_refused(r, 400, "people.guardian_consent_required", "未满十四周岁人员须记录监护人同意")
    assert body["detail"] == {"field": "guardian_name"}
    counts.assert_unchanged()


def test_child_under_14_with_guardian_is_registered_with_guardian_consent(api, world):
    """With the guardian named the child is saved and a guardian consent row records who agreed (R-P2)."""
    r = api("community").post("people", person_body(world, id_number=_child_id(10), guardian_name="孙大圣"))
    assert r.status_code == 201, r.content
    consent = ConsentRecord.objects.get(person_id=r.json()["id"])
    assert (consent.purpose, consent.granted, consent.guardian_name) == (ConsentPurpose.GUARDIAN, True, "孙大圣")


def test_fourteen_year_old_needs_no_guardian_to_be_registered(api, world):
    """The PIPL line is 14: a 15-year-old resident is registered without a guardian."""
    r = api("community").post("people", person_body(world, id_number=_child_id(15)))
    assert r.status_code == 201, r.content


def test_bad_update_changes_nothing(api, world):
    """PUT with one bad field is refused and leaves every field (including the valid new name) as it was."""
    a = world.people["a"]
    counts = Counts()
    r = api("community").put(f"people/{a.pk}", {"name": "改了名", "unit_id": a.unit_id,
                                                "id_number": a.id_number_clear(), "phone": "12345"})
    assert_refused(r, 400, "people.phone_invalid")
    a.refresh_from_db()
    assert a.name == "张三丰" and a.phone_clear() == "13812345678"
    counts.assert_unchanged()


def test_update_to_an_id_number_held_by_someone_else_is_409(api, world):
    """Changing an ID number to another person's is a duplicate."""
    a, g = world.people["a"], world.people["a_grid"]
    r = api("community").put(f"people/{a.pk}", {"name": a.name, "unit_id": a.unit_id, "id_number": g.id_number_clear()})
    assert_refused(r, 409, "people.id_number_duplicate")


# --- volunteers, consents, units, orgs, roles, teams -------------------------------------------------------


def test_volunteer_register_with_unknown_skill_saves_nothing(api, world):
    """An unknown skill code refuses the whole registration: no profile, no number drawn, no consent row."""
    counts = Counts()
    r = api("community").post("volunteers", {"person_id": world.people["a"].pk, "consent_confirmed": True,
                                             "skills": ["first_aid", "flying"]})
    body = assert_refused(r, 400, "people.skill_unknown")
    assert body["detail"]["unknown"] == ["flying"]
    counts.assert_unchanged()


def test_volunteer_self_apply_with_bad_input_saves_nothing(api, world):
    """Self-application is validated the same way."""
    counts = Counts()
    assert_refused(api("resident").post("me/volunteer", {"skills": ["flying"]}), 400, "people.skill_unknown")
    assert_refused(api("resident").post("me/volunteer", {"motivation": "长" * 2001}), 422, "validation_error")
    counts.assert_unchanged()


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("consents", {"purpose": "marketing", "granted": True}, 422, "validation_error"),
        ("consents", {"purpose": "sensitive"}, 422, "validation_error"),
    ],
)
def test_bad_consent_input(api, world, path, body, status, code):
    """Consents need a known purpose and an explicit granted flag (R-P1)."""
    counts = Counts()
    assert_refused(api("community").post(f"people/{world.people['a'].pk}/{path}", body), status, code)
    counts.assert_unchanged()


@pytest.fixture
def applied(world):
    return volunteer_apply(person=world.people["a"], actor=world.user("community"), consent_confirmed=True)


@pytest.mark.parametrize(
    ("suffix", "body", "status", "code"),
    [
        ("reviews", {"decision": "maybe"}, 422, "validation_error"),
        ("reviews", {}, 422, "validation_error"),
        ("certificates", {"name": ""}, 422, "validation_error"),
        ("certificates", {"name": "救护员证", "skill": "flying"}, 400, "people.skill_unknown"),
        ("certificates", {"name": "救护员证", "issued_on": "2025-02-30"}, 422, "validation_error"),
        ("certificates", {"name": "救护员证", "issued_on": "2025-03-01", "expires_on": "2024-03-01"}, 400,
         "people.certificate_dates_invalid"),
    ],
)
def test_bad_volunteer_action_input(api, world, applied, suffix, body, status, code):
    """Review decisions and certificates are validated; nothing is recorded on refusal."""
    counts = Counts()
    assert_refused(api("community").post(f"volunteers/{applied.pk}/{suffix}", body), status, code)
    counts.assert_unchanged()


def test_bad_team_member_input(api, world, applied):
    """An unknown team role is 422; adding a member twice is 409; removing a non-member is 409."""
    team = world.team_a
    person = world.people["a"]
    assert_refused(api("community").post(f"orgs/{team.pk}/members", {"person_id": person.pk, "role": "boss"}),
                   422, "validation_error")
    assert api("community").post(f"orgs/{team.pk}/members", {"person_id": person.pk}).status_code == 201
    counts = Counts()
    assert_refused(api("community").post(f"orgs/{team.pk}/members", {"person_id": person.pk}),
                   409, "people.already_member")
    assert_refused(api("community").delete(f"orgs/{team.pk}/members/{world.people['a_grid'].pk}"),
                   409, "people.not_member")
    counts.assert_unchanged()


def test_adding_a_member_to_an_organisation_that_is_not_a_team_is_400(api, world):
    """Only 志愿服务队 have members."""
    org = api("community").post("orgs", {"name": "永兴社区社会组织", "kind": "social_org",
                                         "unit_id": world.community_a.pk}).json()
    r = api("community").post(f"orgs/{org['id']}/members", {"person_id": world.people["a"].pk})
    assert_refused(r, 400, "people.not_a_team")


def test_bad_role_grant_input(api, world):
    """An unknown role is 422; granting a role the user already holds is 409."""
    r = api("district").post("roles", {"user_id": world.user("observer").pk, "role": "king",
                                       "unit_id": world.community_a.pk})
    assert_refused(r, 422, "validation_error")
    r = api("district").post("roles", {"user_id": world.user("community").pk, "role": "community_worker",
                                       "unit_id": world.community_a.pk})
    assert_refused(r, 409, "accounts.role_exists")


def test_revoking_a_role_twice_is_409(api, world):
    """A revoked assignment cannot be revoked again."""
    r = api("district").post("roles", {"user_id": world.user("observer").pk, "role": "volunteer",
                                       "unit_id": world.community_a.pk})
    rid = r.json()["id"]
    assert api("district").delete(f"roles/{rid}").status_code == 200
    assert_refused(api("district").delete(f"roles/{rid}"), 409, "accounts.role_not_active")


def test_query_parameters_are_validated(api, world):
    """Non-numeric pages and non-boolean flags are 422; a page far past the end is an empty page, not a 500."""
    c = api("community")
    assert_refused(c.get("people", page="abc"), 422, "validation_error")
    assert_refused(c.get("people", volunteer="maybe"), 422, "validation_error")
    r = c.get("people", page=10**20)
    assert r.status_code == 200 and r.json()["items"] == []
    r = c.get("people", page_size=10**6)
    assert r.status_code == 200 and r.json()["page_size"] == 200


@pytest.mark.parametrize(
    ("path", "params"),
    [("units", {"under": "abc"}), ("orgs", {"under": "37x"}), ("people", {"unit": "abc"}),
     ("volunteers", {"unit": "x9"}), ("teams", {"under": "../"})],
)
def test_subtree_filters_must_be_unit_paths(api, world, path, params):
    """?under= / ?unit= take a tree path (digits); anything else is 422, not a 500."""
    assert_refused(api("district").get(path, **params), 422, "validation_error")


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "people", {"q": "张\x00"}),
        ("get", "units", {"q": "\x00"}),
        ("get", "volunteers", {"status": "\x00"}),
        ("post", "orgs", {"name": "队\x00", "kind": "team", "unit_id": "A"}),
        ("post", "people", {"name": "张三", "unit_id": "A", "household": "1号\x00"}),
        ("post", "me/tokens", {"name": "\x00"}),
    ],
)
def test_nul_characters_are_refused_on_every_database(api, world, method, path, data):
    """A NUL character (which PostgreSQL text cannot store) is a 400 on SQLite and PostgreSQL alike; nothing saved."""
    from gongzhi.accounts.models import ApiToken
    from gongzhi.org.models import Organisation

    data = {k: (world.community_a.pk if v == "A" else v) for k, v in data.items()}
    c = api("community")
    counts = Counts()
    before = (Organisation.objects.count(), ApiToken.objects.count())
    r = c.get(path, **data) if method == "get" else c.post(path, data)
    assert_refused(r, 400, "bad_request")
    counts.assert_unchanged()
    assert (Organisation.objects.count(), ApiToken.objects.count()) == before


def test_ids_beyond_the_integer_range_are_not_found(api, world):
    """A path id larger than any database integer is simply not found (404), not a 500."""
    for path in ("people/99999999999999999999", "units/99999999999999999999", "volunteers/99999999999999999999"):
        assert_refused(api("district").get(path), 404, "not_found")


def test_database_data_errors_answer_400_in_the_shared_shape(api, world, monkeypatch):
    """A value the database refuses (DataError) that slipped past validation still answers 400, never a 500."""
    from django.db import DataError

    from gongzhi.people import selectors

    def refuse(**kwargs):
        raise DataError("value too long for type character varying(50)")

    monkeypatch.setattr(selectors, "person_list", refuse)
    body = assert_refused(api("community").get("people"), 400, "bad_request")
    assert "value too long" not in str(body)  # database internals stay out of the answer


def test_update_that_makes_a_person_a_child_needs_a_guardian(api, world):
    """R-P2 on update too: correcting an ID number to a child's under 14 needs a guardian; then it is recorded once."""
    a = world.people["a"]
    child_id = _child_id(9, seq=63)
    body = {"name": a.name, "unit_id": a.unit_id, "id_number": child_id}
    counts = Counts()
    assert_refused(api("community").put(f"people/{a.pk}", body), 400, "people.guardian_consent_required")
    a.refresh_from_db()
    assert a.birth_date.year == 1980
    counts.assert_unchanged()

    r = api("community").put(f"people/{a.pk}", {**body, "guardian_name": "张大"})
    assert r.status_code == 200, r.content
    assert ConsentRecord.objects.filter(person=a, purpose=ConsentPurpose.GUARDIAN, guardian_name="张大").count() == 1
    # the consent is on file now: later edits need no guardian again
    r = api("community").put(f"people/{a.pk}", {**body, "phone": "13812345678"})
    assert r.status_code == 200, r.content
    assert ConsentRecord.objects.filter(person=a, purpose=ConsentPurpose.GUARDIAN).count() == 1

"""Residents on record, in households: Chinese names, valid ID numbers (GB 11643 checksum, the real division code of
the district they were born in — 371203 for 钢城区 births before 2018, R-I2 — birth date and sex consistent with the
number), unique mobile numbers and addresses. Every person's stored columns come from
``people.services.derive_person_fields`` itself (pinyin keys, AES-GCM encryption, HMAC digests, masks); a household's
address is encrypted once and shared by its members (the same value repeats, so the ciphertext is cached).
Ages 14–90 (no child under 14: those need a guardian's consent on file, R-P2)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from gongzhi.core import crypto
from gongzhi.org.models import Unit
from gongzhi.people.identity import make_id_number
from gongzhi.people.services import PersonInput, derive_person_fields
from gongzhi.privacy.masking import mask_address

from .bulk import Bulk
from .names import GIVEN, ROADS, SURNAMES
from .org import UnitKind, World

MOBILE_PREFIXES = ("139", "138", "137", "136", "135", "134", "150", "151", "152", "157", "158", "159", "182", "183",
                   "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "177", "180", "181",
                   "189", "199", "166", "176")
PREDECESSOR = {"370117": ("371203", 2018), "370116": ("371202", 2018)}  # 钢城区, 莱芜区 before Laiwu joined Jinan
TAG_RATE = 0.12  # residents carrying a tag (独居老人, 低保, 退役军人 …)


@dataclass
class PersonRow:
    id: int
    unit_index: int  # index into world.leaves
    birth: dt.date


def _age_years(rnd: random.Random) -> int:
    """An adult-heavy population pyramid: few teenagers, most 25–65, a long tail to 90."""
    return min(90, max(14, int(rnd.triangular(14, 92, 45))))


class _Encrypted:
    """``crypto.encrypt`` once per distinct value (household addresses repeat for every member)."""

    def __init__(self):
        self.cache: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        token = self.cache.get(value)
        if token is None:
            if len(self.cache) > 200_000:
                self.cache.clear()
            token = self.cache[value] = crypto.encrypt(value)
        return token


def generate(world: World, n: int, rnd: random.Random, bulk: Bulk) -> list[PersonRow]:
    from gongzhi.people.models import Tag

    now = world.now
    today = now.date()
    leaves = world.leaves
    weights = [(3.0 if u.kind == UnitKind.COMMUNITY else 1.0) * (0.5 + rnd.random()) for u in leaves]
    # cumulated once: choices(weights=…) sums all 100,000 leaves of a province on every draw (same draws)
    leaf_cum = list(itertools.accumulate(weights))
    units = [Unit(pk=u.id, kind=u.kind) for u in leaves]  # what derive_person_fields looks at
    other_codes = [d.code for d in world.districts] + ["370102", "370103", "370105", "370112", "371102", "370902"]
    tags = list(Tag.objects.values_list("pk", flat=True))
    person = bulk.sink("people_person", [
        "id", "unit_id", "household_id", "user_id", "name", "name_pinyin", "name_initials", "id_type",
        "id_number_enc", "id_number_digest", "id_number_masked", "birth_date", "sex", "phone_enc", "phone_digest",
        "phone_masked", "phone_tail", "address_enc", "address_masked", "created_at", "updated_at"])
    household = bulk.sink("people_household", ["id", "unit_id", "label", "created_at"])
    person_tags = bulk.sink("people_person_tags", ["id", "person_id", "tag_id"])
    pid, hid, tid = bulk.next_id("people_person"), bulk.next_id("people_household"), bulk.next_id("people_person_tags")
    used: dict[tuple[str, dt.date], int] = {}
    encrypted = _Encrypted()
    salt = rnd.randrange(10**8)
    out: list[PersonRow] = []
    labels: set[tuple[int, str]] = set()
    made = 0
    while made < n:
        li = rnd.choices(range(len(leaves)), cum_weights=leaf_cum)[0]
        leaf = leaves[li]
        size = min(n - made, rnd.choices((1, 2, 3, 4, 5), (22, 34, 26, 13, 5))[0])
        if leaf.kind == UnitKind.VILLAGE or (leaf.home and leaf.home.kind == UnitKind.VILLAGE):
            address = f"{leaf.district.name}{leaf.home.name}{rnd.randrange(1, 400)}号"
            label = address[len(leaf.district.name):]
        else:
            road, building, door = rnd.choice(ROADS), rnd.randrange(1, 60), rnd.randrange(101, 2603)
            address = f"{leaf.district.name}{road}{building}号{door}室"
            label = f"{road}{building}号{door}"
        if (leaf.id, label) in labels:
            continue
        labels.add((leaf.id, label))
        household.row(hid, leaf.id, label[:120], now)
        surname = rnd.choice(SURNAMES)
        for member in range(size):
            birth = today - dt.timedelta(days=_age_years(rnd) * 365 + rnd.randrange(365))
            name = (surname if member < 2 or rnd.random() < 0.7 else rnd.choice(SURNAMES)) + rnd.choice(GIVEN) + \
                (rnd.choice(GIVEN) if rnd.random() < 0.75 else "")
            code = leaf.district.code if rnd.random() < 0.9 else rnd.choice(other_codes)
            if code in PREDECESSOR and birth.year < PREDECESSOR[code][1]:
                code = PREDECESSOR[code][0]
            male = rnd.random() < 0.5
            k = used.get((code, birth), 0)
            used[(code, birth)] = k + 1
            number = make_id_number(code, birth, (k * 2 + (1 if male else 0)) % 1000)
            i = pid + made
            phone = f"{MOBILE_PREFIXES[i % len(MOBILE_PREFIXES)]}{(i // len(MOBILE_PREFIXES) * 48271 + salt) % 10**8:08d}"
            fields = derive_person_fields(PersonInput(name=name, unit=units[li], id_number=number, phone=phone),
                                          today=today).values
            person.row(i, leaf.id, hid, None, fields["name"], fields["name_pinyin"], fields["name_initials"],
                       fields["id_type"], fields["id_number_enc"], fields["id_number_digest"],
                       fields["id_number_masked"], fields["birth_date"], fields["sex"], fields["phone_enc"],
                       fields["phone_digest"], fields["phone_masked"], fields["phone_tail"], encrypted(address),
                       mask_address(address), now, now)
            if tags and rnd.random() < TAG_RATE:
                person_tags.row(tid, i, rnd.choice(tags))
                tid += 1
            out.append(PersonRow(i, li, fields["birth_date"]))
            made += 1
        hid += 1
        if made % 100_000 < size:
            bulk.log(f"  {made:,} people")
    household.close()
    person.close()
    person_tags.close()
    return out

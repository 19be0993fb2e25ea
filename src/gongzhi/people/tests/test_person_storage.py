"""How people are stored: one person per ID number (R-I1), equality indexes only, and the import's bulk writer
(COPY with ids drawn from the sequence on PostgreSQL, executemany on SQLite) giving back the ids in row order."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gongzhi.people import importing
from gongzhi.people.models import Household, Person

pytestmark = pytest.mark.django_db


def _person(unit, name: str, digest: str | None) -> Person:
    return Person.objects.create(unit=unit, name=name, name_pinyin="x", name_initials="x", id_number_digest=digest)


def test_an_id_number_digest_belongs_to_one_person_only(world):
    _person(world.community_a, "甲", "d" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        _person(world.community_b, "乙", "d" * 64)
    assert Person.objects.filter(id_number_digest="d" * 64).count() == 1


def test_people_without_an_id_number_do_not_collide(world):
    _person(world.community_a, "甲", None)
    _person(world.community_a, "乙", None)
    assert Person.objects.filter(id_number_digest__isnull=True, name__in=["甲", "乙"]).count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pattern-ops indexes exist on PostgreSQL only")
def test_people_table_has_no_pattern_ops_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'people_person' "
                       "AND indexdef LIKE '%%pattern_ops%%'")
        assert cursor.fetchall() == []
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'people_person'")
        names = {n for (n,) in cursor.fetchall()}
    assert {"people_id_number_digest_unique", "people_phone_digest", "people_phone_tail"} <= names


def test_bulk_writer_returns_the_new_ids_in_row_order_with_and_without_key(world):
    now = timezone.now()
    rows = [{"unit_id": world.community_a.pk, "name": f"居民{i}", "name_pinyin": "jumin", "name_initials": "jm",
             "id_number_digest": (f"{i:064d}" if i % 3 else None)} for i in range(7)]
    ids = importing._inserter(Person).run(rows, key="id_number_digest", created_at=now, updated_at=now)
    assert len(ids) == len(set(ids)) == 7
    for row, pk in zip(rows, ids, strict=True):
        person = Person.objects.get(pk=pk)
        assert (person.name, person.id_number_digest) == (row["name"], row["id_number_digest"])
        assert person.created_at == now and person.id_type == "resident_id"  # a missing key takes the default
    # ids drawn for the bulk rows do not collide with the next ordinary save
    assert _person(world.community_a, "后来者", None).pk not in ids


def test_bulk_writer_rolls_back_with_its_transaction_on_a_duplicate(world):
    now = timezone.now()
    _person(world.community_a, "甲", "e" * 64)
    before = Person.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        importing._inserter(Person).run(
            [{"unit_id": world.community_a.pk, "name": "新", "name_pinyin": "x", "name_initials": "x",
              "id_number_digest": "f" * 64},
             {"unit_id": world.community_a.pk, "name": "重", "name_pinyin": "x", "name_initials": "x",
              "id_number_digest": "e" * 64}],
            key="id_number_digest", created_at=now, updated_at=now)
    assert Person.objects.count() == before


def test_bulk_writer_insert_or_ignore_keeps_existing_households(world):
    now = timezone.now()
    first = Household.objects.create(unit=world.community_a, label="1号楼101")
    rows = [{"unit_id": world.community_a.pk, "label": "1号楼101"}, {"unit_id": world.community_a.pk,
                                                                       "label": "1号楼102"}]
    importing._inserter(Household).run(rows, ignore_conflicts=True, created_at=now)
    importing._inserter(Household).run(rows, ignore_conflicts=True, created_at=now)
    labels = dict(Household.objects.filter(unit=world.community_a).values_list("label", "pk"))
    assert labels["1号楼101"] == first.pk and "1号楼102" in labels
    assert Household.objects.filter(unit=world.community_a, label__in=["1号楼101", "1号楼102"]).count() == 2

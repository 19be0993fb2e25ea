"""``gongzhi seed``: progress with rows/s per table, and a clear refusal when the tree is already there."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


@pytest.mark.django_db
def test_the_command_prints_rates_per_table(capsys):
    call_command("seed", "--scale", "tiny", "--fraction", "0.1", "--seed", "2", "--no-derived")
    out = capsys.readouterr().out
    assert "people_person" in out and "rows/s" in out
    with pytest.raises(CommandError):
        call_command("seed", "--scale", "tiny", "--fraction", "0.1", "--no-derived")


@pytest.mark.django_db
def test_the_city_tree_is_jinan_with_its_real_districts_and_valid_codes():  # R-I3, R-U1
    from gongzhi.org.divisions import code_problem
    from gongzhi.org.models import Unit
    from gongzhi.seed import scales
    from gongzhi.seed.runner import run

    run(scales.get("city"), kinds=["org"], derived=False, log=lambda m: None)
    units = {u.pk: u for u in Unit.objects.all()}
    districts = sorted(u.name for u in units.values() if u.kind == "district")
    assert len(districts) == 12 and "钢城区" in districts and "历下区" in districts
    for u in units.values():
        parent = units.get(u.parent_id)
        assert code_problem(u.kind, u.code, parent.code if parent else None, parent.kind if parent else None) is None

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

"""Seed the district default star thresholds (R-V8: 100/300/600/1000/1500 hours) and incentive formula v1."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

DEFAULT_THRESHOLDS = {1: 100, 2: 300, 3: 600, 4: 1000, 5: 1500}


def seed(apps, schema_editor):
    StarThreshold = apps.get_model("recognition", "StarThreshold")
    IncentiveFormula = apps.get_model("recognition", "IncentiveFormula")
    for level, hours in DEFAULT_THRESHOLDS.items():
        StarThreshold.objects.get_or_create(unit=None, level=level, defaults={"min_hours": Decimal(hours)})
    IncentiveFormula.objects.get_or_create(version=1, defaults={
        "weight_hours": Decimal("1"), "weight_activity": Decimal("2"), "weight_honour": Decimal("20"),
        "weight_satisfaction": Decimal("10"), "valid_from": dt.date(2021, 2, 1),
        "note": "服务时长每小时1分，每参加一场活动2分，每项表彰20分，服务对象满意度平均分×10",
    })


def unseed(apps, schema_editor):
    apps.get_model("recognition", "StarThreshold").objects.filter(unit=None).delete()
    apps.get_model("recognition", "IncentiveFormula").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("recognition", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

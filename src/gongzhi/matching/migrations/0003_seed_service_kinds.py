"""Seed the service kinds the three lists are classified by (the seeds' 助老, 助残, 儿童关爱, 水电维修 ...)."""

from django.db import migrations

KINDS = [
    ("elderly", "助老"), ("disability", "助残"), ("children", "助学/儿童关爱"), ("health", "医疗健康"),
    ("mental", "心理关爱"), ("legal", "法律服务"), ("repair", "水电维修"), ("sanitation", "环境卫生"),
    ("culture", "文体活动"), ("employment", "就业帮扶"), ("mediation", "邻里调解"), ("convenience", "便民服务"),
]


def seed(apps, schema_editor):
    ServiceKind = apps.get_model("matching", "ServiceKind")
    for sort, (code, name) in enumerate(KINDS, start=1):
        ServiceKind.objects.update_or_create(code=code, defaults={"name": name, "sort": sort})


def unseed(apps, schema_editor):
    apps.get_model("matching", "ServiceKind").objects.filter(code__in=[c for c, _ in KINDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_matches_and_history")]
    operations = [migrations.RunPython(seed, unseed)]

from django.db import migrations

# The categories the seeds name (钢城区: 扶弱助残、儿童关爱、便民服务、基层治理 ...); configurable in the admin.
CATEGORIES = [
    ("helping_disabled", "扶弱助残", False),
    ("child_care", "儿童关爱", False),
    ("convenience", "便民服务", False),
    ("governance", "基层治理", False),
    ("environment", "生态环保", False),
    ("civilised_traffic", "文明交通", False),
    ("lei_feng", "学雷锋", False),
    ("exam_escort", "中高考护航", False),
    ("summer_care", "暑期托管", False),
    ("clinic_haircut", "义诊义剪", False),
    ("elderly_care", "老年康养", False),
    ("culture", "文化惠民", False),
    ("patrol", "平安巡逻", False),
    ("customs_reform", "移风易俗", False),
    ("emergency_rescue", "抢险救灾", True),
]


def seed(apps, schema_editor):
    Category = apps.get_model("activities", "Category")
    for sort, (code, name, dangerous) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={"name": name, "dangerous": dangerous, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

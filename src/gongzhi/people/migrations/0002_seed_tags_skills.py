from django.db import migrations

TAGS = [
    ("elderly_alone", "独居老人", False),
    ("empty_nest", "空巢老人", False),
    ("orphan_child", "孤困儿童", True),
    ("left_behind_child", "留守儿童", True),
    ("disabled", "残疾人", True),
    ("chronic_illness", "慢性病患者", True),
    ("dibao", "低保", True),
    ("low_income", "低收入", True),
    ("new_employment", "新就业群体", False),
    ("veteran", "退役军人", False),
    ("party_member", "党员", False),
]

SKILLS = [
    ("first_aid", "急救"),
    ("legal", "法律"),
    ("plumbing_electric", "水电维修"),
    ("psychology", "心理疏导"),
    ("medical", "医疗"),
    ("tutoring", "课业辅导"),
    ("haircut", "理发"),
    ("elderly_care", "助老护理"),
    ("arts", "文艺"),
    ("it", "信息技术"),
    ("driving", "驾驶"),
    ("mediation", "调解"),
]


def seed(apps, schema_editor):
    Tag = apps.get_model("people", "Tag")
    Skill = apps.get_model("people", "Skill")
    for i, (code, name, sensitive) in enumerate(TAGS):
        Tag.objects.update_or_create(code=code, defaults={"name": name, "sensitive": sensitive, "sort": i})
    for i, (code, name) in enumerate(SKILLS):
        Skill.objects.update_or_create(code=code, defaults={"name": name, "sort": i})


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

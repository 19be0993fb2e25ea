"""Seed the category tree: GB/T 30428 部件 and 事件 major classes (R-U2) and livelihood services."""

from django.db import migrations

TREE = [
    ("component", "C", "部件", [("C01", "公用设施"), ("C02", "道路交通"), ("C03", "市容环境"), ("C04", "园林绿化"),
                              ("C05", "房屋土地"), ("C06", "其他部件")]),
    ("event", "E", "事件", [("E01", "市容环境"), ("E02", "宣传广告"), ("E03", "施工管理"), ("E04", "突发事件"),
                          ("E05", "街面秩序"), ("E06", "其他事件")]),
    ("service", "S", "民生服务", [("S01", "水电维修"), ("S02", "助老"), ("S03", "助残"), ("S04", "环境卫生"),
                                ("S05", "邻里纠纷")]),
]


def seed(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    for sort, (kind, code, name, children) in enumerate(TREE):
        root, _ = Category.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "sort": sort})
        for i, (child_code, child_name) in enumerate(children):
            Category.objects.get_or_create(code=child_code, defaults={"name": child_name, "kind": kind,
                                                                      "parent": root, "sort": i})


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

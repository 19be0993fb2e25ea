"""Intake: the R-U2 category tree, work-order numbers, the submission event."""

from __future__ import annotations

from gongzhi.appeals.models import AppealEvent

from .conftest import submit


def test_category_tree_has_the_gbt_30428_classes_and_livelihood_services(api, world):
    """R-U2: components 01–06 and events 01–06 as major classes, plus 水电维修/助老/助残/环境卫生/邻里纠纷."""
    tree = {n["code"]: n for n in api("resident").get("appeals/categories").json()}
    assert [c["name"] for c in tree["C"]["children"]] == ["公用设施", "道路交通", "市容环境", "园林绿化", "房屋土地", "其他部件"]
    assert [c["name"] for c in tree["E"]["children"]] == ["市容环境", "宣传广告", "施工管理", "突发事件", "街面秩序", "其他事件"]
    assert {c["name"] for c in tree["S"]["children"]} == {"水电维修", "助老", "助残", "环境卫生", "邻里纠纷"}


def test_numbers_run_per_local_day_and_submission_is_recorded(world, at):
    """R-H1: the work order records the caller, the matter and every step from the first."""
    first, second = submit(world), submit(world)
    assert (first.number, second.number) == ("SQ2030050600001", "SQ2030050600002")
    event = AppealEvent.objects.get(appeal=first)
    assert (event.action, event.from_state, event.to_state) == ("submit", "", "submitted")
    assert event.actor == world.user("resident") and event.detail == {"channel": "photo_report"}

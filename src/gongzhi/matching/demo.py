"""The three lists (三张清单) of the 钢城区 demo, from the seeds.

- 资源清单: "链接街道辖区内超市、社会组织等30多家机构资源" — the points supermarkets (永兴社区积分超市, 柳桥峪村卫生室,
  石门村便民超市, linked to their supermarket merchants when that demo ran), the social organisations of the org demo
  (百善社会工作服务中心, 艾山街道社会工作服务站, 爱心理发志愿者协会, 睦邻互助社) and a few clinics and venues.
- 项目清单: "政府买单+专业社工派单+志愿者接单" — 政府购买服务 "爱上门", 社区公益基金 "温暖小哥上门维修" (顺安社区's
  team, here in 永兴社区), 公益创投 "暖心港湾", "非遗小课堂", 慈善资金 "公益集市"; a finished project of last year.
- 需求清单: "全面开展城市社区全景调研…摸排家底、梳理诉求" — needs from the survey and grid visits, plus needs
  listed from the appeals demo's livelihood requests (水电维修, 助老 …) when that demo has run (skipped otherwise).

Matches in every status show the matching view at work. Everything runs through ``matching.services``; coordinates
are drawn around each unit's centre from the app's own generator, so the demo is the same on every load.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gongzhi.core.demo_data.logins import YONGXING, YONGXING_GRID_1
from gongzhi.org.models import Organisation, Unit

from . import services
from .models import FundingKind, NeedSource, Project, ResourceKind

JINDING, HONGGOU = "370117001002", "370117002001"
AISHAN = "370117001"
DISTRICT = "370117"
LIUQIAOYU, SHIMEN = "370117100201", "370117100202"
WARM_HANDS = "温暖小哥上门维修"

# (unit code, name, kind, offers, address, capacity, organisation or merchant name)
RESOURCES = [
    (YONGXING, "永兴社区积分超市", ResourceKind.MERCHANT, ["convenience", "elderly"], "永兴社区党群服务中心一楼",
     "以服务积分兑换生活用品；为高龄老人送货上门", "merchant:永兴社区积分超市"),
    (LIUQIAOYU, "柳桥峪村卫生室", ResourceKind.CLINIC, ["health", "elderly"], "柳桥峪村村委会东侧",
     "免费测血压血糖；行动不便老人可预约上门", "merchant:柳桥峪村卫生室"),
    (SHIMEN, "石门村便民超市", ResourceKind.MERCHANT, ["convenience"], "石门村文化广场北", "代购代收", "merchant:石门村便民超市"),
    (DISTRICT, "钢城区百善社会工作服务中心", ResourceKind.SOCIAL_ORG, ["mental", "elderly", "children"], "",
     "个案管理、资源链接、志愿者督导", "org:钢城区百善社会工作服务中心"),
    (AISHAN, "艾山街道社会工作服务站", ResourceKind.SOCIAL_ORG, ["mental", "legal", "employment"], "艾山街道办事处二楼",
     "街道社工站：个案管理、政策咨询、就业指导", "org:艾山街道社会工作服务站"),
    (DISTRICT, "钢城区爱心理发志愿者协会", ResourceKind.SOCIAL_ORG, ["elderly", "convenience"], "",
     "每月上门为独居老人免费理发", "org:钢城区爱心理发志愿者协会"),
    (YONGXING, "永兴社区卫生服务站", ResourceKind.CLINIC, ["health", "elderly", "disability"], "永兴路20号",
     "家庭医生签约、慢病随访", ""),
    (JINDING, "金鼎社区党群服务中心", ResourceKind.VENUE, ["culture", "children"], "金鼎路党群服务中心",
     "书画室、儿童活动室，寒暑假可用于托管", ""),
    (HONGGOU, "洪沟社区法律顾问工作室", ResourceKind.INSTITUTION, ["legal", "mediation"], "洪沟社区居委会",
     "每周四律师坐班，免费法律咨询", ""),
    ("370117003", "汶源街道睦邻互助社", ResourceKind.SOCIAL_ORG, ["mediation", "culture"], "",
     "“社区半月谈”议事、邻里纠纷调解", "org:汶源街道睦邻互助社"),
]

# (unit code, name, kinds, funder, funding, budget, organisation, social worker login, status, months from, months to)
PROJECTS = [
    (YONGXING, "“爱上门”助老服务项目", ["elderly", "disability"], "钢城区民政局", FundingKind.GOVERNMENT, "180000",
     "钢城区百善社会工作服务中心", "demo-socialworker", "running", -4, 8,
     "为独居、高龄、失能老人和持证残疾人提供上门探访、助餐、陪同就医"),
    (YONGXING, WARM_HANDS, ["repair", "convenience"], "永兴社区公益基金", FundingKind.COMMUNITY_FUND, "30000", "",
     "demo-socialworker", "running", -2, 10,
     "居民有需求，社区马上办：水电能手、退役军人上门维修，社区公益基金配齐工具和物资"),
    (AISHAN, "“暖心港湾”心理关爱项目", ["mental"], "艾山街道办事处", FundingKind.VENTURE, "50000",
     "艾山街道社会工作服务站", "", "running", -3, 9, "空巢老人、困境儿童心理疏导和陪伴"),
    (JINDING, "“非遗小课堂”儿童托管项目", ["children", "culture"], "金鼎社区公益基金", FundingKind.COMMUNITY_FUND,
     "15000", "", "", "planned", 1, 3, "寒暑假“学业辅导+文化体验+素质拓展”托管"),
    (HONGGOU, "“公益集市”便民服务项目", ["convenience", "employment"], "钢城区慈善总会", FundingKind.CHARITY, "40000",
     "", "", "running", -6, 6, "每月一次公益集市：便民维修、义诊、岗位推介"),
    (YONGXING, "2024年度助残陪伴项目", ["disability"], "钢城区残疾人联合会", FundingKind.GOVERNMENT, "60000", "", "",
     "finished", -18, -6, "持证残疾人一对一陪同出行、参加社区文体活动"),
]

# (unit code, kind, title, beneficiaries, source)
NEEDS = [
    (YONGXING, "elderly", "独居老人居家安全隐患排查", 48, NeedSource.SURVEY),
    (YONGXING, "elderly", "高龄老人助餐送餐", 35, NeedSource.SURVEY),
    (YONGXING, "disability", "持证残疾人陪同出行", 12, NeedSource.SURVEY),
    (YONGXING_GRID_1, "repair", "老旧楼道水电线路维修", 20, NeedSource.VISIT),
    (YONGXING, "mental", "空巢老人精神陪伴", 26, NeedSource.SURVEY),
    (YONGXING, "culture", "老年书画活动场地", 30, NeedSource.SURVEY),
    (JINDING, "children", "双职工家庭寒暑假儿童托管", 160, NeedSource.SURVEY),
    (JINDING, "health", "老人家门口康养陪护", 20, NeedSource.SURVEY),
    (JINDING, "mediation", "楼上楼下噪音纠纷调解", 4, NeedSource.VISIT),
    (HONGGOU, "legal", "家门口法律咨询", 30, NeedSource.SURVEY),
    (HONGGOU, "employment", "失业人员就业帮扶", 15, NeedSource.SURVEY),
    (HONGGOU, "sanitation", "小区楼道杂物清理和环境卫生整治", 300, NeedSource.VISIT),
]

# (need title, partner name, "resource" | "project", final status)
MATCHES = [
    ("独居老人居家安全隐患排查", "“爱上门”助老服务项目", "project", "agreed"),
    ("高龄老人助餐送餐", "永兴社区积分超市", "resource", "proposed"),
    ("老旧楼道水电线路维修", WARM_HANDS, "project", "served"),
    ("持证残疾人陪同出行", "永兴社区卫生服务站", "resource", "withdrawn"),
    ("家门口法律咨询", "洪沟社区法律顾问工作室", "resource", "agreed"),
    ("空巢老人精神陪伴", "“暖心港湾”心理关爱项目", "project", "proposed"),
]

APPEAL_NEEDS = 6


def is_loaded() -> bool:
    return Project.objects.filter(name=WARM_HANDS, unit__code=YONGXING).exists()


def _near(rng, unit: Unit) -> tuple[Decimal | None, Decimal | None]:
    if unit.latitude is None or unit.longitude is None:
        return None, None
    q = Decimal("0.000001")
    return (Decimal(str(float(unit.latitude) + rng.uniform(-0.004, 0.004))).quantize(q),
            Decimal(str(float(unit.longitude) + rng.uniform(-0.004, 0.004))).quantize(q))


def _months(today: dt.date, n: int) -> dt.date:
    month = today.month - 1 + n
    return dt.date(today.year + month // 12, month % 12 + 1, 1)


def _link(ref: str, unit_code: str):
    """The organisation or points-supermarket merchant a resource stands for, if that demo built it."""
    if not ref:
        return None, None
    what, name = ref.split(":", 1)
    if what == "org":
        return Organisation.objects.filter(name=name).first(), None
    from gongzhi.supermarket.models import Merchant

    return None, Merchant.objects.filter(name=name, unit__code=unit_code).first()


def contribute(ctx) -> None:
    rng = ctx.rng("matching")
    district = ctx.user("demo-district")
    resources, projects, needs = {}, {}, {}
    for code, name, kind, offers, address, capacity, ref in RESOURCES:
        unit = ctx.unit(code)
        organisation, merchant = _link(ref, code)
        lat, lng = _near(rng, unit)
        resources[name] = services.resource_create(data=services.ResourceInput(
            unit=unit, name=name, kind=kind, offer_codes=offers, address=address, capacity=capacity,
            latitude=lat, longitude=lng, organisation=organisation, merchant=merchant), actor=district)
    for (code, name, kinds, funder, funding, budget, org, sw, status, start, end, description) in PROJECTS:
        p = services.project_create(data=services.ProjectInput(
            unit=ctx.unit(code), name=name, kind_codes=kinds, funder=funder, funding=funding, budget=Decimal(budget),
            starts_on=_months(ctx.today, start), ends_on=_months(ctx.today, end) - dt.timedelta(days=1),
            description=description, organisation=Organisation.objects.filter(name=org).first() if org else None,
            social_worker=ctx.user(sw) if sw else None), actor=district)
        if status in ("running", "finished"):
            p = services.project_status_change(project=p, action="start", actor=district)
        if status == "finished":
            p = services.project_status_change(project=p, action="finish", actor=district, note="已通过结项评估")
        projects[name] = p
    for code, kind, title, beneficiaries, source in NEEDS:
        unit = ctx.unit(code)
        lat, lng = _near(rng, unit)
        needs[title] = services.need_create(data=services.NeedInput(
            unit=unit, kind_code=kind, title=title, source=source, beneficiaries=beneficiaries, latitude=lat,
            longitude=lng, description="全景调研：入户走访和问卷梳理的诉求" if source == NeedSource.SURVEY else ""),
            actor=district)
    for title, partner, side, final in MATCHES:
        m = services.match_propose(need=needs[title], actor=district, **{side: (resources if side == "resource"
                                                                                else projects)[partner]})
        if final in ("agreed", "served"):
            m = services.match_agree(match=m, actor=district)
        if final == "served":
            services.match_serve(match=m, actor=district, note="温暖小哥已上门更换线路")
        if final == "withdrawn":
            services.match_withdraw(match=m, actor=district, note="改由“爱上门”项目志愿者陪同")
    from_appeals = _needs_from_appeals(district)
    ctx.count("资源清单", len(resources))
    ctx.count("项目清单", len(projects))
    ctx.count("需求清单", len(needs) + from_appeals)


def _needs_from_appeals(actor) -> int:
    """List a few livelihood appeals of the appeals demo as needs; nothing to do when that demo has not run."""
    from gongzhi.appeals.models import Appeal

    from . import rules

    codes = list(rules.APPEAL_CATEGORY_KIND)
    made = 0
    for appeal in Appeal.objects.select_related("unit", "category", "category__parent") \
            .filter(category__code__in=[c for c in codes if c.startswith("S")], unit__code__startswith=DISTRICT) \
            .exclude(state__in=["rejected", "merged"]).order_by("submitted_at", "pk")[:APPEAL_NEEDS]:
        services.need_from_appeal(appeal=appeal, actor=actor)
        made += 1
    return made

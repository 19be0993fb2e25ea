"""GeoReport services: every leaf of the appeals category tree is a service; its definition is the attribute table.

Rules as data: ``ATTRIBUTES`` lists the attributes every service accepts (``attribute[code]=key`` on POST) and
``STATUS`` maps each internal appeal state to GeoReport's open/closed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from gongzhi.appeals.models import AppealState, Category, Urgency

from .errors import Open311Error

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ("text/xml", "application/json")
SERVICE_TYPE = "batch"  # POST answers a token, GET tokens/{token} resolves it to the service_request_id at once

S = AppealState
# open: reported and being handled; closed: handled (resolved and after), refused, or merged into another request
STATUS: dict[str, str] = {
    S.SUBMITTED: "open", S.ACCEPTED: "open", S.DISPATCHED: "open", S.IN_PROGRESS: "open",
    S.RESOLVED: "closed", S.INFORMED: "closed", S.RATED: "closed", S.VISITED: "closed", S.CLOSED: "closed",
    S.REJECTED: "closed", S.MERGED: "closed",
}


def states_for(status: str) -> list[str]:
    return [state for state, value in STATUS.items() if value == status]


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    required: bool
    order: int
    description: object
    values: tuple[tuple[str, object], ...] = ()
    datatype_description: object = ""
    variable: bool = True


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(code="urgency", datatype="singlevaluelist", required=False, order=1,
              description=_("紧急程度（不填为一般）"), values=tuple((u.value, u.label) for u in Urgency)),
    Attribute(code="anonymous", datatype="singlevaluelist", required=False, order=2,
              description=_("是否对外匿名（诉求人信息在任何公开接口中都不显示）"),
              values=(("false", _("不匿名")), ("true", _("匿名")))),
)


def _leaves():
    return Category.objects.filter(parent__isnull=False).select_related("parent").order_by("kind", "parent__sort",
                                                                                             "sort", "code")


def _service(category: Category) -> dict:
    group = category.parent.name
    return {
        "service_code": category.code, "service_name": category.name,
        "description": str(_("%(group)s：%(name)s") % {"group": group, "name": category.name}),
        "metadata": bool(ATTRIBUTES), "type": SERVICE_TYPE,
        "keywords": ", ".join(dict.fromkeys([category.name, group, str(category.get_kind_display())])),
        "group": group,
    }


def service_list() -> list[dict]:
    return [_service(c) for c in _leaves()]


def service_category(code: str) -> Category:
    """The leaf category behind a service_code; a major class (C, E, S) is a group, not a service."""
    category = _leaves().filter(code=code).first() if code else None
    if category is None:
        raise Open311Error.SERVICE_UNKNOWN.error(detail={"service_code": code})
    return category


def service_definition(code: str) -> dict:
    category = service_category(code)
    return {
        "service_code": category.code,
        "attributes": [
            {"variable": a.variable, "code": a.code, "datatype": a.datatype, "required": a.required,
             "datatype_description": str(a.datatype_description) or None, "order": a.order,
             "description": str(a.description), "values": [{"key": k, "name": str(n)} for k, n in a.values]}
            for a in ATTRIBUTES
        ],
    }


def attributes_clean(raw: dict[str, list[str]]) -> dict[str, str]:
    """Check the submitted ``attribute[code]`` values against ``ATTRIBUTES``; unknown codes are ignored (clients
    written for other cities send their own), required ones must be present, list values must be offered keys."""
    out: dict[str, str] = {}
    for a in ATTRIBUTES:
        values = [v for v in raw.get(a.code, []) if v != ""]
        if not values:
            if a.required:
                raise Open311Error.ATTRIBUTE_INVALID.error(
                    detail={"attribute": a.code}, message=Open311Error.ATTRIBUTE_INVALID.message % {"code": a.code})
            continue
        keys = {k for k, _n in a.values}
        if (a.datatype == "singlevaluelist" and len(values) > 1) or (keys and any(v not in keys for v in values)):
            raise Open311Error.ATTRIBUTE_INVALID.error(
                detail={"attribute": a.code, "allowed": sorted(keys)},
                message=Open311Error.ATTRIBUTE_INVALID.message % {"code": a.code})
        out[a.code] = values[0]
    return out

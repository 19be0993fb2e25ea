"""The points API: thin endpoints over ``points.selectors`` / ``points.services`` (R-J1–R-J4)."""

from __future__ import annotations

from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.core.pagination import paginate
from gongzhi.ops.dbrouter import reading_from_replica
from gongzhi.org import selectors as org_selectors

from . import permissions as perms
from . import presenters, selectors, services
from .errors import PointsError
from .models import RuleItem
from .schemas import (
    AccountPage,
    AwardIn,
    BoardOut,
    DecisionIn,
    DeductionOut,
    DeductionPage,
    MyDeductionOut,
    MyPointsOut,
    NoteIn,
    ReasonIn,
    RuleSetIn,
    RuleSetOut,
    TransactionOut,
    TransactionPage,
)

router = Router(tags=["points"])


class PageFilter(Schema):
    page: int = 1
    page_size: int = 50


class AccountFilter(PageFilter):
    kind: str | None = None
    q: str = ""


class DeductionFilter(PageFilter):
    status: str | None = None


def _page(page, items) -> dict:
    return {"items": items, "count": page.count, "page": page.page, "pages": page.pages}


def _ruleset_out(r) -> dict:
    return {"id": r.pk, "unit_id": r.unit_id, "unit_name": r.unit.name, "version": r.version, "title": r.title,
            "decision": r.decision, "adopted_on": r.adopted_on, "effective_from": r.effective_from,
            "expiry": r.expiry, "items": [
                {"id": i.pk, "code": i.code, "name": i.name, "kind": i.kind, "trigger": i.trigger, "points": i.points,
                 "category_id": i.category_id, "cap_per_day": i.cap_per_day, "cap_per_month": i.cap_per_month}
                for i in r.items.all()]}


def _rule_item(pk: int | None) -> RuleItem | None:
    if pk is None:
        return None
    item = RuleItem.objects.select_related("ruleset__unit").filter(pk=pk).first()
    if item is None:
        raise PointsError.RULE_ITEM_INVALID.error()
    return item


# --- the public board (no login) ---------------------------------------------------------------------------


@router.get("/points/board/{unit_code}/{month}", response=BoardOut, auth=None,
            summary="积分公示：某社区/村某月的积分（姓名脱敏）、加扣分事项和积分榜")
@reading_from_replica()
def board(request, unit_code: str, month: str):
    return presenters.board_out(selectors.board(unit_code=unit_code, month=month))


# --- the resident's own points ------------------------------------------------------------------------------


@router.get("/me/points", response=MyPointsOut, summary="我的积分余额")
def my_points(request):
    return presenters.my_points(selectors.own_person(request.auth))


@router.get("/me/points/transactions", response=TransactionPage, summary="我的积分明细（事由、积分事项、规则版本）")
def my_transactions(request, f: Query[PageFilter]):
    person = selectors.own_person(request.auth)
    page = paginate(selectors.own_postings(person), page=f.page, page_size=f.page_size)
    return _page(page, [presenters.posting_item(p) for p in page.items])


@router.get("/me/points/deductions", response=list[MyDeductionOut], summary="我的扣分记录")
def my_deductions(request):
    person = selectors.own_person(request.auth)
    return [presenters.my_deduction_item(d) for d in selectors.own_deductions(person)[:200]]


@router.post("/me/points/deductions/{int:deduction_id}/appeal", response=MyDeductionOut, summary="对本人的扣分提出申诉")
def my_deduction_appeal(request, deduction_id: int, payload: ReasonIn):
    deduction = selectors.own_deduction(selectors.own_person(request.auth), deduction_id)
    deduction = services.deduction_appeal(deduction=deduction, actor=request.auth, reason=payload.reason)
    return presenters.my_deduction_item(deduction)


# --- workers -----------------------------------------------------------------------------------------------


@router.get("/points/accounts", response=AccountPage, summary="辖区积分账户")
def account_list(request, f: Query[AccountFilter]):
    page = paginate(selectors.account_list(actor=request.auth, kind=f.kind, q=f.q), page=f.page,
                    page_size=f.page_size)
    return _page(page, [presenters.account_item(a) for a in page.items])


@router.get("/points/rulesets", response=list[RuleSetOut], summary="积分规则版本（含决议）")
def ruleset_list(request):
    return [_ruleset_out(r) for r in selectors.ruleset_list(actor=request.auth)[:200]]


@router.post("/points/rulesets", response={201: RuleSetOut}, summary="登记经会议通过的新版积分规则")
def ruleset_adopt(request, payload: RuleSetIn):
    unit = org_selectors.unit_get(actor=request.auth, pk=payload.unit_id)
    ruleset = services.ruleset_adopt(
        unit=unit, title=payload.title, decision=payload.decision, adopted_on=payload.adopted_on,
        effective_from=payload.effective_from, expiry=payload.expiry, actor=request.auth,
        items=[services.RuleItemInput(**i.dict()) for i in payload.items])
    return Status(201, _ruleset_out(ruleset))


@router.post("/points/awards", response={201: TransactionOut}, summary="奖励积分（村规民约事项或人工奖励，须填写事由）")
def award_create(request, payload: AwardIn):
    person = selectors.person_for_points(actor=request.auth, pk=payload.person_id, perm=perms.AWARD)
    tx = services.award_grant(person=person, reason=payload.reason, actor=request.auth,
                              idempotency_key=payload.idempotency_key, rule_item=_rule_item(payload.rule_item_id),
                              points=payload.points, evidence=payload.evidence)
    return Status(201, presenters.transaction_item(tx, tx.postings.get(account__person=person).amount))


@router.post("/points/deductions", response={201: DeductionOut}, summary="登记村规民约扣分（待另一人审核）")
def deduction_create(request, person_id: Form[int], reason: Form[str], rule_item_id: Form[int | None] = None,
                     points: Form[int | None] = None, photo: File[UploadedFile] = None):
    person = selectors.person_for_points(actor=request.auth, pk=person_id, perm=perms.ENTER_DEDUCTION)
    deduction = services.deduction_enter(person=person, reason=reason, actor=request.auth,
                                         rule_item=_rule_item(rule_item_id), points=points, photo=photo)
    return Status(201, presenters.deduction_item(deduction))


@router.get("/points/deductions", response=DeductionPage, summary="扣分记录（审核队列、申诉队列）")
def deduction_list(request, f: Query[DeductionFilter]):
    page = paginate(selectors.deduction_list(actor=request.auth, status=f.status), page=f.page,
                    page_size=f.page_size)
    return _page(page, [presenters.deduction_item(d) for d in page.items])


@router.post("/points/deductions/{int:deduction_id}/approve", response=DeductionOut,
             summary="审核通过扣分（不得审核本人登记的）")
def deduction_approve(request, deduction_id: int, payload: NoteIn):
    deduction = selectors.deduction_get(actor=request.auth, pk=deduction_id, perm=perms.APPROVE_DEDUCTION)
    return presenters.deduction_item(services.deduction_approve(deduction=deduction, actor=request.auth,
                                                                note=payload.note))


@router.post("/points/deductions/{int:deduction_id}/reject", response=DeductionOut, summary="审核不通过扣分")
def deduction_reject(request, deduction_id: int, payload: NoteIn):
    deduction = selectors.deduction_get(actor=request.auth, pk=deduction_id, perm=perms.APPROVE_DEDUCTION)
    return presenters.deduction_item(services.deduction_reject(deduction=deduction, actor=request.auth,
                                                               note=payload.note))


@router.post("/points/deductions/{int:deduction_id}/appeal-decision", response=DeductionOut,
             summary="复核申诉：成立则冲正扣分")
def deduction_decide_appeal(request, deduction_id: int, payload: DecisionIn):
    deduction = selectors.deduction_get(actor=request.auth, pk=deduction_id, perm=perms.APPROVE_DEDUCTION)
    return presenters.deduction_item(services.deduction_decide_appeal(
        deduction=deduction, actor=request.auth, upheld=payload.upheld, note=payload.note))


@router.post("/points/transactions/{int:transaction_id}/reversal", response={201: TransactionOut},
             summary="冲正一笔错误交易（新交易，原交易不变）")
def transaction_reverse(request, transaction_id: int, payload: ReasonIn):
    original = selectors.transaction_get(actor=request.auth, pk=transaction_id, perm=perms.REVERSE)
    tx = services.transaction_reverse_by(original=original, reason=payload.reason, actor=request.auth,
                                         idempotency_key=f"reverse:{original.pk}")
    return Status(201, presenters.transaction_item(tx))


"""Points supermarket API: shops, goods, the member token, counter redemptions, orders, receipts, settlement.

Thin: parse, authorise through ``supermarket.selectors``, call one service, present.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status

from gongzhi.accounts.models import User
from gongzhi.core import clock
from gongzhi.core.errors import CommonError
from gongzhi.core.pagination import paginate
from gongzhi.org import selectors as org_selectors
from gongzhi.people.selectors import own_person
from gongzhi.privacy.masking import mask_name

from . import presenters, selectors, services
from .errors import SupermarketError
from .exporting import settlement_xlsx
from .models import RedemptionStatus
from .schemas import (
    CancelIn,
    CounterRedeemIn,
    ItemCreateIn,
    ItemIn,
    ItemOut,
    MemberLookupIn,
    MemberOut,
    MemberTokenOut,
    MerchantIn,
    MerchantOut,
    MerchantUpdateIn,
    OrderIn,
    RedemptionOut,
    SettlementOut,
    StaffIn,
    StockIn,
)

router = Router(tags=["supermarket"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# the 200 is a file, not JSON: declared so the document (and clients generated from it) say so
XLSX_DOC = {"responses": {200: {"description": "xlsx", "content": {XLSX: {"schema": {"type": "string",
                                                                                     "format": "binary"}}}}}}


class RedemptionPage(Schema):
    items: list[RedemptionOut]
    count: int
    page: int
    page_size: int
    pages: int


class RedemptionFilter(Schema):
    merchant_id: int | None = None
    status: str | None = None
    mine: bool = False
    page: int = 1
    page_size: int = 50


class PeriodQuery(Schema):
    start: dt.date | None = None
    end: dt.date | None = None
    merchant_id: int | None = None


def _own_person(actor):
    person = own_person(actor)
    if person is None:
        raise SupermarketError.NO_PERSON.error()
    return person


@router.get("/supermarket/merchants", response=list[MerchantOut], summary="可见的积分商户（居民：本街道的商户）")
def merchant_list(request, active: bool | None = None):
    return [presenters.merchant_out(m, request.auth) for m in selectors.merchant_list(actor=request.auth,
                                                                                   active=active)]


@router.post("/supermarket/merchants", response={201: MerchantOut}, summary="登记积分商户（同时开设商户积分账户）")
def merchant_create(request, payload: MerchantIn):
    unit = org_selectors.unit_get(actor=request.auth, pk=payload.unit_id)
    m = services.merchant_create(unit=unit, name=payload.name, kind=payload.kind, address=payload.address,
                                 fen_per_point=payload.fen_per_point, actor=request.auth)
    return Status(201, presenters.merchant_out(selectors.merchant_get(actor=request.auth, pk=m.pk), request.auth))


@router.get("/supermarket/merchants/{int:merchant_id}", response=MerchantOut, summary="商户详情")
def merchant_detail(request, merchant_id: int):
    return presenters.merchant_out(selectors.merchant_get(actor=request.auth, pk=merchant_id), request.auth)


@router.put("/supermarket/merchants/{int:merchant_id}", response=MerchantOut,
            summary="修改商户（名称、地址、结算标准；active=false 停业）")
def merchant_update(request, merchant_id: int, payload: MerchantUpdateIn):
    merchant = selectors.merchant_for_manage(actor=request.auth, pk=merchant_id)
    services.merchant_update(merchant=merchant, name=payload.name, address=payload.address,
                             fen_per_point=payload.fen_per_point, active=payload.active, actor=request.auth)
    return presenters.merchant_out(selectors.merchant_get(actor=request.auth, pk=merchant_id), request.auth)


@router.post("/supermarket/merchants/{int:merchant_id}/staff", response={201: MerchantOut},
             summary="添加店员（须在商户所在单元持有商户角色）")
def merchant_staff_add(request, merchant_id: int, payload: StaffIn):
    merchant = selectors.merchant_for_manage(actor=request.auth, pk=merchant_id)
    user = User.objects.filter(pk=payload.user_id, is_active=True).first()
    if user is None:
        raise SupermarketError.STAFF_NOT_MERCHANT.error(detail={"field": "user_id"})
    services.merchant_staff_add(merchant=merchant, user=user, actor=request.auth)
    return Status(201, presenters.merchant_out(selectors.merchant_get(actor=request.auth, pk=merchant_id),
                                               request.auth))


@router.get("/supermarket/merchants/{int:merchant_id}/items", response=list[ItemOut], summary="商户的兑换商品")
def item_list(request, merchant_id: int, active: bool | None = None):
    merchant = selectors.merchant_get(actor=request.auth, pk=merchant_id)
    return [presenters.item_out(i) for i in selectors.item_list(actor=request.auth, merchant=merchant,
                                                                active=active)]


@router.post("/supermarket/merchants/{int:merchant_id}/items", response={201: ItemOut}, summary="上架兑换商品")
def item_create(request, merchant_id: int, payload: ItemCreateIn):
    merchant = selectors.merchant_for_manage(actor=request.auth, pk=merchant_id)
    item = services.item_create(merchant=merchant, data=services.ItemInput(
        name=payload.name, points_price=payload.points_price, description=payload.description,
        active=payload.active), stock=payload.stock, actor=request.auth)
    return Status(201, presenters.item_out(item))


@router.get("/supermarket/items/{int:item_id}", response=ItemOut, summary="商品详情")
def item_detail(request, item_id: int):
    return presenters.item_out(selectors.item_get(actor=request.auth, pk=item_id))


@router.put("/supermarket/items/{int:item_id}", response=ItemOut, summary="修改商品（active=false 下架）")
def item_update(request, item_id: int, payload: ItemIn):
    item = selectors.item_for_manage(actor=request.auth, pk=item_id)
    item = services.item_update(item=item, data=services.ItemInput(
        name=payload.name, points_price=payload.points_price, description=payload.description,
        active=payload.active), actor=request.auth)
    return presenters.item_out(selectors.item_get(actor=request.auth, pk=item.pk))


@router.post("/supermarket/items/{int:item_id}/stock", response={201: ItemOut}, summary="补货或盘点调整库存")
def item_stock(request, item_id: int, payload: StockIn):
    item = selectors.item_for_manage(actor=request.auth, pk=item_id)
    item = services.item_stock_change(item=item, change=payload.change, reason=payload.reason, note=payload.note,
                                      actor=request.auth)
    return Status(201, presenters.item_out(selectors.item_get(actor=request.auth, pk=item.pk)))


@router.get("/supermarket/member-token", response=MemberTokenOut, summary="本人的会员码（约2分钟有效）")
def member_token(request):
    person = _own_person(request.auth)
    return {"token": services.member_token_create(person=person), "expires_in": services.MEMBER_TOKEN_SECONDS,
            "person_name": mask_name(person.name), "balance": selectors.balance_of(person)}


@router.post("/supermarket/member-lookup", response=MemberOut, summary="柜台：扫会员码查看脱敏姓名与积分余额")
def member_lookup(request, payload: MemberLookupIn):
    _require_counter(request.auth)
    person = services.member_token_read(payload.member_token)
    return {"name": mask_name(person.name), "balance": selectors.balance_of(person)}


def _require_counter(actor):
    if not selectors.staff_merchants(actor).exists():
        raise CommonError.FORBIDDEN.error(detail={"permission": "supermarket.redeem"})


@router.post("/supermarket/redemptions", response={201: RedemptionOut}, summary="柜台扫码兑换（请求体含会员码）")
def redemption_create(request, payload: CounterRedeemIn):
    merchant = selectors.merchant_for_counter(actor=request.auth, pk=payload.merchant_id)
    person = services.member_token_read(payload.member_token)
    item = selectors.counter_item(merchant=merchant, pk=payload.item_id)
    if item is None:
        raise SupermarketError.ITEM_NOT_AT_MERCHANT.error(detail={"field": "item_id"})
    r = services.redemption_create(merchant=merchant, person=person, item=item, quantity=payload.quantity,
                                   channel=services.Channel.COUNTER, actor=request.auth,
                                   idempotency_key=payload.idempotency_key)
    return Status(201, presenters.redemption_out(r))  # the actor serves the shop: the receipt is theirs to see


@router.get("/supermarket/redemptions", response=RedemptionPage,
            summary="兑换记录（店员：本店；管理人员：辖区；居民：本人，mine=true 仅本人）")
def redemption_list(request, filters: Query[RedemptionFilter]):
    if filters.status and filters.status not in RedemptionStatus.values:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["query", "status"], "msg": "unknown status"}])
    merchant = selectors.merchant_get(actor=request.auth, pk=filters.merchant_id) if filters.merchant_id else None
    qs = selectors.redemption_list(actor=request.auth, merchant=merchant, status=filters.status, mine=filters.mine)
    page = paginate(qs, page=filters.page, page_size=filters.page_size)
    return {"items": [presenters.redemption_out(r) for r in page.items], "count": page.count, "page": page.page,
            "page_size": page.page_size, "pages": page.pages}


@router.get("/supermarket/redemptions/{int:redemption_id}", response=RedemptionOut, summary="兑换小票")
def redemption_detail(request, redemption_id: int):
    return presenters.redemption_out(selectors.redemption_get(actor=request.auth, pk=redemption_id))


@router.post("/supermarket/orders", response={201: RedemptionOut}, summary="居民线上下单（积分与库存即时扣减，到店取货）")
def order_create(request, payload: OrderIn):
    person = _own_person(request.auth)
    item = selectors.item_get(actor=request.auth, pk=payload.item_id)
    if not selectors.catalogue_has(actor=request.auth, merchant=item.merchant):
        raise CommonError.NOT_FOUND.error()
    r = services.redemption_create(merchant=item.merchant, person=person, item=item, quantity=payload.quantity,
                                   channel=services.Channel.ORDER, actor=request.auth,
                                   idempotency_key=payload.idempotency_key)
    return Status(201, presenters.redemption_out(r))  # the resident's own order


@router.post("/supermarket/redemptions/{int:redemption_id}/pickup", response=RedemptionOut, summary="核销订单（已取货）")
def redemption_pickup(request, redemption_id: int):
    r = selectors.redemption_for_counter(actor=request.auth, pk=redemption_id)
    services.redemption_pickup(redemption=r, actor=request.auth)
    return presenters.redemption_out(selectors.redemption_get(actor=request.auth, pk=redemption_id))


@router.post("/supermarket/redemptions/{int:redemption_id}/cancel", response=RedemptionOut,
             summary="取消待取货订单（居民本人或商户；积分冲正、库存退回）")
def redemption_cancel(request, redemption_id: int, payload: CancelIn):
    r = selectors.redemption_for_cancel(actor=request.auth, pk=redemption_id)
    services.redemption_cancel(redemption=r, actor=request.auth, reason=payload.reason)
    return presenters.redemption_out(selectors.redemption_get(actor=request.auth, pk=redemption_id))


def _period(q: PeriodQuery) -> tuple[dt.date, dt.date]:
    today = clock.today()
    start = q.start or today.replace(day=1)
    end = q.end or today
    return start, end


def _settlement(request, q: PeriodQuery):
    start, end = _period(q)
    merchant = selectors.merchant_get(actor=request.auth, pk=q.merchant_id) if q.merchant_id else None
    return selectors.settlement(actor=request.auth, start=start, end=end, merchant=merchant)


@router.get("/supermarket/settlement", response=SettlementOut,
            summary="商户结算（期间内已兑换积分 × 每积分结算金额；默认本月）")
def settlement(request, q: Query[PeriodQuery]):
    return presenters.settlement_out(_settlement(request, q))


@router.get("/supermarket/settlement.xlsx", summary="商户结算导出 xlsx（含小票清单）",
            openapi_extra=XLSX_DOC)
def settlement_export(request, q: Query[PeriodQuery]):
    body, name = settlement_xlsx(_settlement(request, q))
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response

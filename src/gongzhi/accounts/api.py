from __future__ import annotations

from ninja import Router, Status

from gongzhi.org import selectors as org_selectors

from . import selectors, services
from .schemas import MeOut, RoleGrantIn, RoleOut, TokenCreatedOut, TokenCreateIn, TokenOut

router = Router(tags=["accounts"])


def role_out(ra) -> dict:
    return {"id": ra.pk, "role": ra.role, "role_name": str(ra.get_role_display()), "unit_id": ra.unit_id,
            "unit_code": ra.unit.code, "unit_name": ra.unit.name}


@router.get("/me", response=MeOut, summary="当前用户、角色及其单元")
def me(request):
    user = request.auth
    person = getattr(user, "person", None) if hasattr(user, "person") else None
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.display_name or user.username,
        "person_id": person.pk if person else None,
        "roles": [role_out(ra) for ra in selectors.my_roles(user)],
        "permissions": selectors.my_permissions(user),
    }


@router.get("/me/tokens", response=list[TokenOut], summary="我的 API 令牌")
def token_list(request):
    return list(selectors.token_list(actor=request.auth))


@router.post("/me/tokens", response={201: TokenCreatedOut}, summary="新建 API 令牌（密钥只显示一次）")
def token_create(request, payload: TokenCreateIn):
    token, key = services.token_create(user=request.auth, name=payload.name[:60])
    return Status(201, {**TokenOut.model_validate(token).model_dump(), "key": key})


@router.delete("/me/tokens/{int:token_id}", response=TokenOut, summary="撤销 API 令牌")
def token_revoke(request, token_id: int):
    token = selectors.token_get(actor=request.auth, pk=token_id)
    return services.token_revoke(token=token, actor=request.auth)


@router.get("/roles", response=list[RoleOut], summary="本辖区的角色授权")
def role_list(request):
    return [role_out(ra) for ra in selectors.role_assignment_list(actor=request.auth)[:1000]]


@router.post("/roles", response={201: RoleOut}, summary="授予角色（仅限本辖区）")
def role_grant(request, payload: RoleGrantIn):
    from gongzhi.core.errors import CommonError

    from .roles import Role

    if payload.role not in Role.values:
        raise CommonError.VALIDATION.error(detail=[{"loc": ["role"], "msg": "unknown role"}])
    unit = org_selectors.unit_get(actor=request.auth, pk=payload.unit_id)
    user = selectors.user_get_for_grant(actor=request.auth, pk=payload.user_id)
    ra = services.role_grant(user=user, role=payload.role, unit=unit, actor=request.auth)
    return Status(201, role_out(ra))


@router.delete("/roles/{int:assignment_id}", response=RoleOut, summary="撤销角色")
def role_revoke(request, assignment_id: int):
    ra = selectors.role_assignment_get(actor=request.auth, pk=assignment_id)
    return role_out(services.role_revoke(assignment=ra, actor=request.auth))

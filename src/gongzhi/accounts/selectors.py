from __future__ import annotations

from django.db.models import QuerySet

from gongzhi.core.errors import CommonError

from . import scoping
from .models import ApiToken, RoleAssignment, User
from .permissions import MANAGE_ROLES, VIEW_USERS, permissions_of_role


def my_roles(actor) -> QuerySet:
    return RoleAssignment.objects.filter(user=actor, revoked_at__isnull=True).select_related("unit").order_by("unit__path")


def my_permissions(actor) -> list[str]:
    return sorted({p for role, _ in scoping.roles_of(actor) for p in permissions_of_role(role)})


def token_list(*, actor) -> QuerySet:
    return ApiToken.objects.filter(user=actor).order_by("-created_at")


def token_get(*, actor, pk: int) -> ApiToken:
    token = ApiToken.objects.filter(user=actor, pk=pk).first()
    if token is None:
        raise CommonError.NOT_FOUND.error()
    return token


def role_assignment_list(*, actor) -> QuerySet:
    scoping.require(actor, VIEW_USERS)
    return scoping.scope(
        RoleAssignment.objects.filter(revoked_at__isnull=True).select_related("user", "unit"), actor, VIEW_USERS,
        "unit__path",
    ).order_by("unit__path", "role")


def role_assignment_get(*, actor, pk: int) -> RoleAssignment:
    return scoping.get_scoped(RoleAssignment.objects.select_related("user", "unit"), actor, MANAGE_ROLES, "unit__path",
                              pk=pk)


def user_get_for_grant(*, actor, pk: int) -> User:
    scoping.require(actor, MANAGE_ROLES)
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise CommonError.NOT_FOUND.error()
    return user

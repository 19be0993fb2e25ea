"""Writes for accounts: users, role grants and revocations, API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import transaction

from gongzhi.core import clock, hotreads
from gongzhi.org.models import Unit

from . import scoping
from .errors import AccountsError
from .models import ApiToken, RoleAssignment, User
from .permissions import MANAGE_ROLES


def _token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def user_create(*, username: str, password: str | None, display_name: str = "", phone: str | None = None) -> User:
    """Create a login; password None leaves it unusable (set later)."""
    if User.objects.filter(username=username).exists():
        raise AccountsError.USERNAME_TAKEN.error(detail={"username": username})
    if phone and User.objects.filter(phone=phone).exists():
        raise AccountsError.PHONE_TAKEN.error()
    user = User(username=username, display_name=display_name, phone=phone or None)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def role_grant(*, user: User, role: str, unit: Unit, actor: User | None) -> RoleAssignment:
    """Grant ``role`` at ``unit``; the actor (None for system set-up) must manage roles on that unit."""
    if actor is not None:
        scoping.require(actor, MANAGE_ROLES, unit)
    if RoleAssignment.objects.filter(user=user, role=role, unit=unit, revoked_at__isnull=True).exists():
        raise AccountsError.ROLE_EXISTS.error()
    ra = RoleAssignment.objects.create(user=user, role=role, unit=unit, granted_by=actor)
    scoping.forget(user)
    return ra


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor: User) -> RoleAssignment:
    scoping.require(actor, MANAGE_ROLES, assignment.unit)
    locked = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.revoked_at is not None:
        raise AccountsError.ROLE_NOT_ACTIVE.error()
    locked.revoked_at = clock.now()
    locked.revoked_by = actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    scoping.forget(locked.user)
    return locked


def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create an API token and return it with its key; the key is never stored or shown again."""
    key = settings.API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_digest=_token_digest(key))
    return token, key


def token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    if token.user_id != actor.pk and not actor.is_superuser:
        raise AccountsError.TOKEN_NOT_FOUND.error()
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(key: str) -> User | None:
    """The active user owning an unrevoked token with this key, or None."""
    if not key or not key.startswith(settings.API_TOKEN_PREFIX):
        return None
    token = _ACTIVE_TOKEN.first([_token_digest(key), True])
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        hotreads.update_by_pk(token, last_used_at=now)
    return token.user


# every API request reads it: hand-written SQL (core.hotreads), the same instances as
# ApiToken.objects.select_related("user").filter(key_digest=…, revoked_at__isnull=True, user__is_active=True)
_ACTIVE_TOKEN = hotreads.HotRead(ApiToken, related=("user",),
                                 where="t.key_digest = %s AND t.revoked_at IS NULL AND t_user.is_active = %s")

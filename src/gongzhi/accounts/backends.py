"""Login by username or by mobile phone number (typed with or without +86, spaces, hyphens), Argon2 hashes."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def login_candidates(raw: str) -> tuple[str, str | None]:
    """The typed login as a username, and as a normalised mobile number if it looks like one."""
    login = (raw or "").strip()
    digits = re.sub(r"[\s\-]", "", login)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    return login, (digits if _PHONE_RE.match(digits) else None)


def user_for_login(raw: str):
    """The account a typed login names (username first, then phone), or None."""
    login, phone = login_candidates(raw)
    if not login:
        return None
    User = get_user_model()
    q = Q(username=login)
    if phone:
        q |= Q(phone=phone)
    users = list(User.objects.filter(q).order_by("pk")[:2])
    by_name = [u for u in users if u.username == login]
    return (by_name or users or [None])[0]


class PhoneOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = user_for_login(username)
        if user is None:
            get_user_model()().set_password(password)  # equalise timing with a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

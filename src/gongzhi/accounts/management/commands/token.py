"""``gongzhi token USERNAME``: print a new API bearer token for a user, or revoke one with ``--revoke PREFIX``.

The key is printed once on stdout (nothing else there, so scripts can capture it) and never stored: only its digest
is kept (see :func:`gongzhi.accounts.services.token_create`).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.accounts.models import ApiToken, User
from gongzhi.accounts.services import token_create, token_revoke


class Command(BaseCommand):
    help = _("为用户生成 API 令牌（密钥只显示一次），或用 --revoke 撤销令牌")

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("用户名"))
        parser.add_argument("--name", default="cli", help=_("令牌名称，便于日后识别"))
        parser.add_argument("--revoke", metavar="PREFIX", help=_("撤销以此前缀开头的令牌（前缀见 /api/v1/me/tokens）"))

    def handle(self, *args, username: str, name: str, revoke: str | None, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("用户 %(username)s 不存在或已停用") % {"username": username})
        if revoke is not None:
            self._revoke(user, revoke.strip())
            return
        token, key = token_create(user=user, name=name[:60])
        self.stdout.write(key)
        self.stderr.write(_("已为 %(username)s 生成令牌 %(prefix)s…，请妥善保存，密钥不会再次显示。")
                          % {"username": username, "prefix": token.prefix})

    def _revoke(self, user: User, prefix: str) -> None:
        if not prefix:
            raise CommandError(_("请给出要撤销的令牌前缀"))
        # The stored prefix is the key's first characters, so a prefix or the whole key both find the token.
        matches = [t for t in ApiToken.objects.filter(user=user, revoked_at__isnull=True)
                   if t.prefix.startswith(prefix) or prefix.startswith(t.prefix)]
        if not matches:
            raise CommandError(_("没有以 %(prefix)s 开头的有效令牌") % {"prefix": prefix})
        if len(matches) > 1:
            raise CommandError(_("前缀 %(prefix)s 对应多个令牌，请给出更长的前缀") % {"prefix": prefix})
        token = token_revoke(token=matches[0], actor=user)
        self.stdout.write(_("已撤销令牌 %(prefix)s…") % {"prefix": token.prefix})

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class AccountsError(ErrorCode):
    USERNAME_TAKEN = ("accounts.username_taken", _("用户名已被使用"), 409)
    PHONE_TAKEN = ("accounts.phone_taken", _("手机号已被其他账号使用"), 409)
    ROLE_EXISTS = ("accounts.role_exists", _("该用户在此单元已有此角色"), 409)
    ROLE_NOT_ACTIVE = ("accounts.role_not_active", _("该角色授权不存在或已撤销"), 409)
    TOKEN_NOT_FOUND = ("accounts.token_not_found", _("令牌不存在或已撤销"), 404)
    BAD_CREDENTIALS = ("accounts.bad_credentials", _("用户名或密码错误"), 401)

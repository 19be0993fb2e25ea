"""Domain errors with stable machine-readable codes; the API and pages map them to a 4xx with a Chinese message.

Each app declares its codes in ``<app>/errors.py`` as an :class:`ErrorCode` enum::

    class PeopleError(ErrorCode):
        ID_NUMBER_INVALID = ("people.id_number_invalid", _("身份证号码无效"), 400)

and services ``raise PeopleError.ID_NUMBER_INVALID.error(detail=...)``.
"""

from __future__ import annotations

import enum
from typing import Any

from django.utils.translation import gettext_lazy as _


class ErrorCode(enum.Enum):
    def __init__(self, code: str, message: Any, status: int = 400):
        self.code = code
        self.message = message
        self.status = status

    def error(self, detail: Any = None, message: Any = None) -> DomainError:
        return DomainError(self, detail=detail, message=message)


class CommonError(ErrorCode):
    NOT_FOUND = ("not_found", _("记录不存在或无权查看"), 404)
    FORBIDDEN = ("forbidden", _("没有执行此操作的权限"), 403)
    UNAUTHENTICATED = ("unauthenticated", _("请先登录"), 401)
    VALIDATION = ("validation_error", _("输入数据有误，请检查后重试"), 422)
    BAD_REQUEST = ("bad_request", _("请求无效"), 400)
    CONFLICT = ("conflict", _("当前状态不允许此操作"), 409)
    DUPLICATE = ("duplicate", _("该记录已存在（可能刚被他人同时提交），请刷新后重试"), 409)
    THROTTLED = ("throttled", _("登录失败次数过多，请稍后再试"), 429)
    TOO_LARGE = ("too_large", _("上传文件过大"), 413)
    UNAVAILABLE = ("service_unavailable", _("数据库暂时不可用，请稍后重试"), 503)


class DomainError(Exception):
    """A refusal the user can act on. Carries a code, a translated message and optional structured detail."""

    def __init__(self, error: ErrorCode, *, detail: Any = None, message: Any = None):
        self.error = error
        self.code = error.code
        self.status = error.status
        self.message = message if message is not None else error.message
        self.detail = detail
        super().__init__(f"{self.code}: {self.message}")

    def as_dict(self) -> dict:
        return {"code": self.code, "message": str(self.message), "detail": self.detail}


def not_found() -> DomainError:
    return CommonError.NOT_FOUND.error()


def forbidden(detail: Any = None) -> DomainError:
    return CommonError.FORBIDDEN.error(detail=detail)

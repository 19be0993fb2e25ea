"""The JSON API at /api/v1/: one NinjaAPI, one router per app, one error shape.

Errors are ``{"code": <machine code>, "message": <Chinese message>, "detail": ...}`` with the right 4xx.
"""

from __future__ import annotations

import re

import ninja.openapi.schema
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.schema import NinjaGenerateJsonSchema
from pydantic.json_schema import DefsRef

from gongzhi.accounts.api import router as accounts_router
from gongzhi.accounts.auth import api_auth
from gongzhi.activities.api import router as activities_router
from gongzhi.appeals.api import router as appeals_router
from gongzhi.core.errors import CommonError, DomainError
from gongzhi.dispatch.api import router as dispatch_router
from gongzhi.hours.api import router as hours_router
from gongzhi.matching.api import router as matching_router
from gongzhi.notifications.api import router as notifications_router
from gongzhi.org.api import router as org_router
from gongzhi.people.api import router as people_router
from gongzhi.people.transfer_api import router as transfer_router
from gongzhi.points.api import router as points_router
from gongzhi.privacy.api import router as privacy_router
from gongzhi.recognition.api import router as recognition_router
from gongzhi.reports.api import router as reports_router
from gongzhi.supermarket.api import router as supermarket_router
from gongzhi.training.api import router as training_router
from gongzhi.web.middleware import render_unavailable

# Longer than any text field the platform keeps (descriptions stop at 4,000–5,000 characters): refused before an
# endpoint runs, so a field a schema forgot to bound cannot store megabytes.
MAX_TEXT = 8000


def _refuse_bad_text(value, path: str = "") -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise CommonError.BAD_REQUEST.error(message=_("输入包含无效的控制字符"))
        if len(value) > MAX_TEXT:
            raise CommonError.BAD_REQUEST.error(
                message=_("输入的文字过长（最多%(limit)s个字符）") % {"limit": MAX_TEXT},
                detail={"field": path, "max_length": MAX_TEXT})
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_bad_text(key, path)
            _refuse_bad_text(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _refuse_bad_text(item, f"{path}[{n}]")


class InputParser(Parser):
    """JSON bodies and query strings, refusing NUL characters (PostgreSQL text cannot hold them: 400, not a 500) and
    text beyond MAX_TEXT characters."""

    def parse_body(self, request):
        data = super().parse_body(request)
        _refuse_bad_text(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        _refuse_bad_text(result)
        return result


ERROR_SCHEMA = {
    "title": "ErrorOut", "type": "object", "required": ["code", "message", "detail"],
    "properties": {"code": {"type": "string", "description": "机器可读的错误码，如 not_found、people.id_number_invalid"},
                   "message": {"type": "string", "description": "中文提示"},
                   "detail": {"description": "结构化细节（可为 null）"}},
}
ERROR_RESPONSES = {400: "请求无效", 401: "未认证", 403: "无权限", 404: "记录不存在或无权查看", 409: "状态冲突或重复提交",
                   413: "请求体过大", 422: "输入校验失败", 503: "数据库暂时不可用（可用同一幂等键重试）"}


_APP_MODEL = re.compile(r"^gongzhi\.(\w+)\.[\w.]*?\.?(\w+):\d+$")


class AppQualifiedNames(NinjaGenerateJsonSchema):
    """Component names carry the app (``people.ReasonIn``, ``hours.TokenOut``): ninja builds each operation's models
    separately and merges their definitions by bare class name, so two apps' ``TokenOut`` overwrote each other and
    the document described one endpoint with the other's fields."""

    def get_defs_ref(self, core_mode_ref):
        defs_ref = super().get_defs_ref(core_mode_ref)
        if match := _APP_MODEL.match(core_mode_ref[0]):
            qualified = f"{match.group(1)}.{match.group(2)}"
            self._prioritized_defsref_choices[defs_ref][0:2] = [DefsRef(qualified), DefsRef(f"{qualified}-{core_mode_ref[1].title()}")]
        return defs_ref


ninja.openapi.schema.NinjaGenerateJsonSchema = AppQualifiedNames  # ninja offers no setting for its generator


class GongzhiAPI(NinjaAPI):
    """Every operation also declares the refusals the shared handlers below can answer, in the one error shape:
    400/403/404/409/422/503 everywhere, 401 where a login is needed, 413 where there is a body. Declared once here, not
    on each of 200 endpoints."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"].setdefault("schemas", {})["ErrorOut"] = ERROR_SCHEMA
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, description in ERROR_RESPONSES.items():
                    if (status == 401 and not operation.get("security")) or \
                            (status == 413 and "requestBody" not in operation):
                        continue
                    operation["responses"].setdefault(status, {"description": description, "content": ref})
        return schema


api = GongzhiAPI(
    title="共治 gongzhi API",
    version="1",
    description="基层共治与志愿服务平台接口。认证：会话 Cookie（含 CSRF）或 `Authorization: Bearer <token>`。",
    auth=api_auth,
    urls_namespace="api",
    parser=InputParser(),
)


def _error(request, err: DomainError):
    return api.create_response(request, err.as_dict(), status=err.status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return _error(request, exc)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    detail = [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return _error(request, CommonError.VALIDATION.error(detail=detail))


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, CommonError.UNAUTHENTICATED.error())


@api.exception_handler(Http404)
def on_404(request, exc):
    return _error(request, CommonError.NOT_FOUND.error())


@api.exception_handler(DataError)
def on_data_error(request, exc):
    # Input the database cannot hold (a NUL character in PostgreSQL text, a number beyond the column's range) is the
    # caller's mistake: 400, never a 500.
    return _error(request, CommonError.BAD_REQUEST.error(message=_("输入包含无法保存的字符或超出范围的数值")))


@api.exception_handler(IntegrityError)
def on_integrity_error(request, exc):
    # Two requests that both passed a service's "already exists?" check: the database constraint stops the second,
    # its transaction is rolled back whole, and the caller is told to refresh — a 409, never a 500.
    return _error(request, CommonError.DUPLICATE.error())


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request, exc):
    # The transaction is gone with the connection and nothing was saved; Django drops the broken connection when
    # the request finishes.
    return render_unavailable(request, exc)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, DomainError):  # ninja wraps what the parser raised in a bare "Cannot parse" 400
        return _error(request, exc.__cause__)
    codes = {400: CommonError.BAD_REQUEST, 401: CommonError.UNAUTHENTICATED, 403: CommonError.FORBIDDEN,
             404: CommonError.NOT_FOUND, 409: CommonError.CONFLICT, 413: CommonError.TOO_LARGE}
    err = codes.get(exc.status_code, CommonError.BAD_REQUEST)
    return api.create_response(
        request, {"code": err.code, "message": str(err.message), "detail": str(exc) or None}, status=exc.status_code
    )


api.add_router("/", accounts_router)
api.add_router("/", org_router)
api.add_router("/", people_router)
api.add_router("/", privacy_router)
api.add_router("/", transfer_router)
api.add_router("/", notifications_router)
api.add_router("/", activities_router)
api.add_router("/", hours_router)
api.add_router("/", recognition_router)
api.add_router("/", training_router)
api.add_router("/", reports_router)
api.add_router("/", points_router)
api.add_router("/", supermarket_router)
api.add_router("/", appeals_router)
api.add_router("/", matching_router)
api.add_router("/", dispatch_router)

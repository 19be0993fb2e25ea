from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class Open311Error(ErrorCode):
    """Error codes of the open311 app (code, Chinese message, HTTP status). GeoReport answers them as
    ``<errors><error><code>{status}</code><description>{message}</description></error></errors>``."""

    API_KEY_MISSING = ("open311.api_key_missing", _("提交服务请求须提供api_key"), 403)
    API_KEY_INVALID = ("open311.api_key_invalid", _("api_key无效或已被吊销"), 403)
    OUTSIDE_JURISDICTION = ("open311.outside_jurisdiction", _("该api_key无权向此辖区提交服务请求"), 403)
    JURISDICTION_UNKNOWN = ("open311.jurisdiction_unknown", _("jurisdiction_id不存在"), 404)
    SERVICE_CODE_MISSING = ("open311.service_code_missing", _("请提供service_code"), 400)
    SERVICE_UNKNOWN = ("open311.service_unknown", _("service_code不存在"), 404)
    REQUEST_UNKNOWN = ("open311.request_unknown", _("服务请求不存在"), 404)
    TOKEN_UNKNOWN = ("open311.token_unknown", _("令牌不存在"), 404)
    NOT_FOUND = ("open311.not_found", _("接口地址不存在"), 404)
    FORMAT_UNSUPPORTED = ("open311.format_unsupported", _("仅支持xml和json格式"), 400)
    METHOD_NOT_ALLOWED = ("open311.method_not_allowed", _("此接口不支持该请求方法"), 405)
    LOCATION_MISSING = ("open311.location_missing", _("请提供位置：lat和long、address_string或address_id"), 400)
    LOCATION_INVALID = ("open311.location_invalid", _("lat和long须同时提供，且为有效的WGS84经纬度"), 400)
    ADDRESS_ID_UNKNOWN = ("open311.address_id_unknown", _("address_id不是本辖区内的社区或网格代码"), 400)
    DESCRIPTION_MISSING = ("open311.description_missing", _("请填写description（诉求内容）"), 400)
    DESCRIPTION_TOO_LONG = ("open311.description_too_long", _("description不能超过4000个字符"), 400)
    ATTRIBUTE_INVALID = ("open311.attribute_invalid", _("attribute[%(code)s]的取值无效"), 400)
    FIELD_TOO_LONG = ("open311.field_too_long", _("%(field)s过长"), 400)
    EMAIL_INVALID = ("open311.email_invalid", _("email格式无效"), 400)
    MEDIA_URL_INVALID = ("open311.media_url_invalid", _("media_url须为http或https链接"), 400)
    DATE_INVALID = ("open311.date_invalid", _("%(field)s须为带时区的W3C日期时间，例如2010-01-01T00:00:00Z"), 400)
    DATE_RANGE = ("open311.date_range", _("start_date须早于end_date，且相隔不超过90天"), 400)
    STATUS_INVALID = ("open311.status_invalid", _("status只能是open或closed（可用逗号分隔）"), 400)
    PAGE_INVALID = ("open311.page_invalid", _("page须为正整数，page_size须为1到1000之间的整数"), 400)
    TOO_MANY_IDS = ("open311.too_many_ids", _("一次最多查询1000个service_request_id"), 400)
    KEY_NAME_MISSING = ("open311.key_name_missing", _("请填写应用名称"), 400)
    KEY_ALREADY_REVOKED = ("open311.key_already_revoked", _("该密钥已被吊销"), 409)

from django.utils.translation import gettext_lazy as _  # noqa: F401

from gongzhi.core.errors import ErrorCode


class Open311Error(ErrorCode):
    """Error codes of the open311 app (code, Chinese message, HTTP status)."""

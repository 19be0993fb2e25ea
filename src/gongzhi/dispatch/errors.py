from django.utils.translation import gettext_lazy as _  # noqa: F401

from gongzhi.core.errors import ErrorCode


class DispatchError(ErrorCode):
    """Error codes of the dispatch app (code, Chinese message, HTTP status)."""

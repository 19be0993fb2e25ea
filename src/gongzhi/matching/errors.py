from django.utils.translation import gettext_lazy as _  # noqa: F401

from gongzhi.core.errors import ErrorCode


class MatchingError(ErrorCode):
    """Error codes of the matching app (code, Chinese message, HTTP status)."""

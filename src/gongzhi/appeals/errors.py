from django.utils.translation import gettext_lazy as _  # noqa: F401

from gongzhi.core.errors import ErrorCode


class AppealsError(ErrorCode):
    pass

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class NotificationsError(ErrorCode):
    STATUS_UNKNOWN = ("notifications.status_unknown", _("未知的发送状态，可选：待发送、已发送、发送失败"), 400)

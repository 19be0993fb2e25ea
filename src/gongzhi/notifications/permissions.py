"""Named permissions for notifications (every user reads their own inbox; no permission needed for that)."""

from gongzhi.accounts.permissions import ADMINS, grant

VIEW_OUTBOX = grant("notifications.view_outbox", ADMINS, "查看消息发送队列（短信/微信发送状态）")

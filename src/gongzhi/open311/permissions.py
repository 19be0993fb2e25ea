"""Named permissions for Open311: issuing API keys to client applications."""

from gongzhi.accounts.permissions import ADMINS, grant

MANAGE_KEYS = grant("open311.manage_keys", ADMINS, "管理Open311接入应用的API密钥")

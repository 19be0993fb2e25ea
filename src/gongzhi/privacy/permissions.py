from gongzhi.accounts.permissions import ADMINS, grant

VIEW_ACCESS_LOG = grant("privacy.view_access_log", ADMINS, "查看个人信息访问日志")

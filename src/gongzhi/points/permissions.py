"""Named permissions for points (maker-checker: the one who enters a deduction never approves it)."""

from gongzhi.accounts.permissions import ADMINS, grant
from gongzhi.accounts.roles import Role

WORKERS = ADMINS | {Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.SOCIAL_WORKER}

VIEW = grant("points.view", WORKERS | {Role.OBSERVER}, "查看辖区积分账户和交易")
AWARD = grant("points.award", ADMINS | {Role.COMMUNITY_WORKER, Role.SOCIAL_WORKER}, "人工奖励积分（须填写事由）")
ENTER_DEDUCTION = grant("points.enter_deduction", WORKERS, "登记村规民约扣分")
APPROVE_DEDUCTION = grant("points.approve_deduction", ADMINS | {Role.COMMUNITY_WORKER}, "审核扣分（不得审核本人登记的）")
MANAGE_RULES = grant("points.manage_rules", ADMINS | {Role.COMMUNITY_WORKER}, "登记经会议通过的积分规则版本")
REVERSE = grant("points.reverse", ADMINS, "冲正错误交易")

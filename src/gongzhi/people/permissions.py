"""Named permissions for people and volunteers."""

from gongzhi.accounts.permissions import ADMINS, grant
from gongzhi.accounts.roles import Role

WORKERS = ADMINS | {Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.SOCIAL_WORKER}

VIEW = grant("people.view", WORKERS | {Role.MEDIATOR}, "查看辖区居民（脱敏）")
EDIT = grant("people.edit", ADMINS | {Role.COMMUNITY_WORKER, Role.GRID_WORKER}, "登记和修改居民信息")
REVEAL = grant(
    "people.reveal",
    ADMINS | {Role.COMMUNITY_WORKER, Role.GRID_WORKER},
    "查看完整身份证号、手机号、住址和敏感标签（记录访问日志）",
)
IMPORT = grant("people.import", ADMINS | {Role.COMMUNITY_WORKER}, "批量导入居民和志愿者")
EXPORT = grant("people.export", ADMINS | {Role.COMMUNITY_WORKER}, "导出居民和志愿者（脱敏）")
EXPORT_UNMASKED = grant("people.export_unmasked", ADMINS, "导出未脱敏的居民信息（记录访问日志）")

VOLUNTEER_VIEW = grant("volunteers.view", WORKERS | {Role.TEAM_LEADER}, "查看辖区志愿者")
VOLUNTEER_REGISTER = grant(
    "volunteers.register", ADMINS | {Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.SOCIAL_WORKER}, "代居民登记志愿者申请"
)
VOLUNTEER_REVIEW = grant(
    "volunteers.review", ADMINS | {Role.COMMUNITY_WORKER, Role.SOCIAL_WORKER}, "审核志愿者申请（多轮筛选）"
)
VOLUNTEER_MANAGE = grant("volunteers.manage", ADMINS | {Role.COMMUNITY_WORKER}, "暂停或恢复志愿者")
TEAM_MANAGE = grant("teams.manage", ADMINS | {Role.COMMUNITY_WORKER, Role.TEAM_LEADER}, "管理志愿服务队队员（队长仅限本人带领的队）")
TEAM_MANAGE_ANY = grant("teams.manage_any", ADMINS | {Role.COMMUNITY_WORKER}, "管理辖区内任何志愿服务队的队员")

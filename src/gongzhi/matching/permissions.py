"""Named permissions for the three lists (需求、资源、项目) and matching."""

from gongzhi.accounts.permissions import ADMINS, grant
from gongzhi.accounts.roles import Role

VIEW = grant("matching.view", ADMINS | {Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.SOCIAL_WORKER, Role.OBSERVER},
             "查看辖区需求清单、资源清单和项目清单")
MANAGE = grant("matching.manage", ADMINS | {Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.SOCIAL_WORKER},
               "登记需求和资源、对接需求与资源")
PROJECTS = grant("matching.projects", ADMINS | {Role.SOCIAL_WORKER}, "登记服务项目（预算、出资方、派单社工）")

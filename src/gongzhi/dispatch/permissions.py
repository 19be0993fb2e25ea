"""Named permissions for the order board. Volunteers take orders through their own profile, not a role grant."""

from gongzhi.accounts.permissions import ADMINS, grant
from gongzhi.accounts.roles import Role

VIEW = grant("dispatch.view", ADMINS | {Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.SOCIAL_WORKER, Role.TEAM_LEADER,
                                        Role.OBSERVER}, "查看辖区派单任务和响应情况")
DISPATCH = grant("dispatch.dispatch", ADMINS | {Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.SOCIAL_WORKER},
                 "发布派单任务、指派志愿者")

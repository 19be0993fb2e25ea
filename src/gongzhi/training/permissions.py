"""Named permissions for volunteer training."""

from gongzhi.accounts.permissions import ADMINS, grant
from gongzhi.accounts.roles import Role

VIEW = grant("training.view", ADMINS | {Role.COMMUNITY_WORKER, Role.SOCIAL_WORKER, Role.TEAM_LEADER, Role.GRID_WORKER},
             "查看辖区培训课程、场次和签到")
MANAGE = grant("training.manage", ADMINS | {Role.COMMUNITY_WORKER, Role.SOCIAL_WORKER}, "开设培训课程和场次，登记培训签到")

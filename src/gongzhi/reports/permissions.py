"""Named permissions for figures and reports."""

from gongzhi.accounts.permissions import ADMINS, grant
from gongzhi.accounts.roles import Role

VIEW = grant("reports.view",
             ADMINS | {Role.COMMUNITY_WORKER, Role.SOCIAL_WORKER, Role.GRID_WORKER, Role.OBSERVER},
             "查看辖区志愿服务统计并导出")
# A team leader sees the figures of the teams in their unit (item 6), not the unit's whole dashboard.
VIEW_TEAMS = grant("reports.view_teams",
                   ADMINS | {Role.COMMUNITY_WORKER, Role.SOCIAL_WORKER, Role.GRID_WORKER, Role.OBSERVER,
                             Role.TEAM_LEADER},
                   "查看辖区志愿服务队的队员与服务统计")

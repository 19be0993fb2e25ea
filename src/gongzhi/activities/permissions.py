"""Named permissions for activities and sign-ups (a team leader acts on the activities of the teams they lead)."""

from gongzhi.accounts.permissions import ADMINS, grant
from gongzhi.accounts.roles import Role

ORGANISERS = ADMINS | {Role.COMMUNITY_WORKER, Role.SOCIAL_WORKER, Role.TEAM_LEADER}

VIEW = grant("activities.view", ORGANISERS | {Role.GRID_WORKER, Role.OBSERVER}, "查看辖区内全部活动（含草稿）和报名")
MANAGE = grant("activities.manage", ORGANISERS, "创建、发布、取消活动，审核报名，登记惠及人次")
# Workers organise any activity of their units; a team leader (who holds only ``activities.manage``) organises only
# the activities of the teams they lead.
MANAGE_ANY = grant("activities.manage_any", ORGANISERS - {Role.TEAM_LEADER},
                   "组织辖区内任意活动（不限于本人带领的队伍）")
INSURANCE = grant("activities.insurance", ADMINS | {Role.COMMUNITY_WORKER}, "登记意外险保单并导出参保名单")

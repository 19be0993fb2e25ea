"""Named permissions for check-in, hours and service records (谁组织谁记录，谁记录谁证明, R-V5)."""

from gongzhi.accounts.permissions import ADMINS, grant
from gongzhi.accounts.roles import Role

ORGANISERS = ADMINS | {Role.COMMUNITY_WORKER, Role.SOCIAL_WORKER, Role.TEAM_LEADER}

VIEW = grant("hours.view", ORGANISERS | {Role.GRID_WORKER, Role.OBSERVER}, "查看辖区志愿服务记录")
CONFIRM = grant("hours.confirm", ORGANISERS, "代签到签退，确认、更正和撤销服务时长")
BACK_ENTRY = grant("hours.back_entry", ADMINS | {Role.COMMUNITY_WORKER}, "补录服务时长（标记为补录）")

"""Named permissions for residents' requests (诉求). Anyone logged in may submit one (随手拍, own requests)."""

from gongzhi.accounts.permissions import ADMINS, grant
from gongzhi.accounts.roles import Role

WORKERS = ADMINS | {Role.COMMUNITY_WORKER, Role.GRID_WORKER, Role.SOCIAL_WORKER}

VIEW = grant("appeals.view", WORKERS | {Role.OBSERVER, Role.MEDIATOR}, "查看辖区诉求（投诉人信息脱敏）")
HANDLE = grant("appeals.handle", WORKERS, "受理、派单、办理、答复、回访诉求")
SUPERVISE = grant("appeals.supervise", ADMINS, "督办、设置办理时限和节假日")

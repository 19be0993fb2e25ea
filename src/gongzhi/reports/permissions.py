"""Named permissions for figures and reports."""

from gongzhi.accounts.permissions import ADMINS, grant
from gongzhi.accounts.roles import Role

VIEW = grant("reports.view",
             ADMINS | {Role.COMMUNITY_WORKER, Role.SOCIAL_WORKER, Role.GRID_WORKER, Role.OBSERVER},
             "查看辖区志愿服务统计并导出")

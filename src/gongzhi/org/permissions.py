"""Named permissions for the org tree."""

from gongzhi.accounts.permissions import ADMINS, ALL_ROLES, grant
from gongzhi.accounts.roles import Role

VIEW = grant("org.view", ALL_ROLES, "查看本辖区的组织架构、组织和队伍")
MANAGE_UNITS = grant("org.manage_units", ADMINS, "新增和修改下级行政单元、网格")
MANAGE_ORGS = grant("org.manage_orgs", ADMINS | {Role.COMMUNITY_WORKER}, "登记和修改组织、志愿服务队")

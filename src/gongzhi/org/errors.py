from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class OrgError(ErrorCode):
    CODE_INVALID = ("org.code_invalid", _("区划代码与单元类型或上级不符"), 400)
    CODE_TAKEN = ("org.code_taken", _("该区划代码已存在"), 409)
    PARENT_REQUIRED = ("org.parent_required", _("须指定上级单元"), 400)
    NAME_REQUIRED = ("org.name_required", _("名称不能为空"), 400)
    ORG_NAME_TAKEN = ("org.org_name_taken", _("该单元下已有同名组织"), 409)
    ORG_PARENT_INVALID = ("org.org_parent_invalid", _("上级组织须在同一辖区内"), 400)

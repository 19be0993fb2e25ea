from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class PeopleError(ErrorCode):
    NAME_INVALID = ("people.name_invalid", _("姓名不能为空，且不超过50个字"), 400)
    ID_NUMBER_INVALID = ("people.id_number_invalid", _("身份证号码无效"), 400)
    ID_TYPE_INVALID = ("people.id_type_invalid", _("证件类型无效"), 400)
    ID_NUMBER_DUPLICATE = ("people.id_number_duplicate", _("该身份证号码已登记"), 409)
    PHONE_INVALID = ("people.phone_invalid", _("手机号码格式不正确"), 400)
    UNIT_INVALID = ("people.unit_invalid", _("所属单元须为本辖区的社区、村或网格"), 400)
    TAG_UNKNOWN = ("people.tag_unknown", _("未知的人群标签"), 400)
    SKILL_UNKNOWN = ("people.skill_unknown", _("未知的技能"), 400)
    AVAILABILITY_UNKNOWN = ("people.availability_unknown", _("未知的可服务时间，可选：工作日白天、工作日晚上、周末白天、周末晚上、节假日"), 400)
    GUARDIAN_CONSENT_REQUIRED = (
        "people.guardian_consent_required",
        _("未满十四周岁人员须记录监护人同意"),
        400,
    )
    CONSENT_REQUIRED = ("people.consent_required", _("须本人同意后方可登记为志愿者"), 400)
    TOO_YOUNG = ("people.too_young", _("未达到志愿者最低年龄"), 400)
    ALREADY_VOLUNTEER = ("people.already_volunteer", _("此人已登记为志愿者"), 409)
    BAD_TRANSITION = ("people.bad_transition", _("志愿者当前状态不允许此操作"), 409)
    SAME_REVIEWER = ("people.same_reviewer", _("同一审核人不能审核同一申请的多个轮次"), 409)
    OWN_APPLICATION = ("people.own_application", _("不能审核或恢复本人的志愿者身份"), 403)
    CERTIFICATE_DATES_INVALID = ("people.certificate_dates_invalid", _("证书有效期不能早于发证日期"), 400)
    NOT_A_TEAM = ("people.not_a_team", _("该组织不是志愿服务队"), 400)
    ALREADY_MEMBER = ("people.already_member", _("此人已是该队队员"), 409)
    NOT_MEMBER = ("people.not_member", _("此人不是该队在册队员"), 409)
    NO_PERSON = ("people.no_person", _("当前账号未关联居民档案"), 409)
    IMPORT_FILE_INVALID = ("people.import_file_invalid", _("无法读取上传的文件，请上传 .xlsx 格式的表格"), 400)
    IMPORT_HEADER_INVALID = ("people.import_header_invalid", _("表头缺少必填列"), 400)

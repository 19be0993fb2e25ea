from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class ActivitiesError(ErrorCode):
    TITLE_INVALID = ("activities.title_invalid", _("活动名称不能为空，且不超过120个字"), 400)
    NAME_INVALID = ("activities.name_invalid", _("项目名称不能为空，且不超过120个字"), 400)
    PROJECT_DUPLICATE = ("activities.project_duplicate", _("本单元已有同名项目"), 409)
    PROJECT_DATES_INVALID = ("activities.project_dates_invalid", _("项目结束日期不能早于开始日期"), 400)
    PROJECT_UNIT_MISMATCH = ("activities.project_unit_mismatch", _("活动的组织单元须在所属项目的单元范围内"), 400)
    CATEGORY_UNKNOWN = ("activities.category_unknown", _("未知或已停用的活动类别"), 400)
    WINDOW_INVALID = ("activities.window_invalid", _("结束时间须晚于开始时间"), 400)
    TIME_OUT_OF_RANGE = ("activities.time_out_of_range", _("活动时间须在2000年至2100年之间"), 400)
    CAPACITY_INVALID = ("activities.capacity_invalid", _("招募人数至少为1人"), 400)
    COORDINATES_INVALID = ("activities.coordinates_invalid", _("经纬度超出范围（纬度 -90～90，经度 -180～180）"), 400)
    AUDIENCE_INVALID = ("activities.audience_invalid", _("招募范围无效"), 400)
    ORGANISER_INVALID = ("activities.organiser_invalid", _("组织方须在活动单元范围内"), 400)
    TEAM_AUDIENCE_NEEDS_TEAM = ("activities.team_audience_needs_team", _("仅限队员的活动须指定志愿服务队为组织方"), 400)
    NOT_TEAM_LEADER = ("activities.not_team_leader", _("队长只能为本人带领的志愿服务队组织活动"), 403)
    MIN_AGE_INVALID = ("activities.min_age_invalid", _("最低年龄须在0～100岁之间"), 400)
    PUBLISHED_LOCKED = ("activities.published_locked", _("活动发布后只能修改活动内容、地点和增加招募人数"), 409)
    CAPACITY_DECREASE = ("activities.capacity_decrease", _("活动发布后招募人数只能增加"), 409)
    BAD_TRANSITION = ("activities.bad_transition", _("活动当前状态不允许此操作"), 409)
    INSURANCE_REQUIRED = ("activities.insurance_required", _("有风险的活动须先登记覆盖活动日期的意外险保单才能发布"), 409)
    REASON_REQUIRED = ("activities.reason_required", _("请填写取消原因"), 400)
    # sign-ups
    VOLUNTEER_NOT_ACTIVE = ("activities.volunteer_not_active", _("只有在册志愿者才能报名"), 409)
    NOT_VOLUNTEER = ("activities.not_volunteer", _("当前账号还不是志愿者，请先申请成为志愿者"), 409)
    NOT_OPEN = ("activities.not_open", _("该活动当前不接受报名"), 409)
    AUDIENCE_REFUSED = ("activities.audience_refused", _("该活动不对您开放报名"), 403)
    TOO_YOUNG_FOR_ACTIVITY = ("activities.too_young_for_activity", _("未达到该活动要求的最低年龄"), 409)
    MINOR_TOO_YOUNG = ("activities.minor_too_young", _("未满8周岁不能参加志愿服务"), 409)
    GUARDIAN_REQUIRED = ("activities.guardian_required", _("未成年人报名须记录监护人同意或由监护人陪同"), 400)
    MINOR_DANGEROUS = ("activities.minor_dangerous", _("未成年人不得参加有风险的活动"), 409)
    ALREADY_SIGNED_UP = ("activities.already_signed_up", _("您已报名该活动"), 409)
    IDEMPOTENCY_CONFLICT = ("activities.idempotency_conflict",
                            _("该请求编号已用于另一项报名（另一活动或另一位志愿者），请使用新的请求编号"), 409)
    SIGNUP_BAD_TRANSITION = ("activities.signup_bad_transition", _("报名当前状态不允许此操作"), 409)
    # beneficiaries, insurance
    GROUP_INVALID = ("activities.group_invalid", _("未知的服务对象类别"), 400)
    COUNT_INVALID = ("activities.count_invalid", _("惠及人次须为0～100000之间的整数"), 400)
    BENEFICIARIES_CLOSED = ("activities.beneficiaries_closed", _("只能为进行中或已结束的活动登记惠及人次"), 409)
    POLICY_DATES_INVALID = ("activities.policy_dates_invalid", _("保障结束日期不能早于开始日期"), 400)
    POLICY_DUPLICATE = ("activities.policy_duplicate", _("该保单号已登记"), 409)
    POLICY_FIELD_REQUIRED = ("activities.policy_field_required", _("请填写保险公司和保单号"), 400)
    POLICY_ACTIVITY_OUTSIDE = ("activities.policy_activity_outside", _("适用活动须在投保单元范围内"), 400)

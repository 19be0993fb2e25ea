from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class AppealsError(ErrorCode):
    BAD_TRANSITION = ("appeals.bad_transition", _("该诉求当前状态不允许此操作"), 409)
    NOT_OWNER = ("appeals.not_owner", _("只有首问负责人可以办理此步骤"), 403)
    REJECT_REASON = ("appeals.reject_reason", _("不予受理须选择法定原因"), 400)
    RATING_INVALID = ("appeals.rating_invalid", _("满意度须为1到5分"), 400)
    REOPEN_NOT_DUE = ("appeals.reopen_not_due", _("只有评价不满意或回访不满意的诉求可以重办"), 409)
    CLOSE_UNSATISFIED = ("appeals.close_unsatisfied", _("评价或回访不满意的诉求须重办，不能办结"), 409)
    MERGE_TARGET = ("appeals.merge_target", _("只能合并到同一辖区内另一条未结束的诉求"), 400)
    DISPATCH_TARGET = ("appeals.dispatch_target", _("请指定承办的网格、队伍或人员"), 400)
    CATEGORY_UNKNOWN = ("appeals.category_unknown", _("诉求类别不存在"), 400)
    UNIT_MISSING = ("appeals.unit_missing", _("请选择诉求所在的社区或网格"), 400)
    DESCRIPTION_EMPTY = ("appeals.description_empty", _("请填写诉求内容"), 400)
    PHOTO_INVALID = ("appeals.photo_invalid", _("照片格式无效，仅支持JPEG、PNG或WebP图片"), 400)
    PHOTO_TOO_LARGE = ("appeals.photo_too_large", _("照片过大"), 413)
    CHANNEL_UNKNOWN = ("appeals.channel_unknown", _("来源渠道无效"), 400)
    URGENCY_UNKNOWN = ("appeals.urgency_unknown", _("紧急程度无效"), 400)
    ALREADY_TAKEN = ("appeals.already_taken", _("该诉求已被他人接单"), 409)
    NOT_TEAM_MEMBER = ("appeals.not_team_member", _("只有承办队伍的在队队员或在册志愿者可以接单"), 403)
    REASON_REQUIRED = ("appeals.reason_required", _("请填写理由"), 400)
    EXTENSION_DAYS = ("appeals.extension_days", _("延期天数须为正整数"), 400)
    EXTENSION_EXCEEDED = ("appeals.extension_exceeded", _("延期合计不能超过原答复时限后10个工作日"), 409)
    RETURN_WINDOW = ("appeals.return_window", _("派单已超过2个工作日，不能再退回"), 409)
    NOT_RECIPIENT = ("appeals.not_recipient", _("只有承办单元、队伍或承办人可以退回派单"), 403)
    TOP_TIER = ("appeals.top_tier", _("已在区级，无法再向上升级"), 409)
    HOLIDAY_NAME = ("appeals.holiday_name", _("请填写节假日名称"), 400)
    HOLIDAY_EXISTS = ("appeals.holiday_exists", _("该日期已在节假日日历中"), 409)
    LIMIT_INVALID = ("appeals.limit_invalid", _("时限须为正整数，紧急程度和类别须有效"), 400)

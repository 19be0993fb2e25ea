from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class HoursError(ErrorCode):
    TOKEN_INVALID = ("hours.token_invalid", _("签到二维码无效或已过期，请重新扫描组织者出示的二维码"), 400)
    NOT_VOLUNTEER = ("hours.not_volunteer", _("当前账号未登记为志愿者"), 409)
    NOT_SIGNED_UP = ("hours.not_signed_up", _("您没有该活动的录用报名，不能签到"), 409)
    ACTIVITY_CLOSED = ("hours.activity_closed", _("该活动已取消或尚未发布，不能签到"), 409)
    TOO_EARLY = ("hours.too_early", _("签到尚未开始：活动开始前30分钟起可以签到"), 409)
    TOO_LATE = ("hours.too_late", _("活动时段已结束，不能再签到"), 409)
    ALREADY_CHECKED_IN = ("hours.already_checked_in", _("您今天已签到过该活动"), 409)
    NOT_CHECKED_IN = ("hours.not_checked_in", _("没有待签退的签到记录"), 409)
    ALREADY_CHECKED_OUT = ("hours.already_checked_out", _("该签到记录已签退"), 409)
    OUT_BEFORE_IN = ("hours.out_before_in", _("签退时间不能早于签到时间"), 400)
    COORDINATES_INVALID = ("hours.coordinates_invalid", _("定位坐标无效"), 400)
    NO_PLACE = ("hours.no_place", _("该活动未设置地点坐标，不能定位签到"), 409)
    OUTSIDE_GEOFENCE = ("hours.outside_geofence", _("您不在活动地点附近，不能定位签到"), 403)
    MISSING_CHECKOUT = ("hours.missing_checkout", _("该签到记录缺少签退时间，请先补填签退时间再确认"), 409)
    ALREADY_CONFIRMED = ("hours.already_confirmed", _("该签到记录已确认"), 409)
    HOURS_INVALID = ("hours.hours_invalid", _("服务时长须为不小于0的数字"), 400)
    HOURS_OVER_DURATION = ("hours.hours_over_duration", _("服务时长不能超过活动时长"), 400)
    DAY_OUTSIDE_ACTIVITY = ("hours.day_outside_activity", _("服务日期不在活动日期范围内"), 400)
    TIME_OUTSIDE_DAY = ("hours.time_outside_day", _("签到、签退时间须在所填服务日期当天"), 400)
    TIME_OUT_OF_RANGE = ("hours.time_out_of_range", _("签到、签退时间须在2000年至2100年之间"), 400)
    NOT_CURRENT = ("hours.not_current", _("该记录已被更正或撤销，只能处理当前有效的记录"), 409)
    DUPLICATE_ORIGINAL = ("hours.duplicate_original", _("该志愿者在当天已有这个活动的服务记录"), 409)
    REASON_REQUIRED = ("hours.reason_required", _("请填写理由"), 400)
    NOT_OWN_RECORD = ("hours.not_own_record", _("只能对本人的服务记录提出异议"), 403)
    DISPUTE_OPEN = ("hours.dispute_open", _("该记录已有待处理的异议"), 409)
    DISPUTE_RESOLVED = ("hours.dispute_resolved", _("该异议已处理"), 409)
    VOLUNTEER_NOT_IN_ACTIVITY = ("hours.volunteer_not_in_activity", _("该志愿者没有此活动的录用报名"), 400)

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class TrainingError(ErrorCode):
    TITLE_INVALID = ("training.title_invalid", _("课程名称不能为空，且不超过120个字"), 400)
    TITLE_DUPLICATE = ("training.title_duplicate", _("本单元已有同名课程"), 409)
    LEVEL_UNKNOWN = ("training.level_unknown", _("未知的培训级别，可选：通识、初级、中级、高级"), 400)
    SKILL_UNKNOWN = ("training.skill_unknown", _("未知的技能类别"), 400)
    HOURS_INVALID = ("training.hours_invalid", _("学时须大于0且不超过200"), 400)
    UNIT_INVALID = ("training.unit_invalid", _("开设单元须为本辖区的区、街道或社区/村"), 400)
    COURSE_INACTIVE = ("training.course_inactive", _("该课程已停止开放，不能新开场次"), 409)
    TIMES_INVALID = ("training.times_invalid", _("结束时间须晚于开始时间"), 400)
    TIME_OUT_OF_RANGE = ("training.time_out_of_range", _("培训时间须在2000年至2100年之间"), 400)
    CAPACITY_INVALID = ("training.capacity_invalid", _("名额至少为1人，且不超过1000人"), 400)
    CAPACITY_BELOW_ENROLLED = ("training.capacity_below_enrolled", _("名额不能少于已报名人数"), 409)
    PLACE_REQUIRED = ("training.place_required", _("请填写培训地点"), 400)
    SESSION_CANCELLED = ("training.session_cancelled", _("该场次已取消"), 409)
    SESSION_NOT_OPEN = ("training.session_not_open", _("该场次已开始或已结束，不能再报名"), 409)
    SESSION_FULL = ("training.session_full", _("该场次名额已满"), 409)
    SESSION_HELD = ("training.session_held", _("该场次已登记签到，不能取消"), 409)
    ALREADY_ENROLLED = ("training.already_enrolled", _("该志愿者已报名本场次"), 409)
    NOT_OPEN_TO_VOLUNTEER = ("training.not_open_to_volunteer", _("该课程不面向此志愿者所在单元开放"), 409)
    VOLUNTEER_NOT_ACTIVE = ("training.volunteer_not_active", _("只有在册志愿者可以报名培训"), 409)
    NOT_A_VOLUNTEER = ("training.not_a_volunteer", _("当前账号不是登记的志愿者"), 409)
    NOT_STARTED = ("training.not_started", _("场次开始后才能登记签到"), 409)
    ENROLMENT_UNKNOWN = ("training.enrolment_unknown", _("报名记录不属于本场次"), 400)
    MARKS_EMPTY = ("training.marks_empty", _("请至少登记一名学员的签到"), 400)
    MARKS_REPEATED = ("training.marks_repeated", _("同一学员在一次登记中只能出现一次"), 400)
    SCORE_INVALID = ("training.score_invalid", _("成绩须在0到100之间"), 400)
    ABSENT_WITH_RESULT = ("training.absent_with_result", _("缺勤学员不能登记成绩或考核通过"), 400)
    MARK_STALE = ("training.mark_stale", _("该学员的签到已被他人更正，请刷新后重试"), 409)

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class RecognitionError(ErrorCode):
    NO_VOLUNTEER = ("recognition.no_volunteer", _("当前账号未登记为志愿者"), 409)
    NOT_ACTIVE = ("recognition.not_active", _("该志愿者不在册，不能办理"), 409)
    PERIOD_INVALID = ("recognition.period_invalid", _("服务截止日期不能早于起始日期，且不能晚于今天"), 400)
    BAD_TRANSITION = ("recognition.bad_transition", _("证明当前状态不允许此操作"), 409)
    UNIT_INVALID = ("recognition.unit_invalid", _("出具单位须为志愿者的注册单元或组织其服务的单位"), 400)
    NO_HOURS = ("recognition.no_hours", _("该期间内没有可以证明的志愿服务时长"), 409)
    GUARDIAN_CONSENT_MISSING = ("recognition.guardian_consent_missing",
                                _("未成年志愿者的证明须载明监护人同意，请先记录监护人同意"), 409)
    FIELD_REQUIRED = ("recognition.field_required", _("请填写负责人和联系电话"), 400)
    FONT_MISSING = ("recognition.font_missing",
                    _("服务器未安装中文字体，暂时无法生成证明PDF，请联系管理员安装 fonts-wqy-microhei"), 409)
    NO_CANDIDATES = ("recognition.no_candidates", _("没有达到新星级的候选人，无需公示"), 409)
    NOT_ON_LIST = ("recognition.not_on_list", _("所选志愿者不在该公示名单中"), 400)
    ALREADY_APPROVED = ("recognition.already_approved", _("该候选人已审批或星级已变更，请重新公示"), 409)
    SAME_ACTOR = ("recognition.same_actor", _("公示人不能审批本人公示的名单，请由另一位管理员审批"), 403)
    NOTHING_TO_REVOKE = ("recognition.nothing_to_revoke", _("该志愿者当前没有可撤销的星级"), 409)
    LEVEL_INVALID = ("recognition.level_invalid", _("撤销后的星级须低于当前星级"), 400)
    REASON_REQUIRED = ("recognition.reason_required", _("请填写理由"), 400)
    SCORE_INVALID = ("recognition.score_invalid", _("评分须为1到5之间的整数"), 400)
    NOT_SERVED = ("recognition.not_served", _("该志愿者在此活动中没有已确认的服务记录，不能评价"), 409)
    BENEFICIARY_REQUIRED = ("recognition.beneficiary_required", _("代服务对象评价时须填写服务对象"), 400)
    RATER_KIND_INVALID = ("recognition.rater_kind_invalid", _("评价人类型无效"), 400)
    YEAR_INVALID = ("recognition.year_invalid", _("年度无效"), 400)
    TITLE_INVALID = ("recognition.title_invalid", _("请填写表彰称号（不超过60个字）"), 400)
    TOP_INVALID = ("recognition.top_invalid", _("表彰人数须在1到100之间"), 400)
    HONOURS_PUBLISHED = ("recognition.honours_published", _("该单元本年度的这一表彰名单已发布"), 409)
    NO_HONOUREES = ("recognition.no_honourees", _("本年度没有可表彰的志愿者（无激励积分）"), 409)
    NO_FORMULA = ("recognition.no_formula", _("尚未设置激励积分公式"), 409)

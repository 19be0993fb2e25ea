from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class MatchingError(ErrorCode):
    """Error codes of the matching app (code, Chinese message, HTTP status)."""

    KIND_UNKNOWN = ("matching.kind_unknown", _("服务类别不存在"), 400)
    TITLE_EMPTY = ("matching.title_empty", _("请填写需求内容（不超过120个字）"), 400)
    NAME_EMPTY = ("matching.name_empty", _("请填写名称（不超过120个字）"), 400)
    BENEFICIARIES_INVALID = ("matching.beneficiaries_invalid", _("涉及人数须为1到100000之间的整数"), 400)
    COORDINATES_INVALID = ("matching.coordinates_invalid", _("经纬度须成对填写，纬度在-90到90之间，经度在-180到180之间"), 400)
    SOURCE_UNKNOWN = ("matching.source_unknown", _("需求来源无效，可选：走访、问卷调查、登记"), 400)
    RESOURCE_KIND_UNKNOWN = ("matching.resource_kind_unknown", _("资源类型无效"), 400)
    OFFERS_EMPTY = ("matching.offers_empty", _("请至少选择一项可提供的服务"), 400)
    ORGANISATION_INVALID = ("matching.organisation_invalid", _("所选组织不存在或不在本辖区"), 400)
    MERCHANT_INVALID = ("matching.merchant_invalid", _("所选积分超市商户不存在或不在本辖区"), 400)
    FUNDER_EMPTY = ("matching.funder_empty", _("请填写出资方"), 400)
    FUNDING_UNKNOWN = ("matching.funding_unknown", _("资金类型无效"), 400)
    BUDGET_INVALID = ("matching.budget_invalid", _("预算须为0到9999999999.99元之间的金额"), 400)
    DATES_INVALID = ("matching.dates_invalid", _("项目结束日期不能早于开始日期"), 400)
    SOCIAL_WORKER_INVALID = ("matching.social_worker_invalid", _("派单社工须是在本项目所在辖区任职的社工"), 400)
    BAD_TRANSITION = ("matching.bad_transition", _("当前状态不允许此操作"), 409)
    RESOURCE_WITHDRAWN = ("matching.resource_withdrawn", _("该资源已退出资源清单"), 409)
    PROJECT_NOT_RUNNING = ("matching.project_not_running", _("只有实施中的项目可以对接需求"), 409)
    PARTNER_REQUIRED = ("matching.partner_required", _("请选择要对接的资源或服务项目"), 400)
    KIND_NOT_OFFERED = ("matching.kind_not_offered", _("所选资源或项目不提供该类服务"), 400)
    OUT_OF_REACH = ("matching.out_of_reach", _("所选资源或项目不在该需求所在街道的服务范围内"), 400)
    ALREADY_MATCHED = ("matching.already_matched", _("该需求已与所选资源或项目对接中"), 409)
    NEED_FINISHED = ("matching.need_finished", _("该需求已服务或已关闭，不能再对接"), 409)
    APPEAL_KIND_UNKNOWN = ("matching.appeal_kind_unknown", _("无法从诉求类别判断服务类别，请选择服务类别"), 400)
    APPEAL_ALREADY_LISTED = ("matching.appeal_already_listed", _("该诉求已列入需求清单"), 409)

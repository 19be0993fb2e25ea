"""Named permissions for star levels, certificates, ratings and honours."""

from gongzhi.accounts.permissions import ADMINS, grant
from gongzhi.accounts.roles import Role

ORGANISERS = ADMINS | {Role.COMMUNITY_WORKER, Role.SOCIAL_WORKER, Role.TEAM_LEADER}

VIEW = grant("recognition.view", ORGANISERS | {Role.GRID_WORKER, Role.OBSERVER}, "查看辖区星级、证明和表彰")
ISSUE_CERTIFICATE = grant("recognition.issue_certificate", ADMINS | {Role.COMMUNITY_WORKER},
                          "受理并开具志愿服务证明")
PUBLISH_CANDIDATES = grant("recognition.publish_candidates", ADMINS | {Role.COMMUNITY_WORKER},
                           "公示星级候选名单（R-V8，审批前公示）")
APPROVE_STARS = grant("recognition.approve_stars", ADMINS, "审批星级认定（候选名单公示后）")
CONFIGURE = grant("recognition.configure", ADMINS, "设置星级时长标准和激励积分公式")
RATE = grant("recognition.rate", ORGANISERS, "对志愿者服务进行评价（1–5分）")
PUBLISH_HONOURS = grant("recognition.publish_honours", ADMINS | {Role.COMMUNITY_WORKER}, "发布年度表彰名单")

"""The access-log page: every unmasked read of personal data in the admin's subtree (R-P3, R-P4)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import scoping
from gongzhi.core.pagination import paginate
from gongzhi.web.params import int_param

from . import selectors
from .models import AccessChannel
from .permissions import VIEW_ACCESS_LOG

FIELD_LABELS = {
    "id_number": _("证件号码"), "phone": _("手机号"), "address": _("住址"), "sensitive_tags": _("敏感标签"),
}
SUBJECT_LABELS = {"people.person": _("居民")}


@login_required
def access_log(request):
    actor = request.user
    scoping.require(actor, VIEW_ACCESS_LOG)
    subject_type = request.GET.get("subject_type", "").replace("\x00", "")[:40] or None
    subject_id = int_param(request.GET.get("subject_id"), None)
    channel = request.GET.get("channel") or None
    qs = selectors.access_log_list(actor=actor, subject_type=subject_type, subject_id=subject_id)
    if channel in AccessChannel.values:
        qs = qs.filter(channel=channel)
    page = paginate(qs, page=int_param(request.GET.get("page"), None) or 1, page_size=30)
    for row in page.items:
        row.field_labels = [str(FIELD_LABELS.get(f, f)) for f in row.fields]
        row.subject_kind = SUBJECT_LABELS.get(row.subject_type, row.subject_type)
    return render(request, "privacy/access_log.html", {
        "page": page, "channels": AccessChannel.choices, "channel": channel, "subject_type": subject_type,
        "subject_id": subject_id,
    })

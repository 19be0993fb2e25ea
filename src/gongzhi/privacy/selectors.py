from django.db.models import QuerySet

from gongzhi.accounts import scoping

from .models import AccessLog
from .permissions import VIEW_ACCESS_LOG


def access_log_list(*, actor, subject_type: str | None = None, subject_id: int | None = None) -> QuerySet:
    qs = scoping.scope(AccessLog.objects.select_related("actor"), actor, VIEW_ACCESS_LOG, "unit_path")
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    if subject_id:
        qs = qs.filter(subject_id=subject_id)
    return qs

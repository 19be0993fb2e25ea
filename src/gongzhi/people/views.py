"""Pages for residents and volunteers. Thin: parse input, call ``people.selectors`` / ``people.services``, render.

Lists are always masked (R-P3); the detail page reveals ID number, phone and address only on a POST with a purpose,
through ``selectors.person_view(reveal=True)``, which writes the access log. Domain errors that name a field go onto
that form field with status 400; not-found / forbidden propagate to ``web.middleware`` (404 / 403 pages).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import scoping
from gongzhi.core import clock
from gongzhi.core.errors import CommonError, DomainError
from gongzhi.core.pagination import paginate
from gongzhi.org import selectors as org_selectors
from gongzhi.org.divisions import UnitKind
from gongzhi.privacy.masking import mask_name
from gongzhi.privacy.models import AccessChannel
from gongzhi.web.middleware import attach_to_form
from gongzhi.web.params import int_param, search_text

from . import permissions as perms
from . import presenters, selectors, services
from .errors import PeopleError
from .forms import (
    AVAILABILITY_LABELS,
    CertificateForm,
    PersonForm,
    ReasonForm,
    RevealForm,
    ReviewForm,
    VolunteerApplyForm,
    VolunteerRegisterForm,
)
from .identity import age_on
from .models import Skill, Tag, VolunteerProfile, VolunteerStatus
from .rules import volunteer_rules

PAGE_SIZE = 20

# Labels for the field names recorded in PersonChange (values are never stored there).
CHANGE_LABELS = {
    "name": _("姓名"), "id_number": _("证件号码"), "id_type": _("证件类型"), "phone": _("手机号"),
    "address": _("住址"), "unit": _("所属单元"), "household": _("户"), "tags": _("人群标签"),
    "birth_date": _("出生日期"), "sex": _("性别"), "name_pinyin": _("拼音"), "name_initials": _("拼音"),
}

SOURCE_LABELS = {"web": _("页面"), "api": _("接口"), "import": _("导入"), "demo": _("演示数据"), "admin": _("后台"),
                 "test": _("测试")}


def _is_partial(request) -> bool:
    """An htmx request that swaps only the results (not a history restore, which needs the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


# --- residents -----------------------------------------------------------------------------------------------


def _unit_param(request):
    """The ``unit`` filter (a unit id); a unit the actor may not see is not found (404)."""
    if not request.GET.get("unit"):
        return None
    return org_selectors.unit_get(actor=request.user, pk=int_param(request.GET["unit"], 0))


def _list_filters(request):
    actor = request.user
    q = search_text(request)
    unit = _unit_param(request)
    # Filtering by a sensitive tag (残疾人, 低保 ...) is itself sensitive: only roles that may reveal get it (R-P2).
    tags = Tag.objects.all()
    if not scoping.has_anywhere(actor, perms.REVEAL):
        tags = tags.filter(sensitive=False)
    tags = list(tags)
    tag = request.GET.get("tag") or None
    if tag not in {t.code for t in tags}:
        tag = None
    return q, unit, tag, tags


def _filter_units(actor, perm: str):
    """Units offered in a filter: streets and communities, plus grids when there are not too many."""
    units = scoping.units_for(actor, perm).exclude(kind=UnitKind.DISTRICT).order_by("path")
    if units.count() > 60:
        units = units.exclude(kind=UnitKind.GRID)
    return list(units[:300])


@login_required
def person_list(request):
    actor = request.user
    q, unit, tag, tags = _list_filters(request)
    qs = selectors.person_list(actor=actor, q=q, unit_path=unit.path if unit else None, tag=tag)
    page = paginate(qs, page=int_param(request.GET.get("page")), page_size=PAGE_SIZE)
    ctx = {
        "page": page, "items": [presenters.person_list_item(p) for p in page.items], "q": q, "unit": unit,
        "tag": tag, "tags": tags, "can_create": scoping.has_anywhere(actor, perms.EDIT),
        "can_import": scoping.has_anywhere(actor, perms.IMPORT),
    }
    if _is_partial(request):
        response = render(request, "people/_results.html", ctx)
    else:
        ctx["units"] = _filter_units(actor, perms.VIEW)
        response = render(request, "people/list.html", ctx)
    response["Vary"] = "HX-Request"
    return response


def _detail_context(request, person, view) -> dict:
    actor = request.user
    try:
        volunteer = person.volunteer
    except VolunteerProfile.DoesNotExist:
        volunteer = None
    consents = list(selectors.consent_list(person=person))
    for c in consents:
        c.guardian_shown = c.guardian_name if view.revealed else mask_name(c.guardian_name)
    changes = list(person.changes.select_related("actor")[:30])
    for ch in changes:
        ch.labels = sorted({str(CHANGE_LABELS.get(f, f)) for f in ch.fields if not f.endswith(("_enc", "_digest"))})
        ch.source_label = SOURCE_LABELS.get(ch.source, ch.source)
    return {
        "person": person, "view": view, "volunteer": volunteer, "consents": consents, "changes": changes,
        "memberships": person.team_memberships.filter(left_on__isnull=True).select_related("team"),
        "reveal_form": RevealForm(), "can_register_volunteer": volunteer is None
        and scoping.can(actor, perms.VOLUNTEER_REGISTER, person.unit),
        "can_view_volunteer": volunteer is not None and (scoping.can(actor, perms.VOLUNTEER_VIEW, volunteer.unit)
                                                         or person.user_id == actor.pk),
    }


@login_required
def person_detail(request, pk: int):
    person = selectors.person_get(actor=request.user, pk=pk)
    view = selectors.person_view(actor=request.user, person=person)
    return render(request, "people/detail.html", _detail_context(request, person, view))


@login_required
@require_POST
def person_reveal(request, pk: int):
    """Show the full ID number, phone and address for a stated purpose; the read is logged (R-P3)."""
    person = selectors.person_get(actor=request.user, pk=pk)
    if not selectors.may_reveal(actor=request.user, person=person):  # the right before the form (no hints)
        raise CommonError.FORBIDDEN.error(detail={"permission": perms.REVEAL})
    form = RevealForm(request.POST)
    if not form.is_valid():
        view = selectors.person_view(actor=request.user, person=person)
        ctx = _detail_context(request, person, view)
        ctx["reveal_form"] = form
        return render(request, "people/detail.html", ctx, status=400)
    view = selectors.person_view(actor=request.user, person=person, reveal=True, channel=AccessChannel.PAGE,
                                 request=request, purpose=form.cleaned_data["purpose"])
    response = render(request, "people/detail.html", _detail_context(request, person, view))
    add_never_cache_headers(response)
    return response


def _save_person(request, form, *, person=None):
    """Call the create/update service; a refusal lands on its form field. Returns (person or None, status)."""
    try:
        if person is None:
            return services.person_create(data=form.to_input(), actor=request.user, source="web"), 200
        return services.person_update(person=person, data=form.to_input(), actor=request.user, source="web"), 200
    except DomainError as err:
        return None, attach_to_form(form, err)


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    scoping.require(request.user, perms.EDIT)
    form = PersonForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            person, status = _save_person(request, form)
            if person is not None:
                messages.success(request, _("已登记居民 %(name)s") % {"name": person.name})
                return redirect("people:detail", pk=person.pk)
    return render(request, "people/form.html", {"form": form, "person": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int):
    person = selectors.person_for_edit(actor=request.user, pk=pk)
    if request.method == "POST":
        form = PersonForm(request.POST, actor=request.user)
        status = 400
        if form.is_valid():
            saved, status = _save_person(request, form, person=person)
            if saved is not None:
                messages.success(request, _("已保存"))
                return redirect("people:detail", pk=person.pk)
        return render(request, "people/form.html", {"form": form, "person": person}, status=status)
    # The form shows the current values in full, so opening it is an unmasked read and is logged (R-P3).
    view = selectors.person_view(actor=request.user, person=person, reveal=True, channel=AccessChannel.PAGE,
                                 request=request, purpose=str(_("编辑居民信息")))
    form = PersonForm(actor=request.user, initial={
        "name": person.name, "unit": person.unit_id, "id_type": person.id_type, "id_number": view.id_number,
        "phone": view.phone, "address": view.address, "household": person.household.label if person.household else "",
        "tags": [t.code for t in view.tags],
    })
    response = render(request, "people/form.html", {"form": form, "person": person})
    add_never_cache_headers(response)
    return response


# --- volunteers ----------------------------------------------------------------------------------------------


@login_required
def volunteer_list(request):
    actor = request.user
    q = search_text(request)
    status = request.GET.get("status") or None
    if status not in VolunteerStatus.values:
        status = None
    skills = list(Skill.objects.all())
    skill = request.GET.get("skill") or None
    if skill not in {s.code for s in skills}:
        skill = None
    unit = _unit_param(request)
    qs = selectors.volunteer_list(actor=actor, q=q, status=status, skill=skill, unit_path=unit.path if unit else None)
    page = paginate(qs, page=int_param(request.GET.get("page")), page_size=PAGE_SIZE)
    ctx = {"page": page, "items": [presenters.volunteer_list_item(v) for v in page.items], "q": q, "status": status,
           "skill": skill, "skills": skills, "statuses": VolunteerStatus.choices, "unit": unit,
           "can_review": scoping.has_anywhere(actor, perms.VOLUNTEER_REVIEW)}
    if _is_partial(request):
        response = render(request, "people/_volunteer_results.html", ctx)
    else:
        ctx["units"] = _filter_units(actor, perms.VOLUNTEER_VIEW)
        response = render(request, "people/volunteers.html", ctx)
    response["Vary"] = "HX-Request"
    return response


def _volunteer_page(request, profile: VolunteerProfile, *, status: int = 200, forms: dict | None = None):
    actor = request.user
    can_manage = scoping.can(actor, perms.VOLUNTEER_MANAGE, profile.unit)
    forms = forms or {}
    ctx = {
        "v": profile, "rounds": volunteer_rules().screening_rounds,
        "reviews": profile.reviews.select_related("reviewer"),
        "status_changes": profile.status_changes.select_related("actor"),
        "certificates": profile.certificates.select_related("skill"),
        "availability": [AVAILABILITY_LABELS.get(a, a) for a in profile.availability or []],
        "can_manage": can_manage, "own": profile.person.user_id == actor.pk,
        "can_review": profile.status in (VolunteerStatus.APPLIED, VolunteerStatus.SCREENING)
        and scoping.can(actor, perms.VOLUNTEER_REVIEW, profile.unit),
        "can_view_person": scoping.can(actor, perms.VIEW, profile.person.unit),
        "suspend_form": forms.get("suspend") or ReasonForm(prefix="suspend"),
        "reinstate_form": forms.get("reinstate") or ReasonForm(prefix="reinstate"),
        "certificate_form": forms.get("certificate") or CertificateForm(prefix="cert"),
    }
    return render(request, "people/volunteer.html", ctx, status=status)


@login_required
def volunteer_detail(request, pk: int):
    return _volunteer_page(request, selectors.volunteer_get(actor=request.user, pk=pk))


def _volunteer_action(request, pk: int, key: str, form, call, *, own_allowed: bool = False):
    """Run a POST action on a volunteer; success redirects back, a refusal re-renders the page with its message.
    The right (managing volunteers there, or ``own_allowed`` for one's own profile) is checked before the form."""
    profile = selectors.volunteer_get(actor=request.user, pk=pk)
    if not (own_allowed and profile.person.user_id == request.user.pk):
        scoping.require(request.user, perms.VOLUNTEER_MANAGE, profile.unit)
    status = 400
    if form.is_valid():
        try:
            call(profile, form.cleaned_data)
        except DomainError as err:
            status = attach_to_form(form, err)
        else:
            messages.success(request, _("操作已完成"))
            return redirect("people:volunteer", pk=profile.pk)
    return _volunteer_page(request, profile, status=status, forms={key: form})


@login_required
@require_POST
def volunteer_suspend(request, pk: int):
    return _volunteer_action(request, pk, "suspend", ReasonForm(request.POST, prefix="suspend"),
                             lambda p, d: services.volunteer_suspend(profile=p, actor=request.user, reason=d["reason"]))


@login_required
@require_POST
def volunteer_reinstate(request, pk: int):
    return _volunteer_action(
        request, pk, "reinstate", ReasonForm(request.POST, prefix="reinstate"),
        lambda p, d: services.volunteer_reinstate(profile=p, actor=request.user, reason=d["reason"]))


@login_required
@require_POST
def certificate_add(request, pk: int):
    def call(p, d):
        services.certificate_add(profile=p, actor=request.user, name=d["name"], number=d["number"],
                                 skill=d["skill"].code if d["skill"] else "", issued_on=d["issued_on"],
                                 expires_on=d["expires_on"])

    return _volunteer_action(request, pk, "certificate", CertificateForm(request.POST, prefix="cert"), call,
                             own_allowed=True)


def _apply_page(request, form, *, person, mode: str, status: int = 200):
    ctx = {"form": form, "person": person, "mode": mode, "rules": volunteer_rules(),
           "is_minor": _is_minor(person)}
    return render(request, "people/volunteer_apply.html", ctx, status=status)


def _is_minor(person) -> bool:
    if person is None or person.birth_date is None:
        return False
    return age_on(person.birth_date, clock.today()) < volunteer_rules().guardian_consent_below


def _submit_application(request, form, person, mode: str):
    if not _is_minor(person):  # the guardian field only matters for minors (R-V9)
        del form.fields["guardian_name"]
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                profile = services.volunteer_apply(person=person, actor=request.user, **form.service_kwargs())
            except DomainError as err:
                status = attach_to_form(form, err)
            else:
                messages.success(request, _("志愿者申请已提交，编号 %(number)s，等待审核") % {"number": profile.number})
                return redirect("people:volunteer", pk=profile.pk)
    return _apply_page(request, form, person=person, mode=mode, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_apply(request):
    """A resident applies for themself; an account without a resident record is told what to do."""
    person = selectors.own_person(request.user)
    if person is None:
        status = PeopleError.NO_PERSON.status if request.method == "POST" else 200
        return _apply_page(request, None, person=None, mode="self", status=status)
    if hasattr(person, "volunteer"):
        return redirect("people:volunteer", pk=person.volunteer.pk)
    return _submit_application(request, VolunteerApplyForm(request.POST or None), person, "self")


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_register(request, pk: int):
    """A worker registers a resident as a volunteer on their behalf (代为登记), with their consent (R-V2, R-V9)."""
    person = selectors.person_get(actor=request.user, pk=pk)
    scoping.require(request.user, perms.VOLUNTEER_REGISTER, person.unit)
    if hasattr(person, "volunteer"):
        messages.info(request, _("此人已登记为志愿者"))
        return redirect("people:detail", pk=person.pk)
    return _submit_application(request, VolunteerRegisterForm(request.POST or None), person, "worker")


def _queue_page(request, *, status: int = 200, forms: dict | None = None):
    actor = request.user
    page = paginate(selectors.review_queue(actor=actor), page=int_param(request.GET.get("page")), page_size=PAGE_SIZE)
    rounds = volunteer_rules().screening_rounds
    rows = []
    for v in page.items:
        reviews = list(v.reviews.all())
        rows.append({
            "v": v, "reviews": reviews, "round": len(reviews) + 1, "rounds": rounds,
            "reviewed_by_me": any(r.reviewer_id == actor.pk for r in reviews),
            "form": (forms or {}).get(v.pk) or ReviewForm(prefix=f"r{v.pk}"),
        })
    return render(request, "people/review_queue.html", {"page": page, "rows": rows, "rounds": rounds}, status=status)


@login_required
def review_queue(request):
    return _queue_page(request)


@login_required
@require_POST
def volunteer_review(request, pk: int):
    """One screening round (多轮筛选): pass or reject with a note; another reviewer takes the next round."""
    profile = selectors.volunteer_get(actor=request.user, pk=pk)
    form = ReviewForm(request.POST, prefix=f"r{profile.pk}")
    status = 400
    if form.is_valid():
        try:
            review = services.volunteer_review(profile=profile, actor=request.user, **form.cleaned_data)
        except DomainError as err:
            status = attach_to_form(form, err)
        else:
            messages.success(request, _("已提交 %(name)s 第 %(round)s 轮审核") % {"name": profile.person.name,
                                                                           "round": review.round})
            return redirect("people:review_queue")
    return _queue_page(request, status=status, forms={profile.pk: form})

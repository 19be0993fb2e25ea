"""Pages for star levels, certificates, ratings and honours. Thin: parse, call selectors/services, render.

Refusals that belong to a form go onto it (status 400); not-found and forbidden propagate to ``web.middleware``.
The verify page is public: it shows only what the certificate itself shows (masked ID, R-P3).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import scoping
from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate
from gongzhi.org.divisions import UnitKind
from gongzhi.web.middleware import attach_to_form
from gongzhi.web.params import int_param

from . import permissions as perms
from . import presenters, selectors, services
from .api import certificate_pdf_response
from .forms import CandidatesForm, CertificateRequestForm, HonoursForm, IssueForm, RatingForm, ReasonForm
from .models import CertificateStatus

PAGE_SIZE = 20


def _year(request) -> int:
    return int_param(request.GET.get("year"), selectors.local_today().year) or selectors.local_today().year


def _units(actor, perm):
    return list(scoping.units_for(actor, perm).exclude(kind=UnitKind.GRID).order_by("path")[:200])


def _recognition_context(volunteer, year: int) -> dict:
    return {
        "v": volunteer,
        "rec": presenters.recognition(volunteer, year),
        "thresholds": selectors.star_thresholds_for(volunteer.unit),
        "year": year,
        "years": [selectors.local_today().year - i for i in range(3)],
        "stars": range(1, 6),
    }


# --- the volunteer's own page --------------------------------------------------------------------------------


@login_required
def mine(request):
    """My star level, hours, the incentive formula and my numbers, my certificates and a request button."""
    volunteer = selectors.own_volunteer(request.user)
    if volunteer is None:
        return render(request, "recognition/mine.html", {"v": None})
    ctx = _recognition_context(volunteer, _year(request))
    ctx["certificates"] = list(selectors.certificate_list(actor=request.user).filter(volunteer=volunteer)[:20])
    ctx["request_form"] = CertificateRequestForm(prefix="req")
    return render(request, "recognition/mine.html", ctx)


@login_required
@require_POST
def certificate_request(request):
    """申请: the volunteer for themself, or a worker for a volunteer (``volunteer`` in the form)."""
    vid = int_param(request.POST.get("volunteer"), None)
    volunteer = (selectors.volunteer_get(actor=request.user, pk=vid) if vid
                 else selectors.own_volunteer_or_error(request.user))
    form = CertificateRequestForm(request.POST, prefix="req")
    if form.is_valid():
        try:
            cert = services.certificate_request(volunteer=volunteer, actor=request.user, **form.cleaned_data)
        except DomainError as err:
            status = attach_to_form(form, err)
        else:
            messages.success(request, _("已提交志愿服务证明申请，等待受理（免费出具）"))
            if vid:
                return redirect("recognition:volunteer", pk=volunteer.pk)
            return redirect(reverse("recognition:mine") + f"#c{cert.pk}")
    else:
        status = 400
    if vid:
        return _volunteer_page(request, volunteer, status=status, request_form=form)
    ctx = _recognition_context(volunteer, _year(request))
    ctx["certificates"] = list(selectors.certificate_list(actor=request.user).filter(volunteer=volunteer)[:20])
    ctx["request_form"] = form
    return render(request, "recognition/mine.html", ctx, status=status)


# --- a worker's view of one volunteer ------------------------------------------------------------------------


def _volunteer_page(request, volunteer, *, status: int = 200, request_form=None, rating_form=None):
    actor = request.user
    ctx = _recognition_context(volunteer, _year(request))
    ctx["certificates"] = list(selectors.certificate_list(actor=actor).filter(volunteer=volunteer)[:20])
    ctx["ratings"] = list(selectors.current_ratings().filter(volunteer=volunteer).select_related(
        "activity", "rated_by")[:20]) if scoping.can(actor, perms.VIEW, volunteer.unit) else []
    ctx["can_request"] = scoping.can(actor, perms.ISSUE_CERTIFICATE, volunteer.unit)
    ctx["request_form"] = request_form or CertificateRequestForm(prefix="req")
    activities = selectors.rateable_activities(actor=actor, volunteer=volunteer)
    ctx["rating_form"] = rating_form or (RatingForm(prefix="rate", activities=activities) if activities else None)
    return render(request, "recognition/volunteer.html", ctx, status=status)


@login_required
def volunteer(request, pk: int):
    return _volunteer_page(request, selectors.volunteer_get(actor=request.user, pk=pk))


@login_required
@require_POST
def rating_record(request, pk: int):
    volunteer = selectors.volunteer_get(actor=request.user, pk=pk)
    scoping.require(request.user, perms.RATE)  # before the form: without the right the answer is 403, whatever is sent
    activities = selectors.rateable_activities(actor=request.user, volunteer=volunteer)
    form = RatingForm(request.POST, prefix="rate", activities=activities)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        activity = selectors.activity_get(actor=request.user, pk=d["activity"])
        try:
            services.rating_record(activity=activity, volunteer=volunteer, score=d["score"], actor=request.user,
                                   rater_kind=d["rater_kind"], beneficiary_label=d["beneficiary_label"],
                                   comment=d["comment"])
        except DomainError as err:
            status = attach_to_form(form, err)
        else:
            messages.success(request, _("评价已记录"))
            return redirect("recognition:volunteer", pk=volunteer.pk)
    return _volunteer_page(request, volunteer, status=status, rating_form=form)


# --- star candidates (R-V8) ----------------------------------------------------------------------------------


def _candidates_page(request, *, form=None, status: int = 200):
    actor = request.user
    scoping.require(actor, perms.VIEW)
    units = _units(actor, perms.VIEW)
    preview = None
    if form is None:
        data = request.GET if request.GET.get("unit") else None
        form = CandidatesForm(data, units=units, initial={"period_end": selectors.local_today(),
                                                          "unit": units[0].pk if units else None})
        if data is not None and form.is_valid():
            unit = selectors.unit_for(actor, perms.VIEW, form.cleaned_data["unit"])
            preview = {"unit": unit, "period_end": form.cleaned_data["period_end"],
                       "rows": selectors.star_candidates(unit=unit, period_end=form.cleaned_data["period_end"]),
                       "can_publish": scoping.can(actor, perms.PUBLISH_CANDIDATES, unit)}
    lists = []
    for cl in selectors.candidate_lists(actor=actor)[:20]:
        done = selectors.approved_candidate_ids(cl)
        lists.append({"cl": cl, "entries": list(cl.entries.all()), "done": done,
                      "can_approve": scoping.can(actor, perms.APPROVE_STARS, cl.unit)
                      and cl.published_by_id != actor.pk,
                      "pending": [e for e in cl.entries.all() if e.pk not in done]})
    return render(request, "recognition/candidates.html",
                  {"form": form, "preview": preview, "lists": lists, "stars": range(1, 6)}, status=status)


@login_required
def candidates(request):
    return _candidates_page(request)


@login_required
@require_POST
def candidates_publish(request):
    actor = request.user
    scoping.require(actor, perms.PUBLISH_CANDIDATES)  # before the form, whose units are those the actor may view
    form = CandidatesForm(request.POST, units=_units(actor, perms.VIEW))
    status = 400
    if form.is_valid():
        unit = selectors.unit_for(actor, perms.VIEW, form.cleaned_data["unit"])
        try:
            services.star_candidates_publish(unit=unit, period_end=form.cleaned_data["period_end"], actor=actor)
        except DomainError as err:
            status = attach_to_form(form, err)
        else:
            messages.success(request, _("候选名单已公示，请由另一位管理员审批"))
            return redirect("recognition:candidates")
    return _candidates_page(request, form=form, status=status)


@login_required
@require_POST
def candidates_approve(request, pk: int):
    actor = request.user
    cl = selectors.candidate_list_get(actor=actor, pk=pk)
    try:
        awards = services.star_awards_approve(candidate_list=cl, actor=actor)
    except DomainError as err:
        if err.status in (401, 404):
            raise
        messages.error(request, err.message)
        return _candidates_page(request, status=err.status if err.status == 403 else 400)
    messages.success(request, _("已认定 %(n)s 个星级") % {"n": len(awards)})
    return redirect("recognition:candidates")


# --- certificates (R-V7) -------------------------------------------------------------------------------------


def _queue_page(request, *, status: int = 200, forms: dict | None = None):
    actor = request.user
    scoping.require(actor, perms.VIEW)
    wanted = request.GET.get("status") or ""
    qs = selectors.certificate_list(actor=actor, status=wanted if wanted in CertificateStatus.values else None)
    qs = qs.filter(scoping.scope_q(actor, perms.VIEW, "unit__path"))
    page = paginate(qs, page=int_param(request.GET.get("page")), page_size=PAGE_SIZE)
    default_contact = getattr(actor, "phone", "") or ""
    rows = []
    for c in page.items:
        rows.append({
            "c": c, "can_issue": scoping.can(actor, perms.ISSUE_CERTIFICATE, c.unit),
            "issue_form": (forms or {}).get(c.pk) or IssueForm(prefix=f"i{c.pk}", initial={
                "contact": default_contact}),
        })
    return render(request, "recognition/certificates.html",
                  {"page": page, "rows": rows, "status": wanted, "statuses": CertificateStatus.choices},
                  status=status)


@login_required
def certificates(request):
    return _queue_page(request)


@login_required
@require_POST
def certificate_accept(request, pk: int):
    cert = selectors.certificate_get(actor=request.user, pk=pk)
    try:
        services.certificate_accept(certificate=cert, actor=request.user)
    except DomainError as err:
        if err.status in (401, 403, 404):
            raise
        messages.error(request, err.message)
        return _queue_page(request, status=400)
    messages.success(request, _("已受理证明申请"))
    return redirect("recognition:certificates")


@login_required
@require_POST
def certificate_issue(request, pk: int):
    cert = selectors.certificate_get(actor=request.user, pk=pk)
    scoping.require(request.user, perms.ISSUE_CERTIFICATE, cert.unit)  # before the form: no right is 403 whatever is sent
    form = IssueForm(request.POST, prefix=f"i{cert.pk}")
    status = 400
    if form.is_valid():
        try:
            cert = services.certificate_issue(certificate=cert, actor=request.user, **form.cleaned_data)
        except DomainError as err:
            status = attach_to_form(form, err)
        else:
            messages.success(request, _("已开具证明 %(number)s") % {"number": cert.number})
            return redirect("recognition:certificates")
    return _queue_page(request, status=status, forms={cert.pk: form})


@login_required
@require_POST
def certificate_revoke(request, pk: int):
    cert = selectors.certificate_get(actor=request.user, pk=pk)
    scoping.require(request.user, perms.ISSUE_CERTIFICATE, cert.unit)  # before the form, as certificate_issue
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写作废理由"))
        return _queue_page(request, status=400)
    try:
        services.certificate_revoke(certificate=cert, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as err:
        if err.status in (401, 403, 404):
            raise
        messages.error(request, err.message)
        return _queue_page(request, status=400)
    messages.success(request, _("证明已作废"))
    return redirect("recognition:certificates")


@login_required
def certificate_pdf(request, pk: int):
    return certificate_pdf_response(request, selectors.certificate_get(actor=request.user, pk=pk))


def verify(request, code: str):
    """Public: anyone holding the certificate checks it here, without logging in."""
    cert = selectors.certificate_by_code(code)
    return render(request, "recognition/verify.html", {"cert": cert, "s": cert.snapshot,
                                                        "valid": cert.status == CertificateStatus.ISSUED})


# --- honours -------------------------------------------------------------------------------------------------


def _honours_page(request, *, form=None, status: int = 200):
    actor = request.user
    lists = list(selectors.honour_lists(actor=actor)[:20])
    units = _units(actor, perms.PUBLISH_HONOURS)
    if form is None and units:
        form = HonoursForm(units=units, initial={"year": selectors.local_today().year - 1, "unit": units[0].pk})
    return render(request, "recognition/honours.html", {"lists": lists, "form": form if units else None},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def honours(request):
    if request.method == "GET":
        return _honours_page(request)
    actor = request.user
    scoping.require(actor, perms.PUBLISH_HONOURS)  # before the form: without the right its unit list is empty (400)
    form = HonoursForm(request.POST, units=_units(actor, perms.PUBLISH_HONOURS))
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        unit = selectors.unit_for(actor, perms.VIEW, d["unit"])
        try:
            services.honours_publish(unit=unit, year=d["year"], title=d["title"], top=d["top"], actor=actor)
        except DomainError as err:
            status = attach_to_form(form, err)
        else:
            messages.success(request, _("表彰名单已发布"))
            return redirect("recognition:honours")
    return _honours_page(request, form=form, status=status)

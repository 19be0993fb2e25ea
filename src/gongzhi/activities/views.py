"""Pages for activities. Thin: parse input, call ``activities.selectors`` / ``activities.services``, render.

Refusals that name a form field land on that field (400); not-found and forbidden propagate to ``web.middleware``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import scoping
from gongzhi.core.errors import CommonError, DomainError
from gongzhi.core.pagination import paginate
from gongzhi.web.middleware import attach_to_form
from gongzhi.web.params import int_param, search_text

from . import ical, presenters, selectors, services
from . import permissions as perms
from .errors import ActivitiesError
from .exporting import roster_xlsx
from .forms import ActivityForm, BeneficiaryForm, CancelForm, PolicyForm, PublishedActivityForm, SignupForm
from .models import ActivityStatus, Category, SignupStatus

PAGE_SIZE = 20
TRANSITIONS = {
    "publish": services.activity_publish,
    "start": services.activity_start,
    "finish": services.activity_finish,
}
TRANSITION_DONE = {
    "publish": _("活动已发布，志愿者可以报名了"),
    "start": _("活动已开始"),
    "finish": _("活动已结束"),
}


def _is_partial(request) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _date_param(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _hours_link(activity) -> str | None:
    """The hours app's page of the activity, by URL path, only when that page is installed."""
    path = f"/hours/activities/{activity.pk}/"
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


# --- lists ---------------------------------------------------------------------------------------------------


@login_required
def activity_list(request):
    """Volunteers see what is open to them (places left or a waitlist); workers filter everything in their units."""
    actor = request.user
    worker = scoping.has_anywhere(actor, perms.VIEW)
    if not worker and selectors.reader(actor).person is None:
        return render(request, "activities/list.html", {"worker": False, "no_person": True, "items": [],
                                                        "page": None})
    status = request.GET.get("status") or None
    if status not in ActivityStatus.values:
        status = None
    category = request.GET.get("category") or None
    cats = list(selectors.categories())
    if category not in {c.code for c in cats}:
        category = None
    q = search_text(request)
    date_from, date_to = _date_param(request.GET.get("from")), _date_param(request.GET.get("to"))
    view = request.GET.get("view") or ("all" if worker else "open")
    open_only = view == "open"
    units = list(scoping.units_for(actor, perms.VIEW).exclude(kind__in=["district", "grid"]).order_by("path")[:300])
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit")), None)
    qs = selectors.activity_list(actor=actor, status=status, category=category, q=q, date_from=date_from,
                                 date_to=date_to, open_only=open_only, unit_path=unit.path if unit else None)
    if open_only:
        qs = qs.order_by("starts_at", "pk")
    page = paginate(qs, page=int_param(request.GET.get("page")), page_size=PAGE_SIZE)
    ctx = {"worker": worker, "page": page, "items": page.items, "status": status, "statuses": ActivityStatus.choices,
           "category": category, "categories": cats, "q": q, "date_from": request.GET.get("from", "")[:10],
           "date_to": request.GET.get("to", "")[:10], "view": view, "units": units, "unit": unit,
           "can_create": scoping.has_anywhere(actor, perms.MANAGE),
           "can_insure": scoping.has_anywhere(actor, perms.INSURANCE)}
    template = "activities/_results.html" if _is_partial(request) else "activities/list.html"
    response = render(request, template, ctx)
    response["Vary"] = "HX-Request"
    return response


@login_required
def my_signups(request):
    """My sign-ups with status and waitlist position, and the calendar subscription link."""
    signups = list(selectors.my_signups(actor=request.user))
    for s in signups:
        s.position = selectors.waitlist_position(s)
    token = ical.calendar_token(request.user)
    feed = request.build_absolute_uri(f"/activities/calendar/{token}.ics")
    return render(request, "activities/my.html", {
        "signups": signups, "feed_url": feed, "webcal_url": "webcal://" + feed.split("://", 1)[-1],
        "is_volunteer": selectors.reader(request.user).volunteer is not None})


def calendar_feed(request, token: str):
    """The .ics of the token's user: live sign-ups (no session; the signed token is the key)."""
    from gongzhi.accounts.models import User

    user_id = ical.calendar_user_id(token)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        raise Http404
    signups = selectors.my_signups(actor=user, live_only=True)
    body = ical.calendar_ics(signups, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="gongzhi.ics"'
    return response


# --- detail and organiser controls ---------------------------------------------------------------------------


def _detail_context(request, activity, **forms) -> dict:
    actor = request.user
    can_manage = selectors.can_manage(actor, activity)
    mine = selectors.my_signup_for(actor=actor, activity=activity)
    me = selectors.reader(actor)
    ctx = {
        "a": activity, "can_manage": can_manage, "mine": mine,
        "mine_live": mine is not None and mine.status in (SignupStatus.PENDING, SignupStatus.CONFIRMED,
                                                          SignupStatus.WAITLISTED),
        "position": selectors.waitlist_position(mine) if mine else None,
        "is_volunteer": me.volunteer is not None,
        "open": activity.status in selectors.OPEN_STATUSES,
        "places_left": max(0, activity.capacity - activity.confirmed_count),
        "signup_form": forms.get("signup_form") or SignupForm(),
        "signup_key": uuid.uuid4().hex,  # sent back by the sign-up form: a second submit of it is the same sign-up
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "beneficiary_form": forms.get("beneficiary_form") or BeneficiaryForm(),
        "events": list(selectors.activity_events(activity)),
        "hours_url": _hours_link(activity),
        "policy": selectors.covering_policy(activity) if activity.category.dangerous else None,
    }
    if scoping.can(actor, perms.VIEW, activity.unit):
        ctx["signups"] = presenters.signup_items(selectors.signup_list(actor=actor, activity=activity))
        current = list(selectors.beneficiaries_current(activity))
        ctx["beneficiaries"] = current
        ctx["beneficiary_total"] = sum(b.count for b in current)
    return ctx


@login_required
def activity_detail(request, pk: int):
    activity = selectors.activity_get_for(request.user, pk)
    return render(request, "activities/detail.html", _detail_context(request, activity))


@login_required
@require_POST
def activity_transition(request, pk: int, action: str):
    activity = selectors.activity_for_organiser(request.user, pk)
    if action == "cancel":
        form = CancelForm(request.POST)
        if not form.is_valid():
            return render(request, "activities/detail.html", _detail_context(request, activity, cancel_form=form),
                          status=400)
        services.activity_cancel(activity=activity, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("活动已取消，已通知报名的志愿者"))
        return redirect("activities:detail", pk=pk)
    service = TRANSITIONS.get(action)
    if service is None:
        raise CommonError.NOT_FOUND.error()
    service(activity=activity, actor=request.user)
    messages.success(request, TRANSITION_DONE[action])
    return redirect("activities:detail", pk=pk)


@login_required
@require_POST
def signup_create(request, pk: int):
    """The sign-up button. Its form carries the key made when the page was rendered, so a form sent twice (a double
    click, a resubmit after a lost answer) shows the one sign-up it made."""
    activity = selectors.activity_get_for(request.user, pk)
    form = SignupForm(request.POST)
    if form.is_valid():
        try:
            volunteer = services.require_volunteer(request.user)
            signup = services.signup_create(activity=activity, volunteer=volunteer, actor=request.user,
                                            guardian_name=form.cleaned_data["guardian_name"],
                                            guardian_present=form.cleaned_data["guardian_present"],
                                            note=form.cleaned_data["note"],
                                            idempotency_key=request.POST.get("idempotency_key") or None)
        except DomainError as err:
            status = attach_to_form(form, err)
        else:
            if signup.replayed:
                messages.info(request, _("这份报名表已经提交过，报名状态：%(status)s") % {
                    "status": signup.get_status_display()})
            else:
                messages.success(request, {
                    SignupStatus.CONFIRMED: _("报名成功"), SignupStatus.PENDING: _("已提交报名，等待组织方审核"),
                    SignupStatus.WAITLISTED: _("名额已满，您已进入候补，有人取消时自动递补"),
                }[signup.status])
            return redirect("activities:detail", pk=pk)
    else:
        status = 400
    activity.refresh_from_db()
    return render(request, "activities/detail.html", _detail_context(request, activity, signup_form=form),
                  status=status)


@login_required
@require_POST
def signup_action(request, pk: int, action: str):
    """Cancel (the volunteer or an organiser), approve or reject (an organiser) one sign-up."""
    signup = selectors.signup_get_for(request.user, pk)
    reason = request.POST.get("reason", "").replace("\x00", "").strip()[:200]
    if action == "cancel":
        services.signup_cancel(signup=signup, actor=request.user, reason=reason)
        messages.success(request, _("报名已取消"))
    elif action == "approve":
        signup = services.signup_approve(signup=signup, actor=request.user)
        messages.success(request, _("已审核通过") if signup.status == SignupStatus.CONFIRMED
                         else _("名额已满，已列入候补"))
    elif action == "reject":
        services.signup_reject(signup=signup, actor=request.user, reason=reason)
        messages.success(request, _("已标记为未录用"))
    else:
        raise CommonError.NOT_FOUND.error()
    if request.POST.get("next") == "my":
        return redirect("activities:my")
    return redirect("activities:detail", pk=signup.activity_id)


@login_required
@require_POST
def beneficiaries_record(request, pk: int):
    activity = selectors.activity_for_organiser(request.user, pk)
    form = BeneficiaryForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.beneficiaries_record(activity=activity, group=form.cleaned_data["group"],
                                          count=form.cleaned_data["count"], actor=request.user,
                                          note=form.cleaned_data["note"])
        except DomainError as err:
            status = attach_to_form(form, err)
        else:
            messages.success(request, _("已登记惠及人次"))
            return redirect("activities:detail", pk=pk)
    return render(request, "activities/detail.html", _detail_context(request, activity, beneficiary_form=form),
                  status=status)


# --- create and edit -----------------------------------------------------------------------------------------


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else None


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request):
    scoping.require(request.user, perms.MANAGE)
    form = ActivityForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                activity = services.activity_create(data=form.to_input(), actor=request.user)
            except DomainError as err:
                status = attach_to_form(form, err)
            else:
                messages.success(request, _("已保存为草稿，确认无误后请发布"))
                return redirect("activities:detail", pk=activity.pk)
    return render(request, "activities/form.html", {"form": form, "a": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk: int):
    activity = selectors.activity_for_organiser(request.user, pk)
    draft = activity.status == ActivityStatus.DRAFT
    if activity.status in (ActivityStatus.FINISHED, ActivityStatus.CANCELLED):
        raise ActivitiesError.BAD_TRANSITION.error(detail={"status": activity.status})
    if request.method == "POST":
        form = ActivityForm(request.POST, actor=request.user) if draft else PublishedActivityForm(request.POST)
        status = 400
        if form.is_valid():
            if draft:
                data = form.to_input().with_changes(skills=list(activity.skills.all()),
                                                    checkin_radius_m=activity.checkin_radius_m)
            else:
                data = services.ActivityInput.from_activity(activity).with_changes(**form.cleaned_data)
            try:
                services.activity_update(activity=activity, data=data, actor=request.user)
            except DomainError as err:
                status = attach_to_form(form, err)
            else:
                messages.success(request, _("已保存"))
                return redirect("activities:detail", pk=pk)
        return render(request, "activities/form.html", {"form": form, "a": activity}, status=status)
    if draft:
        form = ActivityForm(actor=request.user, initial={
            "title": activity.title, "category": activity.category_id, "unit": activity.unit_id,
            "organiser": activity.organiser_id, "project": activity.project_id,
            "starts_at": _local(activity.starts_at), "ends_at": _local(activity.ends_at),
            "capacity": activity.capacity, "audience": activity.audience,
            "requires_approval": activity.requires_approval, "min_age": activity.min_age, "address": activity.address,
            "latitude": activity.latitude, "longitude": activity.longitude, "description": activity.description})
    else:
        form = PublishedActivityForm(initial={"capacity": activity.capacity, "address": activity.address,
                                              "description": activity.description})
    return render(request, "activities/form.html", {"form": form, "a": activity})


# --- insurance -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def insurance(request):
    """R-V10: the policies of my units, a form to record one, and the roster of each."""
    actor = request.user
    policies = selectors.policy_list(actor=actor)
    form = PolicyForm(request.POST or None, actor=actor)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.insurance_policy_create(unit=d["unit"], insurer=d["insurer"],
                                                 policy_number=d["policy_number"], starts_on=d["starts_on"],
                                                 ends_on=d["ends_on"], actor=actor, note=d["note"])
            except DomainError as err:
                status = attach_to_form(form, err)
            else:
                messages.success(request, _("已登记保单"))
                return redirect("activities:insurance")
    dangerous = Category.objects.filter(dangerous=True)
    return render(request, "activities/insurance.html", {"policies": policies, "form": form,
                                                         "dangerous": dangerous}, status=status)


@login_required
def insurance_roster(request, pk: int):
    policy = selectors.policy_get_for(request.user, pk)
    body = roster_xlsx(selectors.insurance_roster(actor=request.user, policy=policy))
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="roster-{policy.pk}.xlsx"'
    return response


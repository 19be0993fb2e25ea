"""Pages for check-in, confirmation and service records. Thin: parse input, call selectors/services, render.

The QR check-in link carries a token valid for about a minute. A volunteer who has to log in first would lose it, so
a valid scan is remembered in the session for :data:`SCAN_GRACE` (the session survives the login) and the 签到/签退
POST accepts either a still-valid token or that remembered scan of the same activity.
"""

from __future__ import annotations

import datetime as dt

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import scoping
from gongzhi.activities import selectors as activity_selectors
from gongzhi.activities.models import Activity
from gongzhi.core import clock
from gongzhi.core.errors import CommonError, DomainError
from gongzhi.core.pagination import paginate
from gongzhi.web.middleware import attach_to_form, render_domain_error
from gongzhi.web.params import int_param

from . import permissions as perms
from . import selectors, services
from .errors import HoursError
from .forms import BackEntryForm, BatchForm, CheckOutForm, CorrectionForm, ReasonForm, ResolveForm, at
from .models import Attendance, CheckMethod, ServiceRecord

SCAN_GRACE = dt.timedelta(minutes=10)
SCAN_KEY = "hours_scan"


def _never_cache(response):
    add_never_cache_headers(response)
    return response


# --- organiser ---------------------------------------------------------------------------------------------------


@login_required
def organiser(request):
    """The organiser's activities: check-in codes, attendances to confirm, open disputes."""
    qs = selectors.organiser_activities(actor=request.user).order_by("-starts_at", "-pk")
    page = paginate(qs, page=int_param(request.GET.get("page")), page_size=20)
    disputes = selectors.dispute_list(actor=request.user, open_only=True).count()
    return render(request, "hours/organiser.html", {"page": page, "open_disputes": disputes})


def _activity_context(request, activity, **extra):
    rows = selectors.attendance_rows(activity=activity)
    records = (ServiceRecord.objects.current().filter(activity=activity)
               .select_related("volunteer__person").order_by("day", "volunteer__person__name"))
    ctx = {
        "activity": activity, "rows": rows, "missing": [r for r in rows if r.missing_checkout],
        "confirmable": [r for r in rows if r.confirmable], "records": list(records),
        "checkout_form": CheckOutForm(),
        "can_back_enter": scoping.can(request.user, perms.BACK_ENTRY, activity.unit),
    }
    ctx.update(extra)
    return ctx


@login_required
def activity(request, pk: int):
    act = selectors.activity_for_confirm(actor=request.user, pk=pk)
    return render(request, "hours/activity.html", _activity_context(request, act))


@login_required
@require_POST
def confirm(request, pk: int):
    """Confirm one attendance (``attendance`` in the form) or every closed one (R-V5)."""
    act = selectors.activity_for_confirm(actor=request.user, pk=pk)
    one = request.POST.get("attendance")
    ids = None if not one else [int_param(one, 0)]
    records = services.attendances_confirm(activity=act, actor=request.user, attendance_ids=ids)
    messages.success(request, _("已确认 %(n)s 条服务时长") % {"n": len(records)})
    return redirect("hours:activity", pk=act.pk)


@login_required
@require_POST
def set_checkout(request, pk: int):
    """The organiser enters a missing check-out time (never guessed)."""
    attendance = selectors.attendance_get_for(actor=request.user, pk=pk)
    form = CheckOutForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.attendance_set_check_out(attendance=attendance, actor=request.user,
                                              checked_out_at=at(attendance.day, form.cleaned_data["time"]))
            messages.success(request, _("已补填签退时间"))
            return redirect("hours:activity", pk=attendance.activity_id)
        except DomainError as err:
            status = attach_to_form(form, err)
    ctx = _activity_context(request, attendance.activity, checkout_form=form, checkout_for=attendance.pk)
    return render(request, "hours/activity.html", ctx, status=status)


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    return image.to_string(encoding="unicode")


def _qr_context(request, act):
    now = clock.now()
    token = services.checkin_token(act, now)
    url = request.build_absolute_uri(reverse("hours:checkin", args=[token]))
    return {"activity": act, "url": url, "svg": mark_safe(_qr_svg(url)),  # noqa: S308 — SVG made by qrcode
            "generated_at": timezone.localtime(now)}


@login_required
def qr(request, pk: int):
    """The rotating check-in QR code for the organiser's screen; the image refreshes itself every 20 s."""
    act = selectors.activity_for_confirm(actor=request.user, pk=pk)
    ctx = _qr_context(request, act)
    ctx["geo_url"] = request.build_absolute_uri(reverse("hours:geo", args=[act.pk]))
    return _never_cache(render(request, "hours/qr.html", ctx))


@login_required
def qr_image(request, pk: int):
    act = selectors.activity_for_confirm(actor=request.user, pk=pk)
    return _never_cache(render(request, "hours/_qr.html", _qr_context(request, act)))


@login_required
@require_http_methods(["GET", "POST"])
def batch(request, pk: int):
    """Organiser batch entry of check-in/out times for the confirmed sign-ups."""
    act = selectors.activity_for_confirm(actor=request.user, pk=pk)
    signups = list(selectors.confirmed_signups(activity=act))
    form = BatchForm(request.POST or None, activity=act, signups=signups)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            entries = form.entries()
            if not entries:
                form.add_error(None, _("请至少填写一名志愿者的签到时间"))
            else:
                try:
                    services.attendance_batch_record(activity=act, entries=entries, actor=request.user)
                    messages.success(request, _("已录入 %(n)s 条签到记录") % {"n": len(entries)})
                    return redirect("hours:activity", pk=act.pk)
                except DomainError as err:
                    status = attach_to_form(form, err)
    return render(request, "hours/batch.html", {"activity": act, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def back_entry(request, pk: int):
    """补录: hours for a volunteer on a day of the activity, marked as back-entry (R-V5)."""
    act = selectors.activity_for_back_entry(actor=request.user, pk=pk)
    signups = list(selectors.confirmed_signups(activity=act))
    form = BackEntryForm(request.POST or None, activity=act, signups=signups)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            volunteer = next(s.volunteer for s in signups if s.volunteer_id == form.cleaned_data["volunteer"])
            try:
                services.service_record_back_enter(
                    activity=act, volunteer=volunteer, day=dt.date.fromisoformat(form.cleaned_data["day"]),
                    hours=form.cleaned_data["hours"], reason=form.cleaned_data["reason"], actor=request.user)
                messages.success(request, _("已补录服务时长"))
                return redirect("hours:activity", pk=act.pk)
            except DomainError as err:
                status = attach_to_form(form, err)
    return render(request, "hours/back_entry.html", {"activity": act, "form": form}, status=status)


# --- records ---------------------------------------------------------------------------------------------------------


def _record_context(request, record, **extra):
    chain = selectors.record_chain(record)
    current = ServiceRecord.objects.current().filter(pk=record.pk).exists()
    ctx = {"record": record, "chain": chain, "current": current,
           "can_change": current and scoping.can(request.user, perms.CONFIRM, record.unit_path),
           "correct_form": CorrectionForm(), "revoke_form": ReasonForm()}
    ctx.update(extra)
    return ctx


@login_required
def record(request, pk: int):
    rec = selectors.service_record_get(actor=request.user, pk=pk)
    return render(request, "hours/record.html", _record_context(request, rec))


@login_required
@require_POST
def record_correct(request, pk: int):
    rec = selectors.service_record_get(actor=request.user, pk=pk)
    scoping.require(request.user, perms.CONFIRM, rec.unit_path)  # the right before the form (no hints)
    form = CorrectionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            new = services.service_record_correct(record=rec, hours=form.cleaned_data["hours"],
                                                  reason=form.cleaned_data["reason"], actor=request.user)
            messages.success(request, _("已更正服务时长"))
            return redirect("hours:record", pk=new.pk)
        except DomainError as err:
            status = attach_to_form(form, err)
    return render(request, "hours/record.html", _record_context(request, rec, correct_form=form), status=status)


@login_required
@require_POST
def record_revoke(request, pk: int):
    rec = selectors.service_record_get(actor=request.user, pk=pk)
    scoping.require(request.user, perms.CONFIRM, rec.unit_path)  # the right before the form (no hints)
    form = ReasonForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            new = services.service_record_revoke(record=rec, reason=form.cleaned_data["reason"], actor=request.user)
            messages.success(request, _("已撤销该服务记录"))
            return redirect("hours:record", pk=new.pk)
        except DomainError as err:
            status = attach_to_form(form, err)
    return render(request, "hours/record.html", _record_context(request, rec, revoke_form=form), status=status)


# --- volunteers ---------------------------------------------------------------------------------------------------------


@login_required
def mine(request):
    """The volunteer's own history (corrections with their reason, 补录 marked) and total confirmed hours."""
    volunteer = services.own_volunteer(request.user)
    records = list(selectors.volunteer_records(volunteer))
    ctx = {"volunteer": volunteer, "rows": selectors.history(records),
           "total": selectors.volunteer_total_hours(volunteer), "disputes": list(selectors.own_disputes(actor=request.user)),
           "own": True}
    return render(request, "hours/history.html", ctx)


@login_required
@require_POST
def dispute_open(request, pk: int):
    rec = selectors.own_record_get(actor=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        raise HoursError.REASON_REQUIRED.error()
    services.dispute_open(record=rec, reason=form.cleaned_data["reason"], actor=request.user)
    messages.success(request, _("异议已提交，组织者核实后会答复您"))
    return redirect("hours:mine")


@login_required
def volunteer(request, pk: int):
    """One volunteer's records for workers, limited to the records in the worker's units."""
    v = selectors.volunteer_get_for(actor=request.user, pk=pk)
    qs = selectors.service_record_list(actor=request.user, volunteer_id=v.pk)
    records = list(qs[:500])
    total = sum((r.hours for r in records), start=services.Decimal(0))
    return render(request, "hours/history.html", {"volunteer": v, "rows": selectors.history(records),
                                                  "total": total, "own": False})


@login_required
def disputes(request):
    items = list(selectors.dispute_list(actor=request.user)[:200])
    return render(request, "hours/disputes.html", {"items": items, "form": ResolveForm()})


@login_required
@require_POST
def dispute_resolve(request, pk: int):
    dispute = selectors.dispute_get_for(actor=request.user, pk=pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.dispute_resolve(dispute=dispute, note=form.cleaned_data["note"], hours=form.cleaned_data["hours"],
                                     actor=request.user)
            messages.success(request, _("异议已处理"))
            return redirect("hours:disputes")
        except DomainError as err:
            status = attach_to_form(form, err)
    else:
        status = 400
    items = list(selectors.dispute_list(actor=request.user)[:200])
    return render(request, "hours/disputes.html", {"items": items, "form": form, "form_for": dispute.pk},
                  status=status)


# --- volunteer self check-in ---------------------------------------------------------------------------------------


def _remember_scan(request, activity_id: int) -> None:
    request.session[SCAN_KEY] = {"a": activity_id, "at": clock.now().timestamp()}


def _scanned(request, activity_id: int) -> bool:
    scan = request.session.get(SCAN_KEY) or {}
    fresh = clock.now().timestamp() - float(scan.get("at", 0)) <= SCAN_GRACE.total_seconds()
    return scan.get("a") == activity_id and fresh


def _status(act, volunteer):
    attendance = (Attendance.objects.filter(activity=act, volunteer=volunteer).order_by("-day", "-pk").first()
                  if volunteer else None)
    signup = services.confirmed_signup(activity=act, volunteer=volunteer) if volunteer else None
    return attendance, signup


def _checkin_page(request, act, *, token: str | None, status: int = 200, **extra):
    volunteer = services.own_volunteer(request.user) if request.user.is_authenticated else None
    attendance, signup = _status(act, volunteer)
    today = timezone.localtime(clock.now()).date()
    ctx = {"activity": act, "token": token, "attendance": attendance, "signup": signup,
           "open": attendance is not None and attendance.checked_out_at is None,
           "done_today": attendance is not None and attendance.day == today and attendance.checked_out_at is not None,
           "derived": services.derive_hours(attendance) if attendance else None, "window": services.day_window(
               act, today)}
    ctx.update(extra)
    return _never_cache(render(request, "hours/checkin.html", ctx, status=status))


@require_http_methods(["GET", "POST"])
def checkin(request, token: str):
    """The page a scanned QR code opens: the activity, the volunteer's status, and 签到 / 签退 buttons."""
    try:
        activity_id = services.checkin_token_activity_id(token)
        _remember_scan(request, activity_id)
    except DomainError as err:
        scan = request.session.get(SCAN_KEY) or {}
        if not (request.user.is_authenticated and _scanned(request, scan.get("a"))
                and _token_names(token, scan.get("a"))):
            return render_domain_error(request, err)
        activity_id = scan["a"]
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    act = Activity.objects.select_related("unit").filter(pk=activity_id).first()
    if act is None:
        raise CommonError.NOT_FOUND.error()
    if request.method == "POST":
        volunteer = services.own_volunteer(request.user)
        action = request.POST.get("action")
        if action not in ("in", "out"):
            raise CommonError.BAD_REQUEST.error()
        fn = services.attendance_check_in if action == "in" else services.attendance_check_out
        try:
            fn(activity=act, volunteer=volunteer, actor=request.user, method=CheckMethod.QR)
        except DomainError as err:
            if err.status in (401, 403, 404):
                raise
            return _checkin_page(request, act, token=token, status=err.status, error=err.message)
        messages.success(request, _("签到成功") if action == "in" else _("签退成功"))
        return redirect(request.path)
    return _checkin_page(request, act, token=token)


def _token_names(token: str, activity_id) -> bool:
    """Whether an (expired) token was genuinely signed for ``activity_id`` (a forged one never is)."""
    from django.core import signing

    try:
        return services._signer().unsign_object(token).get("a") == activity_id
    except (signing.BadSignature, AttributeError, ValueError, UnicodeError):
        return False


@login_required
@require_http_methods(["GET", "POST"])
def geo(request, pk: int):
    """Geofenced self check-in: the browser sends its position; accepted within the activity's radius."""
    act = activity_selectors.activity_get_for(request.user, pk)  # another community's activity is not found
    volunteer = services.own_volunteer(request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("in", "out"):
            raise CommonError.BAD_REQUEST.error()
        fn = services.attendance_check_in if action == "in" else services.attendance_check_out
        try:
            fn(activity=act, volunteer=volunteer, actor=request.user, method=CheckMethod.GEO,
               latitude=request.POST.get("latitude"), longitude=request.POST.get("longitude"))
        except DomainError as err:
            if err.status in (401, 404):
                raise
            return _checkin_page(request, act, token=None, status=err.status, error=err.message, geo=True)
        messages.success(request, _("签到成功") if action == "in" else _("签退成功"))
        return redirect(request.path)
    return _checkin_page(request, act, token=None, geo=True)


"""Pages for xlsx import (upload form, job page with htmx progress, error report) and export of people/volunteers.

Thin: the form shapes input, ``people.importing`` / ``people.exporting`` check scope and rules. Domain errors that
name a form field go on that field (400); not-found / forbidden propagate to ``web.middleware`` (404 / 403).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.accounts import scoping
from gongzhi.core.errors import DomainError
from gongzhi.org import selectors as org_selectors
from gongzhi.web.middleware import attach_to_form

from . import importing
from . import permissions as perms
from .models import ImportKind, ImportStatus
from .transfer_api import ExportFilter, export_response, import_job_out, template_response, xlsx_response

RECENT_JOBS = 10


def _unit_label(unit) -> str:
    return f"{'　' * max(0, unit.depth - 1)}{unit.name}（{unit.code}）"


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _unit_label(obj)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    kind = forms.ChoiceField(label=_("导入类型"), choices=ImportKind.choices, initial=ImportKind.PEOPLE,
                             widget=forms.RadioSelect)
    unit = UnitChoice(label=_("导入到"), queryset=None, empty_label=_("请选择"),
                      help_text=_("表中未填“所属单元代码”的行登记到此单元；填写的代码须在此单元范围内"))
    dry_run = forms.BooleanField(label=_("仅校验，不保存"), required=False)
    strict = forms.BooleanField(label=_("严格模式：任何一行有错误则全部不保存"), required=False)
    consent_confirmed = forms.BooleanField(
        label=_("我确认名单中的每一位志愿者均已本人同意登记（导入志愿者时必选）"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = importing.import_unit_choices(actor=actor)


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    actor = request.user
    scoping.require(actor, perms.IMPORT)
    form = ImportForm(request.POST or None, request.FILES or None, actor=actor)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            job = importing.import_job_create(
                actor=actor, kind=d["kind"], unit=d["unit"], upload=d["file"], dry_run=d["dry_run"],
                strict=d["strict"], consent_confirmed=d["consent_confirmed"],
            )
        except DomainError as err:
            if err.code.startswith(("people.import_", "upload.")) or err.status == 413:
                form.add_error("file", str(err.message))
                status = 400
            else:
                status = attach_to_form(form, err)
        else:
            importing.import_job_start(job=job)
            return redirect("people:import_job", pk=job.pk)
    elif request.method == "POST":
        status = 400
    jobs = importing.import_job_list(actor=actor).order_by("-created_at", "-pk")[:RECENT_JOBS]
    return render(request, "people/transfer/import.html", {
        "form": form, "jobs": [import_job_out(j) for j in jobs], **_export_context(actor),
    }, status=status)


def _export_context(actor) -> dict:
    can_export = scoping.has_anywhere(actor, perms.EXPORT)
    return {
        "can_export": can_export,
        "can_export_unmasked": scoping.has_anywhere(actor, perms.EXPORT_UNMASKED),
        "export_units": [(u.pk, _unit_label(u))
                         for u in scoping.units_for(actor, perms.EXPORT).order_by("path")[:300]] if can_export else [],
    }


@login_required
@require_GET
def import_job_page(request, pk: int):
    job = importing.import_job_get(actor=request.user, pk=pk)
    ctx = {"job": import_job_out(job), "running": job.status in (ImportStatus.PENDING, ImportStatus.RUNNING)}
    template = "people/transfer/_job_status.html" if request.headers.get("HX-Request") else "people/transfer/job.html"
    response = render(request, template, ctx)
    response["Vary"] = "HX-Request"
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def import_errors(request, pk: int):
    job = importing.import_job_get(actor=request.user, pk=pk)
    report = importing.import_error_report_open(actor=request.user, job=job, channel="page", request=request)
    return xlsx_response(report, f"导入错误报告-{job.pk}.xlsx")


@login_required
@require_GET
def import_template(request):
    scoping.require(request.user, perms.IMPORT)
    return template_response(request.GET.get("kind", ImportKind.PEOPLE))


@login_required
@require_GET
def export(request):
    g = request.GET
    unit = None
    if g.get("unit"):  # pages pass a unit id (as the people list does); one the actor may not see is 404
        unit = org_selectors.unit_get(actor=request.user, pk=int(g["unit"]) if g["unit"].isdigit() else 0)
    volunteer = {"1": True, "true": True, "0": False, "false": False}.get(g.get("volunteer", ""))
    f = ExportFilter(
        kind=g.get("kind", ImportKind.PEOPLE), q=g.get("q", "").strip()[:50], unit=unit.path if unit else None,
        tag=g.get("tag") or None, volunteer=volunteer, status=g.get("status") or None, skill=g.get("skill") or None,
        unmasked=g.get("unmasked") in ("1", "true", "on"), purpose=g.get("purpose", "")[:200],
    )
    return export_response(request.user, f, request)

"""Pages of the points app (mounted at /points/). Thin: parse input, call selectors / services, render.

The board (公示) is the one page without login; it shows masked names and numbers only and links to nothing personal.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gongzhi.accounts import scoping
from gongzhi.core import clock
from gongzhi.core.errors import DomainError
from gongzhi.core.pagination import paginate
from gongzhi.ops.dbrouter import reading_from_replica
from gongzhi.people.models import Person
from gongzhi.web.middleware import attach_to_form
from gongzhi.web.params import int_param, search_text

from . import permissions as perms
from . import presenters, selectors, services
from .forms import AppealForm, AwardForm, DecisionForm, DeductionForm, NoteForm
from .models import Account, DeductionStatus, RuleItem

PAGE_SIZE = 20


def _today():
    return timezone.localtime(clock.now()).date()


# --- workers ---------------------------------------------------------------------------------------------------


@login_required
def home(request):
    """Accounts of the actor's subtree (search by name), queue counts and the rule versions in force."""
    actor = request.user
    scoping.require(actor, perms.VIEW)
    q = search_text(request)
    people = scoping.scope(Person.objects.select_related("unit"), actor, perms.VIEW, "unit__path")
    if q:
        people = people.filter(Q(name__contains=q) | Q(name_pinyin__contains=q.lower()))
    page = paginate(people.order_by("unit__path", "name", "pk"), page=int_param(request.GET.get("page")),
                    page_size=PAGE_SIZE)
    balances = dict(Account.objects.filter(person__in=page.items).values_list("person_id", "balance"))
    deductions = selectors.deduction_list(actor=actor)
    ctx = {
        "page": page, "q": q, "rows": [(p, balances.get(p.pk, 0)) for p in page.items],
        "pending": deductions.filter(status=DeductionStatus.PENDING).count(),
        "appealed": deductions.filter(status=DeductionStatus.APPEALED).count(),
        "rulesets": list(selectors.ruleset_list(actor=actor)[:20]),
        "can_award": scoping.has_anywhere(actor, perms.AWARD),
        "can_deduct": scoping.has_anywhere(actor, perms.ENTER_DEDUCTION),
        "board_month": _today().strftime("%Y-%m"),
    }
    return render(request, "points/home.html", ctx)


def _item(form, field="rule_item"):
    pk = form.cleaned_data.get(field)
    return RuleItem.objects.select_related("ruleset__unit").filter(pk=pk).first() if pk else None


@login_required
def award(request, pk: int):
    person = selectors.person_for_points(actor=request.user, pk=pk, perm=perms.AWARD)
    ruleset = selectors.ruleset_in_force(person.unit, _today())
    form = AwardForm(request.POST or None, ruleset=ruleset)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.award_grant(person=person, reason=form.cleaned_data["reason"], actor=request.user,
                                     idempotency_key=form.cleaned_data["idempotency_key"], rule_item=_item(form),
                                     points=form.cleaned_data["points"], evidence=form.cleaned_data["evidence"])
                messages.success(request, _("已为%(name)s奖励积分") % {"name": person.name})
                return redirect("points:home")
            except DomainError as err:
                status = attach_to_form(form, err)
    return render(request, "points/award.html", {"person": person, "ruleset": ruleset, "form": form,
                                                  "balance": selectors.own_balance(person)}, status=status)


@login_required
def deduct(request, pk: int):
    person = selectors.person_for_points(actor=request.user, pk=pk, perm=perms.ENTER_DEDUCTION)
    ruleset = selectors.ruleset_in_force(person.unit, _today())
    form = DeductionForm(request.POST or None, request.FILES or None, ruleset=ruleset)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.deduction_enter(person=person, reason=form.cleaned_data["reason"], actor=request.user,
                                         rule_item=_item(form), points=form.cleaned_data["points"],
                                         photo=form.cleaned_data["photo"])
                messages.success(request, _("扣分已登记，待另一名工作人员审核"))
                return redirect("points:home")
            except DomainError as err:
                status = attach_to_form(form, err)
    return render(request, "points/deduct.html", {"person": person, "ruleset": ruleset, "form": form},
                  status=status)


def _queue(request, *, form=None, form_for=None, status=200):
    actor = request.user
    qs = selectors.deduction_list(actor=actor).filter(status__in=(DeductionStatus.PENDING, DeductionStatus.APPEALED))
    items = [presenters.deduction_item(d) for d in qs.order_by("created_at", "pk")[:200]]
    return render(request, "points/queue.html", {
        "items": items, "form": form, "form_for": form_for, "note_form": NoteForm(), "decision_form": DecisionForm(),
        "can_check": scoping.has_anywhere(actor, perms.APPROVE_DEDUCTION)}, status=status)


@login_required
def queue(request):
    """The approval queue (待审核) and the appeals queue (申诉中) of the actor's subtree."""
    return _queue(request)


def _check(request, pk: int, form_class, act):
    deduction = selectors.deduction_get(actor=request.user, pk=pk, perm=perms.APPROVE_DEDUCTION)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(deduction, form.cleaned_data)
            messages.success(request, _("已处理"))
            return redirect("points:queue")
        except DomainError as err:
            status = attach_to_form(form, err)
    else:
        status = 400
    return _queue(request, form=form, form_for=deduction.pk, status=status)


@login_required
@require_POST
def approve(request, pk: int):
    return _check(request, pk, NoteForm, lambda d, data: services.deduction_approve(
        deduction=d, actor=request.user, note=data["note"]))


@login_required
@require_POST
def reject(request, pk: int):
    return _check(request, pk, NoteForm, lambda d, data: services.deduction_reject(
        deduction=d, actor=request.user, note=data["note"]))


@login_required
@require_POST
def decide(request, pk: int):
    return _check(request, pk, DecisionForm, lambda d, data: services.deduction_decide_appeal(
        deduction=d, actor=request.user, upheld=data["upheld"], note=data["note"]))


@login_required
def rulesets(request):
    return render(request, "points/rulesets.html", {"rulesets": list(selectors.ruleset_list(actor=request.user)[:100])})


# --- the resident --------------------------------------------------------------------------------------------


def _mine(request, *, form=None, form_for=None, status=200):
    person = selectors.own_person(request.user)
    page = paginate(selectors.own_postings(person), page=int_param(request.GET.get("page")), page_size=PAGE_SIZE)
    return render(request, "points/mine.html", {
        "person": person, "summary": presenters.my_points(person), "page": page,
        "history": [presenters.posting_item(p) for p in page.items],
        "deductions": [presenters.my_deduction_item(d) for d in selectors.own_deductions(person)[:50]],
        "form": form, "form_for": form_for, "board_month": _today().strftime("%Y-%m"),
        "board_unit": person.unit.parent if person.unit.kind == "grid" and person.unit.parent else person.unit,
    }, status=status)


@login_required
def mine(request):
    """My balance, history with reasons and rule items, my deductions with an appeal button (mobile-first)."""
    return _mine(request)


@login_required
@require_POST
def appeal(request, pk: int):
    deduction = selectors.own_deduction(selectors.own_person(request.user), pk)
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            services.deduction_appeal(deduction=deduction, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("申诉已提交，将由工作人员复核"))
            return redirect("points:mine")
        except DomainError as err:
            status = attach_to_form(form, err)
    else:
        status = 400
    return _mine(request, form=form, form_for=deduction.pk, status=status)


# --- the public board (no login) -------------------------------------------------------------------------------


@reading_from_replica()
def board(request, code: str, month: str):
    """积分公示 of a community/village and month: masked names, points and rule items, leaderboards (R-J2)."""
    data = selectors.board(unit_code=code, month=month)
    return render(request, "points/board.html", {"board": data})

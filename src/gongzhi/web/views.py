from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongzhi.accounts import scoping
from gongzhi.accounts.selectors import my_roles

from . import selectors
from .forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    return redirect("web:login")


@login_required
def home(request):
    user = request.user
    return render(request, "web/home.html", {
        "roles": my_roles(user),
        "cards": selectors.home_cards(actor=user),
        "units": scoping.top_units(user),
    })


def healthz(request):
    return JsonResponse({"status": "ok"})

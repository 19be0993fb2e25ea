from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongzhi.accounts import scoping, throttling
from gongzhi.accounts.selectors import my_roles
from gongzhi.core.errors import CommonError

from . import selectors
from .forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if throttling.ip_ceiling_reached(request):  # password spraying from one address (accounts.throttling)
            return throttling.lockout_response(request)
        return super().post(request, *args, **kwargs)


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


def page_not_found(request, exception=None):
    """Django's 404 for URLs no route matches, in the same look as a scoped not-found (API paths answer JSON)."""
    from django.utils.translation import gettext as _


    if request.path.startswith("/api/"):
        return JsonResponse(CommonError.NOT_FOUND.error().as_dict(), status=404)
    return render(request, "web/error.html", {"status": 404, "title": _("页面不存在"),
                                              "message": _("您访问的页面不存在或已被移除。")}, status=404)


def server_error(request):
    import sys

    from django.db import InterfaceError, OperationalError
    from django.utils.translation import gettext as _

    from .middleware import render_unavailable

    exc = sys.exc_info()[1]  # Django calls this handler while handling the exception
    if isinstance(exc, OperationalError | InterfaceError):  # the database failed outside a view (a middleware)
        return render_unavailable(request, exc)
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "message": _("服务器内部错误，请稍后再试"), "detail": None}, status=500)
    title, message = _("服务器内部错误"), _("服务器内部错误，请稍后再试。")
    try:
        return render(request, "web/error.html", {"status": 500, "title": title, "message": message}, status=500)
    except Exception:  # the page's menu and user need the database, which may be what failed
        from .middleware import render_without_database

        return HttpResponse(render_without_database(request, 500, title, message), status=500)

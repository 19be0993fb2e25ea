"""Pages speak Chinese unless the user picked English in the switcher.

A phone set to English still belongs to a 网格员 in 钢城区: pages ignore the browser's Accept-Language and follow only the
language cookie set by the switcher. The JSON API keeps Accept-Language, which is how API clients ask for a language.
"""

from django.utils.deprecation import MiddlewareMixin


class PagesIgnoreAcceptLanguageMiddleware(MiddlewareMixin):
    def process_request(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)

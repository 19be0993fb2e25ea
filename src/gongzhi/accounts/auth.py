"""API authentication: bearer tokens, or the browser session (with CSRF)."""

from ninja.security import HttpBearer, django_auth

from .services import token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api_auth = [TokenAuth(), django_auth]

"""Back office: notifications and outbox messages are viewable, never edited (senders and services change them)."""

from django.contrib import admin

from . import selectors
from .models import Notification, OutboxMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    user_field = ""

    def get_queryset(self, request):
        return selectors.recipients_in_scope(super().get_queryset(request), actor=request.user,
                                             user_field=self.user_field)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    user_field = "user_id"
    list_display = ("created_at", "user", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("title",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    user_field = "notification__user_id"
    list_display = ("created_at", "notification", "channel", "status", "attempts", "next_attempt_at", "sent_at",
                    "last_error")
    list_filter = ("status", "channel")
    list_select_related = ("notification",)

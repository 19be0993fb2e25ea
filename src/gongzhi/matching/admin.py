"""Read-only back office for the three lists, scoped like the pages. Needs, resources, projects and matches change
through the pages and API (their rules live in the services); history rows are read-only."""

from django.contrib import admin

from gongzhi.core.admin_scoping import AppendOnlyAdmin

from . import permissions as perms
from .models import Match, MatchEvent, Need, NeedEvent, Project, ProjectEvent, Resource, ServiceKind


@admin.register(ServiceKind)
class ServiceKindAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sort")

    def has_delete_permission(self, request, obj=None):
        return False  # needs, resources and projects are classified by these rows


@admin.register(Need)
class NeedAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = perms.VIEW, "unit__path"
    list_display = ("title", "kind", "unit", "source", "status", "beneficiaries", "created_at")
    list_filter = ("status", "source", "kind")
    search_fields = ("title",)


@admin.register(Resource)
class ResourceAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = perms.VIEW, "unit__path"
    list_display = ("name", "kind", "unit", "active", "created_at")
    list_filter = ("kind", "active")
    search_fields = ("name",)


@admin.register(Project)
class ProjectAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = perms.VIEW, "unit__path"
    list_display = ("name", "unit", "funding", "funder", "budget", "status", "starts_on", "ends_on")
    list_filter = ("status", "funding")
    search_fields = ("name", "funder")


@admin.register(Match)
class MatchAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = perms.VIEW, "need__unit__path"
    list_display = ("need", "resource", "project", "status", "distance_m", "created_at")
    list_filter = ("status",)


@admin.register(NeedEvent)
class NeedEventAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = perms.VIEW, "need__unit__path"
    list_display = ("need", "action", "from_status", "to_status", "actor", "at")


@admin.register(MatchEvent)
class MatchEventAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = perms.VIEW, "match__need__unit__path"
    list_display = ("match", "action", "from_status", "to_status", "actor", "at")


@admin.register(ProjectEvent)
class ProjectEventAdmin(AppendOnlyAdmin):
    scope_perm, scope_path = perms.VIEW, "project__unit__path"
    list_display = ("project", "action", "from_status", "to_status", "actor", "at")

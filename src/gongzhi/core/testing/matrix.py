"""Machinery of the scoping matrix (``accounts/tests/test_scoping_matrix.py``), shared with every app.

An app with API endpoints adds a module ``gongzhi/<app>/tests/matrix.py`` holding ``CASES: dict[(method, path), Case]``;
the matrix test collects them all, and fails for an endpoint that no module covers. A case's ``prepare(ctx)`` builds the
app's own targets (kept in ``ctx.cache``) once per test; builders then run inside a rolled-back savepoint per request.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from python_calamine import CalamineWorkbook

from gongzhi.conftest import ApiClient

ROLES = [
    "district", "street", "street_b", "community", "community_b", "grid", "socialworker", "socialworker2",
    "teamleader", "mediator", "observer", "volunteer", "resident", "merchant", "norole",
]


def table(text: str) -> dict[str, dict[str, str]]:
    """Parse a whitespace table: header row of targets, then ``role[,role...]  cell cell ...`` rows."""
    rows = [line.split("#")[0].split() for line in text.strip().splitlines()]
    rows = [r for r in rows if r]
    header, out, star = rows[0], {}, None
    for label, *cells in rows[1:]:
        assert len(cells) == len(header), f"row {label!r} has {len(cells)} cells for {len(header)} targets"
        if label == "*":
            star = dict(zip(header, cells, strict=True))
            continue
        for role in label.split(","):
            assert role in ROLES, f"unknown role {role!r}"
            assert role not in out, f"role {role!r} twice"
            out[role] = dict(zip(header, cells, strict=True))
    for role in ROLES:
        if role not in out:
            assert star is not None, f"role {role!r} missing from table"
            out[role] = star
    return out


@dataclass
class Ctx:
    w: object
    users: dict
    clients: dict[str, ApiClient]
    units: dict
    people: dict  # targets G A A2 B R: residents who are not volunteers
    volunteers: dict  # targets G A A2 B: applied volunteers
    teams: dict
    assignments: dict
    logs: dict
    import_jobs: dict
    cache: dict = field(default_factory=dict)
    prepared: set = field(default_factory=set)


class Multipart(dict):
    """A form upload body (the import endpoint takes a file, not JSON)."""


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def parsed(response):
    """JSON, or for an xlsx download the set of cell texts below the header row."""
    if not response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        return response.json()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content(response))).get_sheet_by_index(0).to_python()
    return {str(cell) for row in rows[1:] for cell in row}


@dataclass
class Case:
    table: dict
    build: Callable[[Ctx, str, str], tuple[str, dict | None]]
    listed: Callable[[object, Ctx, str], bool] | None = None  # list endpoints: is target t in the response?
    # an app's own fixtures, built once per test before the first request (kept in ctx.cache)
    prepare: Callable[[Ctx], None] | None = None


def ids(body) -> set[int]:
    return {x["id"] for x in (body["items"] if isinstance(body, dict) else body)}


def tree_ids(nodes) -> set[int]:
    out = set()
    for n in nodes:
        out.add(n["id"])
        out |= tree_ids(n["children"])
    return out


def send(client: ApiClient, method: str, url: str, body):
    if isinstance(body, Multipart):
        return client.client.post(client._url(url), dict(body), **client.headers)
    fn = getattr(client, method.lower())
    return fn(url) if method in ("GET", "DELETE") else fn(url, body)


def run_case(ctx: Ctx, matrix: dict, key: tuple[str, str]) -> list[str]:
    """Every (role, target) of one endpoint; returns the cells that differ from the table."""
    method, _ = key
    case = matrix[key]
    if case.prepare is not None and case.prepare not in ctx.prepared:
        case.prepare(ctx)
        ctx.prepared.add(case.prepare)
    problems = []
    for role in ROLES:
        expected = case.table[role]
        client = ctx.clients[role]
        if case.listed is not None:
            with transaction.atomic():
                url, body = case.build(ctx, role, "")
                r = send(client, method, url, body)
                transaction.set_rollback(True)
            body = parsed(r) if r.status_code == 200 else None
            for t, want in expected.items():
                got = "+" if body is not None and case.listed(body, ctx, t) else "-"
                if want == "403" or r.status_code != 200:
                    got = str(r.status_code)
                if got != want:
                    problems.append(f"{role:14} {t:5} expected {want} got {got}")
            continue
        for t, want in expected.items():
            with transaction.atomic():
                url, body = case.build(ctx, role, t)
                r = send(client, method, url, body)
                transaction.set_rollback(True)
            if str(r.status_code) != want:
                problems.append(f"{role:14} {t:5} expected {want} got {r.status_code}: {content(r)[:120]!r}")
            elif r.status_code in (403, 404):
                assert r.json()["code"] in ("forbidden", "not_found"), r.content
    return problems


def _matrix_modules():
    for config in apps.get_app_configs():
        name = f"{config.name}.tests.matrix"
        if not config.name.startswith("gongzhi.") or importlib.util.find_spec(f"{config.name}.tests") is None:
            continue
        if importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)


def app_endpoint_sets(attr: str) -> set:
    """The union of every app matrix module's ``SELF_SERVICE`` or ``PUBLIC`` set of (method, path)."""
    out: set = set()
    for module in _matrix_modules():
        out |= set(getattr(module, attr, ()))
    return out


def app_cases() -> dict:
    """Every installed app's ``tests.matrix.CASES``, merged (a key defined twice is an error)."""
    out: dict = {}
    for module in _matrix_modules():
        cases = module.CASES
        twice = set(out) & set(cases)
        assert not twice, f"matrix rows defined twice: {twice}"
        out.update(cases)
    return out


# --- the world both matrices run in -------------------------------------------------------------------------


def ctx_build(w, client_for: Callable[[object], object]) -> Ctx:
    """The matrix targets in G/A/A2/B beside ``world`` (the API matrix builds the same; pages reuse it)."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from gongzhi.accounts.models import RoleAssignment
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.services import role_grant, user_create
    from gongzhi.core.testing.world import PASSWORD, make_person
    from gongzhi.org.models import OrgKind
    from gongzhi.org.services import organisation_create
    from gongzhi.people.models import ImportJob, TeamMembership, TeamRole
    from gongzhi.people.services import volunteer_apply
    from gongzhi.privacy.services import access_log_record

    district = w.user("district")
    users = dict(w.users)
    users["norole"] = user_create(username="t-norole", password=PASSWORD, display_name="norole", phone="13900009999")
    worker_a2 = user_create(username="t-worker-a2", password=PASSWORD, display_name="金鼎社工", phone="13900009998")
    units = {"G": w.grid_a, "A": w.community_a, "A2": w.community_a2, "B": w.community_b}
    people = {"G": w.people["a_grid"], "A": w.people["a"], "A2": make_person(w, "孙七", w.community_a2, seq=21),
              "B": w.people["b"], "R": w.people["resident"]}
    volunteers = {}
    for i, (t, name) in enumerate({"G": "周八", "A": "吴九", "A2": "郑十", "B": "冯十一"}.items()):
        person = make_person(w, name, units[t], seq=31 + 2 * i)
        volunteers[t] = volunteer_apply(person=person, actor=district, consent_confirmed=True)
    teams = {
        "G": organisation_create(name="网格服务队", kind=OrgKind.TEAM, unit=w.grid_a),
        "A": w.team_a,
        "A2": organisation_create(name="金鼎邻里志愿服务队", kind=OrgKind.TEAM, unit=w.community_a2),
        "B": organisation_create(name="洪沟志愿服务队", kind=OrgKind.TEAM, unit=w.community_b),
    }
    leader = make_person(w, "钱队长", w.community_a, seq=41)
    leader.user = w.user("teamleader")
    leader.save(update_fields=["user"])
    TeamMembership.objects.create(team=w.team_a, person=leader, role=TeamRole.LEADER, joined_on=dt.date(2025, 3, 5))
    ra = {name: RoleAssignment.objects.get(user=w.user(name)) for name in ("grid", "community", "community_b")}
    assignments = {"G": ra["grid"], "A": ra["community"],
                   "A2": role_grant(user=worker_a2, role=Role.COMMUNITY_WORKER, unit=w.community_a2, actor=None),
                   "B": ra["community_b"]}
    logs = {t: access_log_record(actor=district, subject_type="people.person", subject_id=people[t].pk,
                                 subject_label=people[t].name, unit_path=units[t].path, fields=["phone"], channel="api")
            for t in units}
    import_jobs = {}
    for t, unit in units.items():
        job = ImportJob.objects.create(kind="people", unit=unit, file="imports/matrix.xlsx", filename="居民.xlsx",
                                       status="done", created_by=district)
        job.error_report.save(f"matrix-{t}-errors.xlsx", ContentFile(b"not really an xlsx"), save=True)
        import_jobs[t] = job
    clients = {role: client_for(user) for role, user in users.items()}
    return Ctx(w, users, clients, units, people, volunteers, teams, assignments, logs, import_jobs)


# --- the page flavour: every URL outside /api/v1/ and /admin/ × every role × own/other unit ------------------
#
# An app with pages adds ``gongzhi/<app>/tests/page_matrix.py`` holding ``PAGES: dict[url_name, PageCase]``. A
# cell is what the page answers: ``200`` (or ``+`` / ``-`` for a list that does / does not show target t),
# ``302`` (a redirect somewhere other than the login page, e.g. back to the object after a POST), ``login`` (a
# redirect to the login page), ``400`` (the form refused the input: the permission check passed), ``403``, ``404``,
# ``405``. A POST refused (any 4xx, or a redirect to login) must change nothing: it may not write a single row; a POST
# that succeeds (``302``, or ``200`` for a page that answers in place) must have written at least one row (unless
# the case says ``writes=False``: a POST that only looks something up).

SKIPPED_PREFIXES = ("api/v1/", "admin/")  # the API has its own matrix; the Django admin is staff-only
LOGIN_URL = "/login/"
REFUSED = {"403", "404", "405", "login"}
SUCCEEDED = {"200", "+", "302"}


def page_client(user):
    """A Django test client with a logged-in session for ``user`` (``None``: anonymous)."""
    from django.test import Client

    client = Client(raise_request_exception=False)  # a 500 is a cell value to report, not a crash of the matrix
    if user is not None:
        client.force_login(user, backend="gongzhi.accounts.backends.PhoneOrUsernameBackend")
    return client


def _allowed_methods(view) -> tuple[str, ...] | None:
    """The methods of ``require_http_methods``/``require_POST``/``require_GET`` around the view, if any."""
    fn = view
    while fn is not None:
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, (list, tuple)) and value and all(
                    isinstance(m, str) and m.isupper() for m in value):
                return tuple(value)
        fn = getattr(fn, "__wrapped__", None)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return tuple(m.upper() for m in view_class.http_method_names if hasattr(view_class, m) and m != "options")
    return None


@dataclass(frozen=True)
class PagePattern:
    name: str  # "namespace:name"
    route: str  # the full route, e.g. "people/<int:pk>/edit/"
    converters: tuple[str, ...]  # the URL's keyword arguments
    methods: tuple[str, ...] | None  # from require_http_methods and friends; None: not detectable (any)


def page_patterns() -> dict[str, PagePattern]:
    """Every named URL pattern of the root URL conf outside /api/v1/ and /admin/, walked recursively."""
    from django.urls import URLPattern, URLResolver, get_resolver

    out: dict[str, PagePattern] = {}

    def walk(patterns, prefix: str, namespaces: list[str]) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route, namespaces + [p.namespace] if p.namespace else namespaces)
            elif isinstance(p, URLPattern):
                name = ":".join([*namespaces, p.name or route])
                converters = tuple(p.pattern.converters) if hasattr(p.pattern, "converters") else ()
                if not converters:
                    converters = tuple(p.pattern.regex.groupindex)
                assert name not in out, f"two URL patterns named {name!r}: {out[name].route!r} and {route!r}"
                out[name] = PagePattern(name, route, converters, _allowed_methods(p.callback))

    walk(get_resolver().url_patterns, "", [])
    return out


def page_table(text: str) -> dict[str, dict[str, str]]:
    """``table`` for pages (``+`` is a synonym of 200 for object pages, a listed target for list pages)."""
    return table(text)


def everyone(cell: str, targets: str = "-") -> dict[str, dict[str, str]]:
    """A table with the same answer for every role and target (a page about the caller's own account, a 405)."""
    return table(f"{' '.join(targets.split())}\n*  " + "  ".join(cell for _ in targets.split()))


@dataclass
class PageCase:
    """One URL name: the GET table, the POST table (state-changing pages), how to build the URL and the body.

    ``build(ctx, role, target)`` → URL (it runs inside the request's rolled-back savepoint, like the API builders);
    ``body(ctx, role, target)`` → the POST form data. ``anon`` is the anonymous answer (one cell for every target, or
    a dict target → cell). ``listed(ctx, target)`` → a text that the GET page contains exactly when it shows target t.
    """

    get: dict | None
    build: Callable[[Ctx, str, str], str]
    post: dict | None = None
    body: Callable[[Ctx, str, str], dict] | None = None
    anon: str | dict = "login"
    anon_post: str | dict = "login"
    listed: Callable[[Ctx, str], str] | None = None
    prepare: Callable[[Ctx], None] | None = None
    headers: dict = field(default_factory=dict)
    fresh_clients: bool = False  # the page ends or rotates the session (logout): log every role in anew
    may_write: bool = False  # a redirect to the login page is this page's success (logout), not a refusal
    # a successful POST (302, 200) wrote a row; False: the page's POST only looks up or sets a cookie (a scan, the
    # language); a callable (role, target) → bool for a page where some callers' success writes nothing
    writes: bool | Callable[[str, str], bool] = True
    # what a role without the right (its first 403 cell) gets for an empty POST: still 403, since the permission is
    # checked before the form is read. None: the POST names its target in the body (no body, no target to refuse)
    empty_post: str | None = "403"


_WRITE = ("insert ", "update ", "delete ", "replace ")


def _writes(queries) -> list[str]:
    """SQL statements that changed rows (the session table aside: logging in is not the page's doing)."""
    out = []
    for q in queries:
        sql = q["sql"].lstrip().lower()
        if sql.startswith(_WRITE) and "django_session" not in sql:
            out.append(q["sql"][:160])
    return out


def _why(response) -> str:
    """What a refusal says: the form errors of a 400 page (field: message), else the error page's message."""
    found = []
    for ctx in response.context or ():
        for value in ctx.flatten().values() if hasattr(ctx, "flatten") else ctx.values():
            errors = getattr(value, "errors", None)
            if hasattr(value, "fields") and errors:
                found += [f"{k}: {' '.join(v)}" for k, v in errors.items()]
        for key in ("message", "error"):
            if not found and key in ctx and ctx[key]:
                found.append(str(ctx[key]))
    return "; ".join(dict.fromkeys(found))[:200]


def _must_write(case: PageCase, role: str, t: str) -> bool:
    return case.writes(role, t) if callable(case.writes) else case.writes


def _cell(response, listed_text: str | None) -> str:
    code = response.status_code
    if code == 302:
        return "login" if response["Location"].split("?")[0] == LOGIN_URL else "302"
    if code == 200 and listed_text is not None:
        return "+" if listed_text.encode() in content(response) else "-"
    return str(code)


def _same(want: str, got: str, listing: bool) -> bool:
    return want == got or (not listing and want == "+" and got == "200")


def _request(ctx: Ctx, case: PageCase, client, method: str, role: str, t: str,
             listing: list[str] | None = None) -> dict[str, tuple[str, str]]:
    """One request for target t → {t: (cell, note)}; a list page answers for every target in ``listing`` at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic():
        url = case.build(ctx, role, t)
        data = case.body(ctx, role, t) if (method == "POST" and case.body is not None) else {}
        texts = {x: case.listed(ctx, x) for x in listing} if listing else {t: None}
        with CaptureQueriesContext(connection) as queries:
            r = client.post(url, data, **case.headers) if method == "POST" else client.get(url, **case.headers)
        transaction.set_rollback(True)
    out = {}
    for x, text in texts.items():
        got, note = _cell(r, text), ""
        if method == "POST" and (got in REFUSED or got.startswith("4")) and not case.may_write:
            writes = _writes(queries.captured_queries)
            if writes:
                got, note = f"{got}+write", "; ".join(writes[:2])
        elif method == "POST" and got in SUCCEEDED and _must_write(case, role, x) and not _writes(
                queries.captured_queries):
            got, note = f"{got}-nowrite", "answered success but wrote no row"
        if not note and got not in ("200", "+", "-", "302"):
            note = _why(r) or content(r)[:160].decode(errors="replace")
        out[x] = (got, note)
    return out


def run_page_case(ctx: Ctx, case: PageCase, anonymous) -> list[str]:
    """Every (role, target) of one page, GET and POST, plus the anonymous caller; the cells that differ."""
    if case.prepare is not None and case.prepare not in ctx.prepared:
        case.prepare(ctx)
        ctx.prepared.add(case.prepare)
    problems = []
    for method, tab, anon in (("GET", case.get, case.anon), ("POST", case.post, case.anon_post)):
        if tab is None:
            continue
        listing = method == "GET" and case.listed is not None
        targets = list(next(iter(tab.values())))
        # one anonymous request per method unless the page answers anonymous callers per target (a public page)
        anon = anon if isinstance(anon, dict) else {targets[0]: anon}
        clients = {role: page_client(ctx.users[role]) for role in ROLES} if case.fresh_clients else ctx.clients
        rows = [(role, clients[role], tab[role]) for role in ROLES] + [("anon", anonymous, anon)]
        for role, client, expected in rows:
            if listing and role != "anon":  # one request shows (or hides) every target of a list page
                answers = _request(ctx, case, client, method, role, targets[0], listing=targets)
            else:
                # a 405 is decided before any lookup: the first target says it for every target
                cells = expected if set(expected.values()) != {"405"} else dict(list(expected.items())[:1])
                answers = {t: _request(ctx, case, client, method, role, t)[t] for t in cells}
            for t, (got, note) in answers.items():
                want = expected[t]
                if not _same(want, got, listing and role != "anon"):
                    problems.append(f"{method:4} {role:14} {t:5} expected {want} got {got} {note}")
            if method == "POST" and role != "anon":
                problems += _empty_post_problems(ctx, case, client, role, expected)
    return problems


def _empty_post_problems(ctx: Ctx, case: PageCase, client, role: str, expected: dict) -> list[str]:
    """A role refused with valid data (403) is refused the same with no data: the form is not read before the check."""
    refused = [t for t, cell in expected.items() if cell == "403"]
    if case.body is None or case.empty_post is None or not refused:
        return []
    empty = dataclasses.replace(case, body=lambda c, r, t: {})
    want = case.empty_post
    got, note = _request(ctx, empty, client, "POST", role, refused[0])[refused[0]]
    if got == want:
        return []
    return [f"POST {role:14} {refused[0]:5} empty body: expected {want} got {got} {note}"]


def _page_matrix_modules():
    for config in apps.get_app_configs():
        name = f"{config.name}.tests.page_matrix"
        if not config.name.startswith("gongzhi.") or importlib.util.find_spec(f"{config.name}.tests") is None:
            continue
        if importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)


def app_page_cases() -> dict[str, PageCase]:
    """Every installed app's ``tests.page_matrix.PAGES``, merged (a URL name declared twice is an error)."""
    out: dict[str, PageCase] = {}
    for module in _page_matrix_modules():
        twice = set(out) & set(module.PAGES)
        assert not twice, f"page matrix rows declared twice: {twice}"
        out.update(module.PAGES)
    return out

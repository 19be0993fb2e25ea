"""Hand-written SQL for the few statements every check-in, check-out and confirmation pays (issue 6): the bearer
token with its user, the volunteer with their person, the activity and attendance under their row locks, the
sign-up, the rules in force, the award's accounts; and the inserts and updates of the attendance, the service record
and the points transaction (:func:`insert_many`, :func:`update_by_pk`, :func:`add_by_pk`). And the dashboard's
reads, every district's landing page: its unit with children and parent, its rollups, its registered counts
(:func:`rows` for reads that want values, not instances).

The ORM builds and compiles a queryset anew on every call — 0.5–1.5 ms of CPU for a ``select_related`` look-up,
several times what the database spends on it. A :class:`HotRead` composes its statement once per database vendor
and turns the row into the same model instances the ORM would (``Model.from_db``, the ORM's own value converters,
the related objects cached as ``select_related`` caches them), so callers and their tests cannot tell the
difference. Use it only where a profile shows the compile cost; everywhere else the ORM is clearer. (Paired runs of
the check-in benchmark: app CPU per flow 39–44 ms → 21.5–29.6 ms when the confirmation's statements joined them.)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Model


@dataclass(frozen=True)
class HotRead:
    """One look-up of ``model`` with the forward relations in ``related`` (as ``select_related``; a relation of a
    relation is ``"volunteer__person"``, after ``"volunteer"``).

    ``where`` is SQL over the aliases ``t`` (the model's table) and ``t_<relation>`` with ``%s`` placeholders;
    ``order_by`` likewise (default: the primary key, as ``QuerySet.first()`` on an unordered queryset); ``lock``
    takes the model's row lock (``FOR UPDATE OF t`` on PostgreSQL; SQLite serialises writers itself, as Django's
    ``select_for_update`` does there). ``flags`` are boolean SQL expressions set on the instance by name, as
    ``annotate(name=Exists(…))`` sets them."""

    model: type[Model]
    where: str
    related: tuple[str, ...] = ()
    lock: bool = False
    order_by: str = ""
    flags: tuple[tuple[str, str], ...] = ()

    def first(self, params: list | tuple, *, using: str = "default") -> Model | None:
        """The first row in ``order_by`` order, or None."""
        connection = connections[using]
        sql, plan = _compiled(self, connection.vendor, using, True)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        return _instance(self, plan, row, connection, using)

    def all(self, params: list | tuple, *, using: str = "default") -> list[Model]:
        """Every matching row, in ``order_by`` order (for a look-up whose rows are few: a rule table's items)."""
        connection = connections[using]
        sql, plan = _compiled(self, connection.vendor, using, False)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [_instance(self, plan, row, connection, using) for row in rows]


def rows(model: type[Model], sql: str, params: list | tuple) -> list[dict]:
    """The rows of ``sql`` (over ``model``'s table) as dicts by column name, read from the database the ORM would
    read ``model`` from (the replica inside :func:`gongzhi.ops.dbrouter.reading_from_replica`)."""
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def marks(values) -> str:
    """``%s, %s, …``: one placeholder per value, for an ``IN (…)``."""
    return ", ".join(["%s"] * len(values))


@dataclass(frozen=True)
class _Part:
    model: type[Model]
    start: int
    names: tuple[str, ...]
    converters: tuple[tuple[int, tuple, object], ...]  # (position in the row, converters, the column expression)
    field: object = None  # the relation (None for the main model)
    owner: int = 0  # the index in the plan of the part that holds the relation


@functools.lru_cache(maxsize=64)
def _compiled(read: HotRead, vendor: str, using: str, one: bool) -> tuple[str, tuple[_Part, ...]]:
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = read.model._meta
    columns, parts, joins = [], [], []

    def add(model, alias, field=None, owner=0):
        fields = model._meta.concrete_fields
        start = len(columns)
        converters = []
        for i, f in enumerate(fields):
            columns.append(f"{alias}.{quote(f.column)}")
            col = f.get_col(alias)
            convs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if convs:
                converters.append((start + i, tuple(convs), col))
        parts.append(_Part(model, start, tuple(f.attname for f in fields), tuple(converters), field, owner))

    add(read.model, "t")
    owners = {"": (0, read.model, "t")}  # relation path → (its part, its model, its alias)
    for name in read.related:
        parent, _, last = name.rpartition("__")
        owner, model, parent_alias = owners[parent]  # a nested relation comes after its parent in ``related``
        field = model._meta.get_field(last)
        target = field.related_model
        alias = f"t_{name}"
        outer = field.null or any(p.field is not None and p.field.null for p in _chain(parts, owner))
        joins.append(f"{'LEFT OUTER JOIN' if outer else 'INNER JOIN'} {quote(target._meta.db_table)} {alias} "
                     f"ON {alias}.{quote(field.target_field.column)} = {parent_alias}.{quote(field.column)}")
        owners[name] = (len(parts), target, alias)
        add(target, alias, field, owner)
    columns += [f"({expression})" for _name, expression in read.flags]
    order = read.order_by or f"t.{quote(meta.pk.column)}"
    sql = (f"SELECT {', '.join(columns)} FROM {quote(meta.db_table)} t {' '.join(joins)} WHERE ({read.where}) "
           f"ORDER BY {order}" + (" LIMIT 1" if one else ""))
    if read.lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE OF t" if connection.features.has_select_for_update_of else " FOR UPDATE"
    return sql, tuple(parts)


def _chain(parts: list[_Part], index: int) -> list[_Part]:
    """The part at ``index`` and the parts it hangs from, up to the main model."""
    chain = []
    while index:
        chain.append(parts[index])
        index = parts[index].owner
    return chain


def _instance(read: HotRead, plan: tuple[_Part, ...], row, connection, using: str) -> Model:
    row = list(row)
    for part in plan:
        for pos, convs, col in part.converters:
            value = row[pos]
            for convert in convs:
                value = convert(value, col, connection)
            row[pos] = value
    main = plan[0]
    made = [main.model.from_db(using, main.names, row[main.start:main.start + len(main.names)])]
    for part in plan[1:]:
        values = row[part.start:part.start + len(part.names)]
        pk_at = part.names.index(part.model._meta.pk.attname)
        other = None if values[pk_at] is None else part.model.from_db(using, part.names, values)
        holder = made[part.owner]
        if holder is not None:
            part.field.set_cached_value(holder, other)
        made.append(other)
    if read.flags:
        end = plan[-1].start + len(plan[-1].names)
        for (name, _expression), value in zip(read.flags, row[end:], strict=True):
            setattr(made[0], name, bool(value))
    return made[0]


def update_by_pk(obj: Model, *, using: str = "default", **values) -> None:
    """``UPDATE`` some of one row's columns by primary key, and set them on ``obj`` — what
    ``Model.objects.filter(pk=obj.pk).update(**values)`` does (no signals, no ``auto_now``), without compiling it."""
    connection = connections[using]
    meta = type(obj)._meta
    fields = [meta.get_field(name) for name in values]
    sql, = _update_sql(type(obj), tuple(f.column for f in fields), connection.vendor, using)
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, meta.pk.get_db_prep_value(obj.pk, connection)])
    for f in fields:
        setattr(obj, f.attname, values[f.name])


@functools.lru_cache(maxsize=64)
def _update_sql(model: type[Model], columns: tuple[str, ...], vendor: str, using: str) -> tuple[str]:
    quote = connections[using].ops.quote_name
    meta = model._meta
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    return (f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",)


def insert_many(objs: list[Model], *, using: str = "default") -> list[Model]:
    """``bulk_create(objs)`` for the few new rows of one model a hot path writes (a points transaction's rows):
    one ``INSERT … RETURNING`` whose text is composed once per model, vendor and row count; each value prepared as
    the ORM prepares it (``pre_save`` — ``auto_now_add`` included — then ``get_db_prep_save``); the new primary
    keys set on the objects, which are then saved instances. No signals, as ``bulk_create`` sends none."""
    if not objs:
        return objs
    connection = connections[using]
    model = type(objs[0])
    if not connection.features.can_return_rows_from_bulk_insert:
        return model.objects.using(using).bulk_create(objs)
    sql, fields = _insert_sql(model, len(objs), connection.vendor, using)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    attname = model._meta.pk.attname
    for obj, (pk,) in zip(objs, rows, strict=True):
        setattr(obj, attname, pk)
        obj._state.adding = False
        obj._state.db = using
    return objs


@functools.lru_cache(maxsize=64)
def _insert_sql(model: type[Model], count: int, vendor: str, using: str) -> tuple[str, tuple]:
    quote = connections[using].ops.quote_name
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    row = f"({', '.join(['%s'] * len(fields))})"
    return (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES {', '.join([row] * count)} RETURNING {quote(meta.pk.column)}", fields)


def add_by_pk(model: type[Model], field: str, deltas: dict[int, int], *, using: str = "default") -> None:
    """``UPDATE … SET field = field + <the row's delta>`` for several rows by primary key in one statement — what
    ``filter(pk__in=…).update(field=F(field) + Case(When(pk=…, then=…), …))`` does, without compiling it."""
    if not deltas:
        return
    connection = connections[using]
    sql, = _add_sql(model, field, len(deltas), connection.vendor, using)
    pks = list(deltas)
    with connection.cursor() as cursor:
        cursor.execute(sql, [v for pk in pks for v in (pk, deltas[pk])] + pks)


@functools.lru_cache(maxsize=64)
def _add_sql(model: type[Model], field: str, count: int, vendor: str, using: str) -> tuple[str]:
    quote = connections[using].ops.quote_name
    meta = model._meta
    target = meta.get_field(field)
    column, pk = quote(target.column), quote(meta.pk.column)
    cases = " ".join([f"WHEN %s THEN CAST(%s AS {target.db_type(connections[using])})"] * count)
    return (f"UPDATE {quote(meta.db_table)} SET {column} = {column} + (CASE {pk} {cases} END) "
            f"WHERE {pk} IN ({', '.join(['%s'] * count)})",)

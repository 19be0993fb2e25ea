"""Where an import's time goes: wrap the import's steps with CPU-time counters (``bench import --stages``).

Nested steps are counted inside their parents (``derive_person_fields`` contains ``pinyin_keys`` and the crypto
calls; ``_write`` contains the SQL of the inserts). CPU time (``time.process_time``) so that other load on the
machine does not inflate the figures.
"""

from __future__ import annotations

import collections
import time

# (label, module path, attribute path); labels are indented under the step that contains them
STEPS = [
    ("read rows (calamine)", None, None),
    ("per-row checks", "gongzhi.people.importing", "Importer._check"),
    ("  derive_person_fields (people.services)", "gongzhi.people.services", "derive_person_fields"),
    ("    pinyin_keys", "gongzhi.people.services", "pinyin_keys"),
    ("    encrypt ×3 (AES-GCM)", "gongzhi.core.crypto", "encrypt"),
    ("    digest ×2 (HMAC-SHA256)", "gongzhi.core.crypto", "digest"),
    ("    parse_id_number (checksum, date, address code)", "gongzhi.people.services", "parse_id_number"),
    ("cells → row", "gongzhi.people.importing", "Importer._parse"),
    ("match existing people (one query per batch)", "gongzhi.people.importing", "Importer._match"),
    ("decide create / update / unchanged", "gongzhi.people.importing", "Importer._decide"),
    ("write batch", "gongzhi.people.importing", "Importer._write"),
    ("  households (insert-or-ignore + read ids)", "gongzhi.people.importing", "Importer._households"),
]


def instrument() -> collections.Counter:
    """Patch the steps in place (for a benchmark subprocess only) and return the counter they add to."""
    import importlib

    from django.db.backends import utils

    spent: collections.Counter = collections.Counter()

    def wrap(label, owner, name):
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - started

        setattr(owner, name, timed)

    for label, module, attr in STEPS:
        if module is None:
            continue
        owner = importlib.import_module(module)
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        wrap(label, owner, name)

    many = utils.CursorWrapper._executemany

    def executemany(self, sql, param_list, *rest):
        started = time.process_time()
        try:
            return many(self, sql, param_list, *rest)
        finally:
            table = sql.split('"')[1] if '"' in sql else sql.split()[2]
            spent[f"    SQL insert {table}"] += time.process_time() - started

    utils.CursorWrapper._executemany = executemany

    from gongzhi.people import importing

    batches = importing._rows_in_batches

    def rows_in_batches(reader):
        source = reader.rows

        def timed_rows():
            it = iter(source)
            while True:
                started = time.process_time()
                try:
                    item = next(it)
                except StopIteration:
                    spent["read rows (calamine)"] += time.process_time() - started
                    return
                spent["read rows (calamine)"] += time.process_time() - started
                yield item

        reader.rows = timed_rows()
        return batches(reader)

    importing._rows_in_batches = rows_in_batches
    return spent


def report(spent: dict, rows: int, cpu_total: float) -> list[tuple[str, float, float]]:
    """(label, µs per row, share of the import's CPU time) in a stable order, SQL lines under the write."""
    order = [label for label, *_ in STEPS]
    sql = sorted(k for k in spent if k.strip().startswith("SQL"))
    out = []
    for label in order:
        if label in spent:
            out.append((label, spent[label] / rows * 1e6, spent[label] / cpu_total))
        if label == "write batch":
            out.extend((k, spent[k] / rows * 1e6, spent[k] / cpu_total) for k in sql)
    return out

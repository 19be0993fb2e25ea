"""Backup and restore of the whole installation: the database and the uploaded files, in one archive.

The archive is a gzip'd tar holding ``manifest.json`` (format and version, database vendor, applied migrations, the
row count of every table, when it was made), the database (``database.sqlite3``: a copy made with SQLite's online
backup API; or ``database.pgdump``: ``pg_dump -Fc``) and ``media/`` (everything under MEDIA_ROOT).

Both databases are copied consistently while the application keeps running: SQLite's backup copies the database in
one step under a read lock (WAL lets writers go on), and on PostgreSQL the row counts are taken inside a repeatable-read
transaction whose snapshot ``pg_dump --snapshot`` then dumps — the manifest describes exactly the rows in the archive.
A restore refuses a non-empty target unless forced, refuses a backup of another database vendor or of a newer
gongzhi, and compares every table's row count with the manifest afterwards.
"""

from __future__ import annotations

import glob
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

from gongzhi.core import clock

from .errors import OpsError

FORMAT = "gongzhi-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA_PREFIX = "media"
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class Target:
    """A database to back up or restore into: its vendor and Django settings dict (NAME, USER, HOST, ...)."""

    vendor: str
    settings: dict
    alias: str | None = None  # the Django connection for it, when there is one

    @classmethod
    def for_alias(cls, alias: str = DEFAULT_DB_ALIAS) -> Target:
        conn = connections[alias]
        if conn.vendor not in DB_MEMBER:
            raise OpsError.UNSUPPORTED_DATABASE.error(detail={"vendor": conn.vendor})
        return cls(vendor=conn.vendor, settings=dict(conn.settings_dict), alias=alias)


@dataclass
class Manifest:
    vendor: str
    created_at: str
    migrations: dict[str, list[str]]
    row_counts: dict[str, int]
    media_files: int = 0
    media_bytes: int = 0
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    gongzhi_version: str = ""
    field_key_fingerprint: str = ""

    def as_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw = json.loads(data)
            if raw.get("format") != FORMAT:
                raise ValueError("format")
            if int(raw.get("format_version", 0)) > FORMAT_VERSION:
                raise OpsError.FORMAT_VERSION.error(detail={"format_version": raw.get("format_version"),
                                                            "supported": FORMAT_VERSION})
            return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})
        except (ValueError, TypeError, KeyError, AttributeError):
            raise OpsError.NOT_A_BACKUP.error() from None


@dataclass
class RestoreResult:
    manifest: Manifest
    row_counts: dict[str, int]
    pending_migrations: list[str] = field(default_factory=list)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gongzhi")
    except PackageNotFoundError:
        return ""


def field_key_fingerprint() -> str:
    """Names the FIELD_ENCRYPTION_KEY without revealing it: the key itself is never in an archive (whoever holds
    the archive would read every ID number), but a restore must know it has the key the data was encrypted with."""
    import hashlib

    return hashlib.sha256(b"gongzhi-backup-key-check:" + settings.FIELD_ENCRYPTION_KEY.encode()).hexdigest()[:16]


def _migrations_from_rows(rows) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for app, name in rows:
        out.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(out.items())}


# --- SQLite ------------------------------------------------------------------------------------------------------


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                        "ORDER BY name").fetchall()
    return [r[0] for r in rows]


def _sqlite_summary(conn: sqlite3.Connection) -> tuple[dict[str, int], dict[str, list[str]]]:
    tables = _sqlite_tables(conn)
    counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    migrations = {}
    if "django_migrations" in tables:
        migrations = _migrations_from_rows(conn.execute("SELECT app, name FROM django_migrations"))
    return counts, migrations


def _sqlite_source(target: Target) -> sqlite3.Connection:
    """The raw connection to copy from: Django's own (it may be an in-memory database) or a new one to the file."""
    if target.alias is not None:
        conn = connections[target.alias]
        conn.ensure_connection()
        return conn.connection
    return sqlite3.connect(target.settings["NAME"], timeout=30)


def _sqlite_backup(target: Target, dest: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    source = _sqlite_source(target)
    copy = sqlite3.connect(dest)
    try:
        source.backup(copy)  # one step: a consistent snapshot, writers in WAL mode carry on meanwhile
        return _sqlite_summary(copy)  # counted in the copy, so the manifest describes the archive exactly
    finally:
        copy.close()


def _sqlite_target_tables(target: Target) -> list[str]:
    name = str(target.settings["NAME"])
    if not name.startswith("file:") and not Path(name).exists():
        return []
    conn = sqlite3.connect(name, timeout=30, uri=name.startswith("file:"))
    try:
        return _sqlite_tables(conn)
    finally:
        conn.close()


def _sqlite_restore(target: Target, source_file: Path) -> dict[str, int]:
    name = str(target.settings["NAME"])
    if target.alias is not None:
        connections[target.alias].close()
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_file)
    dest = sqlite3.connect(name, timeout=30)
    try:
        source.backup(dest)  # replaces the whole destination database, page by page, in one transaction
        counts, _ = _sqlite_summary(dest)
        return counts
    finally:
        dest.close()
        source.close()


# --- PostgreSQL --------------------------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """``pg_dump`` / ``pg_restore``: from GONGZHI_PG_BIN, else the newest /usr/lib/postgresql/*/bin, else PATH."""
    candidates = []
    if os.environ.get("GONGZHI_PG_BIN"):
        candidates.append(Path(os.environ["GONGZHI_PG_BIN"]) / name)
    candidates += [Path(d) / name for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                                    key=lambda d: int(Path(d).parent.name)
                                                    if Path(d).parent.name.isdigit() else 0, reverse=True)]
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    found = shutil.which(name)
    if found:
        return found
    raise OpsError.TOOL_MISSING.error(detail={"tool": name})


def _pg_env(target: Target) -> dict[str, str]:
    s = target.settings
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("NAME", "PGDATABASE")):
        if s.get(key):
            env[var] = str(s[key])
    if (s.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = s["OPTIONS"]["sslmode"]
    return env


def _pg_connect(target: Target):
    import psycopg

    s = target.settings
    kwargs = {"dbname": s["NAME"], "user": s.get("USER") or None, "password": s.get("PASSWORD") or None,
              "host": s.get("HOST") or None, "port": s.get("PORT") or None}
    if (s.get("OPTIONS") or {}).get("sslmode"):
        kwargs["sslmode"] = s["OPTIONS"]["sslmode"]
    return psycopg.connect(**{k: v for k, v in kwargs.items() if v is not None})


def _pg_tables(cur) -> list[str]:
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    return [r[0] for r in cur.fetchall()]


def _pg_summary(cur) -> tuple[dict[str, int], dict[str, list[str]]]:
    from psycopg import sql

    tables = _pg_tables(cur)
    counts = {}
    for t in tables:
        cur.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(t)))
        counts[t] = cur.fetchone()[0]
    migrations = {}
    if "django_migrations" in tables:
        cur.execute("SELECT app, name FROM django_migrations")
        migrations = _migrations_from_rows(cur.fetchall())
    return counts, migrations


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise OpsError.TOOL_FAILED.error(detail={"command": Path(cmd[0]).name, "stderr": done.stderr[-2000:]})


def _pg_backup(target: Target, dest: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    pg_dump = pg_tool("pg_dump")
    conn = _pg_connect(target)
    try:
        with conn.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            counts, migrations = _pg_summary(cur)
            # pg_dump dumps the very snapshot counted above while this transaction stays open
            _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={dest}"], _pg_env(target))
        conn.rollback()
    finally:
        conn.close()
    return counts, migrations


def _pg_target_tables(target: Target) -> list[str]:
    conn = _pg_connect(target)
    try:
        with conn.cursor() as cur:
            return _pg_tables(cur)
    finally:
        conn.close()


def _pg_restore(target: Target, source_file: Path, *, clear: bool) -> dict[str, int]:
    pg_restore = pg_tool("pg_restore")
    if target.alias is not None:
        connections[target.alias].close()
    if clear:
        from psycopg import sql

        conn = _pg_connect(target)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT current_schema()")
                schema = sql.Identifier(cur.fetchone()[0])
                cur.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(schema))
                cur.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
            conn.commit()
        finally:
            conn.close()
    env = _pg_env(target)
    _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          f"--dbname={env['PGDATABASE']}", str(source_file)], env)
    conn = _pg_connect(target)
    try:
        with conn.cursor() as cur:
            cur.execute("ANALYZE")
            counts, _ = _pg_summary(cur)
        conn.commit()
    finally:
        conn.close()
    return counts


# --- media -------------------------------------------------------------------------------------------------------


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


# --- backup and restore ------------------------------------------------------------------------------------------


def backup_create(*, path: Path, target: Target | None = None, media_root: Path | None = None) -> Manifest:
    """Write a backup archive of ``target`` (the default database) and ``media_root`` (MEDIA_ROOT) to ``path``.

    Written to a temporary file beside ``path`` and renamed when complete: a crash leaves no half archive behind.
    """
    target = target or Target.for_alias()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gongzhi-backup-") as tmp:
        db_file = Path(tmp) / DB_MEMBER[target.vendor]
        if target.vendor == "sqlite":
            counts, migrations = _sqlite_backup(target, db_file)
        else:
            db_file.touch(mode=0o600)
            counts, migrations = _pg_backup(target, db_file)
        media = _media_files(media_root)
        manifest = Manifest(
            vendor=target.vendor, created_at=clock.now().isoformat(), migrations=migrations, row_counts=counts,
            media_files=len(media), media_bytes=sum(p.stat().st_size for p in media), gongzhi_version=_version(),
            field_key_fingerprint=field_key_fingerprint(),
        )
        partial = path.with_name(f".{path.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner only
        try:
            with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w:gz") as tar:
                info = tarfile.TarInfo(MANIFEST)
                data = manifest.as_json()
                info.size, info.mtime, info.mode = len(data), int(clock.now().timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
                tar.add(db_file, arcname=db_file.name)
                for file in media:
                    tar.add(file, arcname=f"{MEDIA_PREFIX}/{file.relative_to(media_root).as_posix()}")
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return manifest


def backup_read_manifest(path: Path) -> Manifest:
    try:
        with tarfile.open(path, mode="r:*") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            return Manifest.from_json(member.read())
    except (tarfile.TarError, KeyError, OSError, EOFError):
        raise OpsError.NOT_A_BACKUP.error() from None


def _unknown_migrations(manifest: Manifest) -> list[str]:
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, names in manifest.migrations.items() for name in names
            if (app, name) not in on_disk]


def _pending_migrations(manifest: Manifest) -> list[str]:
    applied = {(app, name) for app, names in manifest.migrations.items() for name in names}
    on_disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return sorted(f"{app}.{name}" for app, name in on_disk if (app, name) not in applied)


def backup_restore(*, path: Path, target: Target | None = None, media_root: Path | None = None,
                   force: bool = False) -> RestoreResult:
    """Restore an archive made by :func:`backup_create` into ``target`` and ``media_root``.

    Checks everything it can before changing anything: the archive's format, the vendor, that this gongzhi knows
    every migration of the backup, and that the target is empty (no tables, no uploaded files) unless ``force``.
    """
    target = target or Target.for_alias()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    manifest = backup_read_manifest(Path(path))
    if manifest.vendor != target.vendor:
        raise OpsError.WRONG_VENDOR.error(
            detail={"backup": manifest.vendor, "target": target.vendor},
            message=_vendor_sentence(manifest.vendor, target.vendor),
        )
    if manifest.field_key_fingerprint and manifest.field_key_fingerprint != field_key_fingerprint():
        raise OpsError.FIELD_KEY_MISMATCH.error(detail={"backup": manifest.field_key_fingerprint,
                                                        "current": field_key_fingerprint()})
    unknown = _unknown_migrations(manifest)
    if unknown:
        raise OpsError.NEWER_MIGRATIONS.error(detail={"unknown": unknown[:20]})
    tables = _sqlite_target_tables(target) if target.vendor == "sqlite" else _pg_target_tables(target)
    media_present = bool(_media_files(media_root))
    if (tables or media_present) and not force:
        raise OpsError.TARGET_NOT_EMPTY.error(detail={"tables": len(tables), "media_files": media_present})
    with tempfile.TemporaryDirectory(prefix="gongzhi-restore-") as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(path, mode="r:*") as tar:
                tar.extractall(work, filter="data")  # refuses absolute paths, "..", links out of the tree
        except (tarfile.TarError, OSError, EOFError):
            raise OpsError.NOT_A_BACKUP.error() from None
        db_file = work / DB_MEMBER[manifest.vendor]
        if not db_file.is_file():
            raise OpsError.NOT_A_BACKUP.error(detail={"missing": db_file.name})
        if target.vendor == "sqlite":
            counts = _sqlite_restore(target, db_file)
        else:
            counts = _pg_restore(target, db_file, clear=bool(tables))
        _replace_media(work / MEDIA_PREFIX, media_root)
    if counts != manifest.row_counts:
        differ = {t: {"backup": manifest.row_counts.get(t), "restored": counts.get(t)}
                  for t in sorted(set(counts) | set(manifest.row_counts))
                  if counts.get(t) != manifest.row_counts.get(t)}
        raise OpsError.VERIFY_FAILED.error(detail=differ)
    return RestoreResult(manifest=manifest, row_counts=counts, pending_migrations=_pending_migrations(manifest))


def _vendor_sentence(backup: str, target: str) -> str:
    from django.utils.translation import gettext as _

    return _("该备份来自 %(backup)s 数据库，当前数据库是 %(target)s，无法恢复到这里。") % {
        "backup": VENDOR_NAMES.get(backup, backup), "target": VENDOR_NAMES.get(target, target)}


def _replace_media(extracted: Path, media_root: Path) -> None:
    """Put the archive's files in place of MEDIA_ROOT's (emptied only when forced, checked by the caller)."""
    media_root.mkdir(parents=True, exist_ok=True)
    for child in media_root.iterdir():  # the directory itself stays: it may be a mount point
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if extracted.is_dir():
        for child in extracted.iterdir():
            shutil.move(str(child), str(media_root / child.name))

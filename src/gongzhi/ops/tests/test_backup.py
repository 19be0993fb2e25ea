"""``gongzhi backup`` / ``gongzhi restore``: one archive with the database and the uploads; a restore into an empty
database has every table's rows; refusals for a non-empty target, another vendor, another format or key."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from gongzhi.core.errors import DomainError
from gongzhi.notifications.services import notification_create
from gongzhi.ops.backup import FORMAT, FORMAT_VERSION, MANIFEST, Target, backup_create, backup_restore

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump and SQLite's backup read committed rows


def _rows_django(table: str) -> list[tuple]:
    """The source rows as the database driver returns them (no Django converters, like the restored side)."""
    connection.ensure_connection()
    cur = connection.connection.cursor()
    cur.execute(_select(connection.vendor, table))
    return sorted(cur.fetchall(), key=repr)


def _select(vendor: str, table: str) -> str:
    """Every row of a table; on PostgreSQL each as its text literal (exact, and free of driver type mapping)."""
    return f'SELECT * FROM "{table}"' if vendor == "sqlite" else f'SELECT t::text FROM "{table}" AS t'



class RawTarget:
    """Reads a restored database outside Django's connections."""

    def __init__(self, target: Target):
        self.target = target

    def __enter__(self):
        if self.target.vendor == "sqlite":
            # the same type detection as Django's connection, so both sides read values alike
            self.conn = sqlite3.connect(self.target.settings["NAME"], detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
        else:
            import psycopg

            s = self.target.settings
            self.conn = psycopg.connect(dbname=s["NAME"], user=s["USER"], password=s.get("PASSWORD") or None,
                                        host=s["HOST"], port=s["PORT"])
            self.conn.execute("SET TIME ZONE 'UTC'")  # as Django's connection, so timestamps print alike
        return self

    def rows(self, table: str) -> list[tuple]:
        cur = self.conn.cursor()
        cur.execute(_select(self.target.vendor, table))
        return sorted(cur.fetchall(), key=repr)

    def __exit__(self, *exc):
        self.conn.close()


@pytest.fixture
def empty_target(tmp_path):
    """An empty database of the test database's vendor: a new SQLite file, or a new PostgreSQL database."""
    if connection.vendor == "sqlite":
        yield Target(vendor="sqlite", settings={"NAME": str(tmp_path / "restored.sqlite3")})
        return
    import psycopg
    from psycopg import sql

    s = connection.settings_dict
    name = f"{s['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(dbname=s["NAME"], user=s["USER"], password=s.get("PASSWORD") or None, host=s["HOST"],
                            port=s["PORT"], autocommit=True)
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield Target(vendor="postgresql", settings={**s, "NAME": name})
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


@pytest.fixture
def filled(world, tmp_path):
    """The test world plus notifications and some uploaded files."""
    for i in range(25):
        notification_create(user=world.user("volunteer"), kind="test", title=f"通知 {i}", body="正文")
    media = tmp_path / "media-src"
    (media / "appeals" / "2025").mkdir(parents=True)
    (media / "appeals" / "2025" / "photo.jpg").write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 40)
    (media / "points" / "证据.pdf").parent.mkdir(parents=True)
    (media / "points" / "证据.pdf").write_bytes(b"%PDF-1.4 evidence")
    return media


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_restore_into_an_empty_database_has_every_table_and_every_file(filled, empty_target, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    manifest = backup_create(path=archive, media_root=filled)

    assert manifest.format == FORMAT and manifest.format_version == FORMAT_VERSION
    assert manifest.vendor == connection.vendor
    assert manifest.row_counts["notifications_notification"] >= 25
    assert manifest.row_counts["accounts_user"] == len(_rows_django("accounts_user"))
    assert "0001_initial" in manifest.migrations["people"]
    assert manifest.media_files == 2
    assert archive.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only

    restored_media = tmp_path / "media-dst"
    result = backup_restore(path=archive, target=empty_target, media_root=restored_media)

    assert result.row_counts == manifest.row_counts
    assert result.pending_migrations == []
    tables = connection.introspection.table_names()
    assert set(tables) == set(result.row_counts)
    with RawTarget(empty_target) as restored:
        for table in tables:
            assert restored.rows(table) == _rows_django(table), table
    assert _files(restored_media) == _files(filled)


def test_restore_refuses_a_non_empty_target_unless_forced(filled, empty_target, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    manifest = backup_create(path=archive, media_root=filled)
    backup_restore(path=archive, target=empty_target, media_root=tmp_path / "m")

    with pytest.raises(DomainError) as refused:
        backup_restore(path=archive, target=empty_target, media_root=tmp_path / "m")
    assert refused.value.code == "ops.target_not_empty"
    assert refused.value.detail["tables"] == len(manifest.row_counts)

    (tmp_path / "m" / "stray.txt").write_text("not in the backup")
    result = backup_restore(path=archive, target=empty_target, media_root=tmp_path / "m", force=True)
    assert result.row_counts == manifest.row_counts
    assert _files(tmp_path / "m") == _files(filled)


def test_restore_refuses_uploads_in_the_target_media_directory(filled, empty_target, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    backup_create(path=archive, media_root=filled)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "someone-elses.jpg").write_bytes(b"x")
    with pytest.raises(DomainError) as refused:
        backup_restore(path=archive, target=empty_target, media_root=tmp_path / "m")
    assert refused.value.code == "ops.target_not_empty"
    assert (tmp_path / "m" / "someone-elses.jpg").exists()


def _rewrite(archive: Path, out: Path, **changes) -> Path:
    """A copy of ``archive`` whose manifest has ``changes`` applied."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else None
            if member.name == MANIFEST:
                manifest = json.loads(data)
                for key, value in changes.items():
                    manifest[key] = value(manifest[key]) if callable(value) else value
                data = json.dumps(manifest).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data) if data is not None else None)
    return out


def test_restore_refuses_a_backup_of_another_database_vendor(filled, empty_target, tmp_path):
    archive = backup_create(path=tmp_path / "b.tar.gz", media_root=filled) and tmp_path / "b.tar.gz"
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    with pytest.raises(DomainError) as refused:
        backup_restore(path=_rewrite(archive, tmp_path / "other.tar.gz", vendor=other), target=empty_target,
                       media_root=tmp_path / "m")
    assert refused.value.code == "ops.wrong_vendor"
    assert {"PostgreSQL", "SQLite"} <= set(str(refused.value.message).replace("，", " ").split()) or \
        "PostgreSQL" in str(refused.value.message)
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(("changes", "code"), [
    ({"format": "something-else"}, "ops.not_a_backup"),
    ({"format_version": FORMAT_VERSION + 1}, "ops.format_version"),
    ({"migrations": lambda m: {**m, "people": [*m["people"], "9999_from_the_future"]}}, "ops.newer_migrations"),
])
def test_restore_refuses_another_format_or_a_newer_gongzhi(filled, empty_target, tmp_path, changes, code):
    backup_create(path=tmp_path / "b.tar.gz", media_root=filled)
    with pytest.raises(DomainError) as refused:
        backup_restore(path=_rewrite(tmp_path / "b.tar.gz", tmp_path / "x.tar.gz", **changes), target=empty_target,
                       media_root=tmp_path / "m")
    assert refused.value.code == code
    with RawTarget(empty_target) as restored:  # nothing was written
        cur = restored.conn.cursor()
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'" if empty_target.vendor == "sqlite"
                    else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        assert cur.fetchall() == []


def test_restore_refuses_a_file_that_is_not_a_backup(empty_target, tmp_path, db):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"PK\x03\x04 certainly not a tar")
    with pytest.raises(DomainError) as refused:
        backup_restore(path=junk, target=empty_target, media_root=tmp_path / "m")
    assert refused.value.code == "ops.not_a_backup"


def test_restore_refuses_when_the_field_encryption_key_differs(filled, empty_target, tmp_path):
    backup_create(path=tmp_path / "b.tar.gz", media_root=filled)
    with override_settings(FIELD_ENCRYPTION_KEY="a-different-key"), pytest.raises(DomainError) as refused:
        backup_restore(path=tmp_path / "b.tar.gz", target=empty_target, media_root=tmp_path / "m")
    assert refused.value.code == "ops.field_key_mismatch"


def test_restore_reports_row_counts_that_differ_from_the_manifest(filled, empty_target, tmp_path):
    backup_create(path=tmp_path / "b.tar.gz", media_root=filled)
    tampered = _rewrite(tmp_path / "b.tar.gz", tmp_path / "t.tar.gz",
                        row_counts=lambda c: {**c, "notifications_notification": c["notifications_notification"] + 1})
    with pytest.raises(DomainError) as refused:
        backup_restore(path=tampered, target=empty_target, media_root=tmp_path / "m")
    assert refused.value.code == "ops.verify_failed"
    assert list(refused.value.detail) == ["notifications_notification"]

"""The operator's round trip on the embedded database: ``gongzhi demo`` on a fresh SQLite file, ``gongzhi backup``,
``gongzhi restore`` on another machine's empty var directory (same keys) — every table's rows are the same."""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

GONGZHI = str(Path(sys.executable).with_name("gongzhi"))


def run(var: Path, *args: str, keys: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(GONGZHI_VAR_DIR=str(var), **keys)
    return subprocess.run([GONGZHI, *args], env=env, capture_output=True, text=True, timeout=600)


def table_rows(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}


def test_demo_backup_restore_round_trip_keeps_every_row_and_upload(tmp_path):
    keys = {"SECRET_KEY": secrets.token_urlsafe(50), "FIELD_ENCRYPTION_KEY": secrets.token_urlsafe(32)}
    source, restored, archive = tmp_path / "source", tmp_path / "restored", tmp_path / "b.tar.gz"
    assert run(source, "demo", "--no-serve", "--residents", "60", "--volunteers", "20", keys=keys).returncode == 0
    (source / "media" / "appeals").mkdir(parents=True)
    (source / "media" / "appeals" / "photo.jpg").write_bytes(b"\xff\xd8 a photo")

    made = run(source, "backup", str(archive), keys=keys)
    assert made.returncode == 0, made.stderr
    assert "上传文件 1 个" in made.stdout

    done = run(restored, "restore", str(archive), keys=keys)
    assert done.returncode == 0, done.stderr
    assert "每张表的行数与备份清单一致" in done.stdout
    before, after = table_rows(source / "gongzhi.sqlite3"), table_rows(restored / "gongzhi.sqlite3")
    assert set(after) == set(before) and sum(len(rows) for rows in after.values()) > 1000
    for table, rows in before.items():
        assert after[table] == rows, table
    assert (restored / "media" / "appeals" / "photo.jpg").read_bytes() == b"\xff\xd8 a photo"

    again = run(restored, "restore", str(archive), keys=keys)
    assert again.returncode == 1 and "--force" in again.stderr and "ops.target_not_empty" in again.stderr
    other_key = run(tmp_path / "elsewhere", "restore", str(archive),
                    keys={**keys, "FIELD_ENCRYPTION_KEY": secrets.token_urlsafe(32)})
    assert other_key.returncode == 1 and "FIELD_ENCRYPTION_KEY" in other_key.stderr
    assert not (tmp_path / "elsewhere" / "gongzhi.sqlite3").exists()
    missing = run(restored, "restore", str(tmp_path / "nope.tar.gz"), keys=keys)
    assert missing.returncode == 1 and "不是共治备份文件" in missing.stderr

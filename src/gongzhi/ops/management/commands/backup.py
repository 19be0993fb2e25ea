"""``gongzhi backup FILE``: the database and the uploaded files in one archive, made while the site keeps running."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.ops.backup import VENDOR_NAMES, backup_create


def command_error(err: DomainError) -> CommandError:
    detail = f"\n{err.detail}" if err.detail else ""
    return CommandError(f"{err.message} [{err.code}]{detail}")


class Command(BaseCommand):
    help = "备份数据库和上传文件到一个归档文件（网站运行时也可备份）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="归档文件路径，例如 backups/gongzhi-2025-01-01.tar.gz")

    def handle(self, *args, file: str, **options):
        try:
            manifest = backup_create(path=Path(file))
        except DomainError as err:
            raise command_error(err) from err
        self.stdout.write(self.style.SUCCESS(_(
            "已备份到 %(file)s：%(vendor)s 数据库 %(tables)d 张表共 %(rows)d 行，上传文件 %(files)d 个。"
        ) % {"file": file, "vendor": VENDOR_NAMES[manifest.vendor], "tables": len(manifest.row_counts),
             "rows": sum(manifest.row_counts.values()), "files": manifest.media_files}))

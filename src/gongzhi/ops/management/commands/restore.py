"""``gongzhi restore FILE [--force]``: put a backup archive back, then check every table's row count."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.ops.backup import VENDOR_NAMES, backup_restore
from gongzhi.ops.errors import OpsError

from .backup import command_error


class Command(BaseCommand):
    help = "从备份归档恢复数据库和上传文件；目标不为空时需加 --force；恢复后逐表核对行数"

    def add_arguments(self, parser):
        parser.add_argument("file", help="gongzhi backup 生成的归档文件")
        parser.add_argument("--force", action="store_true", help="覆盖目标数据库和上传文件目录中的全部现有数据")

    def handle(self, *args, file: str, force: bool, **options):
        if not Path(file).is_file():
            raise command_error(OpsError.NOT_A_BACKUP.error(detail={"file": file}))
        try:
            result = backup_restore(path=Path(file), force=force)
        except DomainError as err:
            raise command_error(err) from err
        m = result.manifest
        self.stdout.write(self.style.SUCCESS(_(
            "已从 %(file)s（%(created)s 备份）恢复 %(vendor)s 数据库 %(tables)d 张表共 %(rows)d 行，"
            "上传文件 %(files)d 个；每张表的行数与备份清单一致。"
        ) % {"file": file, "created": m.created_at, "vendor": VENDOR_NAMES[m.vendor], "tables": len(result.row_counts),
             "rows": sum(result.row_counts.values()), "files": m.media_files}))
        if result.pending_migrations:
            self.stdout.write(_("该备份比当前版本旧，还有 %(n)d 个迁移未应用：请运行 gongzhi migrate。")
                              % {"n": len(result.pending_migrations)})

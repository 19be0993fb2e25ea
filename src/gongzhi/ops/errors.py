from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ErrorCode


class OpsError(ErrorCode):
    """Refusals of ``gongzhi backup`` / ``gongzhi restore`` (code, Chinese message, status)."""

    NOT_A_BACKUP = ("ops.not_a_backup", _("该文件不是共治备份文件（缺少或无法读取备份清单）"), 400)
    FORMAT_VERSION = ("ops.format_version", _("该备份文件的格式版本较新，当前版本的共治无法恢复，请先升级共治"), 400)
    WRONG_VENDOR = ("ops.wrong_vendor", _("备份的数据库类型与当前数据库不同，无法恢复"), 400)
    NEWER_MIGRATIONS = ("ops.newer_migrations", _("该备份来自更新版本的共治（包含本版本没有的数据库迁移），请先升级共治"), 409)
    FIELD_KEY_MISMATCH = ("ops.field_key_mismatch", _("当前的 FIELD_ENCRYPTION_KEY 与备份时不同，恢复后身份证号、电话和地址将无法读取；"
                                                     "请先设置备份时使用的密钥（环境变量或 var/field_key）"), 409)
    TARGET_NOT_EMPTY = ("ops.target_not_empty", _("目标数据库或上传文件目录不是空的；确认要覆盖其中的全部数据时请加 --force"), 409)
    VERIFY_FAILED = ("ops.verify_failed", _("恢复后的行数与备份清单不一致"), 500)
    TOOL_MISSING = ("ops.tool_missing", _("找不到 PostgreSQL 客户端程序（pg_dump / pg_restore）"), 400)
    TOOL_FAILED = ("ops.tool_failed", _("PostgreSQL 备份或恢复程序运行失败"), 500)
    UNSUPPORTED_DATABASE = ("ops.unsupported_database", _("只支持 SQLite 和 PostgreSQL 数据库的备份与恢复"), 400)

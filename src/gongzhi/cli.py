"""The ``gongzhi`` console script: Django management with the gongzhi settings (``gongzhi migrate``, ``gongzhi serve``)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["gongzhi", *(argv if argv is not None else sys.argv[1:])])
    except ImproperlyConfigured as exc:  # a missing production variable: say what to set, without a traceback
        sys.stderr.write(f"gongzhi: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()

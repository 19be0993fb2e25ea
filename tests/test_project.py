"""The project as a newcomer meets it: the console script, the two Quick-start commands, CI calling `make test`."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_console_script_wraps_django_management():
    """`gongzhi help` lists gongzhi's own commands (demo, token) beside Django's."""
    out = subprocess.run([sys.executable, "-m", "gongzhi", "help"], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    assert "demo" in out and "token" in out and "migrate" in out


def test_readme_quick_start_has_exactly_the_two_commands_and_ci_runs_make_test():
    """README's Quick start shows `make demo` and `make test`; .ci/run calls `make test`."""
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.splitlines() if line.startswith("make ")]
    assert commands == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()

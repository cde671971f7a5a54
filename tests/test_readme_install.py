"""The README's set-up commands, scripts/test.sh's choice of Python, the package metadata, and the
README's generated test times."""

import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _two_commands() -> list[str]:
    section = README.split("## Two commands", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.strip().splitlines()]


def test_setup_commands_make_and_use_a_venv_before_installing():
    first, second = _two_commands()
    steps = [s.strip() for s in first.split("&&")]
    assert steps[0] == "python3 -m venv .venv"
    assert steps[1] == ". .venv/bin/activate"
    assert steps.index("pip install -e .") > 1  # only once the venv is active
    assert second == "bash scripts/test.sh"


def _which_python(tmp_path, env):
    """Run a copy of scripts/test.sh with --which-python in an empty project folder."""
    (tmp_path / "scripts").mkdir(exist_ok=True)
    shutil.copy(ROOT / "scripts" / "test.sh", tmp_path / "scripts" / "test.sh")
    out = subprocess.run(
        ["bash", str(tmp_path / "scripts" / "test.sh"), "--which-python"],
        env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


def test_test_script_makes_its_own_venv_outside_one(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    # the active interpreter's folder first on PATH, as an activated venv would have it
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    prefix = _which_python(tmp_path, env)
    assert Path(prefix).resolve() == (tmp_path / ".venv").resolve()
    assert (tmp_path / ".venv" / "bin" / "python").exists()
    assert _which_python(tmp_path, env) == prefix  # reused, not made again


def test_test_script_uses_the_active_venv(tmp_path):
    env = dict(os.environ, VIRTUAL_ENV=sys.prefix)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    assert Path(_which_python(tmp_path, env)).resolve() == Path(sys.prefix).resolve()
    assert not (tmp_path / ".venv").exists()


def test_package_metadata_builds_without_deprecation_warnings(tmp_path, monkeypatch):
    build_meta = pytest.importorskip("setuptools.build_meta")
    monkeypatch.chdir(ROOT)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        name = build_meta.prepare_metadata_for_build_wheel(str(tmp_path))
    messages = [
        str(w.message) for w in caught if "eprecat" in type(w.category).__name__ + str(w.message)
    ]
    assert not messages, messages
    meta = (tmp_path / name / "METADATA").read_text()
    assert re.search(r"^License-Expression: MIT$", meta, re.M), meta[:500]


def test_readme_times_are_generated_for_every_notebook():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import readme_times
    finally:
        sys.path.pop(0)
    body = README.split(readme_times.START, 1)[1].split(readme_times.END, 1)[0]
    assert "minutes of wall time" in body  # the whole test command, measured
    for nb in readme_times.notebooks():  # a notebook added without re-measuring fails here
        assert re.search(rf"\b{nb.stem[:2]} \d+ s\b", body), nb.name

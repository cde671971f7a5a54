import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
# CI draws the same pseudo-random examples on every run, so a run is reproducible
# and cannot fail by chance; local runs draw new ones each time, to explore.
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

CHROMIUM = os.environ.get("VALUEGRAD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def require_torch():
    """torch (CPU build, float64) for differential tests: skipped locally without it,
    a failure under CI, which installs it (scripts/test.sh)."""
    try:
        import torch
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI installs torch (CPU build) in scripts/test.sh; it is missing")
        pytest.skip("torch is not installed: `pip install torch==2.13.0+cpu` to run this test")
    torch.set_default_dtype(torch.float64)
    return torch


@pytest.fixture
def torch():
    return require_torch()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by playwright (no browser download)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI installs playwright (test extra); it is missing")
        pytest.skip("playwright is not installed")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI installs Debian's chromium (.ci/run); it is missing")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts():
    """Where browser tests save screenshots (look at them)."""
    path = os.path.join(os.path.dirname(__file__), "..", "artifacts")
    os.makedirs(path, exist_ok=True)
    return os.path.abspath(path)

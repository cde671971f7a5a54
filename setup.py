"""The optional C helpers (autograd/_untracked.c, autograd/_fused.c): without a C compiler,
pip installs valuegrad without them and the engine runs as plain Python, with the same
numbers (autograd/native.py)."""

from setuptools import Extension, setup

# a*b + c stays two roundings, as in Python (no fused multiply-add)
EXACT = ["-ffp-contract=off"]

setup(
    ext_modules=[
        Extension("autograd._untracked", ["autograd/_untracked.c"], optional=True),
        Extension(
            "autograd._fused", ["autograd/_fused.c"], extra_compile_args=EXACT, optional=True
        ),
    ]
)

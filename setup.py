"""The optional C helpers (autograd/_untracked.c, _walk.c, _fused.c): without a C compiler,
pip installs valuegrad without them and the engine runs as plain Python, with the same
numbers (autograd/native.py)."""

from setuptools import Extension, setup

# a*b + c stays two roundings, as in Python (no fused multiply-add)
EXACT = ["-ffp-contract=off"]


def helper(name: str, **kw) -> Extension:
    return Extension(
        f"autograd.{name}",
        [f"autograd/{name}.c"],
        depends=["autograd/_slots.h"],
        optional=True,
        **kw,
    )


setup(
    ext_modules=[helper("_untracked"), helper("_walk"), helper("_fused", extra_compile_args=EXACT)]
)

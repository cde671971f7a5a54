"""The optional C helper (autograd/_untracked.c): without a C compiler, pip installs
valuegrad without it and the engine uses plain Python objects (autograd/untracked.py)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("autograd._untracked", ["autograd/_untracked.c"], optional=True)])

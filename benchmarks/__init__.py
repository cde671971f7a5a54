"""Benchmarks: valuegrad side by side with micrograd, PyTorch scalars and plain floats."""

"""Neurons, layers and MLPs on `autograd.Value`."""

__all__: list[str] = []

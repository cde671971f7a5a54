"""Toy datasets, made with a seed and no scikit-learn: two moons and spirals."""

from __future__ import annotations

import math
import random

__all__ = ["make_moons", "make_spiral"]


def make_moons(
    n_samples: int = 100, noise: float = 0.1, seed: int | None = None
) -> tuple[list[list[float]], list[int]]:
    """Two interleaving half circles (as scikit-learn's make_moons): points and 0/1 labels."""
    rng = random.Random(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    points, labels = [], []
    for i in range(n_out):
        t = math.pi * i / max(n_out - 1, 1)
        points.append([math.cos(t), math.sin(t)])
        labels.append(0)
    for i in range(n_in):
        t = math.pi * i / max(n_in - 1, 1)
        points.append([1 - math.cos(t), 1 - math.sin(t) - 0.5])
        labels.append(1)
    points = [[x + rng.gauss(0, noise), y + rng.gauss(0, noise)] for x, y in points]
    order = list(range(n_samples))
    rng.shuffle(order)
    return [points[i] for i in order], [labels[i] for i in order]


def make_spiral(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int | None = None
) -> tuple[list[list[float]], list[int]]:
    """Interleaved spiral arms, one per class (CS231n's dataset): points and class indices."""
    rng = random.Random(seed)
    points, labels = [], []
    for k in range(n_classes):
        for i in range(n_per_class):
            r = i / max(n_per_class - 1, 1)
            t = k * 4 + 4 * r + rng.gauss(0, noise)
            points.append([r * math.sin(t), r * math.cos(t)])
            labels.append(k)
    return points, labels

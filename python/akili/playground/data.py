"""The playground's data sets: points in the plane with a class 0 or 1.

Every set lies in the square [-1, 1]² (the page draws that square), is drawn from
``numpy.random.default_rng(seed)`` and is therefore the same for the same
arguments on every machine: the Python code the page exports calls
:func:`make_points` with the page's settings to rebuild the very same points.

``noise`` is a share between 0 and 0.5; what it does depends on the set (the
spread of the Gaussians, the jitter of the rings and the spiral, a share of XOR's
points moved off their quadrant). The lecture's tiny examples are not point sets
in the plane; they live in :mod:`akili.playground.lectures`.
"""

from __future__ import annotations

import numpy as np

import akili

DATASETS = ("xor", "gaussians", "circles", "spiral", "iris")
IRIS_FEATURES = ("sepal length", "sepal width", "petal length", "petal width")
IRIS_SPECIES = ("setosa", "versicolor", "virginica")
MAX_POINTS = 5000


def _check(value: float, low: float, high: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"[playground.make_points] expected {what} between {low} and {high}, got {value!r}")
    return float(value)


def _xor(rng: np.random.Generator, count: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # Uniform points away from the axes; class 1 where x·y > 0 (the first and third quadrants).
    points = rng.uniform(0.05, 0.95, size=(count, 2)) * rng.choice([-1.0, 1.0], size=(count, 2))
    points += rng.normal(0.0, noise, size=points.shape)  # noise blurs the quadrant borders
    labels = (points[:, 0] * points[:, 1] > 0).astype(np.int64)
    return points, labels


def _gaussians(rng: np.random.Generator, count: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.integers(0, 2, size=count)
    centres = np.where(labels[:, None] == 1, 0.45, -0.45)
    points = centres + rng.normal(0.0, 0.12 + noise, size=(count, 2))
    return points, labels.astype(np.int64)


def _circles(rng: np.random.Generator, count: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # Class 1: a disc of radius 0.4; class 0: a ring between 0.6 and 0.9.
    labels = rng.integers(0, 2, size=count)
    radius = np.where(labels == 1, rng.uniform(0.0, 0.4, count), rng.uniform(0.6, 0.9, count))
    angle = rng.uniform(0.0, 2 * np.pi, count)
    points = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    points += rng.normal(0.0, noise * 0.5, size=points.shape)
    return points, labels.astype(np.int64)


def _spiral(rng: np.random.Generator, count: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # Two interleaved arms r = t, angle = 1.75·2π·t + class·π, for t in [0, 0.9).
    labels = rng.integers(0, 2, size=count)
    t = rng.uniform(0.0, 0.9, count)
    angle = 1.75 * 2 * np.pi * t + labels * np.pi
    points = np.column_stack([t * np.cos(angle), t * np.sin(angle)])
    points += rng.normal(0.0, noise * 0.3, size=points.shape)
    return points, labels.astype(np.int64)


def _iris(features: tuple[int, int], species: int) -> tuple[np.ndarray, np.ndarray]:
    values, kinds = akili.datasets.iris()
    chosen = values[:, list(features)].astype(np.float64)
    # Scaled to [-0.9, 0.9]: x' = 1.8·(x - min)/(max - min) - 0.9
    low, high = chosen.min(axis=0), chosen.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    points = 1.8 * (chosen - low) / span - 0.9
    return points, (kinds == species).astype(np.int64)


def make_points(
    name: str = "xor",
    *,
    count: int = 500,
    noise: float = 0.0,
    test_share: float = 0.5,
    seed: int = 0,
    iris_features: tuple[int, int] = (2, 3),
    iris_species: int = 1,
    extra_points: list[tuple[float, float, int]] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(X_train, y_train, X_test, y_test)`` of the data set ``name``.

    ``X`` has shape (n, 2), ``y`` holds 0 or 1 (shape (n,)). ``test_share`` of the
    points, chosen at random, are held out for testing. Iris uses two of its four
    features (``iris_features``, indices into :data:`IRIS_FEATURES`) and asks
    "is it ``IRIS_SPECIES[iris_species]``?" (its 150 flowers; ``count`` and
    ``noise`` do not apply). ``extra_points`` (x, y, class) — the points a learner
    clicked onto the page — are appended to the training set.
    """
    if name not in DATASETS:
        raise ValueError(f"[playground.make_points] unknown data set {name!r}; expected one of {', '.join(DATASETS)}")
    noise = _check(noise, 0.0, 0.5, "noise")
    test_share = _check(test_share, 0.05, 0.95, "test_share")
    if isinstance(count, bool) or not isinstance(count, int) or not 10 <= count <= MAX_POINTS:
        raise ValueError(
            f"[playground.make_points] expected count as a whole number from 10 to {MAX_POINTS}, got {count!r}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ValueError(f"[playground.make_points] expected seed as a whole number from 0 to 2**32 - 1, got {seed!r}")
    rng = np.random.default_rng(seed)
    if name == "iris":
        features = tuple(iris_features)
        if (
            len(features) != 2
            or any(f not in range(len(IRIS_FEATURES)) for f in features)
            or features[0] == features[1]
        ):
            raise ValueError(
                f"[playground.make_points] expected two different iris feature indices from 0 to 3, "
                f"got {iris_features!r}"
            )
        if iris_species not in range(len(IRIS_SPECIES)):
            raise ValueError(f"[playground.make_points] expected iris_species 0, 1 or 2, got {iris_species!r}")
        points, labels = _iris((features[0], features[1]), iris_species)
    else:
        points, labels = {"xor": _xor, "gaussians": _gaussians, "circles": _circles, "spiral": _spiral}[name](
            rng, count, noise
        )
    points = np.clip(points, -1.0, 1.0)
    order = rng.permutation(len(points))
    test_count = int(round(test_share * len(points)))
    test, train = order[:test_count], order[test_count:]
    x_train, y_train = points[train], labels[train]
    if extra_points:
        extra = np.asarray([[p[0], p[1]] for p in extra_points], dtype=np.float64).reshape(-1, 2)
        x_train = np.vstack([x_train, extra])
        y_train = np.concatenate([y_train, np.asarray([int(p[2]) for p in extra_points], dtype=np.int64)])
    return x_train, y_train, points[test], labels[test]

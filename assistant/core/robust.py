"""Robust statistics of a score distribution: the gate reads how far the best passage stands out from
the corpus' own cosines by the median and spread, which the few relevant chunks at the top do not move."""

from __future__ import annotations

import numpy as np


def median_of(values: np.ndarray) -> float:
    """`np.median(values)` of floats, computed as it does (the mean of the middle one or two values of a
    partition of the flattened array; NaN if any value is NaN, or none), without its NaN check's use of
    `np.ma`: importing numpy.ma is ≈ 10 ms of a cold `kalo ask`."""
    n = values.size
    if not n or np.isnan(values).any():
        return float("nan")
    middle = [n // 2 - 1, n // 2] if n % 2 == 0 else [n // 2]
    return float(np.mean(np.partition(values, middle, axis=None)[middle[0] : middle[-1] + 1]))


def median_and_spread(values: np.ndarray) -> tuple[float, float]:
    """The median and the median absolute deviation scaled to a standard deviation; (0, 0) when empty."""
    if not values.size:
        return 0.0, 0.0
    median = median_of(values)
    return median, float(1.4826 * median_of(np.abs(values - median)))

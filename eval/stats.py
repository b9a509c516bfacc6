"""Uncertainty: bootstrap confidence intervals for a run's figures and paired tests between two runs on the
same cases. Seeded, so the same scores always give the same intervals and p-values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SEED = 15  # fixed (issue #15): intervals and p-values are reproducible
RESAMPLES = 2000  # bootstrap resamples: ±0.5 pp on the interval ends for a proportion over ~50 cases
PERMUTATIONS = 10000  # paired permutations: the smallest p-value is ~1e-4
LEVEL = 0.95
ALPHA = 0.05


def _reduce(kind: str):
    """The statistic along axis 1 of a resample matrix."""
    if kind == "median":
        return lambda x: np.median(x, axis=1)
    if kind == "p95":
        return lambda x: np.percentile(x, 95, axis=1)
    return lambda x: np.mean(x, axis=1)


def _value(kind: str, values: np.ndarray) -> float:
    return float(_reduce(kind)(values[None, :])[0])


def _round(v: float | None, digits: int = 6) -> float | None:
    return None if v is None else round(v, digits)


@dataclass(frozen=True)
class Interval:
    value: float | None
    low: float | None
    high: float | None
    n: int

    def as_dict(self) -> dict:
        return {"low": _round(self.low, 4), "high": _round(self.high, 4), "n": self.n}


def bootstrap_ci(
    values: Sequence[float],
    statistic: str = "mean",
    *,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
    seed: int = SEED,
) -> Interval:
    """Percentile bootstrap: resample the cases with replacement `resamples` times, take the statistic of each
    resample, report the (1-level)/2 and 1-(1-level)/2 quantiles."""
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return Interval(None, None, None, 0)
    value = _value(statistic, v)
    if v.size == 1 or np.all(v == v[0]):
        return Interval(value, value, value, int(v.size))
    rng = np.random.default_rng(seed)
    stats = _reduce(statistic)(v[rng.integers(0, v.size, size=(resamples, v.size))])
    low, high = np.quantile(stats, [(1 - level) / 2, 1 - (1 - level) / 2])
    return Interval(value, float(low), float(high), int(v.size))


@dataclass(frozen=True)
class Paired:
    """B − A on the cases both runs scored: the difference, its bootstrap interval and a permutation p-value."""

    a: float | None
    b: float | None
    delta: float | None
    low: float | None
    high: float | None
    p: float | None
    n: int
    alpha: float = ALPHA

    @property
    def significant(self) -> bool:
        return self.p is not None and self.p < self.alpha

    def as_dict(self) -> dict:
        return {
            "a": _round(self.a),
            "b": _round(self.b),
            "delta": _round(self.delta),
            "low": _round(self.low),
            "high": _round(self.high),
            "p": _round(self.p),
            "n": self.n,
            "significant": self.significant,
        }


def paired_test(
    a: Sequence[float],
    b: Sequence[float],
    statistic: str = "mean",
    *,
    resamples: int = RESAMPLES,
    permutations: int = PERMUTATIONS,
    level: float = LEVEL,
    alpha: float = ALPHA,
    seed: int = SEED,
) -> Paired:
    """Paired comparison of two runs' per-case values (same cases, same order).

    Interval: paired bootstrap — resample case indices, the same for both runs, and take
    stat(B*) − stat(A*). p-value: two-sided paired permutation test — under «no difference» each case's two
    values are exchangeable, so swap them at random per case; p = (1 + #{|d*| ≥ |d|}) / (1 + permutations).
    For the mean this is the sign-flip test on the per-case differences."""
    va, vb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if va.shape != vb.shape:
        raise ValueError("paired values must have the same length")
    n = int(va.size)
    if n == 0:
        return Paired(None, None, None, None, None, None, 0, alpha)
    f = _reduce(statistic)
    sa, sb = _value(statistic, va), _value(statistic, vb)
    delta = sb - sa
    if np.array_equal(va, vb):
        return Paired(sa, sb, 0.0, 0.0, 0.0, 1.0, n, alpha)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(resamples, n))
    boot = f(vb[idx]) - f(va[idx])
    low, high = np.quantile(boot, [(1 - level) / 2, 1 - (1 - level) / 2])
    swap = rng.random((permutations, n)) < 0.5
    pa, pb = np.where(swap, vb, va), np.where(swap, va, vb)
    null = f(pb) - f(pa)
    extreme = int(np.count_nonzero(np.abs(null) >= abs(delta) - 1e-12))
    p = (1 + extreme) / (1 + permutations)
    return Paired(sa, sb, delta, float(low), float(high), min(1.0, p), n, alpha)


def holm(pvalues: Sequence[float | None]) -> list[float | None]:
    """Holm–Bonferroni adjusted p-values (None stays None): for several metrics tested at once."""
    present = sorted((p, i) for i, p in enumerate(pvalues) if p is not None)
    m = len(present)
    out: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, (p, i) in enumerate(present):
        running = max(running, min(1.0, (m - rank) * p))
        out[i] = running
    return out

"""Quality gates: `--min METRIC=VALUE` options and eval/thresholds.toml checked against a run's summary."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.errors import ConfigError
from eval.metrics import METRICS


@dataclass
class Thresholds:
    minimum: dict[str, float] = field(default_factory=dict)
    maximum: dict[str, float] = field(default_factory=dict)

    def merged(self, other: Thresholds) -> Thresholds:
        return Thresholds(self.minimum | other.minimum, self.maximum | other.maximum)

    def __bool__(self) -> bool:
        return bool(self.minimum or self.maximum)


def _check_name(name: str, where: str) -> str:
    if name not in METRICS:
        raise ConfigError(
            f"Unknown metric '{name}' in {where} (known: {', '.join(METRICS)})",
            f"Άγνωστο μέτρο «{name}» στο {where} (γνωστά: {', '.join(METRICS)})",
        )
    return name


def parse_pairs(pairs: list[str] | None, option: str = "--min") -> dict[str, float]:
    """["hit@k=0.8", "chrf=30"] → {"hit@k": 0.8, "chrf": 30.0}."""
    out: dict[str, float] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = None
        if not sep or number is None:
            raise ConfigError(
                f"{option} expects METRIC=VALUE, got '{pair}'", f"Το {option} θέλει ΜΕΤΡΟ=ΤΙΜΗ, δόθηκε «{pair}»"
            )
        out[_check_name(name.strip(), option)] = number
    return out


def load_thresholds(path: Path | str, split: str | None = None) -> Thresholds:
    """A TOML file of `metric = minimum` lines, with an optional `[max]` table for lower-is-better metrics.
    The top level is the gate for kalo_v1; `[split.NAME]` (with its own `[split.NAME.max]`) is the gate for a
    split («test», «dev»): with `split` given, only that table counts."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"Cannot read thresholds {path}: {exc}", f"Δεν διαβάζεται το αρχείο ορίων {path}: {exc}"
        ) from None
    tables = data.pop("split", {})
    if split is not None and split != "v1":
        if split not in tables:
            raise ConfigError(
                f"{path} has no [split.{split}] table of thresholds",
                f"Το {path} δεν έχει πίνακα ορίων [split.{split}]",
            )
        data = dict(tables[split])
    maximum = data.pop("max", {})
    minimum = data.pop("min", {}) | data
    where = f"{path} [split.{split}]" if split and split != "v1" else str(path)
    return Thresholds(
        {_check_name(k, where): float(v) for k, v in minimum.items()},
        {_check_name(k, where): float(v) for k, v in maximum.items()},
    )


def failures(metrics: dict, thresholds: Thresholds) -> list[str]:
    """One line per metric that misses its threshold (or was not measured in this run)."""
    out = []
    for name, limit in thresholds.minimum.items():
        value = metrics.get(name)
        if value is None:
            out.append(f"{name}: not measured (minimum {limit:g})")
        elif value < limit:
            out.append(f"{name} = {value:.4g} < minimum {limit:g}")
    for name, limit in thresholds.maximum.items():
        value = metrics.get(name)
        if value is None:
            out.append(f"{name}: not measured (maximum {limit:g})")
        elif value > limit:
            out.append(f"{name} = {value:.4g} > maximum {limit:g}")
    return out

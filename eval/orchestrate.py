"""What `kalo eval run` does, as library code the CLI only formats: settings with the documented precedence,
the dataset (--dataset or --split, JSONL, CSV or RAGAS), the gate, the run(s), the baseline comparison."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from assistant.core.errors import ConfigError
from assistant.core.settings import Settings
from eval.dataset import Case
from eval.gates import Thresholds, failures, load_thresholds, parse_pairs
from eval.identity import DatasetInfo, describe, resolve
from eval.runner import MODES, Progress, default_run_dir, run, run_modes, runnable


def load_settings(config: Path | None = None, **overrides) -> Settings:
    """Settings with the documented precedence everywhere: explicit overrides (command-line options) over
    KALO_* environment variables over the TOML file (--config when given, else KALO_CONFIG / kalo.toml) over
    the defaults. Overrides that are None are not given."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        if config is None:
            return Settings(**given)
        if not Path(config).is_file():
            raise ConfigError(f"Settings file not found: {config}", f"Δεν βρέθηκε το αρχείο ρυθμίσεων: {config}")

        class FromFile(Settings):
            @classmethod
            def config_file(cls) -> Path:
                return Path(config)

        loaded = FromFile(**given)
        values = {name: getattr(loaded, name) for name in Settings.model_fields}
        return Settings.model_construct(_fields_set=loaded.model_fields_set, **values)
    except ValidationError as exc:
        where = f" in {config}" if config else ""
        raise ConfigError(f"Invalid settings{where}: {exc}", f"Μη έγκυρες ρυθμίσεις{where}: {exc}") from None
    except ValueError as exc:  # an unreadable TOML file (tomllib.TOMLDecodeError is a ValueError)
        raise ConfigError(f"Cannot read {config}: {exc}", f"Δεν διαβάζεται το {config}: {exc}") from None


@dataclass
class RunRequest:
    """The options of `kalo eval run`."""

    dataset: Path | None = None
    split: str | None = None
    dataset_format: str | None = None  # jsonl | csv | ragas; None: from the file
    mapping: dict[str, str] = field(default_factory=dict)  # case field → column (CSV / RAGAS)
    config: Path | None = None
    retrieval_mode: str | None = None
    out: Path | None = None
    minimum: list[str] = field(default_factory=list)
    maximum: list[str] = field(default_factory=list)
    thresholds: Path | None = None
    limit: int | None = None
    compare_modes: bool = False
    llm_judge: bool = False
    repeat: int = 1
    baseline: Path | None = None


@dataclass
class Plan:
    """A checked request: everything is resolved before the first question is asked."""

    request: RunRequest
    settings: Settings
    path: Path
    cases: list[Case]
    info: DatasetInfo
    gates: Thresholds
    out: Path
    modes: tuple[str, ...]
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Questions to ask in all (each mode, each case; repeats not counted)."""
        return len(runnable(self.cases, self.request.limit)) * len(self.modes)


@dataclass
class Outcome:
    plan: Plan
    summaries: dict[str, dict]  # mode → summary
    missed: list[str]  # threshold failures of the settings' own mode

    @property
    def summary(self) -> dict:
        return self.summaries[self.plan.settings.retrieval_mode]

    @property
    def report(self) -> Path:
        return self.plan.out / ("index.html" if self.plan.request.compare_modes else "report.html")


def prepare(request: RunRequest) -> Plan:
    from eval.interop import read_cases

    if request.retrieval_mode is not None and request.retrieval_mode not in MODES:
        raise ConfigError(
            f"--retrieval-mode must be one of: {', '.join(MODES)}", f"Το --retrieval-mode δέχεται: {', '.join(MODES)}"
        )
    if request.repeat < 1:
        raise ConfigError("--repeat must be at least 1", "Το --repeat πρέπει να είναι τουλάχιστον 1")
    path = resolve(request.dataset, request.split)
    cases = read_cases(path, request.dataset_format, request.mapping)
    info = describe(path, [c for c in cases if not c.draft])
    split = request.split or info.split or None
    gates = Thresholds(parse_pairs(request.minimum, "--min"), parse_pairs(request.maximum, "--max"))
    if request.thresholds is not None:
        gates = load_thresholds(request.thresholds, split).merged(gates)
    settings = load_settings(request.config, retrieval_mode=request.retrieval_mode)
    label = "modes" if request.compare_modes else f"{info.name}-{settings.retrieval_mode}"
    warnings = []
    if any(c.gold and not c.gold.pages for c in cases if c.answerable):
        warnings.append("Some gold entries have no pages: page_hit@k is left out for them (sections are used).")
    if request.baseline is not None and request.compare_modes:
        warnings.append("--baseline is ignored with --compare-modes.")
    return Plan(
        request=request,
        settings=settings,
        path=path,
        cases=cases,
        info=info,
        gates=gates,
        out=request.out or default_run_dir(settings.data_dir, label),
        modes=MODES if request.compare_modes else (settings.retrieval_mode,),
        warnings=warnings,
    )


def execute(plan: Plan, progress: Progress | None = None) -> Outcome:
    """Run the plan: one run (or one per mode), written under plan.out; the gate checked on the settings' mode."""
    from assistant.service import Assistant

    request = plan.request
    assistant = Assistant(plan.settings)
    judge = None
    if request.llm_judge:
        from eval.judge import make_judge

        judge = make_judge(plan.settings)
    common = {
        "dataset": plan.path,
        "info": plan.info,
        "progress": progress,
        "limit": request.limit,
        "judge": judge,
        "repeat": request.repeat,
    }
    if request.compare_modes:
        summaries = run_modes(assistant, plan.cases, plan.out, **common)
    else:
        baseline = None
        if request.baseline is not None:
            from eval.compare import load_run

            baseline = load_run(request.baseline)
        summary = run(assistant, plan.cases, plan.out, baseline=baseline, **common)
        summaries = {plan.settings.retrieval_mode: summary}
    missed = failures(summaries[plan.settings.retrieval_mode]["metrics"], plan.gates)
    return Outcome(plan, summaries, missed)

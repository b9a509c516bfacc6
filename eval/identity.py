"""What a run evaluated and with what: dataset name, version and content hash (from eval/datasets/datasets.toml),
the dev/test splits, and the code version (git commit when available, never an error when not)."""

from __future__ import annotations

import hashlib
import subprocess
import tomllib
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from assistant.core.errors import ConfigError, DatasetError
from eval import DATASETS_DIR, DEFAULT_DATASET
from eval.dataset import Case, case_line

MANIFEST = DATASETS_DIR / "datasets.toml"
REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    version: str
    sha256: str  # content hash of the cases (see content_hash)
    path: str
    split: str = ""
    description: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version} ({self.sha256[:8]})"


def content_hash(cases: list[Case]) -> str:
    """SHA-256 of the cases in canonical form (one normalised JSON line per case, ordered by id), so comments,
    blank lines, key order and line order do not change it, and any change to a case does. First 16 hex digits."""
    lines = sorted((c.id, case_line(c)) for c in cases)
    return hashlib.sha256("\n".join(line for _, line in lines).encode("utf-8")).hexdigest()[:16]


@cache
def _manifest(path: Path = MANIFEST) -> dict[str, dict]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Cannot read {path}: {exc}", f"Δεν διαβάζεται το {path}: {exc}") from None


def splits() -> dict[str, Path]:
    """{split: dataset file} from the manifest («dev», «test»; kalo_v1 is split «v1»)."""
    return {
        entry["split"]: DATASETS_DIR / entry.get("file", f"{name}.jsonl")
        for name, entry in _manifest().items()
        if entry.get("split")
    }


def resolve(dataset: Path | None = None, split: str | None = None) -> Path:
    """The dataset file a run uses: --dataset, or --split's file, or kalo_v1."""
    if dataset is not None and split is not None:
        raise ConfigError("Give --dataset or --split, not both", "Δώστε --dataset ή --split, όχι και τα δύο")
    if split is None:
        return dataset or DEFAULT_DATASET
    known = splits()
    if split not in known:
        raise ConfigError(
            f"Unknown split '{split}' (known: {', '.join(known) or 'none'}; see {MANIFEST})",
            f"Άγνωστο τμήμα «{split}» (γνωστά: {', '.join(known) or 'κανένα'}· βλ. {MANIFEST})",
        )
    path = known[split]
    if not path.is_file():
        raise DatasetError(f"Dataset of split '{split}' not found: {path}", f"Δεν βρέθηκε το σύνολο «{split}»: {path}")
    return path


def describe(path: Path | str, cases: list[Case], name: str = "", version: str = "") -> DatasetInfo:
    """A dataset's identity: its manifest entry (matched by file name) when it has one, else the file stem
    and version «unversioned»; the content hash always comes from the cases themselves."""
    path = Path(path)
    entry_name, entry = next(
        ((n, e) for n, e in _manifest().items() if e.get("file", f"{n}.jsonl") == path.name),
        (path.stem or "unnamed", {}),
    )
    return DatasetInfo(
        name=name or entry_name,
        version=version or str(entry.get("version", "unversioned")),
        sha256=content_hash(cases),
        path=str(path),
        split=str(entry.get("split", "")),
        description=str(entry.get("description", "")),
    )


def _git(*args: str) -> str:
    # --no-optional-locks: reading the status must never take .git/index.lock from someone committing
    done = subprocess.run(
        ["git", "--no-optional-locks", "-C", str(REPO), *args], capture_output=True, text=True, timeout=5, check=True
    )
    return done.stdout.strip()


@cache
def code_version() -> dict:
    """{commit, dirty, package}: the git commit of the code that ran (and whether tracked files were modified);
    without git or a repository, the commit named by a REVISION file at the root, else empty values."""
    try:
        from importlib.metadata import version

        package = version("kalo-assistant")
    except Exception:
        package = ""
    try:
        commit = _git("rev-parse", "HEAD")
        dirty: bool | None = bool(_git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        # An exported tree (`git archive`, a deployment) has no repository; a REVISION file may name the commit.
        revision = REPO / "REVISION"
        commit = revision.read_text(encoding="utf-8").strip() if revision.is_file() else ""
        dirty = None
    return {"commit": commit, "dirty": dirty, "package": package}

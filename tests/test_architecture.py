"""The import graph runs one way (ARCHITECTURE.md): core ← ingest ← the rest of assistant ← eval, with no
cycle and no module over 400 lines. Read from the source with `ast`, module-level and function-level
imports alike (a function-level import does not hide an arrow)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "ingest", "eval", "prompts")
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((REPO / pkg).rglob("*.py"))}


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Our modules that `path` imports (`from a import b` counts as a.b when a.b is a module of ours)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, name, known) for name, path in modules.items()}


# refresh mounts POST /api/reload and handles SIGHUP for `kalo serve`: part of the web interface.
INTERFACES = (
    "assistant.cli",
    "assistant.cli_eval",
    "assistant.openai_api",
    "assistant.refresh",
    "assistant.web",
    "assistant.feedback",
)


def _layer(module: str) -> int:
    """0 core, 1 ingest, 2 answering (retrieve … service), 3 eval, 4 interfaces: arrows point down only."""
    if module in ("assistant", "prompts") or module.startswith(("assistant.core", "prompts.")):
        return 0
    if module.startswith("ingest"):
        return 1
    if module.startswith("eval"):
        return 3
    if any(module == i or module.startswith(i + ".") for i in INTERFACES):
        return 4
    return 2


def test_arrows_run_one_way():
    backwards = [f"{a} → {b}" for a, targets in _graph().items() for b in targets if _layer(b) > _layer(a)]
    assert not backwards, backwards


def test_no_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            # A package's __init__ importing its own submodules is how a package exposes them, not a cycle.
            if nxt.startswith(node + "."):
                continue
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt] if nxt in path else [*path, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, cycles


def test_the_checker_sees_arrows_and_cycles():
    """The graph is read correctly: known arrows are there (so an empty answer above means something)."""
    graph = _graph()
    assert "assistant.core.registry" in graph["ingest.loaders.base"]
    assert "ingest.loaders.base" in graph["ingest.loaders.pdf"]
    assert (
        "assistant.core.answer_text" in graph["assistant.cite"] and "assistant.core.answer_text" in graph["eval.text"]
    )
    assert "assistant.service" in graph["eval.runner"]


def test_no_module_over_400_lines():
    long = {
        name: n for name, path in _modules().items() if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long

"""The house rules of docs/architecture.md, checked over every module's imports.

Domain parts (the shop, the empathy engine) import no service; services import domain
parts, never each other; bot/ runs inside the Rasa process and imports nothing of ours.
Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OURS = {"shop", "empathy", "bot", "actions", "nlg", "handoff", "launcher", "bench", "scripts"}
# What each part may import of ours (itself always).
ALLOWED: dict[str, set[str]] = {
    "shop": set(),
    "empathy": {"shop"},
    "bot": set(),
    "actions": {"shop", "empathy"},
    "nlg": {"empathy"},
    "handoff": {"shop", "empathy"},
    "launcher": set(),
}


def imported_parts(path: Path) -> set[tuple[str, int]]:
    """The top-level packages of ours that one module imports, with the line of each."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {(name.split(".")[0], node.lineno) for name in names if name.split(".")[0] in OURS}
    return found


def violations(part: str, root: Path = REPO) -> list[str]:
    allowed = ALLOWED[part] | {part}
    return [
        f"{path.relative_to(root)}:{line} imports {target}"
        for path in sorted((root / part).rglob("*.py"))
        for target, line in sorted(imported_parts(path))
        if target not in allowed
    ]


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_part_imports_only_what_it_may(part: str) -> None:
    assert (REPO / part).is_dir(), f"{part}/ is missing"
    assert violations(part) == []


def test_the_rule_catches_a_service_import_in_a_domain_part(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "orders.py").write_text("def f():\n    from actions.base import StoreAction\n")
    assert violations("shop", tmp_path) == ["shop/orders.py:2 imports actions"]


def test_the_rule_catches_the_gateway_reaching_into_the_action_server(tmp_path: Path) -> None:
    (tmp_path / "handoff" / "agents").mkdir(parents=True)
    (tmp_path / "handoff" / "agents" / "x.py").write_text("import shop\nimport actions.replies\n")
    assert violations("handoff", tmp_path) == ["handoff/agents/x.py:2 imports actions"]

"""The team features' core stays free of Discord, like every core package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.settings import REPO_ROOT

CORE = sorted((REPO_ROOT / "bot" / "discuss").glob("*.py"))


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_the_discussion_core_never_imports_discord_or_the_front_ends(path: Path) -> None:
    forbidden = {n for n in imported(path) if n.split(".")[0] == "discord"}
    forbidden |= {n for n in imported(path) if n.startswith(("bot.exts", "bot.bot", "bot.cli"))}
    assert not forbidden

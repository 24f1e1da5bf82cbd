"""A known third-party text is cited by its title, not its file name (knowledge/sources.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.loaders import parse_document

TEXT = b"Some passage of an essay about negotiating without relying on trust.\n"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("ap-insight-56-trust.txt", "Crawford, AP Insight 56: trust in negotiation"),
        ("my-own-notes.txt", "my-own-notes"),
    ],
)
def test_a_plain_text_file_is_titled_from_the_sources_list_or_its_name(
    tmp_path: Path, name: str, title: str
) -> None:
    path = tmp_path / name
    path.write_bytes(TEXT)
    assert parse_document(path, TEXT).title == title

"""`knowledge add|list|remove`: idempotent, replacing changed files, reporting failures by name."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

from bot.app import build_knowledge
from bot.knowledge.store import KnowledgeBase, KnowledgeStoreError
from bot.settings import Settings

NOTE = "---\ntitle: Supplier note\ntags: [penalty]\nsource: ours\n---\n\nThe supplier promised delivery by May. {extra}\n"


@pytest.fixture
def kb(tmp_path: Path, embedder) -> KnowledgeBase:
    return build_knowledge(Settings(_env_file=None, PARLEY_DATA_DIR=tmp_path / "data"), embedder)


def write(path: Path, extra: str = "") -> Path:
    path.write_text(NOTE.format(extra=extra), encoding="utf-8")
    return path


def test_adding_the_same_file_twice_stores_it_once(kb: KnowledgeBase, tmp_path: Path) -> None:
    note = write(tmp_path / "note.md")
    first, second = kb.add_paths([note]), kb.add_paths([note])
    assert (first.added, second.unchanged) == ([str(note)], [str(note)])
    assert len(kb.sources()) == 1


def test_changed_file_replaces_its_old_chunks(kb: KnowledgeBase, tmp_path: Path) -> None:
    note = write(tmp_path / "note.md")
    kb.add_paths([note])
    write(note, "Now with a late-delivery penalty of 1% per week.")
    assert kb.add_paths([note]).replaced == [str(note)]
    texts = [c.text for c in kb.chunks()]
    assert len(texts) == 1 and "1% per week" in texts[0]


def test_unreadable_files_are_reported_by_name_and_the_rest_ingest(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "inbox"
    tmp_path.mkdir()
    good = write(tmp_path / "good.md")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "blob.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "empty.md").write_text("")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    report = kb.add_paths([tmp_path, tmp_path / "missing.md"])
    failed = {Path(p).name: reason for p, reason in report.failed}
    assert report.added == [str(good)]
    assert set(failed) == {"image.png", "blob.txt", "empty.md", "broken.pdf", "missing.md"}
    assert "unsupported" in failed["image.png"] and "not found" in failed["missing.md"]


def test_pdf_text_is_ingested(kb: KnowledgeBase, tmp_path: Path) -> None:
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure()
    figure.text(0.1, 0.5, "The joint venture partner asked for audit rights over the books.")
    figure.savefig(tmp_path / "jv.pdf")
    plt.close(figure)
    kb.add_paths([tmp_path / "jv.pdf"])
    assert "audit rights" in kb.chunks()[0].text


def test_remove_by_file_name_deletes_every_chunk(kb: KnowledgeBase, tmp_path: Path) -> None:
    kb.add_paths([write(tmp_path / "note.md")])
    assert [s.title for s in kb.remove("note.md")] == ["Supplier note"]
    assert kb.count() == 0


def test_folder_sync_drops_files_deleted_from_the_folder(kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "shipped"
    folder.mkdir()
    write(folder / "a.md")
    gone = write(folder / "b.md")
    kb.sync_folder(folder)
    gone.unlink()
    kb.sync_folder(folder)
    assert [Path(s.path).name for s in kb.sources()] == ["a.md"]


def test_corrupt_store_says_how_to_rebuild(tmp_path: Path, embedder) -> None:
    chroma = tmp_path / "data" / "chroma"
    chroma.mkdir(parents=True)
    (chroma / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(KnowledgeStoreError, match="parley knowledge rebuild"):
        build_knowledge(Settings(_env_file=None, PARLEY_DATA_DIR=tmp_path / "data"), embedder)

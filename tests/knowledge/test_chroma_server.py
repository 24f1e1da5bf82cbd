"""The README's server mode: Parley against Chroma's own server on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import build_knowledge
from bot.knowledge.retrieval import HybridRetriever
from bot.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[int]:
    """`chroma run` as the README starts it, stopped after the test."""
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if chroma is None:
        pytest.skip("the chroma command is not installed next to this Python")
    port = free_port()
    server = subprocess.Popen(
        [
            chroma,
            "run",
            "--path",
            str(tmp_path / "srv"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"chroma did not listen on {port} within {seconds} s")


def test_knowledge_is_stored_and_found_through_the_chroma_server(
    chroma_server: int, tmp_path: Path, embedder
) -> None:
    settings = Settings(
        _env_file=None,
        PARLEY_DATA_DIR=tmp_path / "data",
        PARLEY_CHROMA_HOST="127.0.0.1",
        PARLEY_CHROMA_PORT=chroma_server,
    )
    note = tmp_path / "lease.md"
    note.write_text("The landlord promised to fix the boiler; we hold back rent in escrow.")
    knowledge = build_knowledge(settings, embedder)
    knowledge.add_paths([note])
    top = HybridRetriever(knowledge).search("rent held in escrow until the boiler is fixed", k=1)
    assert "boiler" in top[0].text
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to the on-disk store

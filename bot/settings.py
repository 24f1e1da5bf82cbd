"""All of Parley's settings, read once from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting Parley reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    discord_token: SecretStr | None = Field(None, alias="DISCORD_TOKEN")
    discord_guild_id: int | None = Field(None, alias="DISCORD_GUILD_ID")
    data_dir: Path = Field(REPO_ROOT / "data", alias="PARLEY_DATA_DIR")
    knowledge_dirs: Annotated[list[Path], NoDecode] = Field(
        [REPO_ROOT / "knowledge"], alias="PARLEY_KNOWLEDGE_DIRS"
    )
    prompts_dir: Path = Field(REPO_ROOT / "prompts", alias="PARLEY_PROMPTS_DIR")
    database_url: str | None = Field(None, alias="DATABASE_URL")
    chroma_host: str | None = Field(None, alias="PARLEY_CHROMA_HOST")
    chroma_port: int = Field(8000, alias="PARLEY_CHROMA_PORT")
    top_k: int = Field(3, ge=1, le=10, alias="PARLEY_TOP_K")
    max_message_chars: int = Field(4000, ge=200, le=20000, alias="PARLEY_MAX_MESSAGE_CHARS")
    embedding_threads: int = Field(2, ge=1, le=16, alias="PARLEY_EMBEDDING_THREADS")
    log_level: str = Field("INFO", alias="PARLEY_LOG_LEVEL")

    @field_validator("knowledge_dirs", mode="before")
    @classmethod
    def _split_paths(cls, value: object) -> object:
        # Several folders are given as one comma-separated variable.
        if isinstance(value, str):
            return [Path(p.strip()) for p in value.split(",") if p.strip()]
        return value

    @model_validator(mode="before")
    @classmethod
    def _blank_means_default(cls, data: object) -> object:
        # `.env.example` ships empty lines like `DISCORD_GUILD_ID=`: empty means "not set".
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    @property
    def sqlalchemy_url(self) -> str:
        """The session database: SQLite under the data directory unless DATABASE_URL is set."""
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'parley.db'}"

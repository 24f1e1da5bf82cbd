"""All of Parley's settings, read once from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    # Optional LLM engine (bot/coaching/llm): empty = the offline question engine.
    llm: str = Field("", alias="PARLEY_LLM")
    llm_base_url: str | None = Field(None, alias="PARLEY_LLM_BASE_URL")
    llm_api_key: SecretStr | None = Field(None, alias="PARLEY_LLM_API_KEY")
    llm_timeout: float = Field(20.0, ge=1.0, le=300.0, alias="PARLEY_LLM_TIMEOUT")
    llm_connect_timeout: float = Field(3.0, ge=0.2, le=30.0, alias="PARLEY_LLM_CONNECT_TIMEOUT")
    llm_temperature: float = Field(0.3, ge=0.0, le=2.0, alias="PARLEY_LLM_TEMPERATURE")
    llm_answer_limit: int = Field(400, ge=64, le=4000, alias="PARLEY_LLM_MAX_TOKENS")
    llm_memory_budget: int = Field(800, ge=100, le=8000, alias="PARLEY_LLM_MEMORY_TOKENS")
    llm_strict_json: bool = Field(True, alias="PARLEY_LLM_STRICT_JSON")
    llm_passages: int = Field(8, ge=1, le=8, alias="PARLEY_LLM_PASSAGES")
    # Team discussions and per-server notes (bot/discuss).
    note_max_chars: int = Field(20000, ge=500, le=200000, alias="PARLEY_NOTE_MAX_CHARS")
    note_max_bytes: int = Field(
        5 * 1024 * 1024, ge=10_000, le=20 * 1024 * 1024, alias="PARLEY_NOTE_MAX_BYTES"
    )
    notes_per_server: int = Field(50, ge=1, le=1000, alias="PARLEY_NOTES_PER_SERVER")
    discuss_timezone: str = Field("UTC", alias="PARLEY_DISCUSS_TIMEZONE")
    divergence_minutes: int = Field(1440, ge=0, le=10080, alias="PARLEY_DIVERGENCE_MINUTES")
    discuss_tick_seconds: float = Field(
        30.0, ge=1.0, le=3600.0, alias="PARLEY_DISCUSS_TICK_SECONDS"
    )
    # Guided prep sessions (bot/prep).
    prep_expiry_days: float = Field(30.0, gt=0, le=3650, alias="PARLEY_PREP_EXPIRY_DAYS")
    prep_warning_hours: float = Field(72.0, gt=0, le=8760, alias="PARLEY_PREP_WARNING_HOURS")
    prep_sweep_minutes: float = Field(60.0, ge=1, le=1440, alias="PARLEY_PREP_SWEEP_MINUTES")

    @field_validator("discuss_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use a name like Europe/London") from exc
        return value

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

"""Server settings, from the environment (prefix ``VAN_SYNC_``) or the command line."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VAN_SYNC_")

    environment: str = "development"

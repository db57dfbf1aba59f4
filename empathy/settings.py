"""Settings of the empathy layer, read from the environment in this one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

DEFAULT_PORT = 5056
DEFAULT_HOST = "127.0.0.1"


class SettingsError(ValueError):
    """An environment variable of the empathy layer holds an unusable value."""


@dataclass(frozen=True)
class EmpathySettings:
    """Where the NLG server listens and what it loads.

    Environment variables (all optional):
    NLG_HOST (127.0.0.1: loopback only), NLG_PORT (5056), EMPATHY_DOMAIN_PATH (domain.yml),
    EMPATHY_CONTENT_DIR (content/empathy), EMPATHY_EXTRA_RESPONSES (os.pathsep-separated
    YAML files with more `responses:`, default content/responses.yml (the actions' lines) and
    content/empathy/responses.yml; the domain
    wins on a clash), EMPATHY_SEED (salt of
    the per-conversation random choice), EMPATHY_TIMEZONE_OFFSET_HOURS (0: the offset of
    the shop's local time, for "today"/"tomorrow"), EMPATHY_TURN_MEMORY_SIZE (5000).
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    domain_path: Path = REPO_ROOT / "domain.yml"
    content_dir: Path = REPO_ROOT / "content" / "empathy"
    extra_response_paths: tuple[Path, ...] = (
        REPO_ROOT / "content" / "responses.yml",
        REPO_ROOT / "content" / "empathy" / "responses.yml",
    )
    seed: str = "empathy"
    timezone_offset_hours: float = 0.0
    turn_memory_size: int = 5000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> EmpathySettings:
        """Build settings from `env` (default: the process environment)."""
        source = os.environ if env is None else env
        content_dir = _repo_path(source.get("EMPATHY_CONTENT_DIR", "content/empathy"))
        raw_extra = source.get(
            "EMPATHY_EXTRA_RESPONSES",
            os.pathsep.join(
                [str(REPO_ROOT / "content" / "responses.yml"), str(content_dir / "responses.yml")]
            ),
        )
        extra = tuple(_repo_path(part) for part in raw_extra.split(os.pathsep) if part)
        return cls(
            host=source.get("NLG_HOST", DEFAULT_HOST),
            port=_int(source, "NLG_PORT", DEFAULT_PORT, low=1, high=65535),
            domain_path=_repo_path(source.get("EMPATHY_DOMAIN_PATH", "domain.yml")),
            content_dir=content_dir,
            extra_response_paths=extra,
            seed=source.get("EMPATHY_SEED", "empathy"),
            timezone_offset_hours=_float(source, "EMPATHY_TIMEZONE_OFFSET_HOURS", 0.0),
            turn_memory_size=_int(source, "EMPATHY_TURN_MEMORY_SIZE", 5000, low=1, high=10_000_000),
        )


def _repo_path(value: str) -> Path:
    # Relative paths are relative to the repository, so the server starts from any cwd.
    path = Path(value)
    return path if path.is_absolute() else REPO_ROOT / path


def _int(source: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = source.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from error
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _float(source: Mapping[str, str], name: str, default: float) -> float:
    raw = source.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as error:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from error

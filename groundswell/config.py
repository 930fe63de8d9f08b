"""Every setting Groundswell reads from the environment, in one place.

Each setting has a default and a line of help; ``groundswell settings`` prints them and
``docs/settings.md`` documents them (a test keeps the two in step).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "GROUNDSWELL_DATA_DIR",
        "var",
        "Directory for the SQLite database, the DuckDB voter file, uploads and the generated secret key.",
    ),
    Setting(
        "DATABASE_URL",
        "",
        "Database URL (postgres://user@host:5432/name or sqlite:///path). Empty: SQLite in the data directory.",
    ),
    Setting(
        "GROUNDSWELL_VOTER_DB",
        "",
        "Path of the DuckDB file that holds voter data. Empty: voters.duckdb in the data directory.",
    ),
    Setting(
        "GROUNDSWELL_SECRET_KEY",
        "",
        "Django secret key. Empty: a random key is generated once and kept in the data directory.",
    ),
    Setting("GROUNDSWELL_DEBUG", "false", "Show Django's debug pages. Never true in production."),
    Setting(
        "GROUNDSWELL_ALLOWED_HOSTS",
        "127.0.0.1,localhost",
        "Comma-separated host names this server answers to.",
    ),
    Setting(
        "GROUNDSWELL_HTTPS",
        "false",
        "Served over HTTPS: secure cookies, HSTS and redirect to https. True in production.",
    ),
    Setting(
        "GROUNDSWELL_BASE_URL",
        "http://127.0.0.1:8000",
        "Public address of the site, used in links sent by email.",
    ),
    Setting(
        "EMAIL_HOST",
        "",
        "SMTP server for outgoing mail. Empty: mail is written to the server log instead of sent.",
    ),
    Setting("EMAIL_PORT", "25", "SMTP port."),
    Setting("EMAIL_HOST_USER", "", "SMTP user name, if the server needs one."),
    Setting("EMAIL_HOST_PASSWORD", "", "SMTP password, if the server needs one."),
    Setting("EMAIL_USE_TLS", "false", "Use STARTTLS when talking to the SMTP server."),
    Setting(
        "DEFAULT_FROM_EMAIL",
        "Groundswell <noreply@groundswell.local>",
        "Sender address of the mail the platform sends.",
    ),
    Setting(
        "GROUNDSWELL_LOGIN_FAILURE_LIMIT",
        "5",
        "Failed sign-ins allowed for one account and address before it is locked out for an hour.",
    ),
    Setting(
        "GROUNDSWELL_WEB_WORKERS",
        "2",
        "Number of web server processes started by 'groundswell serve'.",
    ),
    Setting(
        "GROUNDSWELL_IMPORT_GUARD_VOTERS",
        "5",
        "Percent: a voter file that would mark removed, or change, more of a state's voters than this, or that "
        "has this much fewer rows than the state's last one, waits for confirmation before it is applied.",
    ),
    Setting(
        "GROUNDSWELL_IMPORT_GUARD_VOTE_HISTORY",
        "5",
        "Percent: a vote history file with this much fewer rows than the state's last one waits for "
        "confirmation before it is applied.",
    ),
    Setting(
        "GROUNDSWELL_API_RATE_LIMIT",
        "4",
        "API requests a second each token (or, for browser reads, each user) may make, on average; beyond "
        "it the API answers 429 with Retry-After. 0 turns the limit off.",
    ),
    Setting(
        "GROUNDSWELL_API_RATE_BURST",
        "20",
        "API requests a token may make at once, in a burst, before the per-second limit applies.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def env(name: str) -> str:
    """The value of a declared setting: the environment's, else its default."""
    return os.environ.get(name, _BY_NAME[name].default)


def env_bool(name: str) -> bool:
    return env(name).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str) -> int:
    return int(env(name))


def env_float(name: str) -> float:
    return float(env(name))


def env_list(name: str) -> list[str]:
    return [part.strip() for part in env(name).split(",") if part.strip()]


def data_dir() -> Path:
    path = Path(env("GROUNDSWELL_DATA_DIR")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    configured = env("GROUNDSWELL_SECRET_KEY")
    if configured:
        return configured
    key_file = data_dir() / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def database_url() -> str:
    return env("DATABASE_URL") or f"sqlite:///{data_dir() / 'groundswell.sqlite3'}"


def voter_db_path() -> Path:
    configured = env("GROUNDSWELL_VOTER_DB")
    return Path(configured) if configured else data_dir() / "voters.duckdb"

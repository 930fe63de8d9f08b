"""The documentation keeps up with the code: every setting and every command (with its options) is described,
and every documented command runs, as a user types it, through the ``groundswell`` entry point."""

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.management import load_command_class

from groundswell.config import SETTINGS

ROOT = Path(__file__).resolve().parents[3]
# The console script the package installs (pyproject.toml's [project.scripts]), beside this Python.
GROUNDSWELL = Path(sys.executable).parent / "groundswell"
SETTINGS_DOC = ROOT / "docs" / "settings.md"
COMMANDS_DOC = ROOT / "docs" / "commands.md"

# Options every Django command has; they are documented by Django.
DJANGO_OPTIONS = {
    "--help", "--version", "--verbosity", "--settings", "--pythonpath", "--traceback", "--no-color",
    "--force-color", "--skip-checks",
}  # fmt: skip


def documented_settings() -> dict[str, str]:
    """name -> default, from the table rows of docs/settings.md: | `NAME` | `default` or (empty) | help |"""
    rows = re.findall(r"^\| `([A-Z0-9_]+)` \| (.*?) \| (.+?) \|$", SETTINGS_DOC.read_text(), re.M)
    return {name: "" if default == "(empty)" else default.strip("`") for name, default, _ in rows}


def test_every_setting_is_documented_with_its_default():
    documented = documented_settings()
    missing = [s.name for s in SETTINGS if s.name not in documented]
    assert not missing, f"Add these settings to {SETTINGS_DOC.relative_to(ROOT)}: {', '.join(missing)}"
    wrong = [f"{s.name}: code says {s.default!r}, doc {documented[s.name]!r}" for s in SETTINGS
             if documented[s.name] != s.default]  # fmt: skip
    assert not wrong, "Defaults differ from groundswell/config.py:\n" + "\n".join(wrong)


def test_the_settings_doc_names_only_real_settings():
    real = {s.name for s in SETTINGS}
    stale = [name for name in documented_settings() if name not in real]
    assert not stale, f"{SETTINGS_DOC.relative_to(ROOT)} documents settings that no longer exist: {stale}"


def groundswell_commands() -> list[tuple[str, str]]:
    """(app module, command name) of every command under groundswell/*/management/commands/."""
    found = sorted(ROOT.glob("groundswell/*/management/commands/*.py"))
    return [(f"groundswell.{p.parts[-4]}", p.stem) for p in found if not p.stem.startswith("_")]


def documented_sections() -> dict[str, str]:
    """Each command as docs/commands.md spells it (### `groundswell NAME`) -> its section, up to the next."""
    parts = re.split(r"^### `groundswell ([\w-]+)`\s*$", COMMANDS_DOC.read_text(), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def command_sections() -> dict[str, str]:
    """Command module name -> its section: the entry point runs "import-people" as import_people."""
    return {spelled.replace("-", "_"): section for spelled, section in documented_sections().items()}


def test_there_are_commands_to_document():
    names = [name for _, name in groundswell_commands()]
    assert {"serve", "worker", "createuser"} <= set(names)


@pytest.mark.parametrize(("app", "name"), groundswell_commands(), ids=lambda v: v)
def test_every_command_and_option_is_documented(app, name):
    sections = command_sections()
    assert name in sections, f"Add a section '### `groundswell {name}`' to {COMMANDS_DOC.relative_to(ROOT)}"
    parser = load_command_class(app, name).create_parser("groundswell", name)
    options = {opt for action in parser._actions for opt in action.option_strings if opt.startswith("--")}
    undocumented = sorted(options - DJANGO_OPTIONS - set(re.findall(r"--[\w-]+", sections[name])))
    assert not undocumented, f"Document these options of 'groundswell {name}' in its section: {undocumented}"


def test_the_commands_doc_names_only_real_commands():
    real = {name for _, name in groundswell_commands()}
    stale = sorted(set(command_sections()) - real)
    assert not stale, f"{COMMANDS_DOC.relative_to(ROOT)} documents commands that no longer exist: {stale}"


def run_help(spelled: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "groundswell.settings"}
    return subprocess.run(  # our own console script, a fixed argument list
        [str(GROUNDSWELL), spelled, "--help"], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env
    )


def test_every_documented_command_runs_through_the_groundswell_entry_point():
    """Each command as documented, with --help, through the installed console script in a process of its
    own: a documented command that the entry point cannot find (a module named with a hyphen) fails here."""
    assert GROUNDSWELL.is_file(), f"{GROUNDSWELL} is missing: the package is not installed in this environment"
    spelled = sorted(documented_sections())
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(spelled, pool.map(run_help, spelled), strict=True))
    failed = {
        name: (done.returncode, (done.stderr or done.stdout).strip().splitlines()[-1:])
        for name, done in results.items()
        if done.returncode != 0 or f"usage: groundswell {name.replace('-', '_')}" not in done.stdout
    }
    assert not failed, f"These documented commands do not run as 'groundswell NAME --help': {failed}"

"""Schemathesis against a live server over HTTP: every operation of the OpenAPI document, with the
document's examples, generated valid and invalid input and the stateful links, must never answer a
server error and must answer only as the document says (status, content type, body, headers).

It runs twice, once per face and role: national staff on the OSDI face (/api/v1, everyone's data) and
a chapter leader on the Action Network face (/api/v2, one chapter's data and 404s for the rest). The seed
and the number of examples are fixed, so a run is repeatable, and bounded so it fits CI.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events

from groundswell.api.actions import do_create_api_token
from groundswell.api.base import ACTION_NETWORK, OSDI, Face
from groundswell.people.actions import PersonDetails, do_save_person
from groundswell.testing import Personas
from groundswell.voters import engine as voter_engine
from groundswell.voters.tests.conftest import PA_HEADER, import_pa, pa_rows

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
SEED = 20261207
MAX_EXAMPLES = 5  # per operation in the fuzzing phase; the examples and coverage phases add their own


@dataclass
class Figures:
    """What one run did and found."""

    operations: set[str] = field(default_factory=set)
    cases: int = 0
    by_phase: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    details: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self, name: str) -> str:
        found = ", ".join(f"{check} {n}" for check, n in sorted(self.failures.items())) or "none"
        return (
            f"{name}: {len(self.operations)} operations, {self.cases} cases, {self.requests} requests, "
            f"{self.seconds:.0f} s ({dict(self.by_phase)}); failures: {found}; errors: {len(self.errors)}"
        )


def config(base_url: str, token: str, coverage: bool) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "base-url": base_url,
            "headers": {"OSDI-API-Token": token},
            "workers": 1,
            "request-timeout": 30,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "checks": {"enabled": False, **{check: {"enabled": True} for check in CHECKS}},
            "phases": {
                "examples": {"enabled": True, "fill-missing": True},
                # The coverage phase's negative cases are most of a run (about 1,750 of 2,000 requests):
                # positive ones only here; the fuzzing phase sends both kinds.
                "coverage": {"enabled": coverage, "unexpected-methods": [], "generation": {"mode": "positive"}},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": True, "max-steps": 6},
            },
        }
    )


def with_examples(document: dict[str, Any], known: dict[str, Any]) -> dict[str, Any]:
    """The document, each path parameter given the id of something that exists (``known``), so that the
    examples phase reaches real resources and not only 404s."""
    for item in document["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in known:
                    parameter["example"] = known[parameter["name"]]
    return document


def run(base_url: str, token: str, known: dict[str, Any], *, coverage: bool) -> Figures:
    with urllib.request.urlopen(f"{base_url}/openapi.json", timeout=30) as response:
        document = with_examples(json.loads(response.read()), known)
    schema = schemathesis.openapi.from_dict(document, config=config(base_url, token, coverage))
    figures = Figures()
    started = time.monotonic()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            record(figures, event)
        elif isinstance(event, events.NonFatalError):
            figures.errors.append(f"{event.label}: {event.info.format()}"[:2000])
        elif isinstance(event, events.FatalError):
            figures.errors.append(f"fatal: {event.exception!r}")
    figures.seconds = time.monotonic() - started
    return figures


def record(figures: Figures, event: events.ScenarioFinished) -> None:
    recorder = event.recorder
    figures.cases += len(recorder.cases)
    figures.by_phase[event.phase.value] += len(recorder.cases)
    figures.requests += len(recorder.interactions)
    for node in recorder.cases.values():
        figures.operations.add(node.value.operation.label)
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.status == Status.FAILURE and check.failure_info is not None:
                figures.failures[check.name] += 1
                interaction = recorder.interactions.get(case_id)
                if len(figures.details) < 40:
                    figures.details.append(describe_failure(check, interaction))


def describe_failure(check: Any, interaction: Any) -> str:
    failure = check.failure_info.failure
    where = ""
    if interaction is not None:
        request, response = interaction.request, interaction.response
        body = (request.body or b"")[:300] if isinstance(request.body, bytes) else str(request.body)[:300]
        where = f"{request.method} {request.uri} body={body!r}"
        if response is not None:
            where += f" -> {response.status_code} {(response.content or b'')[:300]!r}"
    return f"[{check.name}] {where}\n    {failure.title}: {failure.message[:1500]}"


@pytest.fixture
def voter_file(settings: Any, tmp_path: Path, personas: Personas) -> Iterator[None]:
    """A Pennsylvania voter file (groundswell.voters.tests.conftest): chapter A's area has voters."""
    settings.VOTER_DB_PATH = tmp_path / "voters.duckdb"
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path
    path = tmp_path / "pa_voters.csv"
    path.write_text("\n".join([PA_HEADER, *pa_rows()]) + "\n")
    import_pa(personas, path)
    yield
    voter_engine.close_all()


def seed_people(personas: Personas) -> None:
    for i, (first, last) in enumerate([("Rosa", "Parks"), ("Fannie", "Hamer"), ("Bayard", "Rustin")]):
        do_save_person(
            PersonDetails(first_name=first, last_name=last, emails=[f"{first.lower()}@example.org"],
                          city="Pittsburgh", state="PA", zip_code="15213", tags=["canvasser", f"team-{i}"]),
            source="test", actor=personas.leader_a, chapter=personas.chapter_a,
        )  # fmt: skip


def known_ids(personas: Personas) -> dict[str, Any]:
    from groundswell.people.models import Tag

    tag = Tag.objects.filter(name="canvasser").first()
    return {"uid": personas.member_a.uid, **({"tag_id": tag.pk} if tag else {})}


def test_schemathesis_finds_no_server_error_and_no_answer_the_document_does_not_allow(
    live_server: Any, settings: Any, personas: Personas, voter_file: None
) -> None:
    settings.API_RATE_LIMIT = 0  # a 429 is documented, but a run of 429s would test nothing else
    seed_people(personas)
    known = known_ids(personas)
    # The coverage phase (the schema's boundaries, the same whoever asks) runs once, as staff; the
    # leader's run is the examples, fuzzing and stateful phases, for their 404s and their writes.
    runs: list[tuple[str, Face, Any, bool]] = [
        ("national staff on /api/v1", OSDI, personas.staff, True),
        ("chapter leader on /api/v2", ACTION_NETWORK, personas.leader_a, False),
    ]
    report = []
    for name, face, user, coverage in runs:
        token = do_create_api_token(user=user, name="schemathesis", actor=None)[1]
        figures = run(f"{live_server.url}{face.prefix}", token, known, coverage=coverage)
        report.append((name, figures))
    summary = "\n".join(figures.line(name) for name, figures in report)
    print(summary)
    for name, figures in report:
        assert not figures.errors, f"{name}: schemathesis could not run:\n" + "\n".join(figures.errors)
        assert not figures.failures, f"{summary}\n{name}:\n" + "\n".join(figures.details)

"""Every change the power map makes: computing leans, editing who draws the lines, queueing imports."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q

from groundswell.chapters.access import scope_for
from groundswell.core.audit import record_audit
from groundswell.core.jobs import do_enqueue_job
from groundswell.core.models import AuditEvent, Job, User
from groundswell.elections.models import PrecinctResult, Race
from groundswell.elections.parties import party_family
from groundswell.geo.importing import ProgressFn, no_progress
from groundswell.geo.models import DISTRICT_KINDS, Division, PrecinctDistrict
from groundswell.powermap.analysis import sum_district_votes
from groundswell.powermap.models import DistrictLean, DrawingBody, PlanKind, RedistrictingAuthority, ReferenceRace


def _require_staff(actor: User | None) -> None:
    if actor is not None and not scope_for(actor).national:
        raise PermissionDenied("Only national staff change the power map's data.")


def do_compute_lean(state: str, race: Race, *, actor: User | None, progress: ProgressFn = no_progress) -> int:
    """Every district's lean in ``race``, summed from its precincts under the lines in force on that
    election day; the race becomes the state's reference. Returns how many districts got a lean."""
    _require_staff(actor)
    state = state.upper()
    on = race.election.date
    progress("summing precincts", 0, None)
    links = list(
        PrecinctDistrict.objects.filter(district__state=state, district__kind__in=DISTRICT_KINDS)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .values_list("district_id", "precinct_id")
    )
    votes: dict[int, dict[str, int]] = defaultdict(dict)
    for precinct_id, party, count in PrecinctResult.objects.filter(race=race).values_list(
        "precinct_id", "candidacy__party", "votes"
    ):
        family = party_family(party) or "Other"
        votes[precinct_id][family] = votes[precinct_id].get(family, 0) + count
    facts = _turnout_facts({p for _, p in links}, on.year)
    totals = sum_district_votes(links, votes, facts)
    with transaction.atomic():
        existing = {lean.district_id: lean for lean in DistrictLean.objects.filter(race=race)}
        for district_id, total in totals.items():
            values = {
                "democratic_votes": total.democratic,
                "republican_votes": total.republican,
                "total_votes": total.total,
                "precincts": total.precincts,
                "registered_voters": total.registered,
                "ballots_cast": total.ballots,
                "lean": round(total.lean, 2),
            }
            DistrictLean.objects.update_or_create(district_id=district_id, race=race, defaults=values)
            existing.pop(district_id, None)
        DistrictLean.objects.filter(pk__in=[lean.pk for lean in existing.values()]).delete()
        ReferenceRace.objects.update_or_create(state=state, defaults={"race": race})
        record_audit(
            AuditEvent.LEAN_COMPUTED,
            actor=actor,
            target=race,
            summary=f"computed {state} district leans from {race}",
            details={"districts": len(totals)},
        )
    progress("done", len(totals), len(totals))
    return len(totals)


def _turnout_facts(precinct_ids: set[int], year: int) -> dict[int, tuple[int | None, int | None]]:
    """Registered voters and ballots cast in the race's year, where the boundary file carried them."""
    yy = f"{year % 100:02d}"
    facts = {}
    for pk, data in Division.objects.filter(pk__in=precinct_ids).values_list("pk", "facts"):
        data = data or {}
        facts[pk] = (data.get(f"REGVOT{yy}"), data.get(f"TOTVOT{yy}"))
    return facts


def do_save_redistricting_authority(
    *, state: str, plan: str, body: str, source_url: str, notes: str = "", actor: User
) -> RedistrictingAuthority:
    if not scope_for(actor).national:
        raise PermissionDenied("Only national staff edit who draws the lines.")
    if plan not in PlanKind.values or body not in DrawingBody.values:
        raise ValidationError("Unknown plan or drawing body.")
    with transaction.atomic():
        authority, _ = RedistrictingAuthority.objects.update_or_create(
            state=state.upper(),
            plan=plan,
            defaults={"body": body, "source_url": source_url, "notes": notes, "updated_by": actor},
        )
        authority.full_clean()
        record_audit(
            AuditEvent.REDISTRICTING_AUTHORITY_SAVED,
            actor=actor,
            target=authority,
            summary=f"{state.upper()} {plan} lines: {authority.get_body_display()}",
            details={"source_url": source_url},
        )
    return authority


def do_queue_import(kind: str, upload: UploadedFile | None, params: dict[str, Any], *, actor: User) -> Job:
    """Keep the uploaded file under the data directory and queue the import as a background job."""
    if not scope_for(actor).national:
        raise PermissionDenied("Only national staff run imports.")
    job_params = dict(params)
    if upload is not None:
        folder = settings.MEDIA_ROOT / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        safe_name = "".join(ch for ch in (upload.name or "upload") if ch.isalnum() or ch in "._-")[-120:]
        path = folder / f"{uuid.uuid4().hex}__{safe_name}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        job_params.update(path=str(path), filename=upload.name or safe_name)
    return do_enqueue_job(kind, job_params, actor=actor)


def do_audit_targets_export(*, state: str, chamber: str, rows: int, actor: User) -> None:
    """The targets CSV leaves the server: log who took which chamber's targets."""
    with transaction.atomic():
        record_audit(
            AuditEvent.TARGETS_EXPORTED, actor=actor, summary=f"exported {rows} {state} {chamber} targets",
            details={"state": state, "chamber": chamber, "rows": rows},
        )  # fmt: skip

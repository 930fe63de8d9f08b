"""Side effects of the turnout app, each in a transaction with its audit entry. Reads of voter data are
audited too (DESIGN.md): reading or exporting the chase list, reading the lift report.

Ballot imports are in importing.py (upload, check, apply).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.field.actions import do_make_call_list_of_voters
from groundswell.field.models import Assignment, CallList, Campaign
from groundswell.turnout.chase import Chase, build_chase
from groundswell.turnout.lift import LiftReport, lift_report
from groundswell.turnout.models import ProgramCost, VolunteerHours
from groundswell.voters import engine as voter_engine
from groundswell.voters.selectors import Workspace, area_for

EXPORT_HEADER = (
    "voter_id", "first_name", "last_name", "address", "city", "zip", "phone", "precinct", "age", "party",
    "support", "last_contacted", "ballot",
)  # fmt: skip


class TurnoutError(ValueError):
    """A request that cannot be done as asked; the message names the field."""


def _user(actor: AnyUser | None) -> User | None:
    return actor if isinstance(actor, User) else None


# ---- chase list ---------------------------------------------------------------------------------


def _chase(workspace: Workspace) -> Chase:
    with voter_engine.using_engine(workspace.state) as engine:
        return build_chase(engine, workspace.state, area_for(workspace, engine))


def do_read_chase_list(workspace: Workspace, *, actor: AnyUser) -> Chase:
    """The supporters of a place who have not voted yet, and the progress charts; audited."""
    chase = _chase(workspace)
    with transaction.atomic():
        record_audit(
            AuditEvent.CHASE_LIST_READ, actor=actor,
            summary=f"read the chase list of {workspace.label}: {len(chase.rows):,} supporters not yet voted",
            details={"where": workspace.key, "supporters": chase.supporters, "not_yet": len(chase.rows)},
        )  # fmt: skip
    return chase


def do_export_chase_list(workspace: Workspace, *, actor: AnyUser) -> tuple[int, Iterator[str]]:
    """The chase list as CSV lines: leaders and above only (never volunteers); audited."""
    if not scope_for(actor).is_leader_or_above:
        raise PermissionDenied("Only leaders and above export the chase list.")
    chase = _chase(workspace)
    with transaction.atomic():
        record_audit(
            AuditEvent.CHASE_LIST_EXPORTED, actor=actor,
            summary=f"exported the chase list of {workspace.label}: {len(chase.rows):,} voters",
            details={"where": workspace.key, "voters": len(chase.rows),
                     "voter_ids": [row.voter["voter_id"] for row in chase.rows]},
        )  # fmt: skip
    return len(chase.rows), _csv_lines(chase)


def do_make_chase_call_list(workspace: Workspace, campaign: Campaign, *, name: str, actor: AnyUser) -> CallList:
    """A call list of the place's supporters who have not voted yet, in the campaign, ready to assign:
    leaders and above, for a campaign in the same state. Who is on it is the chase list at this moment."""
    if not scope_for(actor).is_leader_or_above:
        raise PermissionDenied("Only leaders and above make call lists.")
    if campaign.state != workspace.state:
        raise TurnoutError(f"campaign: {campaign.name} works in {campaign.state}, not {workspace.state}")
    chase = _chase(workspace)
    return do_make_call_list_of_voters(
        campaign, name=name or f"Chase: {workspace.label}", voters=[row.voter for row in chase.rows],
        source=f"the chase list of {workspace.label} ({len(chase.rows):,} not yet voted)", actor=actor,
    )  # fmt: skip


def _csv_lines(chase: Chase) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_HEADER)
    for row in chase.rows:
        v = row.voter
        writer.writerow([
            *(v.get(name) if v.get(name) is not None else "" for name in EXPORT_HEADER[:10]),
            row.support.score, row.support.at.date().isoformat(), row.ballot_note,
        ])  # fmt: skip
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if not chase.rows:
        yield buffer.getvalue()


# ---- lift ---------------------------------------------------------------------------------------


def do_read_lift_report(state: str, election: date, campaigns: list[Campaign], *, actor: AnyUser) -> LiftReport:
    """The lift report for these campaigns (already scoped by the caller) in one election; audited."""
    with voter_engine.using_engine(state) as engine:
        report = lift_report(engine, state, election, campaigns)
    with transaction.atomic():
        record_audit(
            AuditEvent.LIFT_REPORT_READ, actor=actor,
            summary=f"read the turnout lift of {len(report.campaigns)} campaigns in {state} for {election:%Y-%m-%d}",
            details={"state": state, "election": election.isoformat(), "campaigns": [c.pk for c in campaigns]},
        )  # fmt: skip
    return report


def _decimal(value: object, name: str, *, positive: bool = False) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise TurnoutError(f"{name}: expected a number") from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        raise TurnoutError(f"{name}: expected a number above zero" if positive else f"{name}: cannot be negative")
    return number


def do_record_hours(
    campaign: Campaign, *, worked_on: date, hours: object, volunteer: User | None = None,
    assignment: Assignment | None = None, note: str = "", actor: AnyUser,
) -> VolunteerHours:  # fmt: skip
    """Record volunteer hours given to a campaign (a shift, or the time on an assignment)."""
    amount = _decimal(hours, "hours", positive=True)
    if amount > 24:
        raise TurnoutError("hours: at most 24 in one day")
    if assignment is not None and volunteer is None:
        volunteer = assignment.volunteer
    with transaction.atomic():
        item = VolunteerHours.objects.create(
            campaign=campaign, volunteer=volunteer, assignment=assignment, worked_on=worked_on, hours=amount,
            note=note.strip()[:200], recorded_by=_user(actor),
        )  # fmt: skip
        record_audit(
            AuditEvent.FIELD_HOURS_RECORDED, actor=actor, target=item,
            summary=f"recorded {amount} volunteer hours on {worked_on:%Y-%m-%d} for {campaign}",
            details={"campaign": campaign.pk, "hours": str(amount), "volunteer": volunteer.pk if volunteer else None},
        )  # fmt: skip
    return item


def do_set_program_cost(
    campaign: Campaign, *, hourly_value: object, money_spent: object, actor: AnyUser
) -> ProgramCost:
    """What a campaign's volunteer hour is worth and the money it spent: the lift report's cost."""
    value, spent = _decimal(hourly_value, "hourly value"), _decimal(money_spent, "money spent")
    with transaction.atomic():
        cost, _ = ProgramCost.objects.update_or_create(
            campaign=campaign, defaults={"hourly_value": value, "money_spent": spent, "updated_by": _user(actor)}
        )
        record_audit(
            AuditEvent.FIELD_HOURS_RECORDED, actor=actor, target=cost,
            summary=f"set the cost of {campaign}: ${value}/hour, ${spent} spent",
            details={"campaign": campaign.pk, "hourly_value": str(value), "money_spent": str(spent)},
        )  # fmt: skip
    return cost

"""The lift report recovers a known effect from a synthetic election, and finds none where there is none."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.turnout.actions import TurnoutError, do_read_lift_report, do_record_hours, do_set_program_cost
from groundswell.turnout.tests.conftest import CONTACT_RATE, DELTA, LIFT_ELECTION, NULL_ELECTION, Election


def report_for(election: Election, day: date, actor):
    return do_read_lift_report("NC", day, [election.campaign], actor=actor)


@pytest.mark.django_db
def test_report_recovers_the_true_lift_within_its_intervals(election: Election, personas) -> None:
    report = report_for(election, LIFT_ELECTION, personas.staff)
    [row] = report.campaigns
    e = row.lift.experiment
    # the groups are the ones the field app made and the contacts it recorded
    assert e.control == len(election.control)
    assert e.contacted == len(election.reached)
    assert e.attempted == len(election.attempted)
    # every treatment voter was knocked but those with no door to knock, whom the turf cut left off
    left_off = sum(sum(cut.left_off.values()) for cut in election.campaign.turf_cuts.all())
    assert e.treatment == e.contacted + e.attempted + left_off
    assert e.control_voted == len(election.control & election.voted[LIFT_ELECTION])
    assert row.control_contacted == 0
    true_itt = DELTA * CONTACT_RATE
    itt, cace = row.lift.itt, row.lift.cace
    assert itt is not None and cace is not None
    assert itt.method == "Newcombe hybrid score" and cace.method == "Wald (delta method)"
    assert itt.covers(true_itt), itt
    assert cace.covers(DELTA), cace
    assert abs(itt.estimate - true_itt) < 0.025
    assert abs(cace.estimate - DELTA) < 0.05
    assert itt.excludes_zero and cace.excludes_zero  # the sample is big enough to see the effect
    assert e.contact_rate == pytest.approx(CONTACT_RATE, abs=0.03)
    # turnout of the reached is about BASE + DELTA, of the rest about BASE
    assert row.lift.turnout_contacted.estimate - row.lift.turnout_control.estimate == pytest.approx(DELTA, abs=0.05)
    [chapter] = report.chapters
    assert chapter.label == "State campaigns" and chapter.lift.experiment == e
    entry = AuditEntry.objects.get(event_type=AuditEvent.LIFT_REPORT_READ)
    assert entry.details == {"state": "NC", "election": "2026-11-03", "campaigns": [election.campaign.pk]}


@pytest.mark.django_db
def test_no_effect_gives_intervals_that_cover_zero(election: Election, personas) -> None:
    [row] = report_for(election, NULL_ELECTION, personas.staff).campaigns
    assert row.lift.itt.covers(0.0) and row.lift.cace.covers(0.0)
    assert abs(row.lift.itt.estimate) < 0.025


@pytest.mark.django_db
def test_cost_per_net_vote_from_hours_and_money(election: Election, personas) -> None:
    assert report_for(election, LIFT_ELECTION, personas.staff).campaigns[0].cost is None
    do_record_hours(election.campaign, worked_on=date(2026, 10, 20), hours="10", volunteer=personas.volunteer,
                    actor=personas.staff)  # fmt: skip
    do_record_hours(election.campaign, worked_on=date(2026, 10, 21), hours=Decimal("6"), actor=personas.staff)
    do_set_program_cost(election.campaign, hourly_value="25", money_spent="1000", actor=personas.staff)
    [row] = report_for(election, LIFT_ELECTION, personas.staff).campaigns
    assert (row.hours, row.cost) == (Decimal("16"), Decimal("1400"))
    net = row.lift.itt.estimate * row.lift.experiment.treatment
    assert row.lift.net_votes == pytest.approx(net)
    assert row.cost_per_net_vote == pytest.approx(1400 / net)


@pytest.mark.django_db
def test_hours_must_make_sense(personas, voter_store) -> None:
    from groundswell.field.actions import do_save_campaign

    campaign = do_save_campaign(name="Hours", state="NC", chapter=None, actor=personas.staff)
    with pytest.raises(TurnoutError, match="hours: expected a number above zero"):
        do_record_hours(campaign, worked_on=date(2026, 10, 1), hours="0", actor=personas.staff)
    with pytest.raises(TurnoutError, match="hours: expected a number"):
        do_record_hours(campaign, worked_on=date(2026, 10, 1), hours="lots", actor=personas.staff)
    with pytest.raises(TurnoutError, match="at most 24"):
        do_record_hours(campaign, worked_on=date(2026, 10, 1), hours="30", actor=personas.staff)
    with pytest.raises(TurnoutError, match="money spent: cannot be negative"):
        do_set_program_cost(campaign, hourly_value="20", money_spent="-5", actor=personas.staff)

"""The whole path in a real browser: from the "I want to run" form to a win on the scorecard."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from conftest import sign_in
from groundswell.elections.actions import do_import_results
from groundswell.elections.models import Election, ElectionKind
from groundswell.endorsements.actions import QuestionSpec, do_save_questionnaire
from groundswell.endorsements.tests.conftest import links_in
from groundswell.recruitment.candidacies import ensure_election, ensure_office, ensure_race
from groundswell.recruitment.models import Recruit
from groundswell.testing import make_personas

RESULTS = """county,precinct,office,district,party,candidate,votes
Allegheny,Pittsburgh Ward 4 Precinct 1,State House,98,DEM,Jamie Rivera,812
Allegheny,Pittsburgh Ward 4 Precinct 1,State House,98,REP,Pat Smith,640
Allegheny,Pittsburgh Ward 4 Precinct 2,State House,98,DEM,Jamie Rivera,530
Allegheny,Pittsburgh Ward 4 Precinct 2,State House,98,REP,Pat Smith,601
"""


def _mails_to(mailbox: Any, address: str, count: int = 1) -> list[Any]:
    """Messages to ``address``; the live server sends after commit, so wait for them to arrive."""
    import time

    for _ in range(100):
        found = [m for m in mailbox.messages if m["To"] == address]
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_recruit_to_endorsed_winner(page: Any, live_server: Any, smtp_server: Any, settings: Any) -> None:
    settings.BASE_URL = live_server.url
    personas = make_personas()
    election = ensure_election("PA", timezone.localdate() + dt.timedelta(days=45), ElectionKind.GENERAL)
    ensure_race(election, ensure_office("PA", "State House", district="98"))
    do_save_questionnaire(title="2026 questionnaire", introduction="Where do you stand?", actor=personas.staff,
                          questions=[QuestionSpec("Do you support Medicare for All?")])  # fmt: skip

    # A member says "I want to run" on the chapter's public form.
    page.goto(f"{live_server.url}/recruitment/run/pittsburgh/")
    page.get_by_label("First name").fill("Jamie")
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("Email address").fill("jamie@example.net")
    page.get_by_label("ZIP code").fill("15213")
    page.get_by_label("Public office").check()
    page.get_by_label("Which office").fill("State House")
    page.get_by_role("button", name="Count me in").click()
    page.get_by_role("heading", name="Thank you for stepping up!").wait_for()
    recruit = Recruit.objects.get(person__emails__address="jamie@example.net")

    # The chapter leader records the party label and moves the recruit to filing in the race.
    sign_in(page, live_server, personas.leader_a.email)
    page.goto(f"{live_server.url}/recruitment/")
    page.get_by_role("link", name="Jamie Rivera").click()
    page.get_by_label("Party").fill("DEM")
    page.get_by_role("button", name="Save details").click()
    page.get_by_label("Move to stage").select_option("filing")
    page.get_by_label("Race (needed from filing on)").select_option(
        label=f"Pennsylvania House District 98 — {election.name}"
    )
    page.get_by_role("button", name="Move", exact=True).click()
    page.get_by_text("moved to Filing").wait_for()
    recruit.refresh_from_db()
    assert recruit.candidacy is not None

    # The chapter nominates the candidacy; the candidate answers through the private link.
    page.goto(f"{live_server.url}/endorsements/nominate/pittsburgh/")
    page.get_by_label("Candidate and race").select_option(str(recruit.candidacy_id))
    page.get_by_label("Candidate's email").fill("jamie@example.net")
    page.get_by_role("button", name="Nominate and send the questionnaire").click()
    page.get_by_text("Waiting for Jamie Rivera to answer").wait_for()
    link = links_in(_mails_to(smtp_server, "jamie@example.net"))["jamie@example.net"]
    candidate = page.context.browser.new_context().new_page()
    candidate.goto(link)
    candidate.get_by_label("Yes").check()
    candidate.get_by_role("button", name="Send my answers").click()
    candidate.get_by_role("heading", name="Thank you!").wait_for()

    # The leader opens the members' vote; Maria votes through her ballot link.
    page.reload()
    page.get_by_role("button", name="Open the vote").click()
    page.get_by_text("Results stay hidden from everyone until the vote closes").wait_for()
    ballot_link = links_in(_mails_to(smtp_server, "maria@example.net"))["maria@example.net"]
    candidate.goto(ballot_link)
    candidate.get_by_label("Yes, endorse").check()
    candidate.get_by_role("button", name="Cast my vote").click()
    candidate.get_by_role("heading", name="Your vote is recorded").wait_for()
    page.reload()
    page.get_by_role("button", name="Close the vote and count").click()  # the candidate was recused: all have voted
    page.get_by_text("Vote closed: Passed.").wait_for()

    # The state coordinator reviews; national staff endorse.
    sign_in_again(page, live_server, personas.coordinator.email)
    page.goto(f"{live_server.url}/endorsements/")
    page.get_by_role("link", name="Jamie Rivera").click()
    page.get_by_label("Recommend endorsement").check()
    page.get_by_role("button", name="Record the state review").click()
    nomination_url = page.url
    sign_in_again(page, live_server, personas.staff.email)
    page.goto(nomination_url)
    page.get_by_label("Endorse", exact=True).check()
    page.get_by_label("Reasons").fill("A member-candidate with a strong field plan.")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Endorsed: it is on the public slate.").wait_for()

    # The public slate shows the endorsement.
    candidate.goto(f"{live_server.url}/endorsements/slate/?state=PA")
    candidate.get_by_role("heading", name="Jamie Rivera").wait_for()

    # Election day passes and the power map's importer brings the precinct results.
    Election.objects.filter(pk=election.pk).update(date=timezone.localdate() - dt.timedelta(days=1))
    do_import_results(io.StringIO(RESULTS), state="pa", election_date=timezone.localdate() - dt.timedelta(days=1),
                      kind=ElectionKind.GENERAL, source_name="test results", actor=None)  # fmt: skip

    # The scorecard counts the win.
    page.goto(f"{live_server.url}/endorsements/scorecard/")
    page.get_by_text("1 of 1, 100%").first.wait_for()
    assert "Won" in candidate.goto(f"{live_server.url}/endorsements/slate/?state=PA").text()


def sign_in_again(page: Any, live_server: Any, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, email)

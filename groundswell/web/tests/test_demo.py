"""The demo organization: deterministic by seed, the promised shape, one working login per role."""

import datetime as dt
import io

import phonenumbers
import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min
from django.test import Client
from django.utils import timezone

from groundswell.chapters.models import Chapter, Role, RoleGrant
from groundswell.core.models import User
from groundswell.people.models import ConsentEvent, EmailAddress, Membership, Person, PersonTag, PhoneNumber
from groundswell.web.demo import DEMO_LOGINS, DEMO_PASSWORD, DemoPlan, plan_demo


def names_and_emails(plan: DemoPlan) -> list[tuple[str, str, str]]:
    return [(p.first_name, p.last_name, p.emails[0]) for p in plan.people]


def test_same_seed_plans_the_same_people_and_another_seed_does_not():
    first, again, other = plan_demo(2026), plan_demo(2026), plan_demo(7)
    assert names_and_emails(first) == names_and_emails(again)
    assert [p.phone for p in first.people] == [p.phone for p in again.people]
    assert names_and_emails(first) != names_and_emails(other)


def test_plan_has_5000_people_40_duplicate_pairs_and_fictional_valid_unique_phones():
    plan = plan_demo(2026)
    assert len(plan.people) == 5000
    assert plan.duplicate_pairs == 40
    phones = [p.phone for p in plan.people if p.phone]
    assert len(phones) == len(set(phones)) > 3000
    for number in phones:
        assert number[5:10] == "55501"  # the 555-0100..0199 block reserved for fiction
        assert phonenumbers.is_valid_number(phonenumbers.parse(number))
    emails = [e for p in plan.people for e in p.emails]
    assert len(emails) == len(set(emails))
    assert all(e.split("@")[1].endswith(("example.com", "example.net", "example.org")) for e in emails)


def test_each_duplicate_is_the_same_home_with_a_typo_or_a_second_email():
    plan = plan_demo(2026)
    typos = 0
    for dup in (p for p in plan.people if p.duplicate_of is not None):
        original = plan.people[dup.duplicate_of]
        assert (dup.address_line1, dup.zip_code) == (original.address_line1, original.zip_code)
        assert dup.emails != original.emails
        typos += (dup.first_name, dup.last_name) != (original.first_name, original.last_name)
    assert 10 < typos < 40


@pytest.mark.django_db
def test_demo_command_builds_the_organization_once_and_prints_one_login_per_role(client: Client):
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    printed = out.getvalue()
    assert "5,000 people" in printed and DEMO_PASSWORD in printed
    assert all(login.email in printed for login in DEMO_LOGINS)

    # Chapters: about twenty, the RI/PA/NC/OH ones later features load real data for, one abroad.
    chapters = Chapter.objects.all()
    assert 18 <= chapters.count() <= 22
    ri = set(chapters.filter(state="RI").values_list("name", flat=True))
    assert {"Providence Groundswell", "Pawtucket Groundswell", "Newport Groundswell"} <= ri
    assert {"PA", "NC", "OH"} <= set(chapters.values_list("state", flat=True))
    assert chapters.get(country="DE").name == "Groundswell Abroad — Berlin"

    # The same seed gives the same people in the database as in the plan.
    # (A person in two chapters gave each of them their address: one address, two chapters' facts.)
    stored = sorted(
        (p.first_name, p.last_name, *{e.address for e in p.emails.all()})
        for p in Person.objects.prefetch_related("emails")
    )
    assert stored == sorted(names_and_emails(plan_demo(2026)))
    assert EmailAddress.objects.values("address").distinct().count() == 5000
    assert PhoneNumber.objects.count() > 3000
    phone = PhoneNumber.objects.order_by("id")[0]
    assert phone.digits_reversed == "".join(reversed(phone.number[1:]))  # what the phone search reads

    # Join dates spread over three years, so the growth chart has a shape.
    span = Membership.objects.aggregate(first=Min("joined_on"), last=Max("joined_on"))
    today = timezone.localdate()
    assert today - span["first"] > dt.timedelta(days=2 * 365)
    assert today - span["last"] < dt.timedelta(days=7)
    by_year = Membership.objects.values("joined_on__year").annotate(n=Count("id"))
    assert len(by_year) >= 3
    assert Membership.objects.count() > 5000  # some people belong to two chapters
    assert ConsentEvent.objects.filter(granted=True).count() > 3000
    assert PersonTag.objects.exists()

    # One login per role, each of which signs in.
    grants = RoleGrant.objects.active()
    assert sorted(grants.values_list("role", flat=True)) == sorted(login.role for login in DEMO_LOGINS)
    assert User.objects.count() == len(DEMO_LOGINS)
    assert {login.role for login in DEMO_LOGINS} == set(Role.values)
    for login in DEMO_LOGINS:
        response = client.post("/accounts/login/", {"username": login.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302 and response["Location"] == "/home/", login.email
        assert client.get("/home/").status_code == 200
        client.post("/accounts/logout/")

    # Raleigh's canvass and the early-vote file give the chase list someone to chase and some who voted.
    from groundswell.field.models import Contact
    from groundswell.turnout.models import BallotReturn

    assert Contact.objects.filter(result="contacted").count() > 100
    assert BallotReturn.objects.filter(accepted=True).exists() and BallotReturn.objects.filter(accepted=False).exists()
    client.force_login(User.objects.get(email="leader.nc@example.org"))
    chase = client.get("/turnout/").context["chase"]
    assert 0 < chase.voted < chase.supporters and len(chase.rows) == chase.not_yet
    client.logout()

    # A second run keeps the data.
    out = io.StringIO()
    call_command("demo", "--no-serve", "--seed", "7", stdout=out)
    assert "keeping it" in out.getvalue()
    assert Person.objects.count() == 5000

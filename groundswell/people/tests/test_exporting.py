import csv
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from groundswell.chapters.models import Chapter
from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.people.actions import PersonDetails, do_save_person, do_set_consent, do_tag_person
from groundswell.people.exporting import HEADER, neutralize
from groundswell.people.importing import do_import_people, do_upload_people_file
from groundswell.people.models import Person, Tag


def rows_of(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def add_member(chapter: Chapter, first: str, last: str, email: str, **extra: Any) -> Person:
    return do_save_person(
        PersonDetails(first_name=first, last_name=last, emails=[email], **extra), source="test", actor=None,
        chapter=chapter,
    ).person  # fmt: skip


def test_cells_that_a_spreadsheet_would_run_get_a_leading_apostrophe():
    assert [neutralize(v) for v in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "Ann", "", "O'Neil"]] == [
        "'=1+1", "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "Ann", "", "O'Neil",
    ]  # fmt: skip


@pytest.mark.django_db
def test_export_neutralizes_formulas_in_every_cell(personas, client: Client):
    add_member(
        personas.chapter_a, "=HYPERLINK(\"http://evil\")", "+Smith", "formula@example.com", city="-Pittsburgh",
        address_line1="@home", notes="x",
    )  # fmt: skip
    client.force_login(personas.leader_a)
    rows = rows_of(client.get("/people/export.csv"))
    row = next(r for r in rows if r["Email"] == "formula@example.com")
    assert row["First Name"] == '\'=HYPERLINK("http://evil")'
    assert row["Last Name"] == "'+Smith"
    assert row["City"] == "'-Pittsburgh"
    assert row["Address"] == "'@home"


@pytest.mark.django_db
def test_leader_b_export_has_no_chapter_a_members(personas, client: Client):
    add_member(personas.chapter_a, "Ana", "A", "ana@example.com")
    add_member(personas.chapter_b, "Bo", "B", "bo@example.com")
    client.force_login(personas.leader_b)
    response = client.get("/people/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    emails = {r["Email"] for r in rows_of(response)}
    assert emails == {"ben@example.net", "bo@example.com"}


@pytest.mark.django_db
def test_export_applies_the_people_list_filters_and_audits_them(personas, client: Client):
    tagged = add_member(personas.chapter_a, "Tia", "Tagged", "tia@example.com")
    add_member(personas.chapter_a, "Una", "Untagged", "una@example.com")
    do_tag_person(tagged, tag_name="phonebank", actor=personas.staff)
    do_set_consent(tagged, channel="email", granted=True, method="test", actor=personas.staff)
    tag = Tag.objects.get(name="phonebank")
    client.force_login(personas.staff)
    query = {"chapter": personas.chapter_a.pk, "tag": tag.pk, "email": "yes", "q": "tagged"}
    rows = rows_of(client.get("/people/export.csv", query))
    assert [(r["First Name"], r["Tags"], r["Email Opt-in"]) for r in rows] == [("Tia", "phonebank", "yes")]
    audit = AuditEntry.objects.filter(event_type=AuditEvent.PEOPLE_EXPORTED).get()
    assert audit.actor == personas.staff
    assert audit.details == {
        "filters": {"q": "tagged", "chapter": str(personas.chapter_a.pk), "tag": str(tag.pk), "email": "yes"},
        "rows": 1,
    }


@pytest.mark.django_db
def test_a_leader_filtering_on_another_chapter_gets_404(personas, client: Client):
    client.force_login(personas.leader_a)
    assert client.get("/people/export.csv", {"chapter": personas.chapter_b.pk}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["volunteer", "candidate", "partner"])
def test_those_who_may_not_export_get_404_and_nothing_is_audited(personas, client: Client, who):
    client.force_login(getattr(personas, who))
    assert client.get("/people/export.csv").status_code == 404
    assert not AuditEntry.objects.filter(event_type=AuditEvent.PEOPLE_EXPORTED).exists()


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client: Client):
    response = client.get("/people/export.csv")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_export_query_count_does_not_grow_with_people(personas, client: Client, django_assert_num_queries):
    for i in range(30):
        person = add_member(personas.chapter_a, f"P{i}", "Many", f"p{i}@example.com", phones=[f"+1412555{i:04d}"])
        do_tag_person(person, tag_name="bulk", actor=personas.staff)
    client.force_login(personas.staff)
    client.get("/people/")  # warm the session and user lookups
    # session, user, roles, count, audit insert (in a savepoint pair), people, then per chunk of people
    # their emails, phones, tags and memberships in scope
    with django_assert_num_queries(12):
        rows = rows_of(client.get("/people/export.csv"))
    assert len(rows) == 32


@pytest.mark.django_db
def test_an_export_imports_back_unchanged(personas, client: Client, tmp_path):
    add_member(personas.chapter_a, "Round", "Trip", "round@example.com", phones=["+14125550142"], zip_code="15213",
               state="PA", city="Pittsburgh", birth_year=1980)  # fmt: skip
    client.force_login(personas.staff)
    exported = b"".join(client.get("/people/export.csv").streaming_content)  # type: ignore[attr-defined]  # a StreamingHttpResponse
    path = tmp_path / "export.csv"
    path.write_bytes(exported)
    batch = do_upload_people_file(path, chapter=None, actor=personas.staff)
    assert batch.mapping[: len(HEADER) - 1] == [
        "first_name", "middle_name", "last_name", "email", "email", "phone", "phone", "address_line1",
        "address_line2", "city", "state", "zip_code", "birth_year", "tags", "email_consent", "sms_consent",
    ]  # fmt: skip
    result = do_import_people(batch, actor=personas.staff)
    assert result.counts.as_dict() == {"inserted": 0, "updated": 0, "unchanged": 3}


@pytest.mark.django_db
def test_export_people_command_is_scoped_to_the_acting_user(personas, tmp_path):
    add_member(personas.chapter_a, "Ana", "A", "ana@example.com")
    out = tmp_path / "people.csv"
    stdout = io.StringIO()
    call_command("export_people", str(out), "--as", "leader.b@example.org", stdout=stdout)
    assert "Wrote 1 people" in stdout.getvalue()
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["Email"] for r in rows] == ["ben@example.net"]
    assert AuditEntry.objects.filter(event_type=AuditEvent.PEOPLE_EXPORTED, actor=personas.leader_b).exists()


@pytest.mark.django_db
def test_export_people_command_filters_by_chapter_and_tag(personas, tmp_path):
    person = add_member(personas.chapter_a, "Tia", "Tagged", "tia@example.com")
    add_member(personas.chapter_a, "Una", "Untagged", "una@example.com")
    do_tag_person(person, tag_name="host", actor=personas.staff)
    out = tmp_path / "people.csv"
    call_command(
        "export_people", str(out), "--as", "staff@example.org", "--chapter", "pittsburgh", "--tag", "host",
        stdout=io.StringIO(),
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["Email"] for r in rows] == ["tia@example.com"]


@pytest.mark.django_db
def test_export_people_command_refuses_a_volunteer(personas, tmp_path):
    with pytest.raises(CommandError, match="may not export"):
        call_command("export_people", str(tmp_path / "x.csv"), "--as", "volunteer@example.org", stdout=io.StringIO())
    with pytest.raises(CommandError, match="may not export"):
        call_command(
            "export_people", str(tmp_path / "y.csv"), "--as", "leader.a@example.org", "--chapter", "providence",
            stdout=io.StringIO(),
        )  # fmt: skip

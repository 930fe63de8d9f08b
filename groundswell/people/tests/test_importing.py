import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from groundswell.core.jobs import Progress, claim_next_job, run_pending_jobs
from groundswell.core.models import AuditEntry, AuditEvent, Job, JobStatus
from groundswell.people.actions import PersonDetails, do_save_person
from groundswell.people.facts import person_for_emails
from groundswell.people.importing import (
    ImportFileError,
    ImportRowsInvalid,
    do_import_people,
    do_set_import_mapping,
    do_upload_people_file,
    guess_mapping,
    plan_import,
    preview_import,
    read_people_rows,
    saved_or_guessed_mapping,
    table_for,
)
from groundswell.people.jobs import IMPORT_PEOPLE, do_queue_import_preview, do_queue_people_import, import_people_job
from groundswell.people.models import (
    ConsentEvent,
    DuplicateProposal,
    EmailAddress,
    ImportBatch,
    ImportStatus,
    Membership,
    Person,
    TimelineEntry,
    TimelineKind,
)
from groundswell.people.proposals import do_refresh_duplicate_proposals
from groundswell.testing import WatchedProgress

GOOD_HEADER = "First Name,Last Name,Email,Phone,Address,City,State,Zip,Tags,Email Opt-in,SMS Opt-in\n"


def upload(text: str | bytes, *, actor=None, chapter=None, name="people.csv") -> ImportBatch:
    data = text.encode() if isinstance(text, str) else text
    return do_upload_people_file(SimpleUploadedFile(name, data, "text/csv"), chapter=chapter, actor=actor)


def good_rows(count: int, start: int = 0) -> str:
    return "".join(
        f"Person{i},Tester,person{i}@example.com,412-555-{i % 10000:04d},{i} Main St,Pittsburgh,PA,15213,"
        f'"volunteer,door knocker",yes,no\n'
        for i in range(start, start + count)
    )


# ---------------------------------------------------------------- mapping


def test_mapping_is_guessed_from_action_network_and_van_headers():
    headers = ["first_name", "last_name", "email", "zip_code", "can2_phone", "can2_user_tags", "Address1",
               "MiddleName", "Cell Phone", "Home Phone", "Zip5", "DOB", "Email Opt-In", "Text Opt In", "VANID",
               "Full Name", "State/Province", "Apt/Unit", "Notes"]  # fmt: skip
    assert guess_mapping(headers) == [
        "first_name", "last_name", "email", "zip_code", "phone", "tags", "address_line1", "middle_name", "phone",
        "phone", "ignore", "birth_year", "email_consent", "sms_consent", "van_id", "full_name", "state",
        "address_line2", "notes",
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_chosen_mapping_is_offered_again_for_the_same_headers_in_any_order(personas):
    batch = upload("Nombre,Correo,Junk\nAna,ana@example.com,x\n", actor=personas.staff)
    assert batch.mapping == ["ignore", "ignore", "ignore"]
    assert do_set_import_mapping(batch, ["first_name", "email", "ignore"], actor=personas.staff) == []
    mapping, saved = saved_or_guessed_mapping(["junk", "CORREO", "nombre"])
    assert saved is True
    assert mapping == ["ignore", "email", "first_name"]


@pytest.mark.django_db
def test_a_mapping_with_a_field_twice_or_no_contact_is_refused(personas):
    batch = upload("A,B\nx,y\n", actor=personas.staff)
    problems = do_set_import_mapping(batch, ["city", "city"], actor=personas.staff)
    assert "City is chosen for more than one column." in problems
    assert "Map at least one column to a name, an email or a phone." in problems


# ---------------------------------------------------------------- row errors


@pytest.mark.django_db
def test_every_kind_of_row_error_names_its_row_and_column(personas):
    text = (
        GOOD_HEADER
        + "Ok,Person,ok@example.com,412-555-0100,1 Main St,Pittsburgh,PA,15213,,yes,no\n"  # row 2
        + "Bad,Email,not-an-email,,,,,,,,\n"  # row 3
        + "Bad,Phone,,12345,,,,,,,\n"  # row 4
        + "Bad,Zip,,,,,PA,1521X,,,\n"  # row 5
        + "Bad,State,,,,,ZZ,,,,\n"  # row 6
        + ",,,,1 Main St,Pittsburgh,PA,,,,\n"  # row 7: no name, email or phone
        + "Bad,Consent,,,,,,,,maybe,\n"  # row 8
        + "Dropped,Zero,,,,,RI,2903,,,\n"  # row 9: a spreadsheet ate the leading zero
        + f"{'X' * 81},Long,,,,,,,,,\n"  # row 10
    )
    batch = upload(text, actor=personas.staff)
    checked = read_people_rows(table_for(batch), batch.mapping)
    found = {(e.row, e.column): e.message for e in checked.errors}
    assert found[(3, "Email")] == "'not-an-email' is not an email address"
    assert "'12345' is not" in found[(4, "Phone")]
    assert found[(5, "Zip")] == "'1521X' is not a ZIP code"
    assert "'ZZ' is not a US state code" in found[(6, "State")]
    assert found[(7, "(whole row)")] == "has no name and no email or phone"
    assert "'maybe' is not yes or no" in found[(8, "Email Opt-in")]
    assert "leading zeros" in found[(9, "Zip")]
    assert "longer than 80 characters" in found[(10, "First Name")]
    assert len(checked.errors) == 8
    assert [r.row for r in checked.rows] == [2]


@pytest.mark.django_db
def test_one_bad_row_among_a_hundred_writes_nothing_and_lists_the_row(personas):
    rows = good_rows(100).splitlines(keepends=True)
    rows[57] = "Bad,Row,bad-email@,,,,,,,,\n"  # row 59 of the file
    batch = upload(GOOD_HEADER + "".join(rows), actor=personas.staff)
    people_before = Person.objects.count()
    with pytest.raises(ImportRowsInvalid) as failure:
        do_import_people(batch, actor=personas.staff)
    assert "Row 59, Email: 'bad-email@' is not an email address" in str(failure.value)
    assert Person.objects.count() == people_before
    assert not EmailAddress.objects.filter(address="person0@example.com").exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.errors == [{"row": 59, "column": "Email", "message": "'bad-email@' is not an email address"}]


@pytest.mark.django_db
def test_the_job_fails_with_the_row_errors_and_is_not_retried(personas):
    batch = upload(GOOD_HEADER + good_rows(3) + "Bad,Phone,,555,,,,,,,\n", actor=personas.staff)
    job = do_queue_people_import(batch, actor=personas.staff)
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Row 5, Phone: '555' is not" in job.error
    assert not Person.objects.filter(last_name="Tester").exists()


# ---------------------------------------------------------------- applying


@pytest.mark.django_db
def test_import_creates_people_with_contacts_tags_consent_membership_timeline_and_one_audit_entry(personas):
    batch = upload(GOOD_HEADER + good_rows(3), actor=personas.leader_a, chapter=personas.chapter_a)
    job = do_queue_people_import(batch, actor=personas.leader_a)
    run_pending_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"batch_id": batch.pk, "rows": 3, "inserted": 3, "updated": 0, "unchanged": 0}
    person = Person.objects.get(emails__address="person1@example.com")
    assert (person.first_name, person.last_name, person.sort_name) == ("Person1", "Tester", "tester person1")
    assert (person.city, person.state, person.zip_code) == ("Pittsburgh", "PA", "15213")
    assert list(person.phones.values_list("number", "digits_reversed")) == [("+14125550001", "10005552141")]
    assert sorted(person.tags.values_list("name", flat=True)) == ["door knocker", "volunteer"]
    assert (person.email_opt_in, person.sms_opt_in) == (True, False)
    assert set(ConsentEvent.objects.filter(person=person).values_list("channel", "granted")) == {
        ("email", True),
        ("sms", False),
    }
    assert Membership.objects.filter(person=person, chapter=personas.chapter_a, status="active").exists()
    assert set(person.timeline.values_list("kind", flat=True)) == {
        TimelineKind.IMPORTED,
        TimelineKind.CONSENT,
        TimelineKind.JOINED,
    }
    audit = AuditEntry.objects.filter(event_type=AuditEvent.PEOPLE_IMPORTED).get()
    assert audit.actor == personas.leader_a
    assert audit.details["inserted"] == 3 and audit.details["file_name"] == "people.csv"
    batch.refresh_from_db()
    assert (batch.status, batch.row_count, batch.inserted, batch.created_by) == (
        ImportStatus.SUCCEEDED,
        3,
        3,
        personas.leader_a,
    )
    assert len(batch.sha256) == 64
    assert Path(batch.stored_path).parts[0] == "uploads"
    assert (Path(settings.DATA_DIR) / batch.stored_path).read_text().startswith("First Name,")


@pytest.mark.django_db
def test_email_matches_but_a_phone_alone_never_does(personas):
    by_email, _ = do_save_person(
        PersonDetails(first_name="Rosa", last_name="Parks", emails=["rosa@example.com"]), source="test", actor=None
    )
    by_phone, _ = do_save_person(
        PersonDetails(first_name="Fannie", last_name="Hamer", phones=["+14125550199"]), source="test", actor=None
    )
    untouched, _ = do_save_person(
        PersonDetails(first_name="Ella", last_name="Baker", emails=["ella@example.com"], city="Pittsburgh"),
        source="test",
        actor=None,
    )
    text = (
        "First,Last,Email,Phone,City\n"
        "Rosa,Parks,ROSA@example.com,,Montgomery\n"
        "Fannie Lou,Hamer,fannie@example.com,(412) 555-0199,\n"
        "Ella,Baker,ella@example.com,,Pittsburgh\n"
        "New,Person,new@example.com,,\n"
        "New,Person,,,Erie\n"
        "Again,Person,again@example.com,412-555-0177,\n"
        "Again,Person,,4125550177,Erie\n"
    )
    people_before = Person.objects.count()
    batch = upload(text, actor=personas.staff)
    result = do_import_people(batch, actor=personas.staff)
    # Rosa matched by email and changed, Ella matched and unchanged; the five others are people of
    # their own: a number shared with someone (Fannie's, the second Again's) decides nothing.
    assert result.counts.as_dict() == {"inserted": 5, "updated": 1, "unchanged": 1}
    assert Person.objects.count() == people_before + 5
    by_email.refresh_from_db()
    by_phone.refresh_from_db()
    assert by_email.city == "Montgomery"  # national's own import is national's view
    assert by_phone.first_name == "Fannie" and not by_phone.emails.exists()
    assert not untouched.timeline.filter(kind=TimelineKind.UPDATED).exists()
    fannie_lou = Person.objects.get(emails__address="fannie@example.com")
    assert fannie_lou.first_name == "Fannie Lou" and fannie_lou.pk != by_phone.pk
    # The shared number asks a human instead: the refresh the import queued proposes the pair.
    do_refresh_duplicate_proposals(actor=None)
    pair = DuplicateProposal.objects.get(first=by_phone, second=fannie_lou)
    assert "same phone" in pair.reasons


@pytest.mark.django_db
def test_bulk_matching_agrees_with_person_for_emails(personas):
    do_save_person(PersonDetails(first_name="A", emails=["a1@example.com"]), source="t", actor=None)
    do_save_person(
        PersonDetails(first_name="B", emails=["b1@example.com"], phones=["+14125550111"]), source="t", actor=None
    )
    do_save_person(PersonDetails(first_name="C", phones=["+14125550122"]), source="t", actor=None)
    # Both emails known, to different people: the tie-break is person_for_emails' own (the oldest).
    text = (
        "First,Email,Email 2,Phone\n"
        "X,b1@example.com,a1@example.com,\n"
        "Y,,,+14125550122\n"
        "Z,zz@example.com,,+14125550111\n"
        "W,nobody@example.com,,\n"
    )
    batch = upload(text, actor=personas.staff)
    rows = read_people_rows(table_for(batch), batch.mapping).rows
    plan = plan_import(rows)
    new = 0
    for row, (kind, key) in zip(rows, plan.targets, strict=True):
        expected = person_for_emails(row.emails)
        if expected is None:
            assert (kind, key) == ("new", new)
            new += 1
        else:
            assert (kind, key) == ("person", expected.pk)
    assert plan.targets[0] == ("person", Person.objects.get(first_name="A").pk)
    assert plan.new_count == 3  # a phone never matches: Y and Z are new


@pytest.mark.django_db
def test_an_email_of_a_merged_person_updates_the_person_they_were_merged_into(personas):
    kept, _ = do_save_person(PersonDetails(first_name="Kept", emails=["kept@example.com"]), source="t", actor=None)
    gone, _ = do_save_person(PersonDetails(first_name="Gone", emails=["gone@example.com"]), source="t", actor=None)
    Person.objects.filter(pk=gone.pk).update(merged_into=kept)
    batch = upload("First,Email,City\nWhoever,gone@example.com,Erie\n", actor=personas.staff)
    do_import_people(batch, actor=personas.staff)
    kept.refresh_from_db()
    assert kept.city == "Erie"


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing_the_second_time(personas):
    text = GOOD_HEADER + good_rows(5)
    do_import_people(upload(text, actor=personas.staff), actor=personas.staff)
    timeline_count = TimelineEntry.objects.count()
    result = do_import_people(upload(text, actor=personas.staff), actor=personas.staff)
    assert result.counts.as_dict() == {"inserted": 0, "updated": 0, "unchanged": 5}
    assert TimelineEntry.objects.count() == timeline_count


def _install_failing_trigger(address: str) -> None:
    """A database trigger that fails the insert of one email address: a crash half-way through applying."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION fail_import() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.address = '{address}' THEN RAISE EXCEPTION 'disk on fire'; END IF; RETURN NEW; END; "
                "$$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER fail_import BEFORE INSERT ON people_emailaddress "
                "FOR EACH ROW EXECUTE FUNCTION fail_import()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER fail_import BEFORE INSERT ON people_emailaddress "
                f"WHEN NEW.address = '{address}' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
            )


@pytest.mark.django_db(transaction=True)
def test_a_job_that_dies_while_applying_leaves_nothing_applied(personas):
    batch = upload(GOOD_HEADER + good_rows(300), actor=personas.staff)
    people_before = Person.objects.count()
    _install_failing_trigger("person250@example.com")
    job = do_queue_people_import(batch, actor=personas.staff)
    run_pending_jobs(limit=1)
    job.refresh_from_db()
    assert "disk on fire" in job.error
    assert job.status == JobStatus.QUEUED  # not the file's fault: the worker will try again
    assert Person.objects.count() == people_before
    assert not EmailAddress.objects.filter(address="person1@example.com").exists()
    assert not AuditEntry.objects.filter(event_type=AuditEvent.PEOPLE_IMPORTED).exists()


@pytest.mark.django_db(transaction=True)
def test_job_progress_is_written_while_rows_are_checked(personas):
    batch = upload(GOOD_HEADER + good_rows(40), actor=personas.staff)
    job = do_queue_people_import(batch, actor=personas.staff)
    watching = WatchedProgress(job)
    job.refresh_from_db()
    import_people_job(job, watching)
    assert ("Checking rows", 20, 40) in watching.seen
    assert ("Checking rows", 40, 40) in watching.seen
    assert ("Matching people already known", 40, 40) in watching.seen


# ---------------------------------------------------------------- files


@pytest.mark.django_db
def test_utf8_with_bom_and_semicolons_is_read(personas):
    data = "\ufeffNachname;Vorname;E-Mail\nMüller;Jürgen;jurgen@example.de\n".encode()
    batch = upload(data, actor=personas.staff)
    assert batch.headers == ["Nachname", "Vorname", "E-Mail"]
    assert (batch.encoding, batch.delimiter) == ("utf-8-sig", ";")
    do_set_import_mapping(batch, ["last_name", "first_name", "email"], actor=personas.staff)
    do_import_people(batch, actor=personas.staff)
    assert Person.objects.get(emails__address="jurgen@example.de").last_name == "Müller"


@pytest.mark.django_db
def test_latin1_tab_separated_file_is_read(personas):
    data = "First\tLast\tEmail\nJosé\tNúñez\tjose@example.com\n".encode("latin-1")
    batch = upload(data, actor=personas.staff)
    assert batch.delimiter == "\t"
    do_import_people(batch, actor=personas.staff)
    person = Person.objects.get(emails__address="jose@example.com")
    assert (person.first_name, person.last_name) == ("José", "Núñez")


@pytest.mark.django_db
def test_an_empty_file_is_refused(personas):
    with pytest.raises(ImportFileError):
        upload("", actor=personas.staff)


@pytest.mark.django_db
def test_cells_guarded_against_formulas_by_an_export_come_back_clean(personas):
    batch = upload("First,Last,Email\n'=Eve,'+Plus,eve@example.com\n", actor=personas.staff)
    do_import_people(batch, actor=personas.staff)
    person = Person.objects.get(emails__address="eve@example.com")
    assert (person.first_name, person.last_name) == ("=Eve", "+Plus")


# ---------------------------------------------------------------- who may import


@pytest.mark.django_db
def test_a_leader_must_import_into_one_of_their_own_chapters(personas):
    with pytest.raises(ImportFileError, match="Choose which of your chapters"):
        upload(GOOD_HEADER + good_rows(1), actor=personas.leader_a)
    with pytest.raises(ImportFileError, match="only into a chapter you manage"):
        upload(GOOD_HEADER + good_rows(1), actor=personas.leader_a, chapter=personas.chapter_b)


@pytest.mark.django_db
def test_leader_upload_page_offers_only_their_chapters_and_refuses_others(personas, client: Client):
    client.force_login(personas.leader_a)
    page = client.get("/people/import/")
    assert page.status_code == 200
    assert b"Pittsburgh Groundswell" in page.content and b"Providence Groundswell" not in page.content
    response = client.post(
        "/people/import/",
        {"file": SimpleUploadedFile("p.csv", (GOOD_HEADER + good_rows(1)).encode()), "chapter": personas.chapter_b.pk},
    )
    assert response.status_code == 200
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["volunteer", "candidate", "partner"])
def test_volunteers_candidates_and_partners_get_404_on_import_pages(personas, client: Client, who):
    batch = upload(GOOD_HEADER + good_rows(1), actor=personas.staff)
    client.force_login(getattr(personas, who))
    assert client.get("/people/import/").status_code == 404
    assert client.get(f"/people/import/{batch.pk}/preview/").status_code == 404


@pytest.mark.django_db
def test_another_leaders_import_is_a_404(personas, client: Client):
    batch = upload(GOOD_HEADER + good_rows(1), actor=personas.leader_a, chapter=personas.chapter_a)
    client.force_login(personas.leader_b)
    assert client.get(f"/people/import/{batch.pk}/preview/").status_code == 404
    assert client.post(f"/people/import/{batch.pk}/commit/").status_code == 404


# ---------------------------------------------------------------- pages


@pytest.mark.django_db
def test_upload_map_preview_commit_and_progress_pages(personas, client: Client):
    client.force_login(personas.leader_a)
    response = client.post(
        "/people/import/",
        {"file": SimpleUploadedFile("members.csv", (GOOD_HEADER + good_rows(12)).encode()),
         "chapter": personas.chapter_a.pk},
    )  # fmt: skip
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/people/import/{batch.pk}/mapping/"
    mapping_page = client.get(f"/people/import/{batch.pk}/mapping/")
    assert b'<option value="email" selected>' in mapping_page.content
    fields = {f"column_{i}": f for i, f in enumerate(batch.mapping)}
    response = client.post(f"/people/import/{batch.pk}/mapping/", fields)
    assert response["Location"] == f"/people/import/{batch.pk}/preview/"
    run_pending_jobs()  # the check of every row, queued by the mapping
    preview = client.get(f"/people/import/{batch.pk}/preview/").content.decode()
    assert "<strong>12</strong> new to Pittsburgh Groundswell" in preview
    assert "person9@example.com" in preview and "person11@example.com" not in preview  # the first ten rows
    assert 'name="commit"' in preview
    response = client.post(f"/people/import/{batch.pk}/commit/")
    assert response["Location"] == f"/people/import/{batch.pk}/"
    fragment = client.get(f"/people/import/{batch.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "Waiting for a worker" in fragment
    run_pending_jobs()
    fragment = client.get(f"/people/import/{batch.pk}/progress/").content.decode()
    assert "hx-trigger" not in fragment
    assert "<strong>12</strong> new" in fragment
    assert f'href="/people/?chapter={personas.chapter_a.pk}"' in fragment


@pytest.mark.django_db
def test_progress_fragment_shows_the_running_phase(personas, client: Client):
    batch = upload(GOOD_HEADER + good_rows(1), actor=personas.staff)
    do_queue_people_import(batch, actor=personas.staff)
    job = claim_next_job()  # what the worker does before running the handler
    assert job is not None
    progress = Progress(job, min_interval=0)
    progress.phase("Checking rows", total=200)
    progress.set(50)
    client.force_login(personas.staff)
    fragment = client.get(f"/people/import/{batch.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert "Checking rows" in fragment and "50 of 200" in fragment and 'value="25"' in fragment


@pytest.mark.django_db
def test_preview_lists_every_row_error_and_offers_no_commit(personas, client: Client):
    text = GOOD_HEADER + good_rows(3) + "Bad,Zip,,,,,PA,999,,,\n" + good_rows(2, start=10) + "Bad,State,,,,,QQ,,,,\n"
    batch = upload(text, actor=personas.staff)
    do_queue_import_preview(batch, actor=personas.staff)
    run_pending_jobs()
    client.force_login(personas.staff)
    preview = client.get(f"/people/import/{batch.pk}/preview/").content.decode()
    assert "Row 5" in preview and "Zip" in preview and "&#x27;999&#x27; is not a ZIP code" in preview
    assert "Row 8" in preview and "QQ" in preview
    assert 'name="commit"' not in preview
    assert client.post(f"/people/import/{batch.pk}/commit/").status_code == 200
    assert not Job.objects.filter(kind=IMPORT_PEOPLE).exists()


@pytest.mark.django_db
def test_committing_without_a_preview_still_imports_nothing_from_a_bad_file(personas, client: Client):
    batch = upload(GOOD_HEADER + good_rows(3) + "Bad,Zip,,,,,PA,999,,,\n", actor=personas.staff)
    client.force_login(personas.staff)
    assert client.post(f"/people/import/{batch.pk}/commit/").status_code == 302
    run_pending_jobs()
    page = client.get(f"/people/import/{batch.pk}/").content.decode()
    assert "Nothing was imported" in page and "Row 5" in page and "&#x27;999&#x27; is not a ZIP code" in page
    assert not Person.objects.filter(last_name="Tester").exists()


@pytest.mark.django_db
def test_preview_counts_new_and_matching_rows(personas):
    do_save_person(PersonDetails(first_name="Known", emails=["person0@example.com"]), source="t", actor=None)
    batch = upload(GOOD_HEADER + good_rows(4) + good_rows(1, start=2), actor=personas.staff)
    preview = preview_import(batch)
    assert (preview.plan.new_count, preview.plan.known_rows, preview.plan.repeat_rows) == (3, 1, 1)
    assert preview.plan.new_rows == 3


# ---------------------------------------------------------------- command line


@pytest.mark.django_db
def test_import_people_command_imports_into_a_chapter(personas, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("Nombre,Apellido,Correo\nAna,Díaz,ana@example.com\n")
    out = io.StringIO()
    call_command(
        "import_people", str(path), "--chapter", "pittsburgh", "--mapping", "Nombre=first_name",
        "--mapping", "Apellido=last_name", "--mapping", "Correo=email", stdout=out,
    )  # fmt: skip
    assert "1 new, 0 updated, 0 unchanged" in out.getvalue()
    person = Person.objects.get(emails__address="ana@example.com")
    assert person.last_name == "Díaz"
    assert person.memberships.filter(chapter=personas.chapter_a).exists()


@pytest.mark.django_db
def test_import_people_dry_run_rolls_back(personas, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD_HEADER + good_rows(4))
    out = io.StringIO()
    call_command("import_people", str(path), "--dry-run", stdout=out)
    assert "Dry run (nothing saved): 4 new, 0 updated, 0 unchanged" in out.getvalue()
    assert not Person.objects.filter(last_name="Tester").exists()
    assert not ImportBatch.objects.exists()
    assert not AuditEntry.objects.filter(event_type=AuditEvent.PEOPLE_IMPORTED).exists()


@pytest.mark.django_db
def test_import_people_command_prints_row_errors_and_writes_nothing(personas, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD_HEADER + good_rows(2) + "Bad,Email,nope,,,,,,,,\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_people", str(path), stdout=io.StringIO(), stderr=err)
    assert "Row 4, Email: 'nope' is not an email address" in err.getvalue()
    assert not Person.objects.filter(last_name="Tester").exists()


@pytest.mark.django_db
def test_import_people_command_refuses_an_unknown_field(personas, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("A\nx\n")
    with pytest.raises(CommandError, match="not a field"):
        call_command("import_people", str(path), "--mapping", "A=shoe_size", stdout=io.StringIO())


@pytest.mark.django_db
def test_imported_people_are_found_by_the_end_of_their_phone_number_and_an_email_prefix(personas, client: Client):
    text = "First,Last,Email,Email 2,Phone\nZora,Hurston,zora@example.com,zora@example.org,(412) 867-5309\n"
    do_import_people(upload(text, actor=personas.staff), actor=personas.staff)
    client.force_login(personas.staff)

    def names(q: str) -> list[str]:
        page = client.get("/people/", {"q": q}).context["page"]
        return [str(p) for p in page]

    assert names("867-5309") == ["Zora Hurston"]
    assert names("+1 412 867 5309") == ["Zora Hurston"]
    assert names("412-867-5308") == []
    assert names("hurs") == ["Zora Hurston"]
    assert names("zora@example") == ["Zora Hurston"]  # both addresses match: still one row
    assert names("zora@example.org") == ["Zora Hurston"]
    assert names("zora@examplf") == []

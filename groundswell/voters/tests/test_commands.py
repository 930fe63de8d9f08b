"""groundswell import-voters and generate-voters."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from groundswell.voterfile import generate
from groundswell.voters.models import VoterImport
from groundswell.voters.tests.test_importing import bad_nc_file

pytestmark = pytest.mark.django_db


def test_import_voters_prints_counts_and_each_bad_row(voter_dirs, personas, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_voters", str(bad_nc_file(tmp_path)), layout="ncvoter", max_rejected=100, stdout=out, stderr=err
    )
    text = out.getvalue()
    assert "7 rows read, 2 new" in text and "5 rejected" in text
    assert "line 3, registr_dt: not a valid value" in text and "line 6, status: unknown status code Q" in text
    assert VoterImport.objects.get().status == "imported"


def test_import_voters_refuses_a_bad_file_with_the_reason(voter_dirs, personas, tmp_path):
    with pytest.raises(CommandError, match=r"5 of 7 rows of ncvoter92\.txt were rejected"):
        call_command(
            "import_voters", str(bad_nc_file(tmp_path)), layout="ncvoter", stdout=io.StringIO(), stderr=io.StringIO()
        )


def test_import_voters_through_a_mapping_file(voter_dirs, personas, pa_file, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        '{"fields": {"voter_id": "ID", "last_name": "Last", "county_id": "County", "precinct": "Pct"}, "state": "PA"}'
    )
    out = io.StringIO()
    call_command(
        "import_voters",
        str(pa_file),
        layout="mapped",
        state="PA",
        mapping=str(mapping),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "63 new" in out.getvalue()


def test_generate_voters_writes_both_nc_files(tmp_path, capsys):
    call_command("generate_voters", voters=50, seed=3, out=tmp_path)
    assert (tmp_path / "ncvoter_Statewide.txt").read_text().count("\n") == 51
    assert (tmp_path / "ncvhis_Statewide.txt").exists()


def _quiet(**options):
    return {"stdout": io.StringIO(), "stderr": io.StringIO(), **options}


def test_import_voters_holds_a_file_that_would_empty_the_state_until_run_with_confirm(voter_dirs, personas, tmp_path):
    files = generate.generate_nc(tmp_path / "nc", 300, seed=2)
    call_command("import_voters", str(files.voter_file), **_quiet(layout="ncvoter"))
    header_only = tmp_path / "ncvoter_Statewide.txt"
    header_only.write_text(files.voter_file.read_text().splitlines(keepends=True)[0])
    with pytest.raises(CommandError) as held:
        call_command("import_voters", str(header_only), **_quiet(layout="ncvoter"))
    assert "this file would mark 300 of 300 voters removed (the limit is 5%). Nothing was imported" in str(held.value)
    assert str(held.value).endswith("To apply it, run the command again with --confirm.")
    assert VoterImport.objects.order_by("-id").values_list("status", flat=True)[0] == "held"
    out = io.StringIO()
    call_command("import_voters", str(header_only), **_quiet(layout="ncvoter", confirm=True, stdout=out))
    assert "0 rows read, 0 new, 0 updated, 300 removed" in out.getvalue()
    assert VoterImport.objects.order_by("-id").values_list("status", flat=True)[0] == "imported"


def test_import_voters_says_a_binary_file_is_not_text_and_an_oversized_number_by_line(voter_dirs, personas, tmp_path):
    photo = tmp_path / "photo.txt"
    photo.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(CommandError, match=r"^photo\.txt is not a text file \(byte 1 is a NUL byte"):
        call_command("import_voters", str(photo), **_quiet(layout="ncvoter"))
    assert VoterImport.objects.get().status == "failed"
    bad = tmp_path / "ncvoter92.txt"
    bad.write_text(bad_nc_file(tmp_path).read_text().replace('"1980"', '"19800000000"', 1))
    out = io.StringIO()
    call_command("import_voters", str(bad), **_quiet(layout="ncvoter", max_rejected=100, stdout=out))
    assert "line 2, birth_year: not a valid value: '19800000000' is not a whole number from" in out.getvalue()

"""groundswell import-voters and generate-voters."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

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

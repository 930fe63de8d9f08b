"""The pipeline demo loads through the real actions and gives every page something to show."""

from __future__ import annotations

import pytest
from django.test import Client

from groundswell.endorsements.demo import load_pipeline_demo
from groundswell.endorsements.models import Endorsement, Nomination
from groundswell.recruitment.models import Recruit
from groundswell.reorg.models import ReorganizationDrive
from groundswell.testing import Personas

pytestmark = pytest.mark.django_db


def test_pipeline_demo_fills_recruits_drive_endorsements_and_record(personas: Personas) -> None:
    from groundswell.people.actions import PersonDetails, do_save_person

    for i in range(20):
        do_save_person(
            PersonDetails(first_name=f"M{i}", last_name="Demo", emails=[f"m{i}@example.net"]),
            source="test",
            actor=None,
            chapter=personas.chapter_b if i % 2 else personas.chapter_a,
        )
    summary = load_pipeline_demo(seed=7)
    assert summary.recruits == Recruit.objects.count() > 10
    assert ReorganizationDrive.objects.get().state == "RI"
    assert summary.drive_seats > 0
    assert Nomination.objects.count() == 3
    assert Endorsement.objects.filter(nomination__isnull=False).count() == 1
    assert Endorsement.objects.filter(source="historical").count() > 40
    client = Client()
    client.force_login(personas.staff)
    drive = ReorganizationDrive.objects.get()
    for url in (
        "/recruitment/",
        "/recruitment/funnel/",
        "/endorsements/scorecard/",
        "/endorsements/",
        f"/reorg/{drive.pk}/",
        f"/reorg/{drive.pk}/vacancies/",
        "/endorsements/slate/",
        "/endorsements/feed.json",
        "/recruitment/trainings/",
        "/endorsements/platform/",
    ):
        assert client.get(url).status_code == 200, url

"""Turf maps: the precinct's outline where the geography has one (groundswell.geo divisions)."""

from __future__ import annotations

from django.db.models import Q

from groundswell.geo.models import Division, DivisionKind


def precinct_geometry(state: str, precinct: str) -> str | None:
    """GeoJSON of the precinct named as the voter file names it (its code or its name), or None."""
    code = precinct.strip().lower()
    found = (
        Division.objects.filter(kind=DivisionKind.PRECINCT, state=state.upper())
        .exclude(geometry="")
        .filter(Q(ocd_id__iendswith=f":{code}") | Q(name__iexact=precinct.strip()))
        .values_list("geometry", flat=True)
        .first()
    )
    return found or None

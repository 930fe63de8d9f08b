"""Every change to divisions: the boundary import and the division upserts other imports share."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from groundswell.core.audit import record_audit
from groundswell.core.models import AuditEvent, User
from groundswell.geo import ocd
from groundswell.geo.importing import (
    ImportRejected,
    ImportReport,
    ProgressFn,
    RowError,
    no_progress,
    sync_rows,
)
from groundswell.geo.models import Division, DivisionKind, PrecinctDistrict

# Degrees; about 30 m at Rhode Island's latitude. District outlines are drawn at chamber scale,
# where finer detail only makes the page heavier.
DISTRICT_SIMPLIFY_TOLERANCE = 0.0003
COORDINATE_DECIMALS = 5


@dataclass(frozen=True)
class DivisionSpec:
    """A division an import wants to exist, with the fields it knows."""

    ocd_id: str
    kind: str
    name: str
    state: str
    parent_ocd_id: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    geometry: str | None = None  # None: leave whatever is stored
    facts: dict[str, Any] | None = None
    source: str = ""


def upsert_divisions(specs: list[DivisionSpec], *, report: ImportReport) -> dict[str, Division]:
    """Insert or update divisions, each after its parent so every parent id resolves. Returns all by ocd_id."""
    pending = {s.ocd_id: s for s in specs}
    sources = {s.ocd_id: s.source for s in specs}
    existing = {d.ocd_id: d for d in Division.objects.filter(ocd_id__in=list(pending))}
    outside = {s.parent_ocd_id for s in specs if s.parent_ocd_id and s.parent_ocd_id not in pending}
    existing.update({d.ocd_id: d for d in Division.objects.filter(ocd_id__in=outside)})
    while pending:
        ready = [s for s in pending.values() if not s.parent_ocd_id or s.parent_ocd_id not in pending]
        if not ready:
            raise ValueError("divisions whose parents form a cycle: " + ", ".join(sorted(pending)[:5]))
        sync_rows(
            Division,
            existing,
            {s.ocd_id: _division_values(s, existing) for s in ready},
            report=report,
            label="divisions",
            # The source names the import that first brought a division; later imports keep it.
            make=lambda key, values: Division(ocd_id=key, source=sources[key], **values),
        )
        for s in ready:
            del pending[s.ocd_id]
    return existing


def _division_values(spec: DivisionSpec, existing: dict[str, Division]) -> dict[str, Any]:
    parent = existing.get(spec.parent_ocd_id) if spec.parent_ocd_id else None
    values: dict[str, Any] = {
        "kind": spec.kind,
        "name": spec.name,
        "state": spec.state,
        "parent_id": parent.pk if parent else None,
        "valid_from": spec.valid_from,
        "valid_to": spec.valid_to,
    }
    if spec.geometry is not None:
        values["geometry"] = spec.geometry
    if spec.facts is not None:
        values["facts"] = spec.facts
    return values


def state_specs(state: str) -> list[DivisionSpec]:
    country = DivisionSpec(ocd.COUNTRY_US, DivisionKind.COUNTRY, "United States", "")
    if not state:
        return [country]
    return [
        country,
        DivisionSpec(ocd.state_ocd_id(state), DivisionKind.STATE, ocd.state_name(state), state.upper(), ocd.COUNTRY_US),
    ]


def district_spec(state: str, kind: str, district: str, *, source: str = "") -> DivisionSpec:
    label = {"sldl": "House District", "sldu": "Senate District", "cd": "Congressional District"}[kind]
    number = ocd.district_number(district)
    return DivisionSpec(
        ocd.district_ocd_id(state, kind, district),
        kind,
        f"{state.upper()} {label} {number.replace('_', ' ').title() if not number.isdigit() else number}",
        state.upper(),
        ocd.state_ocd_id(state),
        source=source,
    )


def link_precincts(
    links: set[tuple[int, int]],
    *,
    valid_from: date | None,
    valid_to: date | None,
    source: str,
    report: ImportReport,
) -> None:
    """Record that each precinct (id) lies in each district (id) under the plan with these dates."""
    precinct_ids = {p for p, _ in links}
    existing = {
        (pd.precinct_id, pd.district_id): pd for pd in PrecinctDistrict.objects.filter(precinct_id__in=precinct_ids)
    }
    desired = {key: {"valid_from": valid_from, "valid_to": valid_to, "source": source} for key in links}
    sync_rows(
        PrecinctDistrict,
        existing,
        desired,
        report=report,
        label="precinct assignments",
        make=lambda key, values: PrecinctDistrict(precinct_id=key[0], district_id=key[1], **values),
    )


@dataclass(frozen=True)
class BoundaryLayout:
    """Which GeoJSON properties hold what. The defaults are MGGG's Rhode Island precinct layout."""

    precinct_id: str = "NAME"
    precinct_name: str = "PRENAME"
    # property -> district kind; the value is the district number
    districts: dict[str, str] = field(default_factory=lambda: {"HDIST": "sldl", "SENDIST": "sldu", "CD": "cd"})
    # precinct facts worth keeping (registration and ballots cast, used for turnout)
    facts: tuple[str, ...] = ("REGVOT16", "TOTVOT16", "REGVOT18", "TOTVOT18", "TOTPOP", "VAP")
    # The town is the precinct name without its trailing number ("South Kingstown 3206").
    place_from_name: bool = True


def read_geojson(source: Path | BinaryIO) -> dict[str, Any]:
    if isinstance(source, Path):
        with source.open("rb") as handle:
            data = json.load(handle)
    else:
        data = json.load(source)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportRejected([RowError(0, "type", "the file is not a GeoJSON FeatureCollection")])
    return data


def do_import_boundaries(
    source: Path | BinaryIO,
    *,
    state: str,
    layout: BoundaryLayout | None = None,
    plan_valid_from: date | None = None,
    plan_valid_to: date | None = None,
    source_name: str = "",
    dry_run: bool = False,
    progress: ProgressFn = no_progress,
    actor: User | None,
) -> ImportReport:
    """Precincts (with their shapes and facts) and the districts they lie in, from a GeoJSON file.
    District shapes are the union of their precincts. All or nothing; a dry run rolls back."""
    layout = layout or BoundaryLayout()
    progress("reading", 0, None)
    features = read_geojson(source)["features"]
    parsed = _parse_features(features, state=state, layout=layout, source=source_name)
    report = ImportReport(rows=len(features), dry_run=dry_run)
    with transaction.atomic():
        progress("divisions", 0, len(features))
        divisions = upsert_divisions(parsed.specs, report=report)
        progress("assignments", len(features) // 2, len(features))
        links = {(divisions[p].pk, divisions[d].pk) for p, d in parsed.links}
        link_precincts(links, valid_from=plan_valid_from, valid_to=plan_valid_to, source=source_name, report=report)
        progress("district outlines", len(features), len(features))
        _store_district_outlines(parsed, divisions)
        record_audit(
            AuditEvent.BOUNDARIES_IMPORTED,
            actor=actor,
            summary=f"imported {state.upper()} boundaries: {report.summary()}",
            details=report.as_dict(),
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


@dataclass
class _ParsedBoundaries:
    specs: list[DivisionSpec]
    links: list[tuple[str, str]]  # (precinct ocd id, district ocd id)
    shapes_by_district: dict[str, list[Any]]


def _parse_features(
    features: list[dict[str, Any]], *, state: str, layout: BoundaryLayout, source: str
) -> _ParsedBoundaries:
    errors: list[RowError] = []
    specs = state_specs(state)
    districts: dict[str, DivisionSpec] = {}
    places: dict[str, DivisionSpec] = {}
    links: list[tuple[str, str]] = []
    shapes: dict[str, list[Any]] = {}
    seen: set[str] = set()
    for index, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        precinct_code = str(props.get(layout.precinct_id) or "").strip()
        if not precinct_code:
            errors.append(RowError(index, layout.precinct_id, "missing precinct id"))
            continue
        precinct_id = ocd.precinct_ocd_id(ocd.state_ocd_id(state), precinct_code)
        if precinct_id in seen:
            errors.append(RowError(index, layout.precinct_id, f"precinct {precinct_code!r} appears twice"))
            continue
        seen.add(precinct_id)
        try:
            geometry = shape(feature.get("geometry"))
        except Exception as exc:  # shapely raises several types for malformed geometry
            errors.append(RowError(index, "geometry", f"not a valid geometry ({exc})"))
            continue
        name = str(props.get(layout.precinct_name) or precinct_code)
        parent = ocd.state_ocd_id(state)
        if layout.place_from_name and " " in name:
            town = name.rsplit(" ", 1)[0]
            parent = ocd.place_ocd_id(state, town)
            places.setdefault(
                parent, DivisionSpec(parent, DivisionKind.PLACE, town, state.upper(), ocd.state_ocd_id(state))
            )
        facts = {key: props[key] for key in layout.facts if props.get(key) is not None}
        specs_geometry = json.dumps(feature["geometry"], separators=(",", ":"))
        precinct = DivisionSpec(
            precinct_id,
            DivisionKind.PRECINCT,
            name,
            state.upper(),
            parent,
            geometry=specs_geometry,
            facts=facts,
            source=source,
        )
        specs.append(precinct)
        for prop, kind in layout.districts.items():
            number = str(props.get(prop) or "").strip()
            if not number:
                errors.append(RowError(index, prop, "missing district number"))
                continue
            spec = districts.setdefault(
                ocd.district_ocd_id(state, kind, number), district_spec(state, kind, number, source=source)
            )
            links.append((precinct_id, spec.ocd_id))
            shapes.setdefault(spec.ocd_id, []).append(geometry)
    if errors:
        raise ImportRejected(errors)
    return _ParsedBoundaries([*specs, *places.values(), *districts.values()], links, shapes)


def _store_district_outlines(parsed: _ParsedBoundaries, divisions: dict[str, Division]) -> None:
    updates = []
    for district_id, pieces in parsed.shapes_by_district.items():
        outline = unary_union([p.buffer(0) for p in pieces]).simplify(DISTRICT_SIMPLIFY_TOLERANCE)
        text = json.dumps(_rounded(mapping(outline)), separators=(",", ":"))
        district = divisions[district_id]
        if district.geometry != text:
            district.geometry = text
            updates.append(district)
    Division.objects.bulk_update(updates, ["geometry"], batch_size=200)


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, COORDINATE_DECIMALS)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value

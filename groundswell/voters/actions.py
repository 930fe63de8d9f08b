"""Every side effect of the voters app, and every audited read of voter data.

The rule (DESIGN.md): every read of voter data is audited. How each read is recorded:
- a count (the builder's live count, the API's count): VOTERS_SEARCHED with the place, the definition
  and the count. The builder asks again on every change, so a request that repeats the same user's
  previous search (same place, same definition) within SEARCH_REPEAT is not written twice: it reads
  nothing new. Every different definition is its own entry.
- a page showing voters (a list's sample): VOTERS_SEARCHED naming the list and how many were shown;
- a quick lookup by name: VOTERS_SEARCHED with the place, what was asked and how many were found;
- a voter's page: VOTER_VIEWED; an export: VOTERS_EXPORTED with the row count.
"""

from __future__ import annotations

import csv
import logging
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.core.audit import record_audit
from groundswell.core.jobs import Progress
from groundswell.core.models import AuditEntry, AuditEvent, User
from groundswell.people.exporting import neutralize
from groundswell.voterfile.importing import ColumnMapping, ImportHeld, ImportRefused, ImportResult, import_file
from groundswell.voterfile.store import WriterBusy
from groundswell.voterfile.targeting import Lookup, Universe
from groundswell.voterfile.targeting import VoterList as EngineList
from groundswell.voters import engine as voter_engine
from groundswell.voters import linking, queries
from groundswell.voters.models import (
    LAYOUT_STATES,
    ColumnMappingRecord,
    ImportStatus,
    Layout,
    LinkStatus,
    SavedUniverse,
    VoterImport,
    VoterList,
    VoterPersonLink,
)
from groundswell.voters.selectors import (
    Workspace,
    area_for,
    can_export_voters,
    people_to_match,
    voter_ids_tagged,
    workspace_of,
)

log = logging.getLogger(__name__)
SEARCH_REPEAT = timedelta(minutes=10)
SAMPLE_SIZE = 25


def _user(actor: AnyUser | None) -> User | None:
    return actor if isinstance(actor, User) else None


# ---- targeting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a builder form or API call asks for: a universe plus tag filters on linked people."""

    universe: Universe
    tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"definition": self.universe.to_dict(), "tags": list(self.tags), "exclude_tags": list(self.exclude_tags)}


def target_of(universe: SavedUniverse) -> Target:
    return Target(Universe.from_dict(universe.definition), tuple(universe.tags), tuple(universe.exclude_tags))


def build_query(workspace: Workspace, target: Target, engine: Any) -> queries.VoterQuery:
    """The engine query for a target in a place: the area cut, tags turned into linked voter ids."""
    universe = target.universe
    if target.exclude_tags:
        excluded = set(universe.exclude_voter_ids) | set(voter_ids_tagged(workspace, list(target.exclude_tags)))
        universe = Universe.from_dict({**universe.to_dict(), "exclude_voter_ids": sorted(excluded)})
    only = voter_ids_tagged(workspace, list(target.tags)) if target.tags else None
    return queries.VoterQuery(universe, area_for(workspace, engine), only)


@dataclass(frozen=True)
class CountResult:
    count: int
    by_party: list[tuple[str, int]]
    by_age: list[tuple[str, int]]


def _audit_search(actor: AnyUser, workspace: Workspace, target: Target, count: int, via: str) -> None:
    details = {"where": workspace.key, **target.as_dict(), "count": count, "via": via}
    since = timezone.now() - SEARCH_REPEAT
    last = (
        AuditEntry.objects.filter(actor=_user(actor), event_type=AuditEvent.VOTERS_SEARCHED, created_at__gte=since)
        .order_by("-created_at", "-id")
        .first()
    )
    same = ("where", "definition", "tags", "exclude_tags")
    if last is not None and all(last.details.get(k) == details[k] for k in same):
        return
    record_audit(
        AuditEvent.VOTERS_SEARCHED, actor=actor, summary=f"counted {count:,} voters in {workspace.label}",
        details=details,
    )  # fmt: skip


def do_count_voters(workspace: Workspace, target: Target, *, actor: AnyUser, via: str = "builder") -> CountResult:
    """Count the target in the place, with its breakdown by party and age; audited (see above)."""
    with voter_engine.using_engine(workspace.state) as engine:
        query = build_query(workspace, target, engine)
        result = CountResult(
            queries.count(engine, query), queries.breakdown(engine, query, "party"),
            queries.breakdown(engine, query, "age_band"),
        )  # fmt: skip
    with transaction.atomic():
        _audit_search(actor, workspace, target, result.count, via)
    return result


def do_save_universe(
    workspace: Workspace, target: Target, *, name: str, actor: AnyUser, universe: SavedUniverse | None = None
) -> SavedUniverse:
    """Save (or update) a universe: its definition is the validated Universe as a plain dict."""
    name = name.strip()
    if not name:
        raise ValueError("name: give the universe a name")
    with transaction.atomic():
        if universe is None:
            universe = SavedUniverse(state=workspace.state, chapter=workspace.chapter, owner=_user(actor))
        universe.name = name[:120]
        universe.definition = target.universe.to_dict()
        universe.tags, universe.exclude_tags = list(target.tags), list(target.exclude_tags)
        universe.save()
        record_audit(
            AuditEvent.VOTER_UNIVERSE_SAVED, actor=actor, target=universe, summary=f"saved universe {universe.name}",
            details={"where": workspace.key, **target.as_dict()},
        )  # fmt: skip
    return universe


def do_delete_universe(universe: SavedUniverse, *, actor: AnyUser) -> int:
    """Delete a saved universe; the lists frozen from it stay, each with its own copy of the definition.
    Returns how many lists were kept."""
    kept = universe.lists.count()
    with transaction.atomic():
        record_audit(
            AuditEvent.VOTER_UNIVERSE_DELETED, actor=actor, target=universe,
            summary=f"deleted universe {universe.name}",
            details={"where": workspace_of(universe, actor).key, "definition": universe.definition,
                     "tags": universe.tags, "exclude_tags": universe.exclude_tags,
                     "lists_kept": kept},
        )  # fmt: skip
        universe.delete()
    return kept


def lists_dir() -> Path:
    path = Path(settings.DATA_DIR) / "voter-lists"
    path.mkdir(parents=True, exist_ok=True)
    return path


def do_freeze_list(universe: SavedUniverse, *, name: str, actor: AnyUser) -> VoterList:
    """Snapshot who is in the universe now: the ids go to a Parquet file with the exact definition."""
    workspace, target = workspace_of(universe, actor), target_of(universe)
    label = name.strip() or f"{universe.name} — {timezone.localdate():%b %-d, %Y}"
    with voter_engine.using_engine(workspace.state) as engine:
        query = build_query(workspace, target, engine)
        frozen = queries.freeze(engine, query, label)
    path = lists_dir() / f"{uuid.uuid4().hex}.parquet"
    frozen.save(path)
    with transaction.atomic():
        voter_list = VoterList.objects.create(
            name=label[:160], state=workspace.state, chapter=workspace.chapter, universe=universe,
            definition={**frozen.definition, "tags": list(target.tags), "exclude_tags": list(target.exclude_tags)},
            frozen_at=frozen.created_at, voter_count=len(frozen.voter_ids), generation=frozen.generation or "",
            path=str(path), created_by=_user(actor),
        )  # fmt: skip
        record_audit(
            AuditEvent.VOTER_LIST_FROZEN, actor=actor, target=voter_list,
            summary=f"froze list {voter_list.name} ({voter_list.voter_count:,} voters)",
            details={"universe": universe.pk, "count": voter_list.voter_count, "definition": voter_list.definition},
        )  # fmt: skip
    return voter_list


def _list_area(voter_list: VoterList, engine: Any) -> queries.VoterArea | None:
    # The chapter's area as it is today: a list never shows a voter now outside the leader's area.
    return area_for(Workspace(voter_list.state, voter_list.chapter), engine)


def do_show_list_sample(voter_list: VoterList, *, actor: AnyUser, limit: int = SAMPLE_SIZE) -> list[dict[str, Any]]:
    ids = EngineList.load(Path(voter_list.path)).voter_ids
    with voter_engine.using_engine(voter_list.state) as engine:
        rows = queries.list_rows(engine, ids, _list_area(voter_list, engine), limit=limit)
    with transaction.atomic():
        record_audit(
            AuditEvent.VOTERS_SEARCHED, actor=actor, target=voter_list,
            summary=f"viewed {len(rows)} voters of list {voter_list.name}",
            details={"list": voter_list.pk, "shown": len(rows)},
        )  # fmt: skip
    return rows


class _Line:
    def write(self, value: str) -> str:
        return value


def do_export_list(voter_list: VoterList, *, actor: AnyUser) -> tuple[int, Iterator[str]]:
    """Audit the export (list, count) and return the CSV lines; formula-like cells are neutralized."""
    if not can_export_voters(actor):
        raise PermissionDenied("You may not export voters.")
    ids = EngineList.load(Path(voter_list.path)).voter_ids
    with voter_engine.using_engine(voter_list.state) as engine:
        rows = queries.list_rows(engine, ids, _list_area(voter_list, engine))
    with transaction.atomic():
        record_audit(
            AuditEvent.VOTERS_EXPORTED, actor=actor, target=voter_list,
            summary=f"exported {len(rows):,} voters of list {voter_list.name}",
            details={"list": voter_list.pk, "count": len(rows), "definition": voter_list.definition},
        )  # fmt: skip
    return len(rows), _csv_lines(rows)


def _cell(value: Any) -> str:
    return neutralize("" if value is None else str(value))


def _csv_lines(rows: list[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff"
    yield writer.writerow(queries.EXPORT_COLUMNS)
    for row in rows:
        yield writer.writerow([_cell(row[c]) for c in queries.EXPORT_COLUMNS])


def do_view_voter(workspace: Workspace, voter_id: str, *, actor: AnyUser) -> dict[str, Any] | None:
    """One voter inside the place (None when missing or outside it); audited when shown."""
    with voter_engine.using_engine(workspace.state) as engine:
        voter = queries.voter_detail(engine, voter_id, area_for(workspace, engine))
    if voter is not None:
        with transaction.atomic():
            record_audit(
                AuditEvent.VOTER_VIEWED, actor=actor, summary=f"viewed voter {workspace.state} {voter_id}",
                details={"where": workspace.key, "state": workspace.state, "voter_id": voter_id},
            )  # fmt: skip
    return voter


def do_lookup_voters(workspace: Workspace, who: Lookup, *, actor: AnyUser) -> tuple[list[dict[str, Any]], bool]:
    """Voters matching ``who`` inside the place, at most LOOKUP_LIMIT, and whether there were more;
    audited (see above)."""
    with voter_engine.using_engine(workspace.state) as engine:
        rows = queries.lookup(engine, who, area_for(workspace, engine), limit=queries.LOOKUP_LIMIT)
    shown, more = rows[: queries.LOOKUP_LIMIT], len(rows) > queries.LOOKUP_LIMIT
    with transaction.atomic():
        record_audit(
            AuditEvent.VOTERS_SEARCHED, actor=actor,
            summary=f"looked up {who.last_name.title() or who.voter_id} in {workspace.label}: "
            f"{len(shown)}{'+' if more else ''} found",
            details={"where": workspace.key, "lookup": who.as_dict(), "found": len(shown), "more": more,
                     "via": "lookup"},
        )  # fmt: skip
    return shown, more


# ---- importing ------------------------------------------------------------------------------


class VoterImportError(ValueError):
    """The upload cannot be imported as asked; the message says why."""


class VoterImportHeld(VoterImportError):
    """The destructive-change guard held the file: nothing was applied until someone confirms it."""


def uploads_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "voters"


def check_import_request(state: str, layout: str, mapping: dict[str, Any] | None, *, actor: AnyUser) -> str:
    scope = scope_for(actor)
    state = state.strip().upper()
    expected = LAYOUT_STATES.get(Layout(layout))
    if expected and state and state != expected:
        raise VoterImportError(f"state: a {Layout(layout).label} file is {expected}'s, not {state}'s")
    state = expected or state
    if not voter_engine.STATE_CODE.match(state):
        raise VoterImportError("state: give the two-letter state code")
    if layout == Layout.MAPPED:
        if not mapping:
            raise VoterImportError("mapping: a CSV needs a column mapping")
        try:
            ColumnMapping.from_dict({**mapping, "state": state})
        except (KeyError, TypeError, ValueError) as exc:
            raise VoterImportError(f"mapping: {exc}") from None
    if not (scope.national or state in scope.coordinator_states):
        raise PermissionDenied(f"You may not import {state}'s voters.")
    return state


def do_upload_voter_file(
    upload: UploadedFile | Path, *, state: str, layout: str, mapping: dict[str, Any] | None = None,
    max_rejected_percent: float = 1.0, actor: AnyUser,
) -> VoterImport:  # fmt: skip
    """Keep the upload under DATA_DIR/uploads/voters and queue its import as a background job."""
    from groundswell.voters.jobs import do_queue_voter_import

    state = check_import_request(state, layout, mapping, actor=actor)
    folder = uploads_dir() / uuid.uuid4().hex
    folder.mkdir(parents=True)
    name = Path(upload.name or "upload.txt").name
    target = folder / name
    if isinstance(upload, Path):
        shutil.copyfile(upload, target)
    else:
        with open(target, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    voter_import = VoterImport.objects.create(
        state=state, layout=layout, mapping={**mapping, "state": state} if mapping else None, file_name=name,
        stored_path=str(target), file_bytes=target.stat().st_size, created_by=_user(actor),
        linked={"max_rejected_percent": max_rejected_percent},
    )  # fmt: skip
    do_queue_voter_import(voter_import, actor=actor)
    return voter_import


def do_save_column_mapping(
    *, name: str, state: str, lines: str, delimiter: str = ",", date_format: str = "%Y-%m-%d", actor: AnyUser
) -> ColumnMappingRecord:
    """Save a mapping given as 'voter_field=Column name' lines; the engine's ColumnMapping checks it."""
    state = state.strip().upper()
    if not name.strip():
        raise VoterImportError("name: give the mapping a name")
    fields: dict[str, str] = {}
    for number, line in enumerate(lines.splitlines(), start=1):
        if not line.strip():
            continue
        field, sep, column = line.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise VoterImportError(f"line {number}: write voter_field=Column name, not {line.strip()!r}")
        fields[field.strip()] = column.strip()
    raw = {"fields": fields, "state": state, "delimiter": delimiter or ",", "date_format": date_format, "name": name}
    check_import_request(state, Layout.MAPPED, raw, actor=actor)
    with transaction.atomic():
        record, _ = ColumnMappingRecord.objects.update_or_create(
            state=state, name=name.strip()[:120],
            defaults={"mapping": ColumnMapping.from_dict(raw).to_dict(), "created_by": _user(actor)},
        )  # fmt: skip
        record_audit(AuditEvent.VOTER_MAPPING_SAVED, actor=actor, target=record,
                     summary=f"saved column mapping {record}", details={"mapping": record.mapping})  # fmt: skip
    return record


def do_import_voter_file_now(
    path: Path, *, state: str, layout: str, mapping: dict[str, Any] | None = None, max_rejected_percent: float = 1.0,
    confirmed: bool = False, actor: AnyUser | None, progress: Any = None,
) -> VoterImport:  # fmt: skip
    """Import a file in this process (the command line, the demo): the same record, batch and audit as a
    job, reading the file where it is instead of keeping a copy. ``confirmed`` applies a file the
    destructive-change guard would hold."""
    if actor is not None:
        state = check_import_request(state, layout, mapping, actor=actor)
    else:
        state = (LAYOUT_STATES.get(Layout(layout)) or state).upper()
    voter_import = VoterImport.objects.create(
        state=state, layout=layout, mapping={**mapping, "state": state} if mapping else None, file_name=path.name,
        stored_path=str(path.resolve()), file_bytes=path.stat().st_size, created_by=_user(actor),
        linked={"max_rejected_percent": max_rejected_percent},
        confirmed_by=_user(actor) if confirmed else None, confirmed_at=timezone.now() if confirmed else None,
    )  # fmt: skip
    return do_import_voters(voter_import, actor=actor, progress=progress)


EngineProgress = Callable[[str, int, int], None]


def engine_progress(progress: Progress | Any) -> EngineProgress:
    """The engine's progress(phase, done, total) drawn on anything with phase(name, total) and set(done):
    a job's Progress, or the command line's bar."""
    current = {"phase": ""}

    def report(phase: str, done: int, total: int) -> None:
        if phase != current["phase"]:
            current["phase"] = phase
            progress.phase(phase, total or None)
        progress.set(done)

    return report


def _mirror(voter_import: VoterImport, result: ImportResult) -> None:
    voter_import.batch_id, voter_import.generation = result.batch_id, result.generation or None
    voter_import.source_name, voter_import.checksum, voter_import.encoding = (
        result.file_name,
        result.checksum,
        result.encoding,
    )
    for name in ("rows_read", "inserted", "updated", "removed", "unchanged", "rejected"):
        setattr(voter_import, name, getattr(result, name))
    voter_import.rejects = [
        {"line": r.line, "column": r.column or "", "reason": r.reason, "raw": (r.raw or "")[:300]}
        for r in result.rejects
    ]


def guard_share(voter_import: VoterImport) -> float | None:
    """The destructive-change guard's share for this import (None once someone confirmed it)."""
    if voter_import.confirmed_at is not None:
        return None
    history = voter_import.layout == Layout.NCVHIS
    percent = settings.HISTORY_IMPORT_GUARD_PERCENT if history else settings.VOTER_IMPORT_GUARD_PERCENT
    return float(percent) / 100


def _run_engine_import(voter_import: VoterImport, progress: Any) -> ImportResult:
    """The engine's import of the stored file; every way it can fail leaves the import finished (refused,
    held or failed, with a message for a person) and raises VoterImportError."""
    mapping = ColumnMapping.from_dict(voter_import.mapping) if voter_import.mapping else None
    share = float(voter_import.linked.get("max_rejected_percent", 1.0)) / 100
    try:
        return import_file(
            voter_engine.store_for(voter_import.state), voter_import.stored_path, voter_import.layout,  # type: ignore[arg-type]  # Layout values are the engine's FileKind names
            mapping=mapping, max_rejected_share=share, max_change_share=guard_share(voter_import),
            progress=engine_progress(progress) if progress else None,
        )  # fmt: skip
    except ImportRefused as refused:
        _mirror(voter_import, refused.result)
        _finish(voter_import, ImportStatus.REFUSED, str(refused))
        raise VoterImportError(str(refused)) from refused
    except ImportHeld as held:
        _mirror(voter_import, held.result)
        _finish(voter_import, ImportStatus.HELD, str(held))
        raise VoterImportHeld(str(held)) from held
    except (FileNotFoundError, ValueError) as exc:
        _finish(voter_import, ImportStatus.FAILED, str(exc))
        raise VoterImportError(str(exc)) from exc
    except WriterBusy as exc:
        message = (
            f"Another import of {voter_import.state}'s voters was running; nothing was imported. "
            "Import the file again when it has finished."
        )
        _finish(voter_import, ImportStatus.FAILED, message)
        raise VoterImportError(message) from exc
    except Exception as exc:  # never a job left "Importing" nor a traceback on a page: the log has it
        log.exception("voter import %s failed", voter_import.pk)
        message = (
            f"The import of {voter_import.file_name} stopped on an unexpected error (logged for the "
            "administrators); nothing was imported."
        )
        _finish(voter_import, ImportStatus.FAILED, message)
        raise VoterImportError(message) from exc


def do_import_voters(voter_import: VoterImport, *, actor: AnyUser | None, progress: Any = None) -> VoterImport:
    """Run the engine's import of the stored file (all or nothing), mirror its batch, then match people."""
    VoterImport.objects.filter(pk=voter_import.pk).update(status=ImportStatus.RUNNING)
    result = _run_engine_import(voter_import, progress)
    _mirror(voter_import, result)
    confirmed = voter_import.confirmed_at is not None
    with transaction.atomic():
        _finish(voter_import, ImportStatus.IMPORTED, "")
        record_audit(
            AuditEvent.VOTERS_IMPORTED, actor=actor, target=voter_import,
            summary=f"imported {voter_import.file_name} into {voter_import.state}: {result.inserted:,} new, "
            f"{result.updated:,} updated, {result.removed:,} removed, {result.rejected:,} rejected"
            + (" (confirmed past the destructive-change guard)" if confirmed else ""),
            details={"batch": result.batch_id, "checksum": result.checksum, "rows": result.rows_read,
                     "rejected": result.rejected, "removed": result.removed, "confirmed": confirmed},
        )  # fmt: skip
    if progress is not None:
        progress.phase("matching people", None)
    linked = do_link_voters(voter_import.state, actor=actor)
    VoterImport.objects.filter(pk=voter_import.pk).update(linked={**voter_import.linked, **linked})
    voter_import.refresh_from_db()
    return voter_import


def _finish(voter_import: VoterImport, status: str, error: str) -> None:
    voter_import.status, voter_import.error, voter_import.finished_at = status, error, timezone.now()
    voter_import.save()


def do_confirm_voter_import(voter_import: VoterImport, *, actor: AnyUser) -> VoterImport:
    """Apply a file the destructive-change guard held: queue its import again, past the guard; audited."""
    from groundswell.voters.jobs import do_queue_voter_import

    if voter_import.status != ImportStatus.HELD:
        raise VoterImportError("Only an import waiting for confirmation can be confirmed.")
    check_import_request(voter_import.state, voter_import.layout, voter_import.mapping, actor=actor)
    if not Path(voter_import.stored_path).is_file():
        raise VoterImportError(f"{voter_import.file_name} is no longer stored; upload it again.")
    with transaction.atomic():
        held_for = voter_import.error
        voter_import.confirmed_by, voter_import.confirmed_at = _user(actor), timezone.now()
        voter_import.status, voter_import.error, voter_import.finished_at = ImportStatus.QUEUED, "", None
        voter_import.save()
        record_audit(
            AuditEvent.VOTERS_IMPORTED, actor=actor, target=voter_import,
            summary=f"confirmed the held import of {voter_import.file_name} into {voter_import.state}",
            details={"confirmed": True, "held_for": held_for, "would_remove": voter_import.removed,
                     "would_change": voter_import.updated},
        )  # fmt: skip
    do_queue_voter_import(voter_import, actor=actor)
    return voter_import


# ---- linking voters to people -------------------------------------------------------------------


def do_link_voters(state: str, *, actor: AnyUser | None) -> dict[str, int]:
    """Match the state's people to its voters: link sure pairs, queue the uncertain, keep decisions."""
    people = [
        linking.PersonRow(p.pk, p.first_name, p.last_name, p.address_line1, p.zip_code, p.birth_year)
        for p in people_to_match(state).only("first_name", "last_name", "address_line1", "zip_code", "birth_year")
    ]
    if not people:
        return {"auto": 0, "review": 0}
    with voter_engine.using_engine(state) as engine:
        proposals = linking.propose(engine, people)
    best: dict[int, list[linking.Proposal]] = {}
    for proposal in proposals:
        best.setdefault(proposal.person_id, []).append(proposal)
    existing = {(k.voter_id, k.person_id): k for k in VoterPersonLink.objects.filter(state=state)}
    counts = {"auto": 0, "review": 0}
    with transaction.atomic():
        for person_id, found in best.items():
            top = found[0]
            clear = len(found) == 1 or found[1].score < top.score  # two equally good voters: a person decides
            for proposal in found:
                auto = proposal is top and clear and proposal.score >= linking.AUTO_LINK
                status = LinkStatus.AUTO if auto else LinkStatus.REVIEW
                link = existing.get((proposal.voter_id, person_id))
                if link is not None and link.status in (LinkStatus.CONFIRMED, LinkStatus.REJECTED):
                    continue  # a person decided this pair: never overrule them
                VoterPersonLink.objects.update_or_create(
                    state=state, voter_id=proposal.voter_id, person_id=person_id,
                    defaults={"confidence": proposal.score, "status": status, "reasons": list(proposal.reasons),
                              "voter_summary": proposal.voter},
                )  # fmt: skip
                counts["auto" if auto else "review"] += 1
        record_audit(
            AuditEvent.VOTERS_LINKED, actor=actor, summary=f"matched {state} voters to people: "
            f"{counts['auto']} linked, {counts['review']} to review", details={"state": state, **counts},
        )  # fmt: skip
    return counts


def do_review_link(link: VoterPersonLink, *, confirm: bool, actor: AnyUser) -> VoterPersonLink:
    with transaction.atomic():
        link.status = LinkStatus.CONFIRMED if confirm else LinkStatus.REJECTED
        link.reviewed_by, link.reviewed_at = _user(actor), timezone.now()
        link.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        record_audit(
            AuditEvent.VOTER_LINK_REVIEWED, actor=actor, target=link,
            summary=f"{'confirmed' if confirm else 'rejected'} {link.person} as voter {link.state} {link.voter_id}",
            details={"person": link.person_id, "voter_id": link.voter_id, "confidence": link.confidence},
        )  # fmt: skip
    return link

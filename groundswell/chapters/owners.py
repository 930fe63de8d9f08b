"""The owners facts about people belong to, found or made on first use.

Every chapter has one (made with the chapter), every state one, and national one. Lookups go
through get_or_create rather than a cache: rows made by a migration do not survive a test's flush,
and one indexed query per write is cheap.
"""

from __future__ import annotations

from groundswell.chapters.models import Chapter, Owner, OwnerKind


def national_owner() -> Owner:
    owner, _ = Owner.objects.get_or_create(kind=OwnerKind.NATIONAL, defaults={"state": ""})
    return owner


def state_owner(state: str) -> Owner:
    owner, _ = Owner.objects.get_or_create(kind=OwnerKind.STATE, state=state.upper())
    return owner


def chapter_owner(chapter: Chapter) -> Owner:
    """The chapter's owner, made with its state's (which a coordinator of the state reads through)."""
    owner, created = Owner.objects.select_related("chapter").get_or_create(
        chapter=chapter, defaults={"kind": OwnerKind.CHAPTER, "state": chapter.state}
    )
    if created and chapter.state:
        state_owner(chapter.state)
    return owner


def viewing_owners(owner: Owner) -> list[Owner]:
    """The owners whose view of a person a fact of ``owner`` reaches: itself and, for a chapter in a
    state, the state's. National's view is the person record itself."""
    if owner.kind == OwnerKind.NATIONAL:
        return []
    if owner.kind == OwnerKind.CHAPTER and owner.state:
        return [owner, state_owner(owner.state)]
    return [owner]

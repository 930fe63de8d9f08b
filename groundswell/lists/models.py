"""Saved lists of people (OSDI's lists and their items): a chapter's, a state's or national's own list,
made by hand, of people its owner knows.

A list belongs to an owner (chapters.Owner) like every fact about a person, and is seen by the scopes that
read that owner: a chapter's list by its leaders, its state's coordinators and national staff, never by
another chapter. An item — this person is on this list — is a fact of the list's owner, and is shown to a
caller only when the caller can see the person (lists/selectors.py).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from groundswell.chapters.models import Owner
from groundswell.people.models import Fact, Person


def new_list_uid() -> str:
    """Random, like a person's: an id that counts up would tell one chapter how many lists others made."""
    return secrets.token_hex(8)


class PeopleList(models.Model):
    """A named list of people, kept by hand (OSDI: a list is static, and a person is on it at most once)."""

    uid = models.CharField(max_length=16, unique=True, default=new_list_uid, editable=False)
    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("created_at", "id")
        indexes = (models.Index(fields=("owner", "created_at"), name="people_list_by_owner"),)

    def __str__(self) -> str:
        return self.name


class ListItem(Fact):
    """One person on one list: a fact of the list's owner (``owner`` is always the list's), with who
    added them, how and when (``recorded_by``, ``via``, ``recorded_at``)."""

    uid = models.CharField(max_length=16, unique=True, default=new_list_uid, editable=False)
    people_list = models.ForeignKey(PeopleList, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ("recorded_at", "id")
        constraints = (models.UniqueConstraint(fields=("people_list", "person"), name="person_once_per_list"),)
        indexes = (models.Index(fields=("people_list", "recorded_at", "id"), name="list_item_in_order"),)

    def __str__(self) -> str:
        return f"{self.person_id} on {self.people_list_id}"

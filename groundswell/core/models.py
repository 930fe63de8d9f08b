"""Users, the audit log and the background job queue: what every other app stands on."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models

from groundswell.core import workers


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who signs in. Signs in with an email address; roles live in RoleGrant."""

    username = None  # type: ignore[assignment]  # email is the login, AbstractUser's username is dropped
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]  # manager without username

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class AuditEvent(models.IntegerChoices):
    """Every audited event type. Each app owns a range of a hundred codes."""

    # core 100-199
    USER_CREATED = 100, "user created"
    USER_UPDATED = 101, "user updated"
    PASSWORD_RESET_REQUESTED = 102, "password reset requested"
    USER_INVITED = 103, "user invited to set a password"
    PASSWORD_CHANGED = 104, "password changed"
    JOB_QUEUED = 110, "job queued"
    JOB_CANCELLED = 111, "job cancelled"
    API_TOKEN_CREATED = 120, "API token created"
    API_TOKEN_REVOKED = 121, "API token revoked"
    API_PEOPLE_READ = 122, "people read through the API"
    # chapters 200-299
    CHAPTER_CREATED = 200, "chapter created"
    CHAPTER_UPDATED = 201, "chapter updated"
    CHAPTER_DELETED = 202, "chapter deleted"
    ROLE_GRANTED = 210, "role granted"
    ROLE_REVOKED = 211, "role revoked"
    # people 300-399
    PERSON_CREATED = 300, "person created"
    PERSON_UPDATED = 301, "person updated"
    PERSON_DELETED = 302, "person deleted"
    PERSONS_MERGED = 303, "people merged"
    PEOPLE_EXPORTED = 304, "people exported"
    PEOPLE_IMPORTED = 305, "people imported"
    PERSON_SIGNED_UP = 306, "person signed up"
    PERSON_VIEWED = 307, "person viewed"
    PEOPLE_LISTED = 308, "people listed"
    PERSON_DETAILS_ACCEPTED = 309, "details accepted as national's"
    MEMBERSHIP_CREATED = 310, "membership created"
    MEMBERSHIP_UPDATED = 311, "membership updated"
    CONSENT_CHANGED = 320, "consent changed"
    PERSON_DETAILS_CONFIRMED = 321, "details confirmed by the person"
    TAG_ADDED = 330, "tag added"
    TAG_REMOVED = 331, "tag removed"
    DUPLICATE_DISMISSED = 340, "duplicate pair dismissed"
    DUPLICATES_REFRESHED = 341, "duplicate proposals refreshed"
    PERSONS_UNMERGED = 342, "merge undone"
    # voters 400-499
    VOTERS_SEARCHED = 400, "voters searched"
    VOTERS_EXPORTED = 401, "voters exported"
    VOTER_VIEWED = 402, "voter viewed"
    VOTERS_IMPORTED = 403, "voters imported"
    VOTER_UNIVERSE_SAVED = 404, "voter universe saved"
    VOTER_LIST_FROZEN = 405, "voter list frozen"
    VOTER_LINK_REVIEWED = 406, "voter match reviewed"
    VOTERS_LINKED = 407, "voters matched to people"
    VOTER_MAPPING_SAVED = 408, "voter file column mapping saved"
    VOTER_UNIVERSE_DELETED = 409, "voter universe deleted"
    # recruitment 500-599
    RECRUIT_CREATED = 500, "recruit created"
    RECRUIT_UPDATED = 501, "recruit updated"
    RECRUIT_STAGE_CHANGED = 502, "recruit moved to a new stage"
    RUN_FORM_SUBMITTED = 503, "“I want to run” form sent"
    RECRUIT_RESULTS_SYNCED = 504, "recruits' results recorded"
    TRAINING_CREATED = 510, "training created"
    TRAINING_ATTENDANCE_RECORDED = 511, "training attendance recorded"
    # endorsements 600-699
    PLATFORM_ISSUE_SAVED = 600, "platform issue saved"
    QUESTIONNAIRE_SAVED = 601, "questionnaire saved"
    NOMINATION_CREATED = 610, "candidacy nominated"
    QUESTIONNAIRE_LINK_SENT = 611, "questionnaire link sent"
    QUESTIONNAIRE_ANSWERED = 612, "questionnaire answered"
    VOTE_OPENED = 620, "chapter vote opened"
    BALLOT_CAST = 621, "ballot cast"
    MEMBER_RECUSED = 622, "member recused"
    VOTE_CLOSED = 623, "chapter vote closed"
    BALLOT_LINK_REISSUED = 624, "ballot link reissued"
    STATE_REVIEWED = 630, "state review recorded"
    ENDORSEMENT_DECIDED = 640, "national endorsement decision"
    ENDORSEMENT_WITHDRAWN = 641, "endorsement withdrawn"
    PLEDGE_RECORDED = 650, "pledge recorded"
    COMMITMENT_RECORDED = 651, "issue commitment recorded"
    ENDORSEMENTS_IMPORTED = 660, "historical endorsements imported"
    ENDORSEMENTS_IMPORT_UNDONE = 661, "historical endorsements import undone"
    # reorganization drives 700-799
    DRIVE_CREATED = 700, "reorganization drive created"
    DRIVE_DATE_ADDED = 701, "reorganization date added"
    REORG_RULE_SAVED = 710, "reorganization rule saved"
    DRIVE_OFFICES_ADDED = 711, "reorganization offices added"
    # field 800-899
    FIELD_CAMPAIGN_SAVED = 800, "field campaign saved"
    FIELD_SCRIPT_SAVED = 801, "field script saved"
    FIELD_TURFS_CUT = 810, "turfs cut from a voter list"
    FIELD_CALL_LIST_MADE = 811, "call list made"
    FIELD_CONTROL_GROUP_HELD_OUT = 812, "control group held out of a voter list"
    FIELD_ASSIGNED = 820, "turf or call list assigned"
    FIELD_ASSIGNMENT_REVOKED = 821, "assignment revoked"
    FIELD_TURF_OPENED = 830, "turf's voters read"
    FIELD_WALK_SHEET_PRINTED = 831, "walk sheet printed"
    FIELD_CALL_LIST_OPENED = 832, "call list's people read"
    FIELD_CONTACTS_RECORDED = 840, "contacts recorded"
    # turnout 900-999
    BALLOTS_IMPORTED = 900, "ballot returns imported"
    CHASE_LIST_EXPORTED = 901, "chase list exported"
    CHASE_LIST_READ = 902, "chase list read"
    LIFT_REPORT_READ = 910, "turnout lift report read"
    FIELD_HOURS_RECORDED = 911, "volunteer hours or program cost recorded"
    # power map (geo, elections, powermap) 1300-1399
    BOUNDARIES_IMPORTED = 1300, "boundaries imported"
    LEGISLATORS_IMPORTED = 1301, "legislators imported"
    RESULTS_IMPORTED = 1302, "election results imported"
    LEAN_COMPUTED = 1310, "district leans computed"
    REDISTRICTING_AUTHORITY_SAVED = 1311, "redistricting authority saved"
    TARGETS_EXPORTED = 1320, "power map targets exported"
    # webhooks 1800-1899
    WEBHOOK_CREATED = 1800, "webhook subscription created"
    WEBHOOK_DELETED = 1801, "webhook subscription deleted"
    WEBHOOK_PAUSED = 1802, "webhook subscription paused"
    WEBHOOK_RESUMED = 1803, "webhook subscription resumed"
    WEBHOOK_DELIVERY_REPLAYED = 1810, "webhook delivery replayed"
    WEBHOOK_PEOPLE_SENT = 1811, "people sent to a webhook"
    # saved lists of people (lists) 1400-1499
    PEOPLE_LIST_CREATED = 1400, "list of people created"
    PEOPLE_LIST_UPDATED = 1401, "list of people renamed or described"
    PEOPLE_LIST_DELETED = 1402, "list of people deleted"
    PEOPLE_LIST_PERSON_ADDED = 1410, "person added to a list"
    PEOPLE_LIST_PERSON_REMOVED = 1411, "person removed from a list"


class AuditEntry(models.Model):
    """Who did what to which record, and when. Written by actions, read by national staff."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # No choices= here: apps add event types to AuditEvent without a migration of this table.
    event_type = models.PositiveSmallIntegerField(db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("target_type", "target_id"), name="audit_target"),)
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.event_label}: {self.summary}"

    @property
    def event_label(self) -> str:
        try:
            return str(AuditEvent(self.event_type).label)
        except ValueError:
            return f"event {self.event_type}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Job(models.Model):
    """One unit of long work (an import, a list build, a send) run by the worker."""

    kind = models.CharField(max_length=64)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    phase = models.CharField(max_length=64, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The worker holding the job while it runs (core.workers.worker_id): its lease says whether it lives.
    worker = models.CharField(max_length=128, blank=True)
    # What the job does, once: a second job with the same key is never made (two clicks on Import queue
    # one import). Empty for jobs that may run any number of times.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("status", "created_at"), name="job_queue"),)

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Job:
        """A running job read from the database carries the progress its worker last reported (see
        ``write_live_progress``): the database's figures can lag behind the work by a whole transaction."""
        job = super().from_db(db, field_names, values)
        if job.__dict__.get("status") == JobStatus.RUNNING and job.pk is not None:
            job.read_live_progress()
        return job

    def live_progress_path(self) -> Path:
        return Path(settings.DATA_DIR) / "jobs" / f"{self.pk}.progress.json"

    def write_live_progress(self) -> None:
        """Where the worker's progress shows while its job holds a transaction open: a handler applies its
        changes in one transaction, inside which its writes to the job row are seen by nobody else until
        the end. A small file beside the data, replaced whole at each report, is seen by the web server at
        once (a server on another machine sees the database's figures, as before)."""
        path = self.live_progress_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        live = {"job": self._identity(), "phase": self.phase, "done": self.done, "total": self.total}
        temporary.write_text(json.dumps(live))
        os.replace(temporary, path)

    def read_live_progress(self) -> None:
        try:
            live = json.loads(self.live_progress_path().read_text())
        except (OSError, ValueError):
            return  # none reported yet, or the job just ended
        if live.get("job") == self._identity():  # never another job's that had the same id
            self.phase, self.done, self.total = live["phase"], live["done"], live["total"]

    def _identity(self) -> str:
        return f"{self.pk}@{self.created_at.isoformat() if self.created_at else ''}"

    def forget_live_progress(self) -> None:
        self.live_progress_path().unlink(missing_ok=True)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}

    @property
    def waiting_for_worker(self) -> str:
        """Why the job is not moving, for its page: "none" (queued, and no worker is running), "stopped"
        (the worker running it has stopped; it will be run again) or "" (it is moving, or has ended)."""
        if self.status == JobStatus.QUEUED:
            return "" if workers.live_workers() else "none"
        if self.status == JobStatus.RUNNING and self.worker and not workers.worker_is_alive(self.worker):
            return "stopped"
        return ""

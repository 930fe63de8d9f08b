"""Field work: campaigns and scripts, turfs and call lists cut from frozen voter lists, who is assigned
to what and until when, every contact attempt, and the control group held out of a list.

Voter-file ids (``voter_id``) are text, as the engine keeps them; a voter's state comes from the list.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from groundswell.chapters.models import Chapter
from groundswell.field import walk
from groundswell.people.models import Person


class Method(models.TextChoices):
    DOOR = "door", "Door"
    PHONE = "phone", "Phone"
    TEXT = "text", "Text"


class Result(models.TextChoices):
    """What came of one attempt. Only CONTACTED carries answers to the script."""

    CONTACTED = "contacted", "Talked to them"
    NOT_HOME = "not_home", "Not home"
    REFUSED = "refused", "Refused"
    MOVED = "moved", "Moved"
    DECEASED = "deceased", "Deceased"
    WRONG_ADDRESS = "wrong_address", "Wrong address"
    INACCESSIBLE = "inaccessible", "Inaccessible"
    WRONG_NUMBER = "wrong_number", "Wrong number"


# The canned results a new campaign offers (wrong number is for phone banks, so it is opt-in).
DEFAULT_RESULTS = (
    Result.NOT_HOME, Result.REFUSED, Result.MOVED, Result.DECEASED, Result.WRONG_ADDRESS, Result.INACCESSIBLE,
)  # fmt: skip


class QuestionKind(models.TextChoices):
    SUPPORT = "support", "Support, 1 (strong us) to 5 (strong them)"
    ISSUE = "issue", "Issue question (choices)"
    PLEDGE = "pledge", "Pledge to vote (yes/no)"
    VOLUNTEER = "volunteer", "Volunteer ask (yes/no/maybe)"


class Campaign(models.Model):
    """A field program of one chapter (or national/state staff): its results, scripts, turfs, lists."""

    name = models.CharField(max_length=160)
    chapter = models.ForeignKey(
        Chapter, null=True, blank=True, on_delete=models.CASCADE, related_name="field_campaigns"
    )
    state = models.CharField(max_length=2, db_index=True)
    # The canned results canvassers may pick (Result values); CONTACTED is always offered.
    results = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("field:campaign", args=[self.pk])

    @property
    def result_labels(self) -> list[str]:
        return [str(Result(r).label) for r in self.results if r in Result.values]


class Script(models.Model):
    """What a canvasser says and asks. ``questions`` is a list of
    {"key": "support", "kind": QuestionKind, "label": "...", "choices": [...]} (choices for issue questions)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="scripts")
    name = models.CharField(max_length=160)
    intro = models.TextField(blank=True, help_text="What to say at the door or on the phone")
    questions = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("campaign", "name", "id")

    def __str__(self) -> str:
        return self.name


class ControlGroup(models.Model):
    """A random share of a frozen list held out: never cut into turf, never called, for measuring lift.

    Drawn once per list, reproducibly: the seed, the share and every held-out id are kept."""

    voter_list = models.OneToOneField("voters.VoterList", on_delete=models.CASCADE, related_name="control_group")
    share = models.FloatField(help_text="The share asked for, 0 < share < 1")
    seed = models.BigIntegerField()
    held_out = models.PositiveIntegerField(help_text="How many voters were held out")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Control group of {self.voter_list_id} ({self.held_out})"


class ControlVoter(models.Model):
    control_group = models.ForeignKey(ControlGroup, on_delete=models.CASCADE, related_name="voters")
    voter_id = models.CharField(max_length=32)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("control_group", "voter_id"), name="control_voter_unique"),)

    def __str__(self) -> str:
        return self.voter_id


class Turf(models.Model):
    """A piece of a frozen list, within one precinct, in walk order.

    ``doors`` is the walk list as cut (voter-file data frozen with the list): a list of
    {"key", "street", "side", "house_number", "address", "units": [{"apartment", "voters":
    [{"id", "name", "age", "party"}]}]}; ``voter_ids`` the same voters, flat, for checking submissions."""

    voter_list = models.ForeignKey("voters.VoterList", on_delete=models.CASCADE, related_name="turfs")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="turfs")
    name = models.CharField(max_length=160)
    precinct = models.CharField(max_length=64)
    number = models.PositiveIntegerField(help_text="Position among the turfs cut from the list")
    door_count = models.PositiveIntegerField()
    voter_count = models.PositiveIntegerField()
    doors = models.JSONField(default=list)
    voter_ids = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("campaign", "number", "id")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("field:turf", args=[self.pk])


class TurfCut(models.Model):
    """One cutting of a frozen list into a campaign's turfs: the size asked for, and the voters it left off.

    ``left_off`` counts, by reason (``walk.unwalkable_reason``), the voters of the list on no turf because
    nobody can knock at their door: an address withheld by the state, none on file, a post office box;
    ``left_off_ids`` are those voters, in walk order, for a call list of them (none kept by a cut made before
    they were)."""

    voter_list = models.ForeignKey("voters.VoterList", on_delete=models.CASCADE, related_name="turf_cuts")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="turf_cuts")
    target = models.PositiveIntegerField()
    unit = models.CharField(max_length=8)
    left_off = models.JSONField(default=dict)
    left_off_ids = models.JSONField(default=list)
    left_off_with_phone = models.PositiveIntegerField(
        null=True,
        help_text="Of the voters left off, how many could be called when the list was cut (unknown "
        "for a cut made before it was counted)",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("voter_list", "campaign"), name="turf_cut_once"),)
        ordering = ("campaign", "created_at", "id")

    def __str__(self) -> str:
        return f"{self.voter_list} cut for {self.campaign}"

    @property
    def left_off_text(self) -> str:
        return walk.left_off_text(self.left_off, self.left_off_with_phone)


class CallListKind(models.TextChoices):
    VOTERS = "voters", "Voters from a list"
    MEMBERS = "members", "Members of the chapter"


class CallList(models.Model):
    """Whom to phone or text, frozen when made: people with a phone who have not opted out.

    ``entries``: [{"key", "voter_id" | "person_id", "name", "phone"}] in calling order."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="call_lists")
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=8, choices=CallListKind.choices)
    method = models.CharField(max_length=8, choices=Method.choices, default=Method.PHONE)
    voter_list = models.ForeignKey(
        "voters.VoterList", null=True, blank=True, on_delete=models.CASCADE, related_name="call_lists"
    )
    entries = models.JSONField(default=list)
    entry_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("field:call-list", args=[self.pk])


class Assignment(models.Model):
    """A turf or a call list given to a volunteer until ``expires_at`` (or until revoked)."""

    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="field_assignments")
    turf = models.ForeignKey(Turf, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments")
    call_list = models.ForeignKey(CallList, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=Q(turf__isnull=False, call_list__isnull=True) | Q(turf__isnull=True, call_list__isnull=False),
                name="assignment_turf_xor_call_list",
            ),
        )
        indexes = (models.Index(fields=("volunteer", "expires_at"), name="assignment_volunteer_live"),)

    def __str__(self) -> str:
        return f"{self.turf or self.call_list} -> {self.volunteer_id}"


class Contact(models.Model):
    """One attempt to reach someone: who, by whom, when, how, what came of it and what they said.

    ``client_uuid`` is made on the phone, so a retried submission never makes a second row.
    ``received_at`` (the server's clock) orders contacts; ``client_recorded_at`` is the phone's clock,
    kept for the record and never used for ordering."""

    client_uuid = models.UUIDField(unique=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="contacts")
    script = models.ForeignKey(Script, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    voter_list = models.ForeignKey(
        "voters.VoterList", null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    state = models.CharField(max_length=2, blank=True, help_text="The voter file's state (voter_id is per state)")
    voter_id = models.CharField(max_length=32, blank=True, db_index=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="field_contacts")
    turf = models.ForeignKey(Turf, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    call_list = models.ForeignKey(CallList, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    canvasser = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    method = models.CharField(max_length=8, choices=Method.choices)
    result = models.CharField(max_length=16, choices=Result.choices)
    answers = models.JSONField(default=dict, blank=True)
    do_not_contact = models.BooleanField(default=False, help_text="They asked never to be contacted again")
    client_recorded_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ("received_at", "id")
        indexes = (
            models.Index(fields=("campaign", "received_at"), name="contact_campaign_received"),
            models.Index(fields=("turf", "received_at"), name="contact_turf_received"),
        )
        constraints = (
            models.CheckConstraint(
                condition=~Q(voter_id="") | Q(person__isnull=False), name="contact_names_voter_or_person"
            ),
        )

    def __str__(self) -> str:
        return f"{self.voter_id or self.person_id} {self.result} at {self.received_at:%Y-%m-%d %H:%M}"


class DoNotContact(models.Model):
    """Someone who asked not to be contacted: never put on a call list or texted again."""

    state = models.CharField(max_length=2, blank=True)
    voter_id = models.CharField(max_length=32, blank=True, db_index=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # Whose the request is (the campaign's chapter or state): a person's binds the owners it reaches.
    owner = models.ForeignKey("chapters.Owner", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(max_length=20, blank=True, db_index=True, help_text="E.164")
    reason = models.CharField(max_length=200, blank=True)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-recorded_at", "-id")
        verbose_name_plural = "do-not-contact entries"

    def __str__(self) -> str:
        return self.voter_id or self.phone or str(self.person_id)

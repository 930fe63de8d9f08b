"""The platform, questionnaires, and the road from a chapter's nomination to a public endorsement."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from groundswell.chapters.models import Chapter
from groundswell.elections.models import Candidacy
from groundswell.people.models import Person

NATIONAL_ENDORSER = "Groundswell"


class PlatformIssue(models.Model):
    """A plank of the national platform (Medicare for All, a $15 minimum wage ...), edited by national staff."""

    title = models.CharField(max_length=120, unique=True)
    summary = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the platform page")
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("position", "title")

    def __str__(self) -> str:
        return self.title


class QuestionnaireTemplate(models.Model):
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-active", "title")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("endorsements:questionnaire", args=[self.pk])


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", "Yes or no, with an optional comment"
    TEXT = "text", "Written answer"


class Question(models.Model):
    template = models.ForeignKey(QuestionnaireTemplate, on_delete=models.CASCADE, related_name="questions")
    issue = models.ForeignKey(PlatformIssue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    prompt = models.TextField()
    kind = models.CharField(max_length=8, choices=QuestionKind.choices, default=QuestionKind.YES_NO)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.prompt[:80]


class NominationStatus(models.TextChoices):
    AWAITING_ANSWERS = "awaiting_answers", "Waiting for the candidate's answers"
    READY_FOR_VOTE = "ready_for_vote", "Answers in; ready for the chapter vote"
    VOTING = "voting", "Chapter vote open"
    NOT_SUPPORTED = "not_supported", "Chapter vote did not pass"
    STATE_REVIEW = "state_review", "Waiting for state review"
    NATIONAL_REVIEW = "national_review", "Waiting for the national decision"
    ENDORSED = "endorsed", "Endorsed"
    DECLINED = "declined", "Not endorsed"
    WITHDRAWN = "withdrawn", "Endorsement withdrawn"


class Nomination(models.Model):
    """A chapter puts a candidacy forward for endorsement. A race that spans several chapters' areas
    has partner chapters, whose members vote with the nominating chapter's in one joint vote."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.PROTECT, related_name="nominations")
    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, related_name="nominations")
    partner_chapters = models.ManyToManyField(Chapter, blank=True, related_name="joint_nominations")
    candidate = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    candidate_email = models.EmailField(help_text="Where the private questionnaire link is sent")
    template = models.ForeignKey(QuestionnaireTemplate, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=NominationStatus.choices, default=NominationStatus.AWAITING_ANSWERS
    )
    reason = models.TextField(blank=True, help_text="Why the chapter nominates them")
    decision_reasons = models.TextField(blank=True)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    nominated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-nominated_at",)
        constraints = (models.UniqueConstraint(fields=("candidacy", "chapter"), name="nomination_unique"),)

    def __str__(self) -> str:
        return f"{self.candidacy.name} by {self.chapter}"

    def get_absolute_url(self) -> str:
        return reverse("endorsements:nomination", args=[self.pk])


class QuestionnaireResponse(models.Model):
    """The candidate's answers, reached through a private link: only the token's hash is stored, so
    nobody reading the database (or a leader) can answer in the candidate's name."""

    nomination = models.OneToOneField(Nomination, on_delete=models.CASCADE, related_name="response")
    token_hash = models.CharField(max_length=64, unique=True)
    link_sent_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"answers for {self.nomination}"


class Answer(models.Model):
    response = models.ForeignKey(QuestionnaireResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    agrees = models.BooleanField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ("question__position", "question_id")
        constraints = (models.UniqueConstraint(fields=("response", "question"), name="answer_unique"),)

    def __str__(self) -> str:
        return f"{self.question}: {self.agrees}"


class VoteOutcome(models.TextChoices):
    PASSED = "passed", "Passed"
    NO_QUORUM = "no_quorum", "Failed: no quorum"
    BELOW_THRESHOLD = "below_threshold", "Failed: below the threshold"


class ChapterVote(models.Model):
    """The members' vote on a nomination (joint when the nomination has partner chapters).

    Eligible voters are the active members of the chapters at the moment the vote opens, each
    counted once even if they belong to two of them. Members need no login: each gets a personal,
    single-use ballot link by email, so one vote per member is the ballot row, not an account.
    Quorum: ballots returned (yes, no or abstain) out of the eligible members not recused.
    Threshold: yes votes out of yes plus no votes. The tally is written only when the vote closes."""

    nomination = models.OneToOneField(Nomination, on_delete=models.CASCADE, related_name="vote")
    quorum_percent = models.PositiveSmallIntegerField(default=25)
    threshold_percent = models.PositiveSmallIntegerField(default=60)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    eligible = models.PositiveIntegerField(default=0)
    # Written at close only; until then nobody, leaders included, can read a tally.
    yes = models.PositiveIntegerField(null=True, blank=True)
    no = models.PositiveIntegerField(null=True, blank=True)
    abstain = models.PositiveIntegerField(null=True, blank=True)
    recused = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=VoteOutcome.choices, blank=True)

    class Meta:
        constraints = (
            models.CheckConstraint(condition=Q(quorum_percent__lte=100), name="vote_quorum_percent"),
            models.CheckConstraint(
                condition=Q(threshold_percent__gte=1, threshold_percent__lte=100), name="vote_threshold_percent"
            ),
        )

    def __str__(self) -> str:
        return f"vote on {self.nomination}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class BallotChoice(models.TextChoices):
    YES = "yes", "Yes, endorse"
    NO = "no", "No"
    ABSTAIN = "abstain", "Abstain"


class Ballot(models.Model):
    """One eligible member's ballot: cast once, or recused for a conflict of interest."""

    vote = models.ForeignKey(ChapterVote, on_delete=models.CASCADE, related_name="ballots")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(blank=True, help_text="Where the ballot link was sent; blank if the member has none")
    token_hash = models.CharField(max_length=64, unique=True)
    choice = models.CharField(max_length=8, choices=BallotChoice.choices, blank=True)
    cast_at = models.DateTimeField(null=True, blank=True)
    recused = models.BooleanField(default=False)
    recusal_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("vote", "person"), name="one_ballot_per_member"),
            models.CheckConstraint(condition=~(Q(recused=True) & ~Q(choice="")), name="recused_ballot_not_cast"),
        )

    def __str__(self) -> str:
        return f"ballot of {self.person_id} in vote {self.vote_id}"


class Recommendation(models.TextChoices):
    RECOMMEND = "recommend", "Recommend endorsement"
    DO_NOT_RECOMMEND = "do_not_recommend", "Do not recommend"


class StateReview(models.Model):
    nomination = models.OneToOneField(Nomination, on_delete=models.CASCADE, related_name="state_review")
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices)
    notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.get_recommendation_display()} ({self.nomination})"


class EndorsementSource(models.TextChoices):
    PROCESS = "process", "Chapter and national process"
    HISTORICAL = "historical", "Historical record (imported)"


class Endorsement(models.Model):
    """A public endorsement of a candidacy. Won or lost is the candidacy's outcome, read live from the
    power map, so a results import updates the scorecard with nothing retyped."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.PROTECT, related_name="endorsements")
    nomination = models.OneToOneField(
        Nomination, null=True, blank=True, on_delete=models.PROTECT, related_name="endorsement"
    )
    endorser = models.CharField(max_length=120, default=NATIONAL_ENDORSER)
    chapter = models.ForeignKey(Chapter, null=True, blank=True, on_delete=models.SET_NULL, related_name="endorsements")
    source = models.CharField(max_length=12, choices=EndorsementSource.choices, default=EndorsementSource.PROCESS)
    reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    historical_import = models.ForeignKey(
        "HistoricalImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="endorsement_rows"
    )

    class Meta:
        ordering = ("-decided_at", "-id")
        constraints = (models.UniqueConstraint(fields=("candidacy", "endorser"), name="one_endorsement_per_endorser"),)

    def __str__(self) -> str:
        return f"{self.endorser} endorses {self.candidacy}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class PledgeKind(models.TextChoices):
    NO_CORPORATE_PAC = "no_corporate_pac", "No corporate PAC money"
    NO_FOSSIL_FUEL = "no_fossil_fuel", "No fossil-fuel money"
    NO_POLICE_UNION = "no_police_union", "No police-union money"
    SMALL_DOLLAR = "small_dollar", "Small-dollar funded"


class Pledge(models.Model):
    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="pledges")
    kind = models.CharField(max_length=20, choices=PledgeKind.choices)
    taken_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ("kind",)
        constraints = (models.UniqueConstraint(fields=("candidacy", "kind"), name="pledge_unique"),)

    def __str__(self) -> str:
        return self.get_kind_display()


class IssueCommitment(models.Model):
    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="commitments")
    issue = models.ForeignKey(PlatformIssue, on_delete=models.PROTECT, related_name="commitments")
    statement = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("issue__position",)
        constraints = (models.UniqueConstraint(fields=("candidacy", "issue"), name="commitment_unique"),)

    def __str__(self) -> str:
        return f"{self.issue} ({self.candidacy})"


class HistoricalImport(models.Model):
    """One CSV of past endorsements loaded, with the mapping used and what it did."""

    file_name = models.CharField(max_length=255)
    mapping = models.JSONField(default=dict)
    rows = models.PositiveIntegerField(default=0)
    endorsements = models.PositiveIntegerField(default=0)
    undecided = models.PositiveIntegerField(default=0)
    # The power-map rows the import made and the results it recorded ({"elections": [ids], "races": ...,
    # "candidacies": ..., "results": ...}), so that undoing it removes what it brought and nothing else.
    made = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

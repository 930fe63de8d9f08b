"""Endorsement pages: nominations and their steps, the private answer and ballot pages, the public slate
and feed, the platform and questionnaires, the scorecard and the historical import."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from groundswell.chapters.access import scope_for
from groundswell.chapters.geo import STATE_NAMES
from groundswell.chapters.selectors import chapters_managed_by
from groundswell.core.jobs import do_enqueue_job
from groundswell.core.models import User
from groundswell.elections.models import OfficeLevel
from groundswell.endorsements import actions, forms, importing, scorecard, selectors
from groundswell.endorsements.jobs import IMPORT_HISTORICAL
from groundswell.endorsements.models import NATIONAL_ENDORSER, Nomination, NominationStatus
from groundswell.geo.importing import ImportRejected
from groundswell.people.selectors import names_seen_by

CHAPTER_STEPS = [
    (NominationStatus.AWAITING_ANSWERS, "Questionnaire"),
    (NominationStatus.VOTING, "Members vote"),
    (NominationStatus.STATE_REVIEW, "State review"),
    (NominationStatus.NATIONAL_REVIEW, "National decision"),
    (NominationStatus.ENDORSED, "Endorsed"),
]
_STEP_OF = {
    NominationStatus.AWAITING_ANSWERS: 0,
    NominationStatus.READY_FOR_VOTE: 1,
    NominationStatus.VOTING: 1,
    NominationStatus.NOT_SUPPORTED: 1,
    NominationStatus.STATE_REVIEW: 2,
    NominationStatus.NATIONAL_REVIEW: 3,
    NominationStatus.ENDORSED: 4,
    NominationStatus.DECLINED: 3,
    NominationStatus.WITHDRAWN: 4,
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# ---------------------------------------------------------------- nominations


@login_required
def nomination_list(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).is_leader_or_above:
        raise Http404
    status = request.GET.get("status", "")
    return render(
        request,
        "endorsements/nominations.html",
        {
            "nominations": selectors.nomination_list(request.user, status=status)[:300],
            "status": status,
            "statuses": NominationStatus.choices,
            "chapters": chapters_managed_by(request.user),
        },
    )


@login_required
def nominate(request: HttpRequest, slug: str) -> HttpResponse:
    from groundswell.chapters.selectors import get_managed_chapter

    chapter = get_managed_chapter(request.user, slug)
    form = forms.NominateForm(
        request.POST or None,
        candidacies=selectors.candidacies_to_nominate(request.user, chapter),
        templates=selectors.questionnaire_templates(),
        partners=selectors.partner_chapter_choices(chapter),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            nomination, link = actions.do_nominate(
                data["candidacy"],
                chapter=chapter,
                template=data["template"],
                candidate_email=data["candidate_email"],
                reason=data["reason"],
                partner_chapters=data["partner_chapters"],
                actor=_user(request),
                candidate=getattr(getattr(data["candidacy"], "recruit", None), "person", None),
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, f"Nominated. The questionnaire link was emailed to {nomination.candidate_email}.")
            request.session[f"questionnaire_link_{nomination.pk}"] = link
            return redirect(nomination)
    return render(request, "endorsements/nominate.html", {"chapter": chapter, "form": form})


def _nomination_context(request: HttpRequest, nomination: Nomination) -> dict[str, Any]:
    scope = scope_for(request.user)
    vote = selectors.vote_of(nomination)
    step = _STEP_OF.get(NominationStatus(nomination.status), 0)
    leads = scope.manages_chapter(nomination.chapter)
    return {
        "nomination": nomination,
        "steps": [
            (label, "current" if i == step else "done" if i < step else "")
            for i, (_, label) in enumerate(CHAPTER_STEPS)
        ],
        "answers": selectors.answers_for(nomination),
        "vote": vote,
        "returned": selectors.ballots_returned(vote) if vote else 0,
        "roll": (roll := list(selectors.ballots_for_leader(vote)) if vote and leads else []),
        # Each member as the leader sees them: a partner chapter's member is not theirs to name.
        "names": names_seen_by(request.user, [b.person_id for b in roll]),
        "may_close": vote is not None and actions.vote_may_close(vote),
        "leads": leads,
        "reviews_state": scope.national or nomination.chapter.state in scope.coordinator_states,
        "national": scope.national,
        "endorsement": getattr(nomination, "endorsement", None),
        "open_form": forms.OpenVoteForm(
            initial={"closes_at": forms.OpenVoteForm.default_close().strftime("%Y-%m-%dT%H:%M")}
        ),
        "review_form": forms.StateReviewForm(),
        "decision_form": forms.DecisionForm(),
        "withdraw_form": forms.WithdrawForm(),
        "pledge_form": forms.PledgeForm(initial={"taken_on": timezone.localdate()}),
        "commitment_form": forms.CommitmentForm(issues=selectors.platform_issues()),
        "pledges": nomination.candidacy.pledges.all(),
        "commitments": nomination.candidacy.commitments.select_related("issue"),
        "private_link": request.session.pop(f"questionnaire_link_{nomination.pk}", None),
        "ballot_link": request.session.pop(f"ballot_link_{nomination.pk}", None),
        "partners": nomination.partner_chapters.all(),
        "state_review": getattr(nomination, "state_review", None),
    }


@login_required
def nomination_detail(request: HttpRequest, nomination_id: int) -> HttpResponse:
    nomination = selectors.get_nomination(request.user, nomination_id)
    return render(request, "endorsements/nomination.html", _nomination_context(request, nomination))


def _step(
    request: HttpRequest,
    nomination_id: int,
    form_class: Any,
    apply: Any,
    find: Callable[[Any, int], Nomination] = selectors.get_managed_nomination,
    **form_kwargs: Any,
) -> HttpResponse:
    """POST of one step of a nomination: validate the form, call the action, back to the nomination.
    ``find`` fetches the nomination among those whose step this user may take: any other is a 404."""
    nomination = find(request.user, nomination_id)
    form = form_class(request.POST, **form_kwargs) if form_class else None
    if form is not None and not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {' '.join(errors)}")
        return redirect(nomination)
    try:
        done = apply(nomination, form.cleaned_data if form else {}, _user(request))
    except ValidationError as error:
        _errors(request, error)
    else:
        if done:
            messages.success(request, done)
    return redirect(nomination)


@login_required
@require_POST
def resend_link(request: HttpRequest, nomination_id: int) -> HttpResponse:
    def apply(n: Nomination, _: dict[str, Any], actor: User) -> str:
        request.session[f"questionnaire_link_{n.pk}"] = actions.do_resend_questionnaire_link(n, actor=actor)
        return f"A new link was emailed to {n.candidate_email}; the old one no longer works."

    return _step(request, nomination_id, None, apply)


@login_required
@require_POST
def my_questionnaire(request: HttpRequest, nomination_id: int) -> HttpResponse:
    """A signed-in candidate goes straight to their questionnaire from their home page."""
    nomination = selectors.get_candidate_nomination(request.user, nomination_id)
    assert isinstance(request.user, User)  # login_required
    try:
        token = actions.do_open_own_questionnaire(nomination, actor=request.user)
    except ValidationError as error:
        _errors(request, error)
        return redirect("home")
    return redirect("endorsements:answer", token=token)


@login_required
@require_POST
def open_vote(request: HttpRequest, nomination_id: int) -> HttpResponse:
    def apply(n: Nomination, data: dict[str, Any], actor: User) -> str:
        vote = actions.do_open_vote(
            n,
            closes_at=data["closes_at"],
            quorum_percent=data["quorum_percent"],
            threshold_percent=data["threshold_percent"],
            actor=actor,
        )
        return f"Voting is open: {vote.eligible} members were sent their personal ballot link."

    return _step(request, nomination_id, forms.OpenVoteForm, apply)


@login_required
@require_POST
def close_vote(request: HttpRequest, nomination_id: int) -> HttpResponse:
    def apply(n: Nomination, _: dict[str, Any], actor: User) -> str:
        vote = selectors.vote_of(n)
        if vote is None:
            raise ValidationError("There is no vote to close.")
        actions.do_close_vote(vote, actor=actor)
        return f"Vote closed: {vote.get_outcome_display()}."

    return _step(request, nomination_id, None, apply)


@login_required
@require_POST
def record_recusal(request: HttpRequest, nomination_id: int, ballot_id: int) -> HttpResponse:
    ballot = selectors.get_ballot_for_leader(request.user, nomination_id, ballot_id)

    def apply(n: Nomination, data: dict[str, Any], actor: User) -> str:
        actions.do_recuse(ballot, reason=data["reason"], actor=actor)
        return f"{ballot.person} recused."

    return _step(request, nomination_id, forms.RecusalForm, apply)


@login_required
@require_POST
def reissue_ballot(request: HttpRequest, nomination_id: int, ballot_id: int) -> HttpResponse:
    ballot = selectors.get_ballot_for_leader(request.user, nomination_id, ballot_id)

    def apply(n: Nomination, _: dict[str, Any], actor: User) -> str:
        name = names_seen_by(actor, [ballot.person_id]).get(ballot.person_id, "the member")
        request.session[f"ballot_link_{n.pk}"] = (name, actions.do_reissue_ballot_link(ballot, actor=actor))
        return f"New ballot link for {name} below; give it to them privately."

    return _step(request, nomination_id, None, apply)


@login_required
@require_POST
def state_review(request: HttpRequest, nomination_id: int) -> HttpResponse:
    def apply(n: Nomination, data: dict[str, Any], actor: User) -> str:
        actions.do_state_review(n, recommendation=data["recommendation"], notes=data["notes"], actor=actor)
        return "State review recorded; the nomination goes to national staff."

    return _step(request, nomination_id, forms.StateReviewForm, apply, selectors.get_nomination_for_state_review)


@login_required
@require_POST
def decide(request: HttpRequest, nomination_id: int) -> HttpResponse:
    def apply(n: Nomination, data: dict[str, Any], actor: User) -> str:
        endorsed = data["decision"] == "endorse"
        actions.do_decide_endorsement(n, endorse=endorsed, reasons=data["reasons"], actor=actor)
        return "Endorsed: it is on the public slate." if endorsed else "Decision recorded: not endorsed."

    return _step(request, nomination_id, forms.DecisionForm, apply, selectors.get_nomination_for_national_decision)


@login_required
@require_POST
def withdraw(request: HttpRequest, nomination_id: int) -> HttpResponse:
    def apply(n: Nomination, data: dict[str, Any], actor: User) -> str:
        endorsement = getattr(n, "endorsement", None)
        if endorsement is None:
            raise ValidationError("There is no endorsement to withdraw.")
        actions.do_withdraw_endorsement(
            selectors.get_endorsement_for_staff(actor, endorsement.pk), reason=data["reason"], actor=actor
        )
        return "Endorsement withdrawn; it is off the slate."

    return _step(request, nomination_id, forms.WithdrawForm, apply, selectors.get_nomination_for_national_decision)


@login_required
@require_POST
def pledge(request: HttpRequest, nomination_id: int) -> HttpResponse:
    def apply(n: Nomination, data: dict[str, Any], actor: User) -> str:
        actions.do_record_pledge(n.candidacy, kind=data["kind"], taken_on=data["taken_on"], actor=actor)
        return "Pledge recorded."

    return _step(request, nomination_id, forms.PledgeForm, apply)


@login_required
@require_POST
def commitment(request: HttpRequest, nomination_id: int) -> HttpResponse:
    def apply(n: Nomination, data: dict[str, Any], actor: User) -> str:
        actions.do_record_commitment(n.candidacy, issue=data["issue"], statement=data["statement"], actor=actor)
        return "Commitment recorded."

    return _step(request, nomination_id, forms.CommitmentForm, apply, issues=selectors.platform_issues())


# ---------------------------------------------------------------- private links (no account)


def answer(request: HttpRequest, token: str) -> HttpResponse:
    response = selectors.get_response_by_token(token)
    nomination = response.nomination
    questions = list(nomination.template.questions.filter(position__lt=10_000).select_related("issue"))
    form_class = forms.answer_form_class(questions)
    existing = {a.question_id: a for a in response.answers.all()}
    initial = {}
    for q in questions:
        if q.pk in existing:
            agrees = existing[q.pk].agrees
            initial[f"q{q.pk}"] = None if agrees is None else ("yes" if agrees else "no")
            initial[f"c{q.pk}"] = existing[q.pk].text
    form = form_class(request.POST or None, initial=initial)
    editable = nomination.status in (NominationStatus.AWAITING_ANSWERS, NominationStatus.READY_FOR_VOTE)
    if request.method == "POST" and editable and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_answer_questionnaire(
                response, answers={q.pk: (data.get(f"q{q.pk}"), data.get(f"c{q.pk}", "")) for q in questions}
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            return render(request, "endorsements/answer_thanks.html", {"nomination": nomination})
    fields = [(q, form[f"q{q.pk}"] if f"q{q.pk}" in form.fields else None, form[f"c{q.pk}"]) for q in questions]
    return render(
        request,
        "endorsements/answer.html",
        {
            "nomination": nomination,
            "form": form,
            "fields": fields,
            "editable": editable,
            "response": response,
        },
        status=400 if form.errors else 200,
    )


def ballot(request: HttpRequest, token: str) -> HttpResponse:
    the_ballot = selectors.get_ballot_by_token(token)
    vote = the_ballot.vote
    is_open = not vote.is_closed and timezone.now() < vote.closes_at
    ballot_form = forms.BallotForm(request.POST if request.POST.get("action") == "vote" else None)
    recusal_form = forms.RecusalForm(request.POST if request.POST.get("action") == "recuse" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "vote" and ballot_form.is_valid():
                actions.do_cast_ballot(the_ballot, choice=ballot_form.cleaned_data["choice"])
                return render(request, "endorsements/ballot_done.html", {"vote": vote, "recused": False})
            if request.POST.get("action") == "recuse" and recusal_form.is_valid():
                actions.do_recuse(the_ballot, reason=recusal_form.cleaned_data["reason"], actor=None)
                return render(request, "endorsements/ballot_done.html", {"vote": vote, "recused": True})
        except ValidationError as error:
            _errors(request, error)
            the_ballot.refresh_from_db()
    used = the_ballot.cast_at is not None or the_ballot.recused
    return render(
        request,
        "endorsements/ballot.html",
        {
            "ballot": the_ballot,
            "vote": vote,
            "nomination": vote.nomination,
            "is_open": is_open,
            "used": used,
            "ballot_form": ballot_form,
            "recusal_form": recusal_form,
            "answers": selectors.answers_for(vote.nomination),
        },
    )


# ---------------------------------------------------------------- public slate and feed


def slate(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "").upper()[:2]
    level = request.GET.get("level", "")
    endorsements = list(selectors.slate(state=state, level=level))
    groups: dict[str, list[Any]] = {}
    for e in endorsements:
        key = f"{STATE_NAMES.get(e.candidacy.race.office.division.state, e.candidacy.race.office.division.state)}"
        groups.setdefault(key, []).append(e)
    return render(
        request,
        "endorsements/slate.html",
        {
            "groups": groups,
            "state": state,
            "level": level,
            "levels": OfficeLevel.choices,
            "states": [(s, STATE_NAMES.get(s, s)) for s in selectors.slate_states()],
            "count": len(endorsements),
        },
    )


def feed(request: HttpRequest) -> JsonResponse:
    state = request.GET.get("state", "").upper()[:2]
    level = request.GET.get("level", "")
    items = [selectors.feed_item(e) for e in selectors.slate(state=state, level=level)]
    response = JsonResponse({"generated_at": timezone.now().isoformat(), "count": len(items), "endorsements": items})
    response["Access-Control-Allow-Origin"] = "*"  # a public feed, meant for partners' sites
    return response


# ---------------------------------------------------------------- platform and questionnaires (national staff)


@login_required
def platform(request: HttpRequest) -> HttpResponse:
    issues = selectors.all_platform_issues(request.user)
    form = forms.PlatformIssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_save_platform_issue(actor=_user(request), **form.cleaned_data)
        messages.success(request, "Platform issue added.")
        return redirect("endorsements:platform")
    return render(
        request,
        "endorsements/platform.html",
        {"issues": issues, "form": form, "questionnaires": selectors.all_questionnaires(request.user)},
    )


@login_required
def platform_issue(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = selectors.get_platform_issue(request.user, issue_id)
    form = forms.PlatformIssueForm(
        request.POST or None,
        initial={"title": issue.title, "summary": issue.summary, "position": issue.position, "active": issue.active},
    )
    if request.method == "POST" and form.is_valid():
        actions.do_save_platform_issue(issue=issue, actor=_user(request), **form.cleaned_data)
        messages.success(request, "Saved.")
        return redirect("endorsements:platform")
    return render(request, "endorsements/platform_issue.html", {"issue": issue, "form": form})


@login_required
def questionnaire(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    template = selectors.get_questionnaire(request.user, template_id) if template_id else None
    selectors.require_national(request.user)
    initial = {}
    if template is not None:
        lines = [
            ("Written: " if q.kind == "text" else "") + q.prompt
            for q in template.questions.all()
            if q.position < 10_000
        ]
        initial = {"title": template.title, "introduction": template.introduction, "questions": "\n".join(lines)}
    form = forms.QuestionnaireForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.do_save_questionnaire(
                template=template,
                title=form.cleaned_data["title"],
                introduction=form.cleaned_data["introduction"],
                questions=[actions.QuestionSpec(prompt, kind) for prompt, kind in form.question_specs()],
                actor=_user(request),
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, f"Questionnaire “{saved.title}” saved.")
            return redirect("endorsements:platform")
    return render(request, "endorsements/questionnaire.html", {"template": template, "form": form})


# ---------------------------------------------------------------- scorecard and historical import


@login_required
def scorecard_page(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "").upper()[:2]
    # Our own record by default; "all" adds the other endorsers a historical file brought in.
    endorser = request.GET.get("endorser", NATIONAL_ENDORSER)
    endorser = "" if endorser == "all" else endorser
    card = scorecard.scorecard_for(request.user, state=state, endorser=endorser)
    return render(
        request,
        "endorsements/scorecard.html",
        {
            "card": card,
            "chart_data": card.chart_data(),
            "titles": scorecard.DIMENSION_TITLES,
            "state": state,
            "endorser": endorser,
            "endorsers": scorecard.endorsers(),
            "states": sorted(STATE_NAMES.items()),
        },
    )


def _upload_dir() -> Any:
    path = settings.MEDIA_ROOT / "historical-endorsements"
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    jobs = selectors.historical_import_jobs(request.user)[:10]  # 404 for anyone but national staff
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        key = secrets.token_hex(16)
        (_upload_dir() / f"{key}.csv").write_bytes(upload.read())
        request.session["historical_upload"] = {"key": key, "name": upload.name}
        return redirect("endorsements:import-mapping")
    imports = selectors.historical_imports_by_job(list(jobs))
    rows = [(job, imports.get(job.pk)) for job in jobs]
    return render(request, "endorsements/import.html", {"form": form, "rows": rows})


MAX_RESULT_VALUES = 40  # more different values than this is not a result column (a name, a date)


def _readings(records: list[dict[str, str]], column: str, result_as: str) -> list[tuple[str, int, str]]:
    if not column or result_as != importing.READ_AS_VALUES:
        return []
    return importing.result_readings(importing.column_values(records, column), {})


def _mapping_data(request: HttpRequest, records: list[dict[str, str]]) -> tuple[Any, list[tuple[str, int, str]], bool]:
    """The posted form, the result values to ask about, and whether they are the ones the page showed.

    When the organizer picks another result column (or reading), its values have not been asked about:
    the page asks again instead of importing."""
    data = request.POST.copy()
    column, result_as = data.get("col_result", ""), data.get("result_as", importing.READ_AS_VALUES)
    readings = _readings(records, column, result_as)
    shown = data.get("result_shown") == f"{column}|{result_as}"
    if not shown:
        for key in [k for k in data if k.startswith("means_")]:
            del data[key]
        for index, (_, _, reading) in enumerate(readings):
            data[f"means_{index}"] = reading
        data["result_shown"] = f"{column}|{result_as}"
    return data, readings, shown


@login_required
def import_mapping(request: HttpRequest) -> HttpResponse:
    selectors.require_national(request.user)
    upload = request.session.get("historical_upload")
    if not upload:
        return redirect("endorsements:import")
    stored = _upload_dir() / f"{upload['key']}.csv"
    headers, records = importing.read_csv(importing.text_of(stored.read_bytes()))
    guess = importing.guess(headers, records)
    errors: list[Any] = []
    if request.method == "POST":
        data, readings, shown = _mapping_data(request, records)
        form = forms.MappingForm(data, headers=headers, readings=readings[:MAX_RESULT_VALUES])
    else:
        shown = False
        result = guess.mapping.columns.get("result", "")
        readings = _readings(records, result, guess.mapping.result_as)
        initial: dict[str, Any] = {f"col_{k}": v for k, v in guess.mapping.columns.items()}
        initial.update(
            endorsers=guess.mapping.endorsers,
            default_kind=guess.mapping.default_kind,
            result_as=guess.mapping.result_as,
            result_shown=f"{result}|{guess.mapping.result_as}",
        )
        form = forms.MappingForm(headers=headers, readings=readings[:MAX_RESULT_VALUES], initial=initial)
    too_many = len(readings) > MAX_RESULT_VALUES
    if request.method == "POST" and form.is_valid() and shown and not too_many:
        d = form.cleaned_data
        mapping = importing.Mapping(
            endorsers=d["endorsers"],
            columns={k: d[f"col_{k}"] for k in importing.FIELDS if d.get(f"col_{k}")},
            default_state=d["default_state"],
            default_kind=d["default_kind"],
            default_level=d["default_level"],
            result_as=d["result_as"],
            result_values=form.value_answers(),
        )
        try:
            # every row is checked here, so a bad one is named on this page; loading them (finding or
            # making each election, office, race and candidacy) runs in the background
            rows = importing.parse_rows(records, mapping)
        except ImportRejected as rejected:
            errors = rejected.errors
        else:
            params = {"path": str(stored), "filename": upload["name"], "mapping": mapping.as_dict()}
            # One upload, one job: a second click (or the form sent twice) finds the job the first made.
            key = f"{IMPORT_HISTORICAL}:{upload['key']}"
            do_enqueue_job(IMPORT_HISTORICAL, params, actor=_user(request), idempotency_key=key)
            request.session.pop("historical_upload", None)
            good = f"All {len(rows):,} rows of {upload['name']} are good"
            messages.success(request, f"{good}: they are being loaded; progress shows below.")
            return redirect("endorsements:import")
    endorsers = set(guess.mapping.endorsers)
    return render(
        request,
        "endorsements/import_mapping.html",
        {
            "form": form,
            "headers": headers,
            "preview": records[:5],
            "name": upload["name"],
            "errors": errors[:50],
            "error_count": len(errors),
            "row_count": len(records),
            "asked_again": request.method == "POST" and not shown,
            "too_many_values": len(readings) if too_many else 0,
            "other_results": guess.other_results,
            "unticked_yes_no": [h for h in guess.yes_no if h not in endorsers],
        },
    )


@login_required
def undo_import(request: HttpRequest, import_id: int) -> HttpResponse:
    """Confirm, with the counts of what goes, then take a whole file of past endorsements back."""
    batch = selectors.get_historical_import(request.user, import_id)  # 404 for anyone but national staff
    form = forms.UndoImportForm(request.POST or None)
    if batch.is_undone:
        messages.info(request, f"The import of {batch.file_name} was undone already.")
        return redirect("endorsements:import")
    if request.method == "POST" and form.is_valid():
        undone = actions.do_undo_historical_import(batch, actor=_user(request))
        messages.success(request, f"The import of {batch.file_name} is undone: {undone.summary()}.")
        return redirect("endorsements:import")
    would = actions.do_undo_historical_import(batch, actor=_user(request), dry_run=True)
    return render(request, "endorsements/import_undo.html", {"batch": batch, "would": would, "form": form})

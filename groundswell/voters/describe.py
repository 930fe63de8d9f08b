"""A universe in plain words, shown beside the count so an organizer can read back what they built."""

from __future__ import annotations

from collections.abc import Sequence

from groundswell.voterfile import layouts
from groundswell.voterfile.targeting import HistoryRule, Universe

STATUS_WORDS = {"A": "active", "I": "inactive", "S": "temporary", "D": "denied", "R": "removed"}
GENDER_WORDS = {"F": "women", "M": "men", "U": "voters of unknown gender"}


def _join(words: Sequence[str], last: str = "or") -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def _party(code: str) -> str:
    return {"DEM": "Democrats", "REP": "Republicans", "UNA": "unaffiliated voters"}.get(
        code, layouts.PARTY_CODES.get(code, code).title()
    )


def _rule(rule: HistoryRule) -> str:
    if rule.election_date is None:
        kind = "generals" if rule.election_type == "GENERAL" else "primaries"
        text = f"voted in at least {rule.at_least} of the last {rule.of_last} {kind}"
    else:
        text = f"voted in the {rule.election_date:%b %-d, %Y} election"
        if rule.methods:
            text += " " + _join([m.replace("_", " ").lower() for m in rule.methods])
        if rule.party_ballot:
            text += f" with a {rule.party_ballot} ballot"
    return text if rule.voted else text.replace("voted", "did not vote", 1)


def describe(u: Universe, tags: Sequence[str] = (), exclude_tags: Sequence[str] = ()) -> list[str]:
    """One phrase per filter, in the order an organizer would say them."""
    phrases = [_join([_party(p) for p in u.parties]) if u.parties else "All voters"]
    if u.statuses and set(u.statuses) != {"A", "I"}:
        phrases.append("registration " + _join([STATUS_WORDS.get(s, s) for s in u.statuses]))
    if u.genders:
        phrases.append(_join([GENDER_WORDS[g] for g in u.genders]))
    if u.age_min is not None or u.age_max is not None:
        low, high = u.age_min, u.age_max
        phrases.append(
            f"aged {low} to {high}" if low and high else f"aged {low} or older" if low else f"aged up to {high}"
        )
    if u.registered_after:
        phrases.append(f"registered since {u.registered_after:%b %-d, %Y}")
    if u.registered_before:
        phrases.append(f"registered by {u.registered_before:%b %-d, %Y}")
    if u.counties:
        phrases.append(f"in {len(u.counties)} count{'y' if len(u.counties) == 1 else 'ies'}")
    if u.precincts:
        phrases.append(f"in precinct{'s' if len(u.precincts) > 1 else ''} {_join(list(u.precincts))}")
    for kind, codes in u.districts:
        phrases.append(f"in {kind.replace('_', ' ')} district {_join(list(codes))}")
    phrases += [_rule(r) for r in u.history]
    if tags:
        phrases.append(f"linked to people tagged {_join(list(tags))}")
    if exclude_tags:
        phrases.append(f"leaving out people tagged {_join(list(exclude_tags))}")
    if u.exclude:
        phrases.append("leaving out another saved universe")
    return phrases

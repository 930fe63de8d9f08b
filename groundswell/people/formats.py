"""The exports organizers bring when their chapter moves to Groundswell, recognized by their headers.

Each tool's export is one small table: the headers that identify it, what its columns become, and
how the file or its status values carry consent. A recognized file is mapped without questions, and
its facts name the export as their source (``source_label``), so an address that was unsubscribed or
bouncing in the old tool arrives withdrawn for the importing chapter, and only for it.

Only headers the tools publish (or write in real files) are listed; each table cites where they come
from. Columns a table does not list fall back to the general guessing in importing.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# Fields only the tools' exports need: a column whose value is an address or number together with
# the consent the file gives it (Mailchimp's three files, Spoke's opt-outs), or VAN's identifier.
FIELD_LABELS: dict[str, str] = {
    "email_subscribed": "Email (subscribed)",
    "email_unsubscribed": "Email (unsubscribed or bouncing: consent withdrawn)",
    "phone_opted_out": "Phone (opted out of texts: consent withdrawn)",
    "van_id": 'VAN ID (kept as a note "VANID …")',
}
CONTACT_FIELDS = ("email_subscribed", "email_unsubscribed", "phone_opted_out")

# Status words the tools write in their consent columns, lower case with "_" read as a space; the
# plain yes/no words are importing.py's. "unspecified" (Mobilize) says nothing, so nothing is recorded.
STATUS_CONSENT: dict[str, bool | None] = {
    "bouncing": False,  # Action Network: a bouncing address (help.actionnetwork.org, activist record)
    "spam complaint": False,  # Action Network: the activist marked an email as spam (same page)
    "cleaned": False,  # Mailchimp: a hard bounce, or repeated soft bounces
    "unspecified": None,  # Mobilize sms_opt_in_status: UNSPECIFIED, OPT_IN, OPT_OUT
}


def status_consent(value: str) -> tuple[bool, bool | None]:
    """(whether the value is a tool's status word, the consent it gives)."""
    word = value.strip().lower().replace("_", " ")
    return (word in STATUS_CONSENT, STATUS_CONSENT.get(word))


def expand_field(field_name: str, value: str) -> list[tuple[str, str]]:
    """A tool field as the general fields it fills: (field, value) pairs."""
    if field_name == "email_subscribed":
        return [("email", value), ("email_consent", "yes")]
    if field_name == "email_unsubscribed":
        return [("email", value), ("email_consent", "no")]
    if field_name == "phone_opted_out":
        return [("phone", value), ("sms_consent", "no")]
    if field_name == "van_id":
        return [("notes", f"VANID {value}")]
    raise KeyError(field_name)


def header_key(header: str) -> str:
    """As importing.normalize_header: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", header.strip().lower())


@dataclass(frozen=True)
class ExportFormat:
    name: str  # named in every fact's source, e.g. "import: Mailchimp audience export (unsubscribed): x.csv"
    required: frozenset[str]  # header keys that all appear in this export (and, together, in no other)
    columns: dict[str, str] = field(default_factory=dict)  # header key -> field; others are guessed

    def recognizes(self, headers: Sequence[str]) -> bool:
        return self.required <= {header_key(h) for h in headers}

    def field_for(self, header: str) -> str | None:
        return self.columns.get(header_key(header))


def _keys(*headers: str) -> frozenset[str]:
    return frozenset(header_key(h) for h in headers)


def _columns(**by_header: str) -> dict[str, str]:
    return {header_key(h): f for h, f in by_header.items()}


# Mailchimp's audience export is a ZIP of three CSV files, subscribed, unsubscribed and cleaned
# members (Mailchimp's help, "View Unsubscribed and Cleaned Addresses"; notes on the export at
# ginkgo.st/~ca/roadmap/mailchimp-and-civicrm-overview/notes-on-mailchimp-data-exports). Each file
# has "Email Address", the audience's merge fields by label ("First Name", "Last Name", "Address",
# "Phone Number", ...), then MEMBER_RATING, OPTIN_TIME, OPTIN_IP, CONFIRM_TIME, CONFIRM_IP, LATITUDE,
# LONGITUDE, GMTOFF, DSTOFF, TIMEZONE, CC, REGION, LAST_CHANGED, LEID, EUID, NOTES (and TAGS); the
# unsubscribed file adds UNSUB_TIME, UNSUB_CAMPAIGN_TITLE, UNSUB_CAMPAIGN_ID, UNSUB_REASON,
# UNSUB_REASON_OTHER and the cleaned file CLEAN_TIME, CLEAN_CAMPAIGN_TITLE, CLEAN_CAMPAIGN_ID (headers
# as quoted from real exports in public code: code-dot-org's contact scripts, and importers of the
# three files). Which file it is says the consent: every address in it has the same.
_MAILCHIMP = _keys("Email Address", "MEMBER_RATING", "LEID", "EUID")
_MAILCHIMP_COLUMNS = _columns(
    **{"Phone Number": "phone", "Address": "notes", "NOTES": "notes"},  # Address: one merge field, all parts
    **dict.fromkeys(("MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE",
                     "LONGITUDE", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION", "LAST_CHANGED", "LEID",
                     "EUID", "TAGS", "UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID", "UNSUB_REASON",
                     "UNSUB_REASON_OTHER", "CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID"), "ignore"),
)  # fmt: skip
MAILCHIMP_UNSUBSCRIBED = ExportFormat(
    "Mailchimp audience export (unsubscribed)",
    _MAILCHIMP | _keys("UNSUB_TIME"),
    {**_MAILCHIMP_COLUMNS, header_key("Email Address"): "email_unsubscribed"},
)
MAILCHIMP_CLEANED = ExportFormat(
    "Mailchimp audience export (cleaned)",
    _MAILCHIMP | _keys("CLEAN_TIME"),
    {**_MAILCHIMP_COLUMNS, header_key("Email Address"): "email_unsubscribed"},
)
MAILCHIMP_SUBSCRIBED = ExportFormat(
    "Mailchimp audience export (subscribed)",
    _MAILCHIMP,
    {**_MAILCHIMP_COLUMNS, header_key("Email Address"): "email_subscribed"},
)

# Action Network's activist report download ("csv_report_..."), as read by public scripts that take
# it: uuid, first_name, last_name, email, can2_phone, can2_user_address, can2_user_city,
# can2_user_state, can2_state_abbreviated, zip_code, country, can2_user_tags,
# can2_subscription_status (subscribed / unsubscribed / bouncing / spam complaint) and
# can2_sms_status (SURJ Bay Area's Action Network → EveryAction sync, Apache-2.0, and a volunteer
# database loader quoting a download's header). Custom fields follow with their own names.
ACTION_NETWORK = ExportFormat(
    "Action Network activist export",
    _keys("email", "can2_subscription_status"),
    _columns(
        uuid="ignore", first_name="first_name", last_name="last_name", email="email", can2_phone="phone",
        can2_user_address="address_line1", can2_user_city="city", can2_state_abbreviated="state",
        can2_user_state="state", zip_code="zip_code", country="ignore", can2_user_tags="tags",
        can2_subscription_status="email_consent", can2_sms_status="sms_consent",
    ),
)  # fmt: skip

# Spoke's opt-out export (Spoke Rewired's export-opt-outs task, politics-rewired/Spoke
# src/server/tasks/export-opt-outs.ts): cell, first_name, last_name, external_id, campaign_name,
# organization_name — one row per number that texted STOP, so every number is withdrawn.
SPOKE_OPT_OUTS = ExportFormat(
    "Spoke opt-out export",
    _keys("cell", "external_id", "campaign_name", "organization_name"),
    _columns(
        cell="phone_opted_out", first_name="first_name", last_name="last_name", external_id="ignore",
        campaign_name="ignore", organization_name="ignore",
    ),
)  # fmt: skip

# Mobilize's attendance (participation) export, in the columns of its data dictionary
# (mobilizeamerica/api sql_data_dictionary, "participations"): the user's current details
# (user__given_name, user__family_name, user__email_address, user__phone_number, user__postal_code)
# and what they gave at signup. An attendance carries no consent; Mobilize keeps SMS consent apart,
# in sms_opt_ins (sms_opt_in_status OPT_IN / OPT_OUT / UNSPECIFIED, for user__phone_number).
MOBILIZE_ATTENDANCES = ExportFormat(
    "Mobilize event-attendance export",
    _keys("user__email_address", "event_id", "timeslot_id", "attended"),
    _columns(
        user__given_name="first_name", user__family_name="last_name", user__email_address="email",
        user__phone_number="phone", user__postal_code="zip_code", email_at_signup="email",
        phone_number_at_signup="phone", given_name_at_signup="ignore", family_name_at_signup="ignore",
        postal_code_at_signup="ignore",
    ),
)  # fmt: skip
MOBILIZE_SMS_OPT_INS = ExportFormat(
    "Mobilize SMS opt-ins export",
    _keys("sms_opt_in_status", "user__phone_number"),
    _columns(sms_opt_in_status="sms_consent", user__phone_number="phone", user_id="ignore"),
)

# NGP VAN / EveryAction "My Campaign" contact export, recognized by its VANID column (the header
# VAN's exports write; no complete published header list was found, so VAN's other columns, such as
# LastName, FirstName and Zip5, go through the general guessing). Groundswell has no place for
# another system's identifiers, so the VANID is kept as the importing chapter's note "VANID 123".
VAN_MY_CAMPAIGN = ExportFormat("NGP VAN My Campaign export", _keys("VANID"), _columns(VANID="van_id"))

# Most specific first: a file takes the first format that recognizes it.
FORMATS: tuple[ExportFormat, ...] = (
    MAILCHIMP_UNSUBSCRIBED,
    MAILCHIMP_CLEANED,
    MAILCHIMP_SUBSCRIBED,
    ACTION_NETWORK,
    SPOKE_OPT_OUTS,
    MOBILIZE_ATTENDANCES,
    MOBILIZE_SMS_OPT_INS,
    VAN_MY_CAMPAIGN,
)


def recognize(headers: Sequence[str]) -> ExportFormat | None:
    return next((f for f in FORMATS if f.recognizes(headers)), None)


def source_label(headers: Sequence[str], file_name: str) -> str:
    """What the import's facts name as their source: the tool's export, when the file is one."""
    recognized = recognize(headers)
    return f"{recognized.name}: {file_name}" if recognized else file_name

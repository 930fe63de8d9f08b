"""Who draws the lines in a first set of states (national staff edit and add the rest in the app).

Facts as of the 2020 redistricting cycle, from Ballotpedia's "Redistricting in <State>" pages and
Loyola Law School's "All About Redistricting" (redistricting.lls.edu)."""

from django.db import migrations

# state, legislative body, congressional body, notes
FACTS = [
    ("RI", "advisory_commission", "advisory_commission",
     "The General Assembly enacts both maps; its Special Commission on Reapportionment proposes them. The governor may veto."),
    ("PA", "politician_commission", "legislature",
     "State legislative lines: the five-member Legislative Reapportionment Commission (four caucus leaders and a chair). "
     "Congressional lines: an ordinary bill, subject to the governor's veto."),
    ("CA", "independent_commission", "independent_commission", "Citizens Redistricting Commission (14 members)."),
    ("AZ", "independent_commission", "independent_commission", "Independent Redistricting Commission (5 members)."),
    ("MI", "independent_commission", "independent_commission", "Independent Citizens Redistricting Commission (13 members)."),
    ("CO", "independent_commission", "independent_commission", "Separate independent commissions for each map (12 members each)."),
    ("NJ", "politician_commission", "politician_commission", "Apportionment Commission (legislative) and Redistricting Commission (congressional), party appointees plus a tie-breaker."),
    ("NY", "advisory_commission", "advisory_commission", "The Independent Redistricting Commission proposes; the legislature may reject its plans and draw its own."),
    ("NC", "legislature_no_veto", "legislature_no_veto", "Redistricting plans are not subject to the governor's veto."),
    ("OH", "politician_commission", "backup_commission", "Ohio Redistricting Commission for legislative lines; congressional lines go to it if the legislature fails."),
    ("TX", "backup_commission", "legislature", "Legislative Redistricting Board draws state legislative lines if the legislature fails."),
    ("WI", "legislature", "legislature", "Ordinary bills, subject to the governor's veto."),
]  # fmt: skip


def seed(apps, schema_editor):
    RedistrictingAuthority = apps.get_model("powermap", "RedistrictingAuthority")
    names = {"RI": "Rhode_Island", "PA": "Pennsylvania", "CA": "California", "AZ": "Arizona", "MI": "Michigan",
             "CO": "Colorado", "NJ": "New_Jersey", "NY": "New_York", "NC": "North_Carolina", "OH": "Ohio",
             "TX": "Texas", "WI": "Wisconsin"}  # fmt: skip
    for state, legislative, congressional, notes in FACTS:
        source = f"https://ballotpedia.org/Redistricting_in_{names[state]}"
        for plan, body in (("legislative", legislative), ("congressional", congressional)):
            RedistrictingAuthority.objects.get_or_create(
                state=state, plan=plan, defaults={"body": body, "notes": notes, "source_url": source}
            )


def unseed(apps, schema_editor):
    apps.get_model("powermap", "RedistrictingAuthority").objects.filter(updated_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("powermap", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

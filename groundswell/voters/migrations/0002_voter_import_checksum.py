"""A voter import's provenance checksum is BLAKE3 now, stored with its algorithm: "blake3:<hex>".

Imports recorded before keep their SHA-256, marked "sha256:" so the two are never confused.
"""

from django.db import migrations, models
from django.db.models import Value
from django.db.models.functions import Concat


def mark_sha256(apps, schema_editor):
    VoterImport = apps.get_model("voters", "VoterImport")
    VoterImport.objects.exclude(checksum="").update(checksum=Concat(Value("sha256:"), "checksum"))


def unmark_sha256(apps, schema_editor):
    VoterImport = apps.get_model("voters", "VoterImport")
    for voter_import in VoterImport.objects.filter(checksum__startswith="sha256:"):
        voter_import.checksum = voter_import.checksum.removeprefix("sha256:")
        voter_import.save(update_fields=["checksum"])


class Migration(migrations.Migration):
    dependencies = [("voters", "0001_voter_imports_universes_lists_links")]

    operations = [
        migrations.RenameField("voterimport", "sha256", "checksum"),
        migrations.AlterField(
            model_name="voterimport",
            name="checksum",
            field=models.CharField(blank=True, help_text='"blake3:<hex>" of the file as received', max_length=80),
        ),
        migrations.RunPython(mark_sha256, unmark_sha256),
    ]

import django.db.models.deletion
from django.db import migrations, models


def make_owners(apps, schema_editor):
    """National, every state that has a chapter, and every chapter: the owners existing facts get."""
    Chapter = apps.get_model("chapters", "Chapter")
    Owner = apps.get_model("chapters", "Owner")
    Owner.objects.get_or_create(kind="national", defaults={"state": ""})
    for chapter in Chapter.objects.all():
        Owner.objects.get_or_create(chapter=chapter, defaults={"kind": "chapter", "state": chapter.state})
        if chapter.state:
            Owner.objects.get_or_create(kind="state", state=chapter.state)


class Migration(migrations.Migration):

    dependencies = [
        ("chapters", "0002_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Owner",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("national", "National"), ("state", "State"), ("chapter", "Chapter")], max_length=8)),
                ("state", models.CharField(blank=True, db_index=True, max_length=2)),
                ("chapter", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="owner", to="chapters.chapter")),
            ],
            options={
                "ordering": ("kind", "state", "chapter_id"),
                "constraints": [
                    models.UniqueConstraint(condition=models.Q(("kind", "national")), fields=("kind",), name="one_national_owner"),
                    models.UniqueConstraint(condition=models.Q(("kind", "state")), fields=("state",), name="one_owner_per_state"),
                    models.CheckConstraint(condition=models.Q(models.Q(("chapter__isnull", False), ("kind", "chapter")), models.Q(models.Q(("kind", "chapter"), _negated=True), ("chapter__isnull", True)), _connector="OR"), name="owner_chapter_iff_chapter_kind"),
                    models.CheckConstraint(condition=models.Q(models.Q(("kind", "state"), _negated=True), models.Q(("state", ""), _negated=True), _connector="OR"), name="state_owner_has_state"),
                ],
            },
        ),
        migrations.RunPython(make_owners, migrations.RunPython.noop),
    ]

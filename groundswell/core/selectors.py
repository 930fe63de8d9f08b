"""Reads of background jobs: staff see every job, everyone else the jobs they started."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from groundswell.core.models import Job, User


def jobs_visible_to(user: User | AnonymousUser, *, national: bool) -> QuerySet[Job]:
    if not isinstance(user, User):
        return Job.objects.none()
    jobs = Job.objects.select_related("created_by")
    return jobs if national else jobs.filter(created_by=user)


def get_job(user: User | AnonymousUser, job_id: int, *, national: bool) -> Job:
    return get_object_or_404(jobs_visible_to(user, national=national), pk=job_id)

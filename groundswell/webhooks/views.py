"""Webhook pages: national staff see every subscription; coordinators and leaders, the ones they made."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from groundswell.core.models import User
from groundswell.webhooks import actions, selectors
from groundswell.webhooks.forms import SubscriptionForm

View = Callable[..., HttpResponse]
DELIVERIES_PER_PAGE = 50
_SECRET_KEY = "webhook-secret-{}"


def leaders_only(view: View) -> View:
    """Sign-in first, then 404 unless the user may have webhooks (leaders, coordinators, staff)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        selectors.require_webhook_pages(request.user)
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # leaders_only let only a signed-in user through
    return request.user


@leaders_only
def subscription_list(request: HttpRequest) -> HttpResponse:
    subscriptions = selectors.subscriptions_visible_to(request.user).order_by("-created_at", "-id")
    return render(request, "webhooks/list.html", {"subscriptions": subscriptions})


@leaders_only
def subscription_new(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription, secret = actions.do_create_subscription(actor=_actor(request), **form.cleaned_data)
        except actions.SubscriptionInputError as exc:
            form.add_error(exc.field, exc.reason)
        else:
            request.session[_SECRET_KEY.format(subscription.pk)] = secret
            messages.success(request, f"Made the webhook to {subscription.url}.")
            return redirect("webhooks:detail", subscription_id=subscription.pk)
    return render(request, "webhooks/new.html", {"form": form}, status=400 if form.errors else 200)


@leaders_only
def subscription_detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = selectors.get_subscription(request.user, subscription_id)
    deliveries = selectors.deliveries_of(subscription).prefetch_related("attempt_log")
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    secret = request.session.pop(_SECRET_KEY.format(subscription.pk), None)  # shown once, then gone
    context = {"subscription": subscription, "page": page, "secret": secret, "page_query": ""}
    return render(request, "webhooks/detail.html", context)


@leaders_only
@require_POST
def subscription_pause(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = selectors.get_subscription(request.user, subscription_id)
    actions.do_pause_subscription(subscription, actor=_actor(request))
    messages.success(request, "Paused: no events are sent to it until it is resumed.")
    return redirect("webhooks:detail", subscription_id=subscription.pk)


@leaders_only
@require_POST
def subscription_resume(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = selectors.get_subscription(request.user, subscription_id)
    actions.do_resume_subscription(subscription, actor=_actor(request))
    messages.success(request, "Resumed: what waited is being sent now.")
    return redirect("webhooks:detail", subscription_id=subscription.pk)


@leaders_only
@require_POST
def subscription_delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = selectors.get_subscription(request.user, subscription_id)
    actions.do_delete_subscription(subscription, actor=_actor(request))
    messages.success(request, f"Deleted the webhook to {subscription.url} and its delivery log.")
    return redirect("webhooks:list")


@leaders_only
@require_POST
def delivery_replay(request: HttpRequest, subscription_id: int, delivery_id: int) -> HttpResponse:
    subscription = selectors.get_subscription(request.user, subscription_id)
    delivery = selectors.get_delivery(subscription, delivery_id)
    try:
        actions.do_replay_delivery(delivery, actor=_actor(request))
    except actions.ReplayRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Delivery {delivery.pk} will be sent again in a moment.")
    return redirect("webhooks:detail", subscription_id=subscription.pk)

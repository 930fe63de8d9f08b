"""Reads of webhook subscriptions and deliveries, scoped to the acting user.

National staff see every subscription; a coordinator or chapter leader sees the ones they made (each
acts with its maker's scope); anyone else sees none. Out of sight is a 404, the same as missing.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from groundswell.chapters.access import AnyUser, scope_for
from groundswell.webhooks.models import Delivery, Subscription


def subscriptions_visible_to(user: AnyUser) -> QuerySet[Subscription]:
    scope = scope_for(user)
    rows = Subscription.objects.select_related("made_by")
    if scope.national:
        return rows
    if not scope.is_leader_or_above:
        return rows.none()
    return rows.filter(made_by_id=scope.user_id)


def may_subscribe(user: AnyUser) -> bool:
    return scope_for(user).is_leader_or_above


def require_webhook_pages(user: AnyUser) -> None:
    if not may_subscribe(user):
        raise Http404("No such page")


def get_subscription(user: AnyUser, subscription_id: int) -> Subscription:
    subscription = subscriptions_visible_to(user).filter(pk=subscription_id).first()
    if subscription is None:
        raise Http404("No such webhook")
    return subscription


def deliveries_of(subscription: Subscription) -> QuerySet[Delivery]:
    """A subscription (already fetched through get_subscription) and its delivery log, newest first."""
    return Delivery.objects.filter(subscription=subscription).order_by("-created_at", "-id")


def get_delivery(subscription: Subscription, delivery_id: int) -> Delivery:
    delivery = deliveries_of(subscription).filter(pk=delivery_id).select_related("subscription").first()
    if delivery is None:
        raise Http404("No such delivery")
    return delivery

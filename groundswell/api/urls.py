from django.urls import path, re_path

from groundswell.api import base, people, tags, views
from groundswell.api import lists as lists_api
from groundswell.voters import api as voters_api
from groundswell.webhooks import api as webhooks_api

urlpatterns = [
    path("", views.entry_point, name="entry-point"),
    path("openapi.json", views.openapi_public, name="openapi"),
    path("people", people.people_collection, name="people"),
    path("people/signup", people.person_signup_helper, name="person-signup"),
    path("people/tombstones", people.person_tombstones, name="person-tombstones"),
    path("people/<slug:uid>", people.person_item, name="person"),
    path("people/<slug:uid>/taggings", people.person_taggings, name="person-taggings"),
    path("tags", tags.tags_collection, name="tags"),
    path("tags/<int:tag_id>", tags.tag_item, name="tag"),
    path("tags/<int:tag_id>/taggings", tags.tag_taggings, name="tag-taggings"),
    path("tags/<int:tag_id>/taggings/<int:tagging_id>", tags.tagging_item, name="tagging"),
    path("chapters", views.chapters_collection, name="chapters"),
    path("universes", voters_api.universes, name="universes"),
    path("universes/count", voters_api.universe_count, name="universe-count"),
    path("universes/<int:universe_id>", voters_api.universe_item, name="universe"),
    path("voter_lists", voters_api.voter_lists, name="voter-lists"),
    path("voter_lists/<int:list_id>", voters_api.voter_list_item, name="voter-list"),
    path("lists", lists_api.lists_collection, name="lists"),
    path("lists/<slug:list_uid>", lists_api.list_item, name="list"),
    path("lists/<slug:list_uid>/items", lists_api.list_items, name="list-items"),
    path("lists/<slug:list_uid>/items/<slug:item_uid>", lists_api.list_item_member, name="list-item"),
    path("voters/lookup", voters_api.voter_lookup, name="voter-lookup"),
    path("webhooks", webhooks_api.webhooks_collection, name="webhooks"),
    path("webhooks/<int:subscription_id>", webhooks_api.webhook_item, name="webhook"),
    path("webhooks/<int:subscription_id>/deliveries", webhooks_api.webhook_deliveries, name="webhook-deliveries"),
    path(
        "webhooks/<int:subscription_id>/deliveries/<int:delivery_id>/replay",
        webhooks_api.webhook_delivery_replay,
        name="webhook-delivery-replay",
    ),
    # keep last: everything else under the prefix is a JSON 404
    re_path(r"^[\s\S]*$", base.not_found, name="not-found"),  # [\s\S]: a newline too
]

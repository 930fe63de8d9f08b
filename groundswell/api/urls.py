from django.urls import path, re_path

from groundswell.api import base, views
from groundswell.api import lists as lists_api
from groundswell.voters import api as voters_api

urlpatterns = [
    path("", views.entry_point, name="entry-point"),
    path("openapi.json", views.openapi_public, name="openapi"),
    path("people", views.people_collection, name="people"),
    path("people/signup", views.person_signup, name="person-signup"),
    path("people/<slug:uid>", views.person_item, name="person"),
    path("people/<slug:uid>/taggings", views.person_taggings, name="person-taggings"),
    path("tags", views.tags_collection, name="tags"),
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
    # keep last: everything else under the prefix is a JSON 404
    re_path(r"^.*$", base.not_found, name="not-found"),
]

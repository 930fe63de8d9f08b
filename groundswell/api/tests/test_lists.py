"""OSDI's lists and items over HTTP against a live server, on both faces: read, written, scoped, audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from groundswell.api.actions import do_create_api_token
from groundswell.api.tests.http import call
from groundswell.core.models import AuditEntry, AuditEvent
from groundswell.lists.actions import do_add_to_people_list, do_create_people_list
from groundswell.lists.models import ListItem, PeopleList
from groundswell.people.actions import PersonDetails, do_save_person

pytestmark = pytest.mark.django_db(transaction=True)

FACES = (("v1", "groundswell"), ("v2", "action_network"))


@pytest.fixture
def tokens(personas):
    return {
        name: do_create_api_token(user=getattr(personas, name), name="test", actor=None)[1]
        for name in ("staff", "coordinator", "leader_a", "leader_b", "volunteer")
    }


def with_filter(url: str, expression: str) -> str:
    return f"{url}?{urlencode({'filter': expression})}"


def person_link(api: str, uid: str) -> dict[str, Any]:
    return {"_links": {"osdi:person": {"href": f"{api}/people/{uid}"}}}


def own_id(resource: dict[str, Any], prefix: str) -> str:
    return str(resource["identifiers"][0].removeprefix(f"{prefix}:"))


@pytest.mark.parametrize(("face", "prefix"), FACES)
def test_a_leader_makes_a_list_puts_a_member_on_it_and_reads_it_back(live_server, personas, tokens, face, prefix):
    api = f"{live_server.url}/api/{face}"
    status, made = call(f"{api}/lists", tokens["leader_a"], "POST", {"name": " Door knockers ", "description": "Sat"})
    assert status == 201
    uid = own_id(made, prefix)
    assert made["identifiers"][0] == f"{prefix}:{uid}" and len(made["identifiers"]) == 2
    assert (made["name"], made["description"], made["total_items"]) == ("Door knockers", "Sat", 0)
    assert made["_links"]["self"]["href"] == f"{api}/lists/{uid}"
    assert made["_links"]["osdi:items"]["href"] == f"{api}/lists/{uid}/items"
    assert PeopleList.objects.get(uid=uid).owner.chapter == personas.chapter_a

    status, item = call(f"{api}/lists/{uid}/items", tokens["leader_a"], "POST", person_link(api, personas.member_a.uid))
    assert status == 200 and item["item_type"] == "osdi:person"
    assert item["_links"]["osdi:person"]["href"] == f"{api}/people/{personas.member_a.uid}"
    assert item["_links"]["osdi:list"]["href"] == f"{api}/lists/{uid}"
    again = call(f"{api}/lists/{uid}/items", tokens["leader_a"], "POST", person_link(api, personas.member_a.uid))
    assert again == (200, item)  # a person is on a list once
    assert ListItem.objects.filter(people_list__uid=uid).count() == 1
    if face == "v2":
        assert item["action_network:person_id"] == personas.member_a.uid and item["action_network:list_id"] == uid

    page = call(f"{api}/lists", tokens["leader_a"])[1]
    assert (page["total_records"], page["page"], page["per_page"]) == (1, 1, 25)
    [listed] = page["_embedded"]["osdi:lists"]
    assert listed["total_items"] == 1 and page["_links"]["osdi:lists"] == [{"href": f"{api}/lists/{uid}"}]
    assert call(f"{api}/lists/{uid}", tokens["leader_a"]) == (200, listed)
    items = call(f"{api}/lists/{uid}/items", tokens["leader_a"])[1]
    assert items["total_records"] == 1 and items["_embedded"]["osdi:items"] == [item]
    assert call(item["_links"]["self"]["href"], tokens["leader_a"]) == (200, item)
    reads = AuditEntry.objects.filter(event_type=AuditEvent.API_PEOPLE_READ, actor=personas.leader_a)
    assert {tuple(entry.details["ids"]) for entry in reads} == {(f"groundswell:{personas.member_a.uid}",)}
    assert reads.count() == 4  # two adds, the items page, the item
    entry = call(f"{api}/", tokens["leader_a"])[1]
    assert entry["_links"]["osdi:lists"]["href"] == f"{api}/lists"


def test_rename_take_off_and_delete(live_server, personas, tokens):
    api = f"{live_server.url}/api/v1"
    made = call(f"{api}/lists", tokens["leader_a"], "POST", {"name": "Phones"})[1]
    href = made["_links"]["self"]["href"]
    item = call(f"{href}/items", tokens["leader_a"], "POST", person_link(api, personas.member_a.uid))[1]

    status, renamed = call(href, tokens["leader_a"], "PUT", {"name": "Phone bank", "description": "Tuesdays"})
    assert status == 200 and (renamed["name"], renamed["description"], renamed["total_items"]) == (
        "Phone bank", "Tuesdays", 1,
    )  # fmt: skip
    assert call(href, tokens["leader_a"], "PUT", {"name": "  "})[1]["field"] == "name"
    assert call(href, tokens["leader_a"], "PUT", {"description": 5})[1]["field"] == "description"
    assert PeopleList.objects.get().name == "Phone bank"

    assert call(item["_links"]["self"]["href"], tokens["leader_a"], "DELETE")[0] == 200
    assert call(item["_links"]["self"]["href"], tokens["leader_a"])[0] == 404
    assert call(href, tokens["leader_a"])[1]["total_items"] == 0
    assert call(href, tokens["leader_a"], "DELETE")[0] == 200
    assert call(href, tokens["leader_a"])[0] == 404
    assert not PeopleList.objects.exists()
    kinds = AuditEntry.objects.filter(event_type__gte=1400, event_type__lt=1500).values_list("event_type", flat=True)
    assert sorted(kinds) == [1400, 1401, 1402, 1410, 1411]


def test_bad_writes_name_the_field_and_change_nothing(live_server, personas, tokens):
    api = f"{live_server.url}/api/v1"
    assert call(f"{api}/lists", tokens["leader_a"], "POST", {"description": "no name"})[1]["field"] == "name"
    assert call(f"{api}/lists", tokens["leader_a"], "POST", {"name": "x" * 201})[1]["field"] == "name"
    status, answer = call(
        f"{api}/lists", tokens["leader_a"], "POST", {"name": "B's", "groundswell:chapter": "providence"}
    )
    assert status == 400 and answer["field"] == "groundswell:chapter"
    status, answer = call(f"{api}/lists", tokens["staff"], "POST", {"name": "Staff", "groundswell:chapter": "nowhere"})
    assert status == 400 and answer["field"] == "groundswell:chapter"
    assert not PeopleList.objects.exists()
    made = call(f"{api}/lists", tokens["leader_a"], "POST", {"name": "Mine"})[1]
    items = made["_links"]["osdi:items"]["href"]
    assert call(items, tokens["leader_a"], "POST", {"_links": {}})[1]["field"] == "_links.osdi:person"
    bad_link = {"_links": {"osdi:person": {"href": "https://elsewhere.example/contacts/1"}}}
    assert call(items, tokens["leader_a"], "POST", bad_link)[1]["field"] == "_links.osdi:person"
    assert call(with_filter(f"{api}/lists", "email_address eq 'a@b.org'"), tokens["leader_a"])[1]["field"] == "filter"
    assert not ListItem.objects.exists()


def test_lists_are_filtered_by_modified_date_and_paged(live_server, personas, tokens):
    api = f"{live_server.url}/api/v2"
    for n in range(3):
        do_create_people_list(name=f"List {n}", actor=personas.leader_a)
    page = call(f"{api}/lists?per_page=2", tokens["leader_a"])[1]
    assert (page["total_records"], page["total_pages"]) == (3, 2)
    second = call(page["_links"]["next"]["href"], tokens["leader_a"])[1]
    assert [x["name"] for x in second["_embedded"]["osdi:lists"]] == ["List 2"]
    modified = with_filter(f"{api}/lists", "modified_date gt '2000-01-01'")
    assert call(modified, tokens["leader_a"])[1]["total_records"] == 3
    modified = with_filter(f"{api}/lists", "modified_date lt '2000-01-01'")
    assert call(modified, tokens["leader_a"])[1]["total_records"] == 0


def test_other_chapters_lists_and_people_are_404(live_server, personas, tokens):
    api = f"{live_server.url}/api/v1"
    mine = do_create_people_list(name="Pittsburgh", actor=personas.leader_a)
    item, _ = do_add_to_people_list(mine, personas.member_a, actor=personas.leader_a)
    href = f"{api}/lists/{mine.uid}"
    for path, method, body in (
        (href, "GET", None), (href, "PUT", {"name": "Taken"}), (href, "DELETE", None), (f"{href}/items", "GET", None),
        (f"{href}/items", "POST", person_link(api, personas.member_b.uid)), (f"{href}/items/{item.uid}", "GET", None),
        (f"{href}/items/{item.uid}", "DELETE", None),
    ):  # fmt: skip
        assert call(path, tokens["leader_b"], method, body)[0] == 404, (path, method)
        assert call(path, tokens["volunteer"], method, body)[0] == 404, (path, method)
        assert call(path, None, method, body)[0] == 401
    assert call(f"{api}/lists", tokens["leader_b"])[1]["total_records"] == 0
    assert call(f"{api}/lists", tokens["volunteer"])[1]["total_records"] == 0
    assert call(f"{api}/lists", tokens["volunteer"], "POST", {"name": "Volunteers"})[0] == 404
    assert call(f"{api}/lists/{'0' * 16}", tokens["staff"])[0] == 404
    # The state's coordinator and national staff read the chapter's list.
    assert call(href, tokens["coordinator"])[1]["total_items"] == 1
    assert call(href, tokens["staff"])[1]["total_items"] == 1
    assert PeopleList.objects.get().name == "Pittsburgh" and ListItem.objects.count() == 1


def test_a_person_out_of_sight_is_not_added_shown_or_counted(live_server, personas, tokens):
    api = f"{live_server.url}/api/v1"
    mine = call(f"{api}/lists", tokens["leader_a"], "POST", {"name": "Pittsburgh"})[1]
    items = mine["_links"]["osdi:items"]["href"]
    before = AuditEntry.objects.count()
    assert call(items, tokens["leader_a"], "POST", person_link(api, personas.member_b.uid))[0] == 404
    assert call(items, tokens["leader_a"], "POST", person_link(api, "f" * 16))[0] == 404
    assert not ListItem.objects.exists() and AuditEntry.objects.count() == before

    # Staff may see everyone, but a chapter's list holds people the chapter knows.
    status, answer = call(items, tokens["staff"], "POST", person_link(api, personas.member_b.uid))
    assert status == 400 and answer["field"] == "_links.osdi:person" and not ListItem.objects.exists()

    # An item about someone the reader cannot see (written as a plain row: no action makes one) stays hidden.
    people_list = PeopleList.objects.get()
    hidden = ListItem.objects.create(
        people_list=people_list, person=personas.member_b, owner=people_list.owner, via="api",
        recorded_at=people_list.created_at,
    )  # fmt: skip
    do_add_to_people_list(people_list, personas.member_a, actor=personas.leader_a)
    for name in ("leader_a", "coordinator"):
        assert call(mine["_links"]["self"]["href"], tokens[name])[1]["total_items"] == 1
        page = call(items, tokens[name])[1]
        assert page["total_records"] == 1
        assert [i["_links"]["osdi:person"]["href"] for i in page["_embedded"]["osdi:items"]] == [
            f"{api}/people/{personas.member_a.uid}"
        ]
        assert call(f"{items}/{hidden.uid}", tokens[name])[0] == 404
        assert call(f"{items}/{hidden.uid}", tokens[name], "DELETE")[0] == 404
    assert call(mine["_links"]["self"]["href"], tokens["staff"])[1]["total_items"] == 2
    assert ListItem.objects.filter(pk=hidden.pk).exists()
    reads = AuditEntry.objects.filter(event_type=AuditEvent.API_PEOPLE_READ).exclude(actor=personas.staff)
    assert all(f"groundswell:{personas.member_b.uid}" not in entry.details["ids"] for entry in reads)


def test_whose_a_new_list_is(live_server, personas, tokens):
    api = f"{live_server.url}/api/v1"
    owners = {}
    for name in ("staff", "coordinator", "leader_a"):
        made = call(f"{api}/lists", tokens[name], "POST", {"name": name})[1]
        owners[name] = PeopleList.objects.get(uid=own_id(made, "groundswell")).owner.label
    assert owners == {
        "staff": "Groundswell national", "coordinator": "Pennsylvania coordinators",
        "leader_a": "Pittsburgh Groundswell",
    }  # fmt: skip
    made = call(f"{api}/lists", tokens["coordinator"], "POST", {"name": "For A", "groundswell:chapter": "pittsburgh"})
    assert made[0] == 201 and PeopleList.objects.get(name="For A").owner.chapter == personas.chapter_a
    # The leader does not read the state's or national's lists; the coordinator reads the state's and A's.
    assert [x["name"] for x in call(f"{api}/lists", tokens["leader_a"])[1]["_embedded"]["osdi:lists"]] == [
        "leader_a", "For A",
    ]  # fmt: skip
    assert call(f"{api}/lists", tokens["coordinator"])[1]["total_records"] == 3
    assert call(f"{api}/lists", tokens["staff"])[1]["total_records"] == 4


def test_a_national_list_counts_for_staff_everyone_on_it(live_server, personas, tokens):
    api = f"{live_server.url}/api/v2"
    newcomer, _ = do_save_person(PersonDetails(first_name="Noor", emails=["noor@example.net"]), source="t", actor=None)
    national = do_create_people_list(name="Everyone", actor=personas.staff)
    for person in (personas.member_a, personas.member_b, newcomer):
        do_add_to_people_list(national, person, actor=personas.staff)
    page = call(f"{api}/lists/{national.uid}/items?per_page=2", tokens["staff"])[1]
    assert (page["total_records"], page["total_pages"], len(page["_embedded"]["osdi:items"])) == (3, 2, 2)
    assert call(f"{api}/lists/{national.uid}", tokens["staff"])[1]["total_items"] == 3
    assert call(f"{api}/lists/{national.uid}", tokens["coordinator"])[0] == 404

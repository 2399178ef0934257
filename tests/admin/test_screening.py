"""What readers without contact data may find: a search matches only the text as they may
read it (a collaborator's introduction, a one-character search of proposals), suggestion
lists are screened by the record they come from, and written-out numbers are caught."""

from __future__ import annotations

import httpx
from litestar import Litestar

from matching.projects import validate_call
from tests.factories import (
    APPLICANT_NAME,
    make_helper,
    make_proposal,
    search,
    signed_in,
)

INTRO = "配達ができます。急ぎの連絡は 078-7777-8888 か、〇九〇-五六七八-一二三四 まで。"


async def test_a_number_blacked_out_for_editors_does_not_find_the_collaborator(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    helper = await make_helper(app, intro=INTRO)
    await signed_in(client, app, "editor")
    base = "/admin/collaborators"
    shown = (await client.get(f"{base}/{helper.id}")).text
    assert "7777-8888" not in shown and "五六七八" not in shown
    for term in ("7777-8888", "8888", "五六七八", "一二三四"):
        found = await search(client, base, q=term)
        assert helper.ref not in found.text, term  # no way to rebuild it digit by digit
    readable = await search(client, base, q="配達")
    assert helper.ref in readable.text


async def test_coordinators_still_find_by_what_they_may_read(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    helper = await make_helper(app, intro=INTRO)
    await signed_in(client, app, "coordinator")
    assert helper.ref in (await search(client, "/admin/collaborators", q="7777-8888")).text


async def test_a_one_character_search_of_proposals_skips_blacked_out_text(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    hidden = await make_proposal(app, ref="OU-SCRN-00001", catchphrase="見守りの会",
                                 body="連絡は 090-5555-7777 まで。")
    plain = await make_proposal(app, ref="OU-SCRN-00002", catchphrase="7の付く日に集まります",
                                body="毎月の集まりです。")
    await signed_in(client, app, "editor")
    found = (await search(client, "/admin/proposals", q="７")).text  # folded to 7
    assert plain.ref in found and hidden.ref not in found


async def test_proposals_a_collaborator_fits_are_screened_by_their_own_record(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    """An auditor saw the applicant's nickname in the "proposals this collaborator fits"
    list: the catchphrase there is now screened with that proposal's own values."""
    await make_proposal(app, ref="OU-SCRN-00003", status="seeking", category="elderly",
                        ward="nada", catchphrase=f"{APPLICANT_NAME}の配達のお願い",
                        body="灘区で何よりお弁当を配達してくれる方を探しています。")
    helper = await make_helper(app)
    await signed_in(client, app, "auditor")
    page = (await client.get(f"/admin/collaborators/{helper.id}")).text
    assert "OU-SCRN-00003" in page and APPLICANT_NAME not in page


def test_a_public_call_refuses_written_out_numbers_and_addresses() -> None:
    for needed in ("連絡は〇九〇-五六七八-一二三四へ", "090 - 5678 - 1234 まで",
    "taro (at) example.jp",
                   "０ ９ ０ ５ ６ ７ ８ １ ２ ３ ４"):
        data, errors = validate_call({"title": "配達の募集", "needed": needed,
                                      "category": "elderly", "ward": "nada"})
        assert data is None and errors == {"needed": "call_personal_data"}, needed
    data, errors = validate_call({"title": "配達の募集", "needed": "土曜の10時から12時、3名",
                                  "category": "elderly", "ward": "nada"})
    assert data is not None and errors == {}

"""Stories through the back office and the applicant's links, on SQLite and PostgreSQL: every
step, every refusal, who may do what, the audit trail on the proposal, the emails as the
real SMTP server receives them, and no contact data on any page an editor sees."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import httpx
from litestar import Litestar

from core.db import utcnow
from matching.models import MemberKind, Project, ProjectMember
from notifications.worker import Worker
from publishing.models import Story
from tests.conftest import SmtpCapture, csrf_of
from tests.factories import EMAIL, PHONE, make_proposal
from tests.publishing.factories import (
    CONSENT_RE,
    WITHDRAW_RE,
    create_story,
    link_in,
    load,
    post_form,
    staff_clients,
    step,
    story_events,
    story_form,
    text_of,
)

NICKNAME = "こうべ太郎"


async def answer(client: httpx.AsyncClient, token: str, **data: str) -> httpx.Response:
    page = await client.get(f"/stories/consent/{token}")
    assert page.status_code == 200
    return await client.post(f"/stories/consent/{token}",
                             data={"_csrf_token": csrf_of(page.text), **data})


async def test_from_draft_to_published_and_withdrawn(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture,
    captured_logs: io.StringIO,
) -> None:
    proposal = await make_proposal(app, status="completed", ref="OU-STORY-0001")
    async with staff_clients(client, app) as staff:
        editor, editor_user = await staff("editor")
        coordinator, coordinator_user = await staff("coordinator")
        story_id = await create_story(editor, proposal.id or 0)
        story = await load(app, story_id)
        assert (story.status, story.version, story.author_id) == ("draft", 1, editor_user.id)
        assert '<a href="https://www.city.kobe.lg.jp/" rel="nofollow noopener">' in story.body_html
        assert "<h2>はじまり</h2>" in story.body_html

        page = await editor.get(f"/admin/stories/{story_id}")
        assert page.status_code == 200 and "下書き" in page.text and "確認を依頼する" in page.text
        for secret in (EMAIL, PHONE, NICKNAME):
            assert secret not in page.text

        # Who may do what.
        assert (await step(editor, story_id, "approve")).status_code == 403
        assert (await step(coordinator, story_id, "submit")).status_code == 403
        assert (await step(editor, story_id, "publish")).status_code == 400  # not yet
        assert (await step(editor, story_id, "submit")).status_code == 303
        assert (await step(coordinator, story_id, "publish")).status_code == 403
        assert (await step(coordinator, story_id, "request-consent")).status_code == 403
        assert (await step(coordinator, story_id, "approve")).status_code == 303
        story = await load(app, story_id)
        assert (story.status, story.approved_by_id) == ("approved", coordinator_user.id)

        assert (await step(editor, story_id, "request-consent")).status_code == 303
        assert await worker.sender.process_due() == 1
        ask = smtp.messages[-1]
        assert ask["To"] == EMAIL and "OU-STORY-0001" in ask["Subject"]
        assert "公開前に" in ask["Subject"] and "八百屋さんと子ども食堂" in text_of(ask)
        token = link_in(ask, CONSENT_RE)
        story = await load(app, story_id)
        assert story.status == "consent_requested" and story.consent_token_hash != token
        assert len(story.consent_token_hash or "") == 64  # its SHA-256, not the token

        # Opening the link (or a mail scanner doing so) changes nothing.
        for _ in range(2):
            preview = await client.get(f"/stories/consent/{token}")
            assert preview.status_code == 200
        assert preview.headers["cache-control"] == "no-store"
        assert "noindex" in preview.headers["x-robots-tag"]
        assert '<meta name="robots" content="noindex, nofollow">' in preview.text
        assert story.body_html in preview.text and "公開に同意する" in preview.text
        for secret in (EMAIL, PHONE, NICKNAME, editor_user.display_name):
            assert secret not in preview.text
        assert (await load(app, story_id)).status == "consent_requested"

        done = await answer(client, token, decision="agree")
        assert done.status_code == 200 and "ご回答ありがとうございました" in done.text
        assert (await client.get(f"/stories/consent/{token}")).status_code == 410  # single use
        again = await client.post(f"/stories/consent/{token}",
                                  data={"_csrf_token": csrf_of(preview.text), "decision": "agree"})
        assert again.status_code == 410 and "このリンクは現在ご利用いただけません" in again.text
        story = await load(app, story_id)
        assert story.status == "consented" and story.consented_at is not None
        assert story.consent_token_hash is None

        assert (await step(coordinator, story_id, "publish")).status_code == 403
        assert (await step(editor, story_id, "publish")).status_code == 303
        story = await load(app, story_id)
        assert story.status == "published" and story.published_at is not None
        assert await worker.sender.process_due() == 1
        published = smtp.messages[-1]
        assert published["To"] == EMAIL and "公開しました" in published["Subject"]
        assert f"https://ouen.test/projects/{story.slug}" in text_of(published)
        withdraw_token = link_in(published, WITHDRAW_RE)

        app.state.public.forget()
        public = await client.get(f"/projects/{story.slug}")
        assert public.status_code == 200 and story.title in public.text

        # A published story is read-only; the page offers to take it down instead.
        edit = await post_form(editor, f"/admin/stories/{story_id}/edit",
                               f"/admin/stories/{story_id}/edit",
                               {**story_form(title="変えたい"), "version": str(story.version)})
        assert edit.status_code == 400 and (await load(app, story_id)).title != "変えたい"

        # Withdrawal: the GET shows a button; the POST takes the story down at once.
        shown = await client.get(f"/stories/withdraw/{withdraw_token}")
        assert shown.status_code == 200 and "同意を撤回して公開を停止する" in shown.text
        assert (await load(app, story_id)).status == "published"
        gone = await client.post(f"/stories/withdraw/{withdraw_token}",
                                 data={"_csrf_token": csrf_of(shown.text)})
        assert gone.status_code == 200 and "同意を撤回しました" in gone.text
        story = await load(app, story_id)
        assert story.status == "unpublished" and story.consent_withdrawn_at is not None
        assert story.consented_at is None and story.withdraw_token_hash is None
        app.state.public.forget()
        assert (await client.get(f"/projects/{story.slug}")).status_code == 404
        assert (await client.get(f"/stories/withdraw/{withdraw_token}")).status_code == 410
        assert (await step(editor, story_id, "publish")).status_code == 400  # no consent now

        assert [(a, d.split(" ", 1)[1]) for a, _t, _o, d in await story_events(app)] == [
            ("story.created", "-> draft"),
            ("story.submit", "draft -> in_review"),
            ("story.approve", "in_review -> approved"),
            ("story.request_consent", "approved -> consent_requested"),
            ("story.consented", "consent_requested -> consented"),
            ("story.publish", "consented -> published"),
            ("story.consent_withdrawn", "published -> unpublished"),
        ]
        for _action, object_type, object_id, detail in await story_events(app):
            assert (object_type, object_id) == ("proposal", str(proposal.id))
            assert detail.startswith(f"story={story_id} ")
        assert story.version == 7  # every step bumped it

        case = await coordinator.get(f"/admin/proposals/{proposal.id}")
        assert "story.consent_withdrawn" in case.text  # on the proposal's timeline
        history = await editor.get(f"/admin/stories/{story_id}")
        assert "応募者が同意を撤回" in history.text and "公開停止" in history.text
    logs = captured_logs.getvalue()
    for secret in (EMAIL, PHONE, token, withdraw_token):
        assert secret not in logs


async def test_the_applicant_asks_for_changes_and_the_editor_revises(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture,
) -> None:
    proposal = await make_proposal(app, status="completed", locale="en")
    async with staff_clients(client, app) as staff:
        editor, _ = await staff("editor")
        coordinator, _ = await staff("coordinator")
        story_id = await create_story(editor, proposal.id or 0)
        await step(editor, story_id, "submit")
        await step(coordinator, story_id, "approve")
        await step(editor, story_id, "request-consent")
        await worker.sender.process_due()
        ask = smtp.messages[-1]
        assert ask["Subject"].startswith("Please look at the story about your project")
        token = link_in(ask, CONSENT_RE)

        empty = await answer(client, token, decision="change", comment="  ")
        assert empty.status_code == 422 and "修正してほしい点を書いてください" in empty.text
        long = await answer(client, token, decision="change", comment="あ" * 2001)
        assert long.status_code == 422
        bogus = await answer(client, token, decision="maybe")
        assert bogus.status_code == 400
        assert (await load(app, story_id)).status == "consent_requested"

        comment = f"写真を変えてください。連絡は {PHONE} か {EMAIL} まで。{NICKNAME}"
        asked = await answer(client, token, decision="change", comment=comment)
        assert asked.status_code == 200 and "コメントを運営事務局に伝えました" in asked.text
        story = await load(app, story_id)
        assert story.status == "changes_requested" and story.change_request == comment.strip()
        assert story.change_request_by == "applicant"
        assert (await client.get(f"/stories/consent/{token}")).status_code == 410

        page = await editor.get(f"/admin/stories/{story_id}")
        assert "応募者から修正の依頼があります" in page.text and "写真を変えてください" in page.text
        for secret in (EMAIL, PHONE, NICKNAME):
            assert secret not in page.text  # blacked out for the editor
        detail = [d for a, _t, _o, d in await story_events(app) if a == "story.changes_requested"]
        assert detail == [f"story={story_id} consent_requested -> changes_requested"]

        version = str(story.version)
        saved = await post_form(editor, f"/admin/stories/{story_id}/edit",
                                f"/admin/stories/{story_id}/edit",
                                {**story_form(summary="写真を差し替えました。"),
                                 "version": version})
        assert saved.status_code == 303
        assert (await load(app, story_id)).status == "changes_requested"  # until resubmitted
        assert (await step(editor, story_id, "submit")).status_code == 303
        assert (await load(app, story_id)).status == "in_review"


async def test_the_reviewer_sends_a_story_back_with_a_comment(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, status="completed")
    async with staff_clients(client, app) as staff:
        editor, _ = await staff("editor")
        coordinator, _ = await staff("coordinator")
        story_id = await create_story(editor, proposal.id or 0)
        await step(editor, story_id, "submit")
        seen = await coordinator.get(f"/admin/stories/{story_id}")
        version = (await load(app, story_id)).version
        edited = await post_form(editor, f"/admin/stories/{story_id}/edit",
                                 f"/admin/stories/{story_id}/edit",
                                 {**story_form(title="こっそり変えた題"), "version": str(version)})
        assert edited.status_code == 303
        unseen = await coordinator.post(f"/admin/stories/{story_id}/approve", data={
            "_csrf_token": csrf_of(seen.text), "version": str(version)})
        assert unseen.status_code == 409 and "ストーリーが変更されました" in unseen.text
        assert (await load(app, story_id)).status == "in_review"  # nobody approved the new title
        refused = await step(coordinator, story_id, "return", comment="")
        assert refused.status_code == 400 and "修正してほしい点を書いてください" in refused.text
        sent_back = await step(coordinator, story_id, "return", comment="見出しを短く")
        assert sent_back.status_code == 303
        story = await load(app, story_id)
        assert (story.status, story.change_request_by) == ("changes_requested", "reviewer")
        page = await editor.get(f"/admin/stories/{story_id}")
        assert "確認者から修正の依頼があります" in page.text and "見出しを短く" in page.text


async def test_editing_after_approval_goes_back_to_review_and_kills_the_consent_link(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture,
) -> None:
    proposal = await make_proposal(app, status="completed")
    async with staff_clients(client, app) as staff:
        editor, _ = await staff("editor")
        coordinator, _ = await staff("coordinator")
        story_id = await create_story(editor, proposal.id or 0)
        await step(editor, story_id, "submit")
        await step(coordinator, story_id, "approve")
        await step(editor, story_id, "request-consent")
        await worker.sender.process_due()
        token = link_in(smtp.messages[-1], CONSENT_RE)
        before = await load(app, story_id)

        form = await editor.get(f"/admin/stories/{story_id}/edit")
        assert "確認待ちに戻ります" in form.text
        stale = await editor.post(f"/admin/stories/{story_id}/edit", data={
            "_csrf_token": csrf_of(form.text), **story_form(title="新しい題"),
            "version": str(before.version - 1)})
        assert stale.status_code == 409 and "ほかの方がこのストーリーを変更しました" in stale.text
        preview = await editor.post(f"/admin/stories/{story_id}/edit", data={
            "_csrf_token": csrf_of(form.text), **story_form(body="**太字**"),
            "action": "preview", "version": str(before.version)})
        assert preview.status_code == 200 and "<strong>太字</strong>" in preview.text
        assert (await load(app, story_id)).version == before.version  # a preview saves nothing
        saved = await editor.post(f"/admin/stories/{story_id}/edit", data={
            "_csrf_token": csrf_of(form.text), **story_form(title="新しい題"),
            "version": str(before.version)})
        assert saved.status_code == 303
        story = await load(app, story_id)
        assert (story.status, story.title, story.version) == ("in_review", "新しい題",
                                                              before.version + 1)
        assert story.approved_by_id is None and story.consent_token_hash is None
        assert (await client.get(f"/stories/consent/{token}")).status_code == 410
        [(_a, _t, _o, detail)] = [e for e in await story_events(app) if e[0] == "story.edited"]
        assert detail == f"story={story_id} fields=title consent_requested -> in_review"
        unchanged = await editor.post(f"/admin/stories/{story_id}/edit", data={
            "_csrf_token": csrf_of(form.text), **story_form(title="新しい題"),
            "version": str(story.version)})
        assert unchanged.status_code == 303 and (await load(app, story_id)).version == story.version


async def test_personal_data_warnings_before_review_and_publication(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture,
) -> None:
    proposal = await make_proposal(app, status="completed")
    async with staff_clients(client, app) as staff:
        editor, _ = await staff("editor")
        coordinator, _ = await staff("coordinator")
        body = f"代表の{NICKNAME[:3]} {NICKNAME[3:]}さん（電話 078-322-5211）に聞きました。"
        story_id = await create_story(editor, proposal.id or 0, body=body,
                                      summary="問い合わせは info@shokudo.example.org へ")
        page = await editor.get(f"/admin/stories/{story_id}")
        assert "本文に応募者のニックネームが含まれています。" in page.text
        assert "本文に応募者の電話番号が含まれています。" in page.text
        assert "要約にメールアドレスが含まれています。" in page.text
        assert "0783225211" not in page.text and "322-5211" not in page.text.split("プレビュー")[0]
        refused = await step(editor, story_id, "submit")
        assert refused.status_code == 400
        assert "個人情報が含まれている可能性があります" in refused.text
        assert (await load(app, story_id)).status == "draft"
        assert (await step(editor, story_id, "submit", confirm_warnings="yes")).status_code == 303
        await step(coordinator, story_id, "approve")
        await step(editor, story_id, "request-consent")
        await worker.sender.process_due()
        await answer(client, link_in(smtp.messages[-1], CONSENT_RE), decision="agree")
        assert (await step(editor, story_id, "publish")).status_code == 400
        assert (await load(app, story_id)).status == "consented"
        published = await step(editor, story_id, "publish", confirm_warnings="yes")
        assert published.status_code == 303 and (await load(app, story_id)).status == "published"


async def test_roles_four_eyes_and_auditors(client: httpx.AsyncClient, app: Litestar) -> None:
    proposal = await make_proposal(app, status="completed")
    async with staff_clients(client, app) as staff:
        admin, _ = await staff("admin")
        coordinator, _ = await staff("coordinator")
        auditor, _ = await staff("auditor")
        story_id = await create_story(admin, proposal.id or 0)
        await step(admin, story_id, "submit")
        page = await admin.get(f"/admin/stories/{story_id}")
        assert "承認はほかの職員が行います" in page.text and ">承認する<" not in page.text
        self_approval = await step(admin, story_id, "approve")
        assert self_approval.status_code == 400 and "執筆者以外" in self_approval.text
        assert (await load(app, story_id)).status == "in_review"

        new_page = await coordinator.get(f"/admin/stories/new?proposal={proposal.id}")
        assert new_page.status_code == 403
        assert (await auditor.get("/admin/stories")).status_code == 200
        read = await auditor.get(f"/admin/stories/{story_id}")
        assert read.status_code == 200 and "<form method=\"post\" action=\"/admin/stories" \
            not in read.text
        for path in ("submit", "approve", "publish", "unpublish", "request-consent", "edit"):
            assert (await step(auditor, story_id, path)).status_code == 403, path
        assert (await step(coordinator, story_id, "approve")).status_code == 303


async def test_take_down_and_publish_again_without_a_new_email(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture,
) -> None:
    proposal = await make_proposal(app, status="completed")
    async with staff_clients(client, app) as staff:
        editor, _ = await staff("editor")
        coordinator, _ = await staff("coordinator")
        story_id = await create_story(editor, proposal.id or 0)
        await step(editor, story_id, "submit")
        await step(coordinator, story_id, "approve")
        await step(editor, story_id, "request-consent")
        await worker.sender.process_due()
        await answer(client, link_in(smtp.messages[-1], CONSENT_RE), decision="agree")
        await step(editor, story_id, "publish")
        await worker.sender.process_due()
        first = await load(app, story_id)
        sent = len(smtp.messages)
        withdraw_token = link_in(smtp.messages[-1], WITHDRAW_RE)

        assert (await step(coordinator, story_id, "unpublish")).status_code == 303  # emergency
        assert (await load(app, story_id)).status == "unpublished"
        assert (await step(editor, story_id, "publish")).status_code == 303
        again = await load(app, story_id)
        assert again.status == "published" and again.published_at == first.published_at
        assert await worker.sender.process_due() == 0 and len(smtp.messages) == sent
        # The link from the first email still withdraws consent.
        assert (await client.get(f"/stories/withdraw/{withdraw_token}")).status_code == 200


async def test_expired_and_replaced_consent_links(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture,
) -> None:
    proposal = await make_proposal(app, status="completed")
    async with staff_clients(client, app) as staff:
        editor, _ = await staff("editor")
        coordinator, _ = await staff("coordinator")
        story_id = await create_story(editor, proposal.id or 0)
        await step(editor, story_id, "submit")
        await step(coordinator, story_id, "approve")
        await step(editor, story_id, "request-consent")
        await worker.sender.process_due()
        old = link_in(smtp.messages[-1], CONSENT_RE)
        async with app.state.sessions() as db, db.begin():
            story = await db.get(Story, story_id)
            assert story is not None
            story.consent_requested_at = utcnow() - timedelta(days=31)
            db.add(story)
        expired = await client.get(f"/stories/consent/{old}")
        assert expired.status_code == 410 and "有効期限が切れています" in expired.text
        page = await editor.get(f"/admin/stories/{story_id}")
        assert "もう一度依頼してください" in page.text and "同意の依頼をもう一度送る" in page.text
        assert (await step(editor, story_id, "request-consent")).status_code == 303
        await worker.sender.process_due()
        new = link_in(smtp.messages[-1], CONSENT_RE)
        assert new != old
        assert (await client.get(f"/stories/consent/{old}")).status_code == 410
        assert (await client.get(f"/stories/consent/{new}")).status_code == 200
        assert (await client.get("/stories/consent/" + "x" * 300)).status_code == 410
        assert (await client.get("/stories/withdraw/unknown-token")).status_code == 410


async def test_new_story_from_a_project_slugs_and_validation(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, status="active", ref="OU-PROJ-0001")
    other = await make_proposal(app, status="active", ref="OU-PROJ-0002",
                                contact={"phone": "0789990000"})
    async with staff_clients(client, app) as staff:
        editor, editor_user = await staff("editor")
        async with app.state.sessions() as db, db.begin():
            project = Project(proposal_id=proposal.id or 0, created_by_id=editor_user.id or 0,
                              created_at=utcnow())
            db.add(project)
            await db.flush()
            db.add(ProjectMember(project_id=project.id or 0, kind=MemberKind.APPLICANT,
                                 proposal_id=other.id, added_at=utcnow()))
        project_page = await editor.get(f"/admin/projects/{project.id}")
        assert f'href="/admin/stories/new?project={project.id}"' in project_page.text
        coordinator, _ = await staff("coordinator")
        assert "/admin/stories/new" not in (await coordinator.get(
            f"/admin/projects/{project.id}")).text  # coordinators review, they do not write
        form = await editor.get(f"/admin/stories/new?project={project.id}")
        assert form.status_code == 200
        # A Japanese title: a random address, never the case reference (which ties back).
        assert re.search(r'name="slug"[^>]*value="story-[0-9a-f]{8}"', form.text)
        assert 'value="ou-proj-0001"' not in form.text
        assert proposal.catchphrase in form.text and EMAIL not in form.text
        data = {"_csrf_token": csrf_of(form.text), "project_id": str(project.id)}
        bad = await editor.post("/admin/stories", data={**data, **story_form(
            slug="Bad Slug!", title="", summary="x" * 301, category="nope", ward="mars")})
        assert bad.status_code == 422
        for message in ("タイトルを入力してください", "ページのアドレスに使えるのは",
                        "要約は300文字以内", "カテゴリを選んでください",
                        "地域を一覧から選んでください"):
            assert message in bad.text
        reserved = await editor.post("/admin/stories", data={**data, **story_form(slug="feed")})
        assert reserved.status_code == 422
        first = await editor.post("/admin/stories", data={**data, **story_form(slug="")})
        assert first.status_code == 303
        story = await load(app, int(first.headers["location"].rsplit("/", 1)[1]))
        assert re.fullmatch(r"story-[0-9a-f]{8}", story.slug) and story.project_id == project.id
        taken = await editor.post("/admin/stories", data={**data, **story_form(slug=story.slug)})
        assert taken.status_code == 422 and "ほかのストーリーで使われています" in taken.text
        second = await editor.post("/admin/stories", data={**data, **story_form(
            slug="", title="Vegetables for the Nagata kitchen")})
        assert (await load(app, int(second.headers["location"].rsplit("/", 1)[1]))).slug == \
            "vegetables-for-the-nagata-kitchen"
        # Another member's contact data counts too.
        warned = await create_story(editor, proposal.id or 0, slug="member-phone",
                                    body="メンバーの電話 078-999-0000")
        assert "本文にプロジェクトのほかのメンバーの電話番号が含まれています" in \
            (await editor.get(f"/admin/stories/{warned}")).text

        listing = await editor.get("/admin/stories", params={"status": "draft"})
        assert listing.status_code == 200 and listing.text.count('href="/admin/stories/') >= 3
        assert "ストーリー" in (await editor.get("/admin")).text
        nothing = await editor.get("/admin/stories", params={"status": "published"})
        assert "この状態のストーリーはありません" in nothing.text
        spam = await make_proposal(app, status="spam", ref="OU-SPAM-0001")
        assert (await editor.get(f"/admin/stories/new?proposal={spam.id}")).status_code == 404
        assert (await editor.get("/admin/stories/new?ref=OU-NONE-0000")).status_code == 404
        chooser = await editor.get("/admin/stories/new?ref=ou-proj-0002")
        assert chooser.status_code == 200 and 'name="proposal_id"' in chooser.text


async def test_closing_the_case_ends_the_consent_link(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture,
) -> None:
    """The case is withdrawn while the applicant is being asked: the link stops working
    (it used to accept `agree` and mark the story consented) and the story is approved
    again, with the step on its timeline."""
    proposal = await make_proposal(app, status="active")
    async with staff_clients(client, app) as staff:
        editor, _ = await staff("editor")
        coordinator, _ = await staff("coordinator")
        story_id = await create_story(editor, proposal.id or 0)
        await step(editor, story_id, "submit")
        await step(coordinator, story_id, "approve")
        await step(editor, story_id, "request-consent")
        await worker.sender.process_due()
        token = link_in(smtp.messages[-1], CONSENT_RE)
        assert (await client.get(f"/stories/consent/{token}")).status_code == 200
        page = await coordinator.get(f"/admin/proposals/{proposal.id}")
        closed = await coordinator.post(f"/admin/proposals/{proposal.id}/status", data={
            "to": "withdrawn", "reason": "本人から取り下げの連絡",
            "_csrf_token": csrf_of(page.text)})
        assert closed.status_code == 303
        assert (await client.get(f"/stories/consent/{token}")).status_code == 410
        form = await client.get("/apply")
        agreed = await client.post(f"/stories/consent/{token}", data={
            "decision": "agree", "_csrf_token": csrf_of(form.text)})
        assert agreed.status_code == 410
        story = await load(app, story_id)
        assert story.status == "approved" and story.consented_at is None
        assert story.consent_token_hash is None
        assert ("story.consent_request_cancelled", "proposal", str(proposal.id),
                f"story={story_id} consent_requested -> approved") in await story_events(app)

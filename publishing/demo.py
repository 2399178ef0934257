"""A living public site for a fresh `make run`: a few projects with published stories, an
open call for help and their history (introductions, project, story steps in the audit
chain). Every contact value is fictional (example.jp, 0120-000-xxx) and never appears on a
public page. Running it again changes nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from PIL import Image
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.models import StaffUser
from admin.permissions import Role
from core.audit import Actor, AuditLog
from core.crypto import FieldCipher
from core.db import utcnow
from core.models import RecordKey
from intake.contact import sealed
from intake.models import Collaborator, CollaboratorStatus, Proposal, ProposalStatus
from intake.search import index_proposal
from matching.models import Call, Match, MatchStatus, MemberKind, Project, ProjectMember
from publishing.markdown import render_markdown
from publishing.models import Story, StoryPhoto, StoryStatus

DEMO_EDITOR = "demo.editor@example.invalid"


@dataclass(frozen=True)
class Showcase:
    slug: str
    category: str
    ward: str
    catchphrase: str
    body: str
    helper_org: str
    helper_offers: tuple[str, ...]
    title: str
    summary: str
    story: str
    photo_alt: str
    colour: tuple[int, int, int]


SHOWCASES = (
    Showcase(
        "demo-nagata-kodomo-shokudo", "children", "nagata", "商店街で子ども食堂をひらきたい",
        "長田区の商店街で、休校中の子どもたちに温かいご飯を届けたいです。"
        "何より調理と配膳を手伝ってくださる方を探しています。",
        "まちかど食堂", ("調理", "人手"),
        "長田の商店街に、子ども食堂が生まれました",
        "空き店舗を借りて、毎週土曜日に30食。学生ボランティアと商店街の店主さんが支えています。",
        "## はじまり\n\n休校が続いた春、商店街の八百屋さんの一言から始まりました。\n\n"
        "## いま\n\n- 毎週土曜日のお昼に30食\n- 配膳は近くの大学の学生ボランティア\n\n"
        "「子どもたちの声が商店街に戻ってきた」と店主さんたちは話します。",
        "配膳台に並んだお弁当と、準備をする学生ボランティア", (214, 120, 60),
    ),
    Showcase(
        "demo-tarumi-mimamori", "elderly", "tarumi", "ひとり暮らしのお年寄りに声かけを",
        "垂水区でひとり暮らしのお年寄りへの声かけを続けたいです。"
        "特に一緒に回ってくださる方と、移動の足になってくださる方を探しています。",
        "ほしぞら福祉タクシー", ("送迎",),
        "垂水の見守り、車でひと回り広く",
        "福祉タクシーの協力で、坂の上のお宅にも毎週うかがえるようになりました。",
        "坂の多い垂水区では、歩いて回れるお宅に限りがありました。\n\n"
        "福祉タクシーの運転手さんが協力してくださり、**毎週木曜日**に車で回っています。",
        "坂道の住宅街を走る福祉車両", (70, 130, 190),
    ),
    Showcase(
        "demo-chuo-tagengo", "foreign_residents", "chuo", "多言語で生活情報を届けたい",
        "中央区の外国人住民に、給付金やワクチンの案内をやさしい日本語と多言語で届けたいです。"
        "いちばんお願いしたいのは翻訳を手伝ってくださる方です。",
        "国際交流サークルわ", ("翻訳", "広報"),
        "やさしい日本語と5つの言葉で、くらしの情報を",
        "留学生と地域の通訳ボランティアが、毎月の生活情報を5言語に訳して届けています。",
        "ベトナム語、ネパール語、中国語、英語、やさしい日本語の5種類です。\n\n"
        "> わからないことを聞ける人ができた\n\nという声が届いています。",
        "多言語で書かれた案内チラシ", (90, 160, 100),
    ),
)


def _photo(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (960, 640), colour).save(out, "JPEG", quality=80)
    return out.getvalue()


async def _editor(db: AsyncSession, now: datetime) -> StaffUser:
    """The first active staff member writes the demo stories; a demo editor if none."""
    existing = (await db.exec(select(StaffUser).where(col(StaffUser.active))
                              .order_by(col(StaffUser.id)))).first()
    if existing is not None:
        return existing
    demo = (await db.exec(select(StaffUser).where(col(StaffUser.email) == DEMO_EDITOR))).first()
    if demo is not None:
        return demo
    editor = StaffUser(email=DEMO_EDITOR, display_name="Demo editor",
                       organisation="Demo", role=Role.EDITOR, active=False,
                       password_hash="!", must_change_password=True,  # noqa: S106 - no login
                       created_at=now)
    db.add(editor)
    await db.flush()
    return editor


async def create_showcase(db: AsyncSession, cipher: FieldCipher, audit: AuditLog) -> int:
    """Create the showcase projects and stories that are missing; returns how many."""
    created = 0
    now = utcnow()
    editor = await _editor(db, now)
    for n, case in enumerate(SHOWCASES, start=1):
        if (await db.exec(select(Story.id).where(col(Story.slug) == case.slug))).first():
            continue
        started = now - timedelta(days=40 - n * 7)
        email = f"demo.applicant{n}@example.jp"
        key, columns = sealed(cipher, {"nickname": f"デモ応募者{n}", "email": email,
                                       "phone": f"0120000{n:03d}"}, started)
        proposal = Proposal(
            **columns, key=RecordKey(**key),
            ref=f"OU-DEMO-{n:04d}", status=ProposalStatus.ACTIVE, category=case.category,
            ward=case.ward,
            org_name=None, catchphrase=case.catchphrase, body=case.body,
            email_bidx=cipher.blind_index(email),
            locale="ja", consent_at=started, policy_version="2026-11-01", created_at=started,
            verified_at=started,
        )
        db.add(proposal)
        helper_email = f"demo.helper{n}@example.jp"
        key, columns = sealed(cipher, {"display_name": f"デモ協力者{n}", "email": helper_email,
                                       "phone": f"0120000{n + 100:03d}"}, started)
        helper = Collaborator(
            **columns, key=RecordKey(**key),
            ref=f"CO-DEMO-{n:04d}", status=CollaboratorStatus.ACTIVE,
            org_name=case.helper_org, org_type="business",
            email_bidx=cipher.blind_index(helper_email), categories=[case.category],
            wards=[case.ward], offers=list(case.helper_offers), availability="anytime",
            capacity=2, intro=f"{case.helper_org}です。できることから協力します。", locale="ja",
            consent_at=started, policy_version="2026-11-01", created_at=started,
            updated_at=started, verified_at=started,
        )
        db.add(helper)
        await db.flush()
        await index_proposal(db, proposal)
        introduced = started + timedelta(days=5)
        db.add(Match(proposal_id=proposal.id or 0, collaborator_id=helper.id or 0,
                     coordinator_id=editor.id or 0, status=MatchStatus.INTRODUCED,
                     asked_at=introduced,
                     proposed_at=started + timedelta(days=3), closed_at=introduced,
                     collaborator_answered_at=introduced, applicant_answered_at=introduced))
        project = Project(proposal_id=proposal.id or 0, created_by_id=editor.id or 0,
                          created_at=introduced)
        db.add(project)
        await db.flush()
        db.add(ProjectMember(project_id=project.id or 0, kind=MemberKind.APPLICANT,
                             proposal_id=proposal.id, added_at=introduced))
        db.add(ProjectMember(project_id=project.id or 0, kind=MemberKind.COLLABORATOR,
                             collaborator_id=helper.id, added_at=introduced))
        if n == 1:
            db.add(Call(project_id=project.id or 0, title="土曜日の配膳ボランティア募集",
                        needed="毎週土曜日の11時から13時、お弁当の配膳と片付けを手伝ってくださる方。",
                        category=case.category, ward=case.ward, opened_at=introduced))
        published = started + timedelta(days=20)
        story = Story(
            proposal_id=proposal.id or 0, project_id=project.id, slug=case.slug,
            title=case.title, summary=case.summary, body_md=case.story,
            body_html=render_markdown(case.story), category=case.category, ward=case.ward,
            status=StoryStatus.PUBLISHED, author_id=editor.id or 0, approved_by_id=editor.id,
            consented_at=published, created_at=started + timedelta(days=12),
            updated_at=published, published_at=published,
        )
        db.add(story)
        await db.flush()
        db.add(StoryPhoto(story_id=story.id or 0, alt=case.photo_alt, mime="image/jpeg",
                          width=960, height=640, data=_photo(case.colour), created_at=published))
        for action, detail in (
            ("match.introduced", f"demo collaborator={helper.ref}"),
            ("project.formed", f"demo project={project.id}"),
            ("story.published", f"demo story={story.id}"),
        ):
            await audit.record(db, action, Actor("demo"), object_type="proposal",
                               object_id=proposal.id or "", detail=detail)
        created += 1
    return created

"""Story photos: checked by content, re-encoded without metadata, bombs refused; multipart is
accepted on the upload route only, with its own body limit."""

from __future__ import annotations

import io
import os

import httpx
import pytest
from litestar import Litestar
from PIL import Image
from sqlmodel import col, select

from core.errors import DomainError
from notifications.worker import Worker
from publishing.models import PHOTO_MAX_BYTES, StoryPhoto
from publishing.photos import LONG_SIDE, process_photo
from tests.conftest import SmtpCapture, csrf_of
from tests.factories import image_bytes, make_proposal
from tests.publishing.factories import (
    CONSENT_RE,
    create_story,
    jpeg_with_gps,
    link_in,
    load,
    staff_clients,
    step,
    story_events,
)


def metadata_free(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    exif = image.getexif()
    assert len(exif) == 0 and exif.get_ifd(0x8825) == {}
    assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info)
    for marker in (b"ACME", b"SecretModel", b"taken at home", b"Exif\x00\x00", b"2026:11:20"):
        assert marker not in data
    return image


# --- processing (no database) -----------------------------------------------------------

def test_exif_and_gps_are_gone_and_the_photo_is_upright_and_smaller() -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test has GPS
    photo = process_photo(original)
    image = metadata_free(photo.data)
    assert (photo.width, photo.height) == image.size == (800, 1200)  # turned by Orientation
    big = process_photo(image_bytes(size=(4000, 3000)))
    assert max(big.width, big.height) == LONG_SIDE and photo.mime == "image/jpeg"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "JPEG"])
def test_png_webp_and_jpeg_are_accepted(fmt: str) -> None:
    photo = process_photo(image_bytes(fmt, (300, 200)))
    metadata_free(photo.data)
    assert (photo.width, photo.height) == (300, 200)


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00 this is a program, renamed photo.jpg",
        b"%PDF-1.7\n" + b"0" * 2000,
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"\xff\xd8\xff\xe0" + b"\x00" * 100,  # a JPEG header and nothing else
    ],
)
def test_what_is_not_a_photo_is_refused(data: bytes) -> None:
    with pytest.raises(DomainError) as refused:
        process_photo(data)
    assert refused.value.code == "photo_not_image"


def test_other_image_formats_and_truncated_files_are_refused() -> None:
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(DomainError):
        process_photo(gif.getvalue())
    whole = image_bytes(size=(1200, 800))
    with pytest.raises(DomainError):
        process_photo(whole[: len(whole) // 2])


def test_too_large_is_refused_before_anything_is_decoded() -> None:
    with pytest.raises(DomainError) as refused:
        process_photo(b"\xff\xd8\xff" + b"\x00" * PHOTO_MAX_BYTES)
    assert refused.value.code == "photo_too_large"
    with pytest.raises(DomainError) as empty:
        process_photo(b"")
    assert empty.value.code == "photo_required"


@pytest.mark.parametrize("side", [7_000, 20_000, 60_000])
def test_decompression_bombs_are_refused(side: int) -> None:
    # A few kilobytes of PNG that would take `side`² pixels of memory once decoded.
    bomb = io.BytesIO()
    Image.new("1", (side, 1 if side > 20_000 else side)).save(bomb, "PNG")
    data = bomb.getvalue()
    if side > 20_000:  # patch the header: 60,000 × 60,000 without 3.6 GB of pixels
        data = data[:16] + side.to_bytes(4, "big") + side.to_bytes(4, "big") + data[24:]
    assert len(data) < 200_000
    with pytest.raises(DomainError) as refused:
        process_photo(data)
    assert refused.value.code in ("photo_too_many_pixels", "photo_not_image")
    if side <= 20_000:
        assert refused.value.code == "photo_too_many_pixels"


# --- through HTTP ------------------------------------------------------------------------

async def upload(c: httpx.AsyncClient, story_id: int, data: bytes, alt: str = "配膳の様子",
                 name: str = "photo.jpg", content_type: str = "image/jpeg") -> httpx.Response:
    csrf = csrf_of((await c.get(f"/admin/stories/{story_id}")).text)
    return await c.post(f"/admin/stories/{story_id}/photos",
                        data={"_csrf_token": csrf, "alt": alt},
                        files={"photo": (name, data, content_type)})


async def photos(app: Litestar, story_id: int) -> list[StoryPhoto]:
    async with app.state.sessions() as db:
        rows = await db.exec(select(StoryPhoto).where(col(StoryPhoto.story_id) == story_id)
                             .order_by(col(StoryPhoto.position)))
        return list(rows.all())


async def test_upload_strips_metadata_and_serves_the_clean_photo(
    client: httpx.AsyncClient, app: Litestar, worker: Worker, smtp: SmtpCapture,
) -> None:
    proposal = await make_proposal(app, status="completed")
    async with staff_clients(client, app) as staff:
        editor, _ = await staff("editor")
        coordinator, _ = await staff("coordinator")
        story_id = await create_story(editor, proposal.id or 0)
        version = (await load(app, story_id)).version
        response = await upload(editor, story_id, jpeg_with_gps())
        assert response.status_code == 303
        [row] = await photos(app, story_id)
        assert (row.alt, row.mime, row.width, row.height) == ("配膳の様子", "image/jpeg", 800, 1200)
        metadata_free(row.data)
        assert (await load(app, story_id)).version == version + 1
        served = await editor.get(f"/admin/stories/{story_id}/photos/{row.id}")
        assert served.status_code == 200 and served.content == row.data
        assert served.headers["content-type"] == "image/jpeg"
        assert (await editor.get(f"/admin/stories/{story_id + 1}/photos/{row.id}")).status_code \
            == 404
        page = await editor.get(f"/admin/stories/{story_id}")
        assert f'src="/admin/stories/{story_id}/photos/{row.id}" alt="配膳の様子"' in page.text

        # The applicant's private preview shows it through the token only.
        await step(editor, story_id, "submit")
        await step(coordinator, story_id, "approve")
        await step(editor, story_id, "request-consent")
        await worker.sender.process_due()
        token = link_in(smtp.messages[-1], CONSENT_RE)
        preview = await client.get(f"/stories/consent/{token}")
        assert f'src="/stories/consent/{token}/photos/{row.id}"' in preview.text
        assert (await client.get(f"/stories/consent/{token}/photos/{row.id}")).content == row.data
        assert (await client.get(f"/stories/consent/nope/photos/{row.id}")).status_code == 404

        # A new photo after approval is a change the applicant has not seen: back to review.
        assert (await upload(editor, story_id, image_bytes("PNG", (200, 200)))).status_code == 303
        assert (await load(app, story_id)).status == "in_review"
        assert (await client.get(f"/stories/consent/{token}")).status_code == 410


async def test_refused_uploads_store_nothing(client: httpx.AsyncClient, app: Litestar) -> None:
    proposal = await make_proposal(app, status="completed")
    async with staff_clients(client, app) as staff:
        editor, _ = await staff("editor")
        story_id = await create_story(editor, proposal.id or 0)
        fake = await upload(editor, story_id, b"MZ\x90\x00" + os.urandom(4000), name="cat.jpg")
        assert fake.status_code == 422 and "JPEG・PNG・WebPの写真ではない" in fake.text
        no_alt = await upload(editor, story_id, image_bytes(), alt="  ")
        assert no_alt.status_code == 422 and "写真の説明を入力してください" in no_alt.text
        long_alt = await upload(editor, story_id, image_bytes(), alt="あ" * 201)
        assert long_alt.status_code == 422
        big = await upload(editor, story_id, b"\xff\xd8\xff" + os.urandom(PHOTO_MAX_BYTES))
        assert big.status_code == 422 and "5MB以下" in big.text
        bomb = io.BytesIO()
        Image.new("1", (8_000, 8_000)).save(bomb, "PNG")
        refused = await upload(editor, story_id, bomb.getvalue(), name="x.png",
                               content_type="image/png")
        assert refused.status_code == 422 and "画素数が多すぎます" in refused.text
        huge = await upload(editor, story_id, os.urandom(7 * 1024 * 1024))
        assert huge.status_code == 413
        csrf = csrf_of((await editor.get(f"/admin/stories/{story_id}")).text)
        no_file = await editor.post(f"/admin/stories/{story_id}/photos",
                                    data={"_csrf_token": csrf, "alt": "説明"})
        assert no_file.status_code == 422 and "写真を選んでください" in no_file.text
        assert await photos(app, story_id) == []
        assert not [e for e in await story_events(app) if e[0] == "story.photo_added"]


async def test_multipart_and_large_bodies_only_on_the_upload_route(
    client: httpx.AsyncClient, app: Litestar
) -> None:
    proposal = await make_proposal(app, status="completed")
    async with staff_clients(client, app) as staff:
        editor, _ = await staff("editor")
        story_id = await create_story(editor, proposal.id or 0)
        csrf = csrf_of((await editor.get(f"/admin/stories/{story_id}/edit")).text)
        files = {"photo": ("p.jpg", image_bytes(), "image/jpeg")}
        for path in (f"/admin/stories/{story_id}/edit", f"/admin/stories/{story_id}/submit",
                     "/admin/stories", "/apply", "/collaborate"):
            refused = await editor.post(path, data={"_csrf_token": csrf}, files=files)
            assert refused.status_code == 415, path
        big = await editor.post(f"/admin/stories/{story_id}/edit",
                                data={"_csrf_token": csrf, "body": "あ" * 100_000})
        assert big.status_code == 413  # the global 256 KiB limit still holds there
        assert (await upload(editor, story_id, image_bytes())).status_code == 303


async def test_reorder_and_remove(client: httpx.AsyncClient, app: Litestar) -> None:
    proposal = await make_proposal(app, status="completed")
    async with staff_clients(client, app) as staff:
        editor, _ = await staff("editor")
        coordinator, _ = await staff("coordinator")
        story_id = await create_story(editor, proposal.id or 0)
        for alt in ("一枚目", "二枚目", "三枚目"):
            assert (await upload(editor, story_id, image_bytes(), alt=alt)).status_code == 303
        first, second, third = await photos(app, story_id)
        page = f"/admin/stories/{story_id}"
        csrf = csrf_of((await editor.get(page)).text)
        moved = await editor.post(f"{page}/photos/{third.id}/move",
                                  data={"_csrf_token": csrf, "direction": "up"})
        assert moved.status_code == 303
        assert [p.alt for p in await photos(app, story_id)] == ["一枚目", "三枚目", "二枚目"]
        await editor.post(f"{page}/photos/{first.id}/move",
                          data={"_csrf_token": csrf, "direction": "up"})  # already first
        assert [p.alt for p in await photos(app, story_id)] == ["一枚目", "三枚目", "二枚目"]
        assert (await coordinator.post(f"{page}/photos/{second.id}/delete",
                                       data={"_csrf_token": csrf})).status_code == 403
        assert (await editor.post(f"{page}/photos/{second.id}/delete",
                                  data={"_csrf_token": csrf})).status_code == 303
        assert [p.alt for p in await photos(app, story_id)] == ["一枚目", "三枚目"]
        assert (await editor.post(f"{page}/photos/{second.id}/delete",
                                  data={"_csrf_token": csrf})).status_code == 400
        actions = [(a, d) for a, _t, _o, d in await story_events(app) if "photo" in a]
        assert actions == [
            ("story.photo_added", f"story={story_id} photo={first.id}"),
            ("story.photo_added", f"story={story_id} photo={second.id}"),
            ("story.photo_added", f"story={story_id} photo={third.id}"),
            ("story.photos_reordered", f"story={story_id} photo={third.id}"),
            ("story.photo_removed", f"story={story_id} photo={second.id}"),
        ]

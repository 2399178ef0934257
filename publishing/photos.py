"""Story photos: checked by their content, re-encoded so no metadata survives.

Only the pixels are kept. The upload is opened by Pillow restricted to JPEG, PNG and WebP
(the file name and the Content-Type the browser sent are ignored), its size in pixels is
checked *before* anything is decoded (decompression bombs), it is verified, turned upright
by its EXIF orientation, scaled to at most 1600 px on the long side and written as a fresh
JPEG — without EXIF, GPS, XMP, ICC or text chunks, which are simply never copied."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError
from publishing.models import PHOTO_MAX_BYTES

FORMATS = ("JPEG", "PNG", "WEBP")
LONG_SIDE = 1600
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is plenty; more is a bomb or a mistake
MAX_PHOTOS = 20
QUALITY = 85
OUTPUT_MIME = "image/jpeg"


@dataclass(frozen=True)
class Processed:
    data: bytes
    mime: str
    width: int
    height: int


def _open(data: bytes) -> Image.Image:
    # Pillow warns (and past twice its limit, raises) about huge images while opening; we
    # want a refusal either way, never a warning that a caller might ignore.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise DomainError("photo_too_many_pixels") from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise DomainError("photo_not_image") from exc
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise DomainError("photo_too_many_pixels")
    return image


def process_photo(data: bytes) -> Processed:
    """The photo as we store it, or raises DomainError. CPU-bound: call it in a thread."""
    if not data:
        raise DomainError("photo_required")
    if len(data) > PHOTO_MAX_BYTES:
        raise DomainError("photo_too_large")
    try:
        _open(data).verify()  # structure and checksums; the object is unusable afterwards
        image = _open(data)
        image.draft("RGB", (LONG_SIDE, LONG_SIDE))  # JPEG: decode at a reduced scale
        image.load()
        upright = ImageOps.exif_transpose(image)
    except DomainError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise DomainError("photo_not_image") from exc
    upright.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    # A new image holds pixels only: no `info` (EXIF, XMP, ICC, comments) to carry over.
    clean = Image.new("RGB", upright.size, (255, 255, 255))
    if upright.mode in ("RGBA", "LA", "P", "PA"):
        rgba = upright.convert("RGBA")
        clean.paste(rgba, mask=rgba.getchannel("A"))  # transparency onto white
    else:
        clean.paste(upright.convert("RGB"))
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=QUALITY, optimize=True, progressive=True)
    return Processed(out.getvalue(), OUTPUT_MIME, clean.width, clean.height)


def clean_alt(text: str) -> str:
    """Alt text on one line, trimmed."""
    return " ".join(text.split())

"""How the file corpus draws: fonts, text, codes, and a camera's ways of spoiling a picture.

Fonts are the two DejaVu faces the refund form ships (``bot/documents/fonts``) and the font
Pillow carries, so the corpus is the same on every machine. "Handwriting" is DejaVu with every
letter tilted, shifted and sized a little differently. A phone photo is a rotation, a
perspective warp, noise, blur and a JPEG quality, all drawn from the sample's own random source.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

import bot.documents

FONT_DIR = Path(bot.documents.__file__).parent / "fonts"
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Colour = tuple[int, int, int]
#: A drawn file and the angle it was turned by (0 for a scan or a screenshot).
Drawn = tuple[bytes, float]


def font(rng: random.Random, size: int, *, bold: bool | None = None) -> Font:
    """One of the corpus's three faces at ``size`` pixels."""
    choice = rng.choice(("sans", "bold", "pillow")) if bold is None else "bold" if bold else "sans"
    if choice == "pillow":
        return ImageFont.load_default(size)
    name = "DejaVuSans-Bold.ttf" if choice == "bold" else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def text_lines(
    image: Image.Image, lines: list[str], at: tuple[int, int], face: Font, fill: Colour, gap: int
) -> int:
    """Draw ``lines`` from ``at`` downwards; the y below the last."""
    draw = ImageDraw.Draw(image)
    x, y = at
    for line in lines:
        draw.text((x, y), line, font=face, fill=fill)
        box = draw.textbbox((x, y), line or "X", font=face)
        y = box[3] + gap
    return y


def handwriting(
    image: Image.Image, line: str, at: tuple[int, int], size: int, rng: random.Random, ink: Colour
) -> int:
    """Draw ``line`` letter by letter, each a little tilted, shifted and resized."""
    x, y = at
    for char in line:
        face = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), size + rng.randint(-3, 3))
        glyph = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(glyph).text((size // 2, size // 3), char, font=face, fill=255)
        glyph = glyph.rotate(rng.uniform(-12, 12), resample=Image.Resampling.BICUBIC)
        image.paste(
            Image.new("RGB", glyph.size, ink), (x - size // 2, y + rng.randint(-3, 3)), glyph
        )
        x += int(face.getlength(char)) + rng.randint(0, 3)
    return x


def code_image(content: str, format_name: str, scale: int, *, digits: bool = False) -> Image.Image:
    """A QR code or barcode drawn by zxing-cpp, black on white, with a quiet zone."""
    import numpy as np
    import zxingcpp

    fmt = getattr(zxingcpp.BarcodeFormat, format_name)
    picture = zxingcpp.create_barcode(content, fmt).to_image(
        scale=scale, add_hrt=digits, add_quiet_zones=True
    )
    return Image.fromarray(np.asarray(picture)).convert("RGB")


def ean13(rng: random.Random, prefix: str = "380") -> str:
    """A valid EAN-13 (Bulgaria's 380 prefix by default)."""
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(12 - len(prefix)))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def photographed(
    image: Image.Image, rng: random.Random, *, max_angle: float = 30.0
) -> tuple[Image.Image, float]:
    """``image`` as a phone would take it: turned, in perspective, noisy, a little soft; and the
    angle it was turned by (the benchmark's second reader turns it back)."""
    background = tuple(rng.randint(90, 200) for _ in range(3))
    angle = rng.uniform(-max_angle, max_angle)
    turned = image.rotate(
        angle,
        resample=Image.Resampling.BICUBIC,
        expand=True,
        fillcolor=background,
    )
    width, height = turned.size
    skew = 0.08
    # Source corners in the order QUAD wants: upper left, lower left, lower right, upper right.
    corners = [
        (rng.uniform(0, skew) * width, rng.uniform(0, skew) * height),
        (rng.uniform(0, skew) * width, height - rng.uniform(0, skew) * height),
        (width - rng.uniform(0, skew) * width, height - rng.uniform(0, skew) * height),
        (width - rng.uniform(0, skew) * width, rng.uniform(0, skew) * height),
    ]
    warped = turned.transform(
        (width, height),
        Image.Transform.QUAD,
        [c for corner in corners for c in corner],
        resample=Image.Resampling.BICUBIC,
        fillcolor=background,
    )
    return noisy(warped.filter(ImageFilter.GaussianBlur(rng.uniform(0, 0.8))), rng), angle


def noisy(image: Image.Image, rng: random.Random, amount: int = 18) -> Image.Image:
    """``image`` with grain, deterministic from ``rng``."""
    width, height = image.size
    grain = Image.frombytes("L", (width, height), rng.randbytes(width * height)).convert("RGB")
    return Image.blend(image.convert("RGB"), grain, rng.uniform(0.03, amount / 100))


def jpeg(image: Image.Image, rng: random.Random, low: int = 55, high: int = 92) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=rng.randint(low, high))
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def webp(image: Image.Image, rng: random.Random) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "WEBP", quality=rng.randint(60, 90))
    return out.getvalue()


def as_photo(image: Image.Image, rng: random.Random, max_angle: float = 30.0) -> Drawn:
    """``image`` photographed (see :func:`photographed`) and saved as a JPEG."""
    picture, angle = photographed(image, rng, max_angle=max_angle)
    return jpeg(picture, rng), angle


def as_file(image: Image.Image, rng: random.Random, *, photo: bool) -> Drawn:
    """A photo of ``image``, or ``image`` itself as a PNG, a WebP or a fine JPEG."""
    if photo:
        return as_photo(image, rng)
    encode = rng.choice((png, lambda im: webp(im, rng), lambda im: jpeg(im, rng, 80, 95)))
    return encode(image), 0.0


def code_flyer(rng: random.Random, payload: str, title: str) -> Drawn:
    """A flyer with a title over a large QR code of ``payload``."""
    image = Image.new("RGB", (600, 720), rng.choice(((255, 255, 255), (235, 245, 255))))
    text_lines(image, [title], (40, 30), font(rng, 36, bold=True), (30, 30, 30), 0)
    code = code_image(payload, "QRCode", rng.randint(5, 8))
    image.paste(code.resize((420, 420)), (90, 120))
    return as_file(image, rng, photo=rng.random() < 0.5)

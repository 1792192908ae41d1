"""The bot's own process never loads what only the scanning workers and migrations need.

Untrusted files are opened in worker processes; the imaging, OCR and decoding libraries (tens of
MiB) belong there. The bot names the workers' jobs without importing what they use.
"""

from __future__ import annotations

import subprocess
import sys

_WORKER_ONLY = ("PIL", "numpy", "zxingcpp", "pypdfium2", "rapidocr", "onnxruntime", "cv2")


def test_building_and_serving_the_bot_loads_no_imaging_ocr_or_decoding_library() -> None:
    check = (
        "import sys\n"
        "import bot.app, bot.serving, bot.cli\n"
        f"print(sorted({{name.split('.')[0] for name in sys.modules}} & set({_WORKER_ONLY!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"

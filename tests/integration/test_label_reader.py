"""The label reader on photos from the corpus, in its worker process as the bot runs it."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator

import pytest
from PIL import Image

from bot.domain.files import MAX_IMAGE_PIXELS
from bot.scanning.pool import Limits, ScanPool
from bot.shipping.labels import TIME_LIMIT, LabelReader, Outcome
from testkit.corpora.labels import LabelPicture, label_picture, subset


@pytest.fixture(scope="module")
def reader() -> Iterator[LabelReader]:
    """One worker for the module: it starts once, as in the bot."""
    pool = ScanPool(workers=1, limits=Limits(time_limit=TIME_LIMIT))
    yield LabelReader(pool, max_pixels=MAX_IMAGE_PIXELS)
    asyncio.run(pool.close())


@pytest.mark.parametrize("picture", subset(every=9), ids=lambda p: p.name)
async def test_the_right_number_is_offered_and_no_wrong_one(
    reader: LabelReader, picture: LabelPicture
) -> None:
    reading = await reader.read(picture.data, picture.carrier)
    offered = reading.offer.number if reading.offer else None
    assert offered == picture.number


async def test_another_carriers_label_says_what_was_found(reader: LabelReader) -> None:
    picture = label_picture(5)  # a label of another carrier
    assert picture.kind == "wrong_carrier"
    reading = await reader.read(picture.data, picture.carrier)
    assert reading.outcome is Outcome.NOT_FITTING
    assert reading.other_carriers


async def test_a_blurred_photo_is_called_blurred(reader: LabelReader) -> None:
    picture = label_picture(23)
    assert picture.kind == "blurred"
    assert (await reader.read(picture.data, picture.carrier)).outcome is Outcome.BLURRED


async def test_a_huge_or_broken_picture_is_refused_without_decoding_it(
    reader: LabelReader,
) -> None:
    huge = io.BytesIO()
    Image.new("L", (10_000, 6_000), 255).save(huge, "PNG")
    assert (await reader.read(huge.getvalue(), "econt")).outcome is Outcome.TOO_LARGE
    assert (await reader.read(b"%PDF-1.4 not a picture", "econt")).outcome is Outcome.NOT_AN_IMAGE


async def test_a_reading_past_its_time_limit_is_one_more_answer_not_an_error() -> None:
    pool = ScanPool(workers=1)
    try:
        hasty = LabelReader(pool, max_pixels=MAX_IMAGE_PIXELS, time_limit=0.001)
        picture = label_picture(0)
        assert (await hasty.read(picture.data, picture.carrier)).outcome is Outcome.FAILED
    finally:
        await pool.close()


async def test_a_label_with_its_barcode_taped_over_is_read_from_its_print(
    reader: LabelReader,
) -> None:
    picture = label_picture(34)  # UPS: the printed 1Z number carries its check digit
    assert picture.kind == "print_only"
    reading = await reader.read(picture.data, picture.carrier)
    assert reading.offer is not None and reading.offer.number == picture.number


async def test_a_printed_number_without_a_check_digit_is_shown_for_typing_not_offered(
    reader: LabelReader,
) -> None:
    picture = label_picture(10)  # Econt: 13 digits and nothing to prove an OCR reading
    assert picture.kind == "print_only"
    reading = await reader.read(picture.data, picture.carrier)
    assert reading.offer is None
    assert reading.outcome in (Outcome.UNCHECKED, Outcome.NOTHING)

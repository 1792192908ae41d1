"""How well and how fast the contact masking engine works on the labelled corpus.

    .venv/bin/python -m bench.masking [--rounds N]

Recall is the share of contact-bearing messages with every secret hidden; verbatim is the share
of clean messages returned unchanged. The split rows measure the same for the last of a few
consecutive messages of one side (`mask_continuing`: a number given in pieces, or order talk),
and over 3,000 seeded sequences of clean corpus messages.
Timings are per message, over every message of the corpus masked `rounds` times after one
untimed warm-up pass; the warm-up's slowest call is shown on its own, since `phonenumbers` loads
a country's metadata the first time it meets that country.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bench.percentiles import percentile
from bench.table import print_table
from bot.domain.masking import mask_contacts, mask_continuing
from testkit.masking_corpus import (
    CASES,
    CLEAN_CASES,
    CONTACT_CASES,
    CONVERSATIONS,
    SPLIT_CASES,
    UNSPLIT_CASES,
)


def _quality() -> tuple[float, float]:
    hidden = sum(
        all(secret not in mask_contacts(case.text).text for secret in case.secrets)
        for case in CONTACT_CASES
    )
    verbatim = sum(mask_contacts(case.text).text == case.text for case in CLEAN_CASES)
    return hidden / len(CONTACT_CASES), verbatim / len(CLEAN_CASES)


def _split_quality() -> tuple[float, float]:
    hidden = sum(
        all(secret not in mask_continuing(case.text, case.earlier).text for secret in case.secrets)
        for case in SPLIT_CASES
    )
    verbatim = sum(
        mask_continuing(case.text, case.earlier).text == case.text for case in UNSPLIT_CASES
    )
    return hidden / len(SPLIT_CASES), verbatim / len(UNSPLIT_CASES)


def _clean_after_clean(sequences: int = 3000) -> float:
    """Share of clean messages passed verbatim after 1-3 other clean messages (seeded)."""
    rng = random.Random(17)
    texts = [case.text for case in CLEAN_CASES]
    verbatim = 0
    for _ in range(sequences):
        earlier, text = rng.sample(texts, rng.randint(1, 3)), rng.choice(texts)
        verbatim += mask_continuing(text, earlier).text == text
    return verbatim / sequences


def _timings(rounds: int) -> list[float]:
    samples: list[float] = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        for case in CASES:
            started = clock()
            mask_contacts(case.text)
            samples.append((clock() - started) / 1e6)
    return samples


def _first_pass() -> float:
    """The slowest call of a first pass over the corpus in this process."""
    return max(_timings(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="times each message is masked")
    rounds = parser.parse_args().rounds
    first_pass = _first_pass()
    samples = _timings(rounds)
    recall, verbatim = _quality()
    split_recall, split_verbatim = _split_quality()
    rows = [
        ("messages", f"{len(CASES)} ({len(CONTACT_CASES)} contact, {len(CLEAN_CASES)} clean)"),
        ("recall (contacts fully hidden)", f"{recall:.3f}"),
        ("verbatim (clean unchanged)", f"{verbatim:.3f}"),
        (
            "split messages",
            f"{len(CONVERSATIONS)} ({len(SPLIT_CASES)} contact, {len(UNSPLIT_CASES)} clean)",
        ),
        ("split recall", f"{split_recall:.3f}"),
        ("split verbatim", f"{split_verbatim:.3f}"),
        ("verbatim after 1-3 clean messages (3000)", f"{_clean_after_clean():.3f}"),
        ("timed calls", f"{len(samples)}"),
        ("mean ms/message", f"{statistics.fmean(samples):.3f}"),
        ("p50 ms/message", f"{percentile(samples, 0.50):.3f}"),
        ("p99 ms/message", f"{percentile(samples, 0.99):.3f}"),
        ("max ms/message", f"{max(samples):.3f}"),
        ("max ms/message, first pass", f"{first_pass:.3f}"),
    ]
    print_table(rows, rule=True)


if __name__ == "__main__":
    main()

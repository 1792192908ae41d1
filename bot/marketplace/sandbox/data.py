"""Believable demo orders for the sandbox marketplace: a small Bulgarian shop's paid sales.

Orders come out in the wire format of chopni-platform.openapi.yaml (plain JSON values), so the
sandbox stores and serves exactly what a real marketplace would send.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

#: one lev is pegged at this many to the euro
BGN_PER_EUR = Decimal("1.95583")

#: (sku, title, price in EUR)
GOODS: tuple[tuple[str, str, Decimal], ...] = (
    ("ROSE-OIL-10", "Розово масло, 10 мл", Decimal("24.90")),
    ("HONEY-LIME-900", "Липов мед, 900 г", Decimal("11.50")),
    ("TROYAN-MUG", "Чаша от троянска керамика", Decimal("14.00")),
    ("TROYAN-PLATE-24", "Чиния от троянска керамика, 24 см", Decimal("19.80")),
    ("LUTENITSA-2", "Домашна лютеница, 2 буркана", Decimal("8.40")),
    ("MELNIK-2021", "Червено вино Мелник 55, 2021", Decimal("17.30")),
    ("EMBROIDERY-PILLOW", "Възглавница с шевица, ръчна бродерия", Decimal("32.00")),
    ("CHERGA-CHIPROVTSI", "Чипровска черга, 70×140 см", Decimal("145.00")),
    ("ROSE-SOAP-3", "Сапун с розова вода, 3 бр.", Decimal("9.90")),
    ("HERB-TEA-MURSALSKI", "Мурсалски чай, 50 г", Decimal("5.60")),
    ("COPPER-DZHEZVE", "Медно джезве, ръчно ковано", Decimal("27.50")),
    ("WOOL-SOCKS", "Вълнени терлици, ръчно плетени", Decimal("18.00")),
)

#: (option, carrier, label, max_days)
DELIVERY_OPTIONS: tuple[tuple[str, str, str, int], ...] = (
    ("econt_office", "econt", "Econt — to an office", 3),
    ("econt_address", "econt", "Econt — to an address", 4),
    ("speedy_address", "speedy", "Speedy — to an address", 3),
    ("speedy_office", "speedy", "Speedy — to an office", 3),
    ("bgpost_standard", "bgpost", "Bulgarian Posts — registered parcel", 7),
    ("dhl_express", "dhl", "DHL Express — to an address", 5),
)

NAMES = (
    "Мария Петрова",
    "Георги Иванов",
    "Елена Димитрова",
    "Николай Стоянов",
    "Десислава Георгиева",
    "Иван Колев",
    "Цветелина Маринова",
)

#: (city, postcode, a street address, an office of a courier there)
PLACES: tuple[tuple[str, str, str, str], ...] = (
    ("София", "1000", "ул. „Граф Игнатиев“ 14", "офис София – Лозенец"),
    ("София", "1407", "бул. „Черни връх“ 51", "офис София – Хладилника"),
    ("Пловдив", "4000", "ул. „Княз Александър I“ 27", "офис Пловдив – Център"),
    ("Варна", "9000", "бул. „Приморски“ 63", "офис Варна – Чайка"),
    ("Бургас", "8000", "ул. „Александровска“ 88", "офис Бургас – Възраждане"),
    ("Велико Търново", "5000", "ул. „Гурко“ 9", "офис Велико Търново – Картала"),
    ("Русе", "7000", "ул. „Борисова“ 40", "офис Русе – Център"),
    ("Стара Загора", "6000", "бул. „Цар Симеон Велики“ 102", "офис Стара Загора – Аязмото"),
)


def iso(value: datetime) -> str:
    """A UTC timestamp as the API writes it."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def new_id(prefix: str) -> str:
    """An opaque identifier such as ``ord_7Q2K9XW4RT``."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return f"{prefix}_" + "".join(secrets.choice(alphabet) for _ in range(12))


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _ship_to(rng: random.Random, option: str) -> dict[str, Any]:
    city, postcode, street, office = rng.choice(PLACES)
    to_office = option.endswith("_office")
    line2 = None if to_office else rng.choice([None, "ет. 3, ап. 7", "вх. Б, ет. 2", "ет. 5"])
    carrier = "Econt" if option.startswith("econt") else "Speedy"
    return {
        "name": rng.choice(NAMES),
        "line1": f"{carrier} {office}" if to_office else street,
        "line2": line2,
        "city": city,
        "postcode": postcode,
        "country": "BG",
    }


def demo_order(
    seller_id: str, *, order_id: str, number: str, now: datetime, rng: random.Random
) -> dict[str, Any]:
    """A PROCESSED order paid a few minutes ago, as the marketplace would send it."""
    currency = rng.choice(("EUR", "BGN"))
    rate = Decimal(1) if currency == "EUR" else BGN_PER_EUR
    items = []
    total = Decimal(0)
    for sku, title, eur in rng.sample(GOODS, k=rng.randint(1, 3)):
        quantity = rng.choice((1, 1, 1, 2, 3))
        unit_price = (eur * rate).quantize(Decimal("0.01"))
        total += unit_price * quantity
        items.append(
            {"sku": sku, "title": title, "quantity": quantity, "unit_price": _money(unit_price)}
        )
    option, carrier, label, max_days = rng.choice(DELIVERY_OPTIONS)
    preparation_days = rng.randint(1, 3)
    paid_at = now.astimezone(UTC).replace(microsecond=0) - timedelta(seconds=rng.randint(5, 90))
    placed_at = paid_at - timedelta(minutes=rng.randint(1, 20))
    return {
        "id": order_id,
        "number": number,
        "seller_id": seller_id,
        "status": "PROCESSED",
        "placed_at": iso(placed_at),
        "paid_at": iso(paid_at),
        "currency": currency,
        "total": _money(total),
        "items": items,
        "delivery": {"option": option, "carrier": carrier, "label": label, "max_days": max_days},
        "preparation_days": preparation_days,
        "ship_by": iso(paid_at + timedelta(days=preparation_days)),
        "buyer": {"alias": f"Buyer {rng.getrandbits(16):04X}"},
        "ship_to": _ship_to(rng, option),
        "tracking_number": None,
        "delivered_at": None,
        "return_window_ends_at": None,
        "updated_at": iso(now),
    }

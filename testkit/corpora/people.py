"""Made-up people, shops and contact details for the file corpus, drawn from a random source."""

from __future__ import annotations

import random

FIRST = ("Ivan", "Maria", "Georgi", "Elena", "Petar", "Desislava", "Nikolay", "Kalina", "Stoyan")
LAST = ("Petrov", "Ivanova", "Georgiev", "Dimitrova", "Stoyanov", "Koleva", "Nikolov", "Hristova")
SHOPS = ("Kids Corner", "Pure Home", "Sofia Bikes", "Glam Studio", "Tech Nook", "Bio Garden")
DOMAINS = ("abv.bg", "gmail.com", "mail.bg", "yahoo.com", "outlook.com")
PRODUCTS = (
    "Linen shirt",
    "Running shoes",
    "Ceramic mug",
    "Wool scarf",
    "Desk lamp",
    "Phone case",
    "Leather belt",
    "Kids raincoat",
)
SIZES = ("XS", "S", "M", "L", "XL", "EU 38", "EU 42", "40x60 cm", "1.5 L")


def name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def mobile(rng: random.Random) -> str:
    """A Bulgarian mobile number written one of the ways people write it."""
    prefix = rng.choice(("87", "88", "89", "98"))
    digits = prefix + "".join(str(rng.randint(0, 9)) for _ in range(7))
    styles = (
        f"0{digits[:3]} {digits[3:6]} {digits[6:]}",
        f"0{digits[:3]}/{digits[3:6]}-{digits[6:]}",
        f"+359 {digits[:3]} {digits[3:6]} {digits[6:]}",
        f"+359{digits}",
        f"0{digits}",
        f"0{digits[:2]} {digits[2:5]} {digits[5:]}",
    )
    return rng.choice(styles)


def email(rng: random.Random, person: str) -> str:
    first, last = person.lower().split()
    local = rng.choice((f"{first}.{last}", f"{first}{rng.randint(1, 99)}", f"{last}_{first[0]}"))
    return f"{local}@{rng.choice(DOMAINS)}"


def handle(rng: random.Random, person: str) -> str:
    """A messenger or social contact: a handle, a profile link or a messenger with a number."""
    user = person.lower().replace(" ", "_") + str(rng.randint(1, 9))
    return rng.choice(
        (
            f"Viber: {mobile(rng)}",
            f"WhatsApp {mobile(rng)}",
            f"t.me/{user}",
            f"instagram.com/{user}",
            f"facebook.com/{user}",
            f"www.{user.replace('_', '-')}.bg",
            f"Telegram @{user}",
        )
    )


def contact_line(rng: random.Random, person: str) -> str:
    return rng.choice(
        (
            f"tel: {mobile(rng)}",
            f"Phone {mobile(rng)}",
            f"GSM {mobile(rng)}",
            email(rng, person),
            f"e-mail: {email(rng, person)}",
            handle(rng, person),
        )
    )


def order_number(rng: random.Random) -> str:
    return str(rng.randint(100000, 999999))


def price(rng: random.Random) -> str:
    return f"{rng.randint(5, 400)}.{rng.choice(('00', '50', '90', '99'))}"

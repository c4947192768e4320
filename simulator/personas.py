"""Generated customers' personas: who a simulated customer is, drawn with Faker from a seed.

Sent as the chat request's `persona` (the sandbox's extension; LivePerson ignores what it does
not know), so the agent's visitor info and the bot's {first_name} show this person. The same
seed always gives the same person (Faker is pinned, seeded per persona).
"""
import random
import threading
import unicodedata

from faker import Faker

# (Faker locale, country, ISO code): the name, phone and city match the country.
LOCALES = (("en_US", "United States", "US"), ("en_GB", "United Kingdom", "GB"),
           ("de_DE", "Germany", "DE"), ("fr_FR", "France", "FR"), ("es_ES", "Spain", "ES"),
           ("it_IT", "Italy", "IT"), ("nl_NL", "Netherlands", "NL"), ("en_CA", "Canada", "CA"),
           ("en_AU", "Australia", "AU"))

_fakers: dict[str, Faker] = {}
_lock = threading.Lock()  # a Faker is seeded and drawn from in one step


def make_persona(seed: int) -> dict[str, str]:
    """The persona for `seed`: name, email, phone, city, country and its ISO code (camelCase,
    as the chat request's `persona` takes them)."""
    locale, country, code = random.Random(seed).choice(LOCALES)
    with _lock:
        fake = _fakers.get(locale)
        if fake is None:
            fake = _fakers[locale] = Faker(locale)
        fake.seed_instance(seed)
        first, last, phone, city = fake.first_name(), fake.last_name(), fake.phone_number(), fake.city()
    user = _ascii(f"{first}.{last}".lower().replace(" ", ""))
    return {"name": f"{first} {last}", "email": f"{user}@example.com", "phone": phone,
            "city": city, "country": country, "countryCode": code}


def _ascii(text: str) -> str:
    """An e-mail-safe form of a name (accents dropped)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode() or "customer"

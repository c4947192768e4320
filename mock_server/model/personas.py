"""Customer personas: a realistic, seeded visitor (Faker) for every chat, overridable."""
import threading
import unicodedata
from dataclasses import asdict, dataclass

from faker import Faker

# (Faker locale, country, ISO code): the persona's name, phone and city match its country.
LOCALES = [("en_US", "United States", "US"), ("en_GB", "United Kingdom", "GB"),
           ("de_DE", "Germany", "DE"), ("fr_FR", "France", "FR"), ("es_ES", "Spain", "ES"),
           ("it_IT", "Italy", "IT"), ("nl_NL", "Netherlands", "NL"), ("en_CA", "Canada", "CA"),
           ("en_AU", "Australia", "AU")]

# Current desktop and mobile browsers; Faker's own user agents are mostly of old browsers.
USER_AGENTS = [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36", "Chrome 131", "WINDOWS", "DESKTOP"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/18.1 Safari/605.1.15", "Safari 18.1", "MAC_OSX", "DESKTOP"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
     "Firefox 133", "WINDOWS", "DESKTOP"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36", "Chrome 131", "LINUX", "DESKTOP"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari 18.1", "IOS", "MOBILE"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome 131", "ANDROID", "MOBILE"),
]
PAGES = ["/", "/pricing", "/orders/track", "/help/returns", "/account/billing", "/products/headphones",
         "/checkout", "/help/shipping"]
FIELDS = ("name", "email", "phone", "country", "country_code", "city", "ip", "user_agent", "browser",
          "operating_system", "device", "page")


@dataclass
class Persona:
    """Who the customer is, as the agent's visitor info shows it."""

    name: str
    email: str
    phone: str
    country: str
    country_code: str
    city: str
    ip: str
    user_agent: str
    browser: str
    operating_system: str
    device: str
    page: str

    def as_dict(self) -> dict:
        """The persona as camelCase JSON fields."""
        return {_camel(k): v for k, v in asdict(self).items()}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


_faker = None
_faker_lock = threading.Lock()


def make_persona(seed: int, overrides: dict | None = None) -> Persona:
    """A persona for `seed`, with any field of `overrides` (camelCase or snake_case) kept."""
    global _faker
    # One Faker for the process (building it costs ~0.15 s); seeding and drawing are one step.
    with _faker_lock:
        if _faker is None:
            _faker = Faker([locale for locale, _, _ in LOCALES])
        return _PersonaDraw(_faker).draw(seed, overrides)


class _PersonaDraw:
    """Draws one persona from a seeded Faker."""

    def __init__(self, faker: Faker):
        self._faker = faker

    def draw(self, seed: int, overrides: dict | None) -> Persona:
        """Seed the Faker and draw every field, then apply the overrides."""
        self._faker.seed_instance(seed)
        locale, country, code = self._faker.random_element(LOCALES)
        fake = self._faker[locale]
        ua, browser, os_name, device = self._faker.random_element(USER_AGENTS)
        first, last = fake.first_name(), fake.last_name()
        user = f"{first}.{last}".lower().replace(" ", "")
        persona = Persona(name=f"{first} {last}", email=f"{_ascii(user)}@example.com",
                          phone=fake.phone_number(), country=country, country_code=code,
                          city=fake.city(), ip=self._faker.ipv4_public(), user_agent=ua,
                          browser=browser, operating_system=os_name, device=device,
                          page="https://shop.example.com" + self._faker.random_element(PAGES))
        for key, value in (overrides or {}).items():
            field = next((f for f in FIELDS if key in (f, _camel(f))), None)
            if field and isinstance(value, str) and value.strip():
                setattr(persona, field, value.strip())
        return persona


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode() or "visitor"

"""Customer personas: a realistic, seeded visitor (Faker) for every chat, overridable.

The browser, operating system and device of a persona always come from its user agent (parsed
with ua-parser, the uap-core rules), so a user agent given in a chat request, or edited on the
consumer page, changes them too; only an explicit `browser`, `operatingSystem` or `device`
override wins over what the user agent says. The values are LivePerson's visitor-info forms:
`DESKTOP`, `MOBILE`, `TABLET`; `WINDOWS`, `MAC_OSX`, `IOS`, `ANDROID`, `LINUX`, ...
"""
import threading
import unicodedata
from dataclasses import asdict, dataclass

import ua_parser
from faker import Faker

# (Faker locale, country, ISO code): the persona's name, phone and city match its country.
LOCALES = [("en_US", "United States", "US"), ("en_GB", "United Kingdom", "GB"),
           ("de_DE", "Germany", "DE"), ("fr_FR", "France", "FR"), ("es_ES", "Spain", "ES"),
           ("it_IT", "Italy", "IT"), ("nl_NL", "Netherlands", "NL"), ("en_CA", "Canada", "CA"),
           ("en_AU", "Australia", "AU")]

# Current desktop, phone and tablet browsers; Faker's own user agents are mostly of old browsers.
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
]
DESKTOP, MOBILE, TABLET = "DESKTOP", "MOBILE", "TABLET"
# ua-parser's OS families as LivePerson's visitor info names them; others are upper-cased.
OS_NAMES = {"Windows": "WINDOWS", "Mac OS X": "MAC_OSX", "iOS": "IOS", "iPadOS": "IOS",
            "Android": "ANDROID", "Linux": "LINUX", "Ubuntu": "LINUX", "Fedora": "LINUX",
            "Chrome OS": "CHROME_OS", "Windows Phone": "WINDOWS_PHONE"}
# Phone-only systems: a user agent of theirs is a phone whatever its device family.
PHONE_OS = {"iOS", "Windows Phone", "BlackBerry OS", "KaiOS", "Firefox OS", "Symbian OS"}
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


# First octets of public IPv4 /8 blocks (no private, loopback, link-local, CGNAT, multicast
# or documentation range in any of them): Faker's ipv4_public() works out its excluded
# networks again on every call, two thirds of a chat request's persona.
PUBLIC_FIRST_OCTETS = (23, 31, 37, 45, 52, 62, 77, 81, 86, 89, 93, 104, 109, 145, 151, 176, 178,
                       185, 188, 193, 195, 212, 213, 217)


def _public_ipv4(rng) -> str:
    """A public IPv4 address drawn from `rng` (a random.Random)."""
    return (f"{rng.choice(PUBLIC_FIRST_OCTETS)}.{rng.randrange(256)}.{rng.randrange(256)}."
            f"{rng.randrange(1, 255)}")


class _PersonaDraw:
    """Draws one persona from a seeded Faker."""

    def __init__(self, faker: Faker):
        self._faker = faker

    def draw(self, seed: int, overrides: dict | None) -> Persona:
        """Seed the Faker and draw every field, then apply the overrides."""
        self._faker.seed_instance(seed)
        locale, country, code = self._faker.random_element(LOCALES)
        fake = self._faker[locale]
        ua = self._faker.random_element(USER_AGENTS)
        first, last = fake.first_name(), fake.last_name()
        user = f"{first}.{last}".lower().replace(" ", "")
        persona = Persona(name=f"{first} {last}", email=f"{_ascii(user)}@example.com",
                          phone=fake.phone_number(), country=country, country_code=code,
                          city=fake.city(), ip=_public_ipv4(fake.random), user_agent=ua,
                          browser="", operating_system="", device="",
                          page="https://shop.example.com" + self._faker.random_element(PAGES))
        given = set()
        for key, value in (overrides or {}).items():
            field = next((f for f in FIELDS if key in (f, _camel(f))), None)
            if field and isinstance(value, str) and value.strip():
                setattr(persona, field, value.strip())
                given.add(field)
        if "name" in given and "email" not in given:  # another name: an address that matches it
            user = ".".join(persona.name.lower().split())
            persona.email = f"{_ascii(user)}@example.com"
        if "country" in given and "country_code" not in given:
            # another country: its ISO code if it is one we know, else none (never a stale one)
            persona.country_code = next((c for _, name, c in LOCALES
                                         if name.lower() == persona.country.lower()), "")
        # What the (final) user agent says, unless the override named it outright.
        for field, value in zip(("browser", "operating_system", "device"), describe(persona.user_agent)):
            if field not in given:
                setattr(persona, field, value)
        return persona


def describe(user_agent: str) -> tuple[str, str, str]:
    """(browser, operating system, device) of a user agent, as the agent's visitor info shows
    them: `("Chrome 131", "ANDROID", "MOBILE")`. Unknown parts are `""` (browser, system) and
    `DESKTOP` (device)."""
    result = ua_parser.parse(user_agent or "")
    agent, system = result.user_agent, result.os
    browser = ""
    if agent is not None:
        version = agent.major or ""
        if version and agent.minor and agent.minor != "0":
            version += f".{agent.minor}"
        family = agent.family.replace("Mobile ", "").replace(" Mobile", "")  # Chrome Mobile: Chrome
        browser = f"{family} {version}".strip()
    os_family = system.family if system is not None else ""
    os_name = OS_NAMES.get(os_family, os_family.upper().replace(" ", "_"))
    return browser, os_name, device_type(user_agent, os_family,
                                          result.device.family if result.device else "")


def device_type(user_agent: str, os_family: str = "", device_family: str = "") -> str:
    """DESKTOP, MOBILE or TABLET, by a small rule over ua-parser's OS and device family:

    * an iPad (its family, or an iPad token), or a device the rules call an Android tablet, is
      a TABLET;
    * Android with the `Mobile` token is a phone, Android without it a tablet (the rule
      Google gives for telling them apart);
    * iPhone, iPod and the other phone-only systems (Windows Phone, KaiOS, ...) are MOBILE;
    * everything else (Windows, macOS, Linux, ChromeOS, bots, an empty user agent) is DESKTOP.
      An iPad in desktop mode sends a Mac user agent and is DESKTOP: nothing tells it apart.
    """
    ua = user_agent or ""
    if device_family.startswith("iPad") or "iPad" in ua:
        return TABLET
    if os_family == "Android" or "Android" in ua:
        return MOBILE if "Mobile" in ua else TABLET
    if os_family in PHONE_OS or device_family.startswith(("iPhone", "iPod")):
        return MOBILE
    return DESKTOP


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode() or "visitor"

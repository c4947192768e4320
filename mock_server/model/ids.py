"""One id generator per sandbox: seedable, so a run can be repeated exactly."""
import os
import random
import secrets

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"  # 64
# Ids are unique among the newest this many: enough to cover everything in memory, while a
# long load test's ids (six per chat) do not pile up for ever.
REMEMBERED = 20_000


class IdGenerator:
    """Makes every id the sandbox hands out: numeric ids, tokens and LivePerson chat ids."""

    def __init__(self, seed: int | None = None):
        # A seeded run must repeat exactly; an unseeded one gets unguessable tokens.
        self._rng = random.Random(seed) if seed is not None else secrets.SystemRandom()
        self._seeded = seed is not None
        self._issued: dict[str, None] = {}  # the newest REMEMBERED ids, oldest first

    def _unique(self, make) -> str:
        while True:
            value = make()
            if value not in self._issued:
                self._remember(value)
                return value

    def _remember(self, value: str) -> None:
        self._issued[value] = None
        if len(self._issued) > REMEMBERED:
            del self._issued[next(iter(self._issued))]

    def __getstate__(self) -> dict:
        """What a data dir keeps: the seeded generator's state (so a restart goes on with the
        sequence instead of repeating it), not the ids it remembers."""
        return {"_rng": self._rng if self._seeded else None, "_seeded": self._seeded}

    def __setstate__(self, state: dict) -> None:
        self._seeded = state["_seeded"]
        self._rng = state["_rng"] if self._seeded else secrets.SystemRandom()
        self._issued = {}

    def digits(self, n: int) -> str:
        """A fresh number of exactly `n` digits, as a string (no leading zero)."""
        low, high = 10 ** (n - 1), 10**n - 1
        return self._unique(lambda: str(self._rng.randint(low, high)))

    def hex(self, nbytes: int = 32) -> str:
        """A fresh lowercase hex token of 2*nbytes characters (bearer, csrf)."""
        if not self._seeded:  # one system call, not one per 64 bits
            return self._unique(lambda: os.urandom(nbytes).hex())
        return self._unique(lambda: "%0*x" % (nbytes * 2, self._rng.getrandbits(nbytes * 8)))

    def token(self, length: int = 22) -> str:
        """A fresh url-safe token like LivePerson's LETag visitor and session ids."""
        if not self._seeded:  # one system call, not one per character (64 symbols: uniform)
            return self._unique(lambda: "".join(TOKEN_ALPHABET[b & 63] for b in os.urandom(length)))
        return self._unique(lambda: "".join(self._rng.choice(TOKEN_ALPHABET) for _ in range(length)))

    def chat_id(self) -> tuple[str, str]:
        """A chat id `H<digits>-<hex>K<digits>` and its visit id (the same without the middle)."""
        while True:
            head = "H" + str(self._rng.randint(10**18, 9 * 10**18))
            middle = "%032x" % self._rng.getrandbits(128)
            tail = "K" + str(self._rng.randint(10**6, 9999999))
            chat_id = f"{head}-{middle}{tail}"
            if chat_id not in self._issued:
                self._remember(chat_id)
                return chat_id, head + tail

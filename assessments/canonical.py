"""One canonical JSON form for content that is identified by its hash."""

import hashlib
import json


def canonical_json(data) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_sha256(data) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


class Named:
    """Unhashable inputs as a ``functools.lru_cache`` argument: hashed and compared by
    ``key``, a digest that names exactly their content."""

    def __init__(self, key: str, *inputs):
        self.key, self.inputs = key, inputs

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other) -> bool:
        return isinstance(other, Named) and other.key == self.key

"""Password hashing at test cost.

argon2 at production cost spends a quarter of a second or more on each hash; tests that make
users with passwords need its behaviour, not its cost. A test that is about the cost itself
asks for ``@pytest.mark.real_hashing``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from trackgate.service import passwords

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("real_hashing"):
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", CHEAP)
        yield

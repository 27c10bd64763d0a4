"""The expiring cache that keeps key checks and decryption off the hot path."""

from __future__ import annotations


def test_forgetting_a_revoked_key_keeps_the_other_keys_cached() -> None:
    from trackgate.gateway.auth import GatewayCaller
    from trackgate.ttlcache import TtlCache

    cache: TtlCache[str, GatewayCaller] = TtlCache(5.0)
    cache.put("d1", GatewayCaller("acct", "key_a"))
    cache.put("d2", GatewayCaller("acct", "key_b"))
    cache.discard_where(lambda caller: caller.key_id == "key_a")
    assert cache.get("d1") is None
    assert cache.get("d2") == GatewayCaller("acct", "key_b")

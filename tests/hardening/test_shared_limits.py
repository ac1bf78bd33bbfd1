"""Shared limits (issue 17 row 7; P03, P18): with three gunicorn workers on a Redis cache the
token endpoint allows exactly its limit, whichever worker serves each try, and the help-desk
limit still holds after a restart. The client address follows TRUSTED_PROXY_COUNT: a client
cannot pick a fresh address with X-Forwarded-For, and behind a proxy each client has its own.

Everything is real: a private redis-server on a spare port (cache on database 1, broker on 0),
gunicorn with 3 workers, the test database.
"""

import pytest
import requests
from django.test import RequestFactory, override_settings

from ccucaas_privacy.client_address import client_address
from tests.conftest import subprocess_env
from tests.hardening.services import AppServer, PrivateRedis, csrf_post

pytestmark = pytest.mark.rule("P03")

TOKEN_LIMIT = 10  # THROTTLE_AUTH_TOKEN's default count; per hour here so a slow run cannot
HELPDESK_LIMIT = 3  # slip into a new window


@pytest.fixture
def redis(tmp_path):
    server = PrivateRedis(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


def _env(redis: PrivateRedis, **extra: str) -> dict[str, str]:
    return subprocess_env(CELERY_BROKER_URL=redis.url,
                          CACHE_URL=f"redis://127.0.0.1:{redis.port}/1",
                          THROTTLE_AUTH_TOKEN=f"{TOKEN_LIMIT}/hour",
                          HELPDESK_RATE_LIMIT=str(HELPDESK_LIMIT), **extra)


def _token_try(server: AppServer, number: int, **headers: str) -> requests.Response:
    # A new connection for every try (no keep-alive), as a client spreading tries would.
    return requests.post(f"{server.url}/api/v1/auth/token/?try={number}",
                         json={"username": "tokenuser", "password": "correct-horse-battery-42"},
                         headers={"Connection": "close", **headers}, timeout=30)


def _token_user(make_user) -> None:
    """A user whose password the servers can check: they hash with production's Argon2 (the
    test settings' MD5 is not among the base settings' hashers)."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user = make_user("tokenuser")
    hasher = Argon2PasswordHasher()
    user.password = hasher.encode("correct-horse-battery-42", hasher.salt())
    user.save(update_fields=["password"])


def _workers_that_served(server: AppServer, marker: str) -> set[str]:
    return {pid for pid, _status, line in server.access_log() if marker in line}


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_p03_token_endpoint_allows_exactly_its_limit_across_three_workers(redis, tmp_path,
                                                                          make_user):
    _token_user(make_user)
    server = AppServer(tmp_path, _env(redis), workers=3).start()
    try:
        statuses = []
        number = 0
        # Keep trying until every worker has served at least one refused try (bounded).
        while number < 120 and (number < 3 * TOKEN_LIMIT or len(
                {pid for pid, status, line in server.access_log()
                 if "/auth/token/" in line and status == "429"}) < 3):
            number += 1
            response = _token_try(server, number, **{"X-Forwarded-For": f"198.51.100.{number}"})
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert response.json()["code"] == "throttled", response.text
    finally:
        server.stop()
    assert statuses[:TOKEN_LIMIT] == [200] * TOKEN_LIMIT, statuses
    assert set(statuses[TOKEN_LIMIT:]) == {429}, statuses
    refused_by = {pid for pid, status, line in server.access_log()
                  if "/auth/token/" in line and status == "429"}
    assert len(refused_by) == 3, server.access_log()  # every worker saw the shared count
    assert len(_workers_that_served(server, "/auth/token/")) == 3


def _helpdesk(server: AppServer, number: int) -> requests.Response:
    return csrf_post(requests.Session(), server.url + "/en/help-desk/", {
        "name": "Guest", "email": f"guest{number}@example.org", "type": "inquiry",
        "subject": "Question", "message": "What do you keep about me?"})


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_p18_help_desk_limit_holds_across_workers_and_a_restart(redis, tmp_path):
    server = AppServer(tmp_path, _env(redis), workers=3).start()
    try:
        accepted = [_helpdesk(server, number) for number in range(HELPDESK_LIMIT)]
        assert [r.status_code for r in accepted] == [200] * HELPDESK_LIMIT, accepted[-1].text[-800:]
        server.stop()
        server.start()  # new worker processes: nothing counted in memory survives
        refused = _helpdesk(server, HELPDESK_LIMIT)
        assert refused.status_code == 429, refused.text[-800:]
        assert "Too many submissions" in refused.text
    finally:
        server.stop()
    from requests_app.models import DataSubjectRequest

    assert DataSubjectRequest.objects.count() == HELPDESK_LIMIT  # the refused one filed nothing


# --- the client address -------------------------------------------------------------------

def _request(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_p18_without_trusted_proxies_x_forwarded_for_is_ignored():
    with override_settings(TRUSTED_PROXY_COUNT=0):
        assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
        assert client_address(_request("not-an-ip")) is None


def test_p18_behind_n_proxies_the_nth_address_from_the_right_is_the_client():
    with override_settings(TRUSTED_PROXY_COUNT=1):
        # the client wrote "1.1.1.1"; the one proxy appended the address it saw
        assert client_address(_request("10.0.0.2", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"
        assert client_address(_request("10.0.0.2")) == "10.0.0.2"
        assert client_address(_request("10.0.0.2", "1.1.1.1, junk")) is None
    with override_settings(TRUSTED_PROXY_COUNT=2):
        assert client_address(_request("10.0.0.3", "1.1.1.1, 203.0.113.9, 10.0.0.2")) == (
            "203.0.113.9")


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_p18_behind_a_proxy_each_client_has_its_own_token_limit(redis, tmp_path, make_user):
    """TRUSTED_PROXY_COUNT=1 (one proxy appends the client's address): a client that hit the
    limit is refused whatever it forges further left, and another client is still served."""
    _token_user(make_user)
    server = AppServer(tmp_path, _env(redis, TRUSTED_PROXY_COUNT="1"), workers=3).start()
    try:
        first = [_token_try(server, n, **{"X-Forwarded-For": f"9.9.9.{n}, 203.0.113.5"})
                 for n in range(TOKEN_LIMIT + 1)]
        other = _token_try(server, 99, **{"X-Forwarded-For": "203.0.113.6"})
    finally:
        server.stop()
    assert [r.status_code for r in first] == [200] * TOKEN_LIMIT + [429]
    assert other.status_code == 200


# --- the embedded default and the cache settings -------------------------------------------

_HIT = ("from ccucaas_privacy.ratelimit import rate_limit_hit; "
        "print(rate_limit_hit(scope={scope!r}, client='203.0.113.1', limit=2, "
        "window_seconds=3600))")


@pytest.mark.django_db(transaction=True)
def test_p18_without_redis_the_database_cache_is_shared_by_processes_and_restarts():
    """`make run` without Redis: every process (and every restart) counts in the same
    database cache table, so the third try from three successive processes is over the limit.
    (No test transaction around it: on SQLite a transaction begins IMMEDIATE, holding the write
    lock the other processes need.)"""
    import subprocess
    import sys
    import uuid

    from tests.conftest import ROOT

    scope = f"test-{uuid.uuid4()}"  # the cache table outlives tests: a scope of our own
    env = subprocess_env(CACHE_URL="")
    seen = []
    for _process in range(3):
        result = subprocess.run([sys.executable, "manage.py", "shell", "-c", _HIT.format(scope=scope)],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                                check=False)
        assert result.returncode == 0, result.stderr[-2000:]
        seen.append(result.stdout.strip().splitlines()[-1])
    assert seen == ["False", "False", "True"]


def test_p18_a_cache_on_the_brokers_redis_database_is_refused():
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = "import django; django.setup(); from django.conf import settings; print(settings.CACHES)"
    for cache_url, ok in (("redis://127.0.0.1:6379/0", False), ("redis://127.0.0.1:6379", False),
                          ("redis://127.0.0.1:6379/1", True), ("memcached://x", False)):
        env = subprocess_env(CELERY_BROKER_URL="redis://127.0.0.1:6379/0", CACHE_URL=cache_url)
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60, check=False)
        assert (result.returncode == 0) is ok, (cache_url, result.stderr[-1500:])
        if ok:
            assert "django.core.cache.backends.redis.RedisCache" in result.stdout
        else:
            assert "CACHE_URL" in result.stderr

"""User-agent parsing with ua-parser (the maintained uap-core rules; native matcher)."""

from functools import lru_cache
from typing import NamedTuple

from ua_parser import parse


class Agent(NamedTuple):
    browser: str
    os: str
    device: str


def _join(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


@lru_cache(maxsize=2048)
def agent_parse(user_agent: str) -> Agent:
    """Browser, OS and device of a user-agent string; never raises, empty parts when unknown."""
    if not user_agent:
        return Agent("", "", "")
    try:
        result = parse(user_agent[:512])
    except Exception:  # garbage input must never break a request
        return Agent("", "", "")
    browser = _join(result.user_agent.family, result.user_agent.major) if result.user_agent else ""
    os = _join(result.os.family, result.os.major) if result.os else ""
    device = result.device.family if result.device else ""
    return Agent(browser[:64], os[:64], device[:64])

"""Rendering an outbox row into a multipart email (text + HTML), in the recipient's language.

Templates of kind K: `emails/K.subject.txt`, `emails/K.txt`, `emails/K.html` (the HTML extends
`emails/base.html`); a language may override one with `emails/<language>/K...`. The subject and
text part are rendered by an engine without HTML escaping, so `&` or `<` reach the reader as
typed; the HTML part is escaped as usual.

The layout is applied here and in the two base templates only: `subject_prefix()` goes in front of
every subject (no subject template carries it), and `emails/base.txt` / `emails/base.html` put the
one greeting and the one signature around each kind's `content` block.
"""

import functools
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine, Template
from django.template.backends.django import get_installed_libraries
from django.template.loader import select_template
from django.utils import translation
from django.utils.translation import gettext

SUFFIXES = (".subject.txt", ".txt", ".html")


@functools.cache
def _text_engine() -> Engine:
    dirs = [str(d) for d in settings.TEMPLATES[0].get("DIRS", [])]
    return Engine(
        dirs=dirs,
        autoescape=False,
        libraries=get_installed_libraries(),
        loaders=[("django.template.loaders.cached.Loader", [
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ])],
    )


def template_names(kind: str, suffix: str, language: str) -> list[str]:
    return [f"emails/{language}/{kind}{suffix}", f"emails/{kind}{suffix}"]


def _template(kind: str, suffix: str, language: str) -> Any:
    names = template_names(kind, suffix, language)
    if suffix == ".html":
        return select_template(names)
    return _text_engine().select_template(names)


def templates_check(*, kind: str, language: str) -> None:
    """Raise TemplateDoesNotExist (or TemplateSyntaxError) unless all three parts load."""
    for suffix in SUFFIXES:
        _template(kind, suffix, language)


def _render(template: Any, context: dict[str, Any]) -> str:
    if isinstance(template, Template):  # the text engine returns raw Templates
        return template.render(Context(context, autoescape=False))
    return template.render(context)


def subject_prefix() -> str:
    """The brand in front of every subject, in the active language: 「[CCUCaaS]」."""
    return f"[{gettext('CCUCaaS')}]"


def email_render(*, kind: str, language: str, context: dict[str, Any],
                 html_context: dict[str, Any] | None = None) -> tuple[str, str, str]:
    """(subject, text, html) of kind in language. `html_context` (default: `context`) is for
    a batch, whose merge fields differ between the plain and the HTML-escaped part."""
    with translation.override(language):
        subject = _render(_template(kind, ".subject.txt", language), context)
        text = _render(_template(kind, ".txt", language), context)
        html = _render(_template(kind, ".html", language), html_context or context)
        subject = f"{subject_prefix()} {' '.join(subject.split())}"
    return subject, text.strip() + "\n", html


def message_id_for(public_id: object) -> str:
    """A stable Message-ID per outbox row: a re-send after an ambiguous failure carries the
    same ID, so receiving systems can recognise the duplicate."""
    return f"<{public_id}@{_message_id_domain(settings.DEFAULT_FROM_EMAIL)}>"


@functools.lru_cache(maxsize=8)
def _message_id_domain(from_email: str) -> str:
    """The sender's domain (parsed once per sender, not once per message of a batch)."""
    return parseaddr(from_email)[1].rpartition("@")[2] or "localhost"


def message_build(*, to: str | list[str], subject: str, text: str, html: str,
                  headers: dict[str, str], metadata: dict[str, str] | None,
                  tags: list[str], esp_extra: dict | None = None) -> EmailMultiAlternatives:
    """A multipart message. `tags`, `metadata` and `esp_extra` are anymail's attributes
    (ignored by Django's own backends), chosen for the ESP by `notifications_app.esp`."""
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to] if isinstance(to, str) else to, headers=headers,
    )
    message.attach_alternative(html, "text/html")
    if metadata is not None:  # comes back in tracking events
        message.metadata = metadata
    message.tags = tags
    if esp_extra:
        message.esp_extra = dict(esp_extra)
    return message

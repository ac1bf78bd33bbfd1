"""Rendering an outbox row into a multipart email (text + HTML), in the recipient's language.

Templates of kind K: `emails/K.subject.txt`, `emails/K.txt`, `emails/K.html` (the HTML extends
`emails/base.html`); a language may override one with `emails/<language>/K...`. The subject and
text part are rendered by an engine without HTML escaping, so `&` or `<` reach the reader as
typed; the HTML part is escaped as usual.
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


def email_render(*, kind: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) of kind in language."""
    with translation.override(language):
        subject = _render(_template(kind, ".subject.txt", language), context)
        text = _render(_template(kind, ".txt", language), context)
        html = _render(_template(kind, ".html", language), context)
    return " ".join(subject.split()), text.strip() + "\n", html


def message_id_for(public_id: object) -> str:
    """A stable Message-ID per outbox row: a re-send after an ambiguous failure carries the
    same ID, so receiving systems can recognise the duplicate."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{public_id}@{domain}>"


def message_build(*, to: str, subject: str, text: str, html: str,
                  headers: dict[str, str], metadata: dict[str, str],
                  tags: list[str]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    # Anymail extras (ignored by Django's own backends): they come back in tracking events.
    message.metadata = metadata
    message.tags = tags
    return message

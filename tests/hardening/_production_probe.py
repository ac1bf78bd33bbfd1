"""Run in a subprocess under production settings: serve a few requests through the real
middleware stack with Django's test client and print what a browser would see, as JSON."""

import json
import sys

import django

django.setup()

from django.test import Client  # noqa: E402

HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}


def cookies(response) -> dict:
    return {name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]),
                   "samesite": m["samesite"]} for name, m in response.cookies.items()}


username, password = sys.argv[1], sys.argv[2]
client = Client()
plain = client.get("/en/sign-in/")
page = client.get("/en/sign-in/", **HTTPS)
signed_in = client.post("/en/sign-in/", {"username": username, "password": password}, **HTTPS)
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location", ""),
    "status": page.status_code,
    "headers": dict(page.headers),
    "page_cookies": cookies(page),
    "sign_in_status": signed_in.status_code,
    "sign_in_cookies": cookies(signed_in),
}))

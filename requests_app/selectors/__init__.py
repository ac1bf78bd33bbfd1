"""Reads of requests_app, one module per concern (import the module you need:
`from requests_app.selectors.requests import request_for_user`)."""

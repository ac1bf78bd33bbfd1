"""State changes of requests_app, one module per concern (import the module you need:
`from requests_app.services.filing import request_file`)."""

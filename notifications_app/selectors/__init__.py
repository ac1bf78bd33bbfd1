"""Reads of notifications_app, one module per concern (import the module you need:
`from notifications_app.selectors.campaigns import campaign_recipients`)."""

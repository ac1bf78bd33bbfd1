"""State changes of notifications_app, one module per concern (import the module you need:
`from notifications_app.services.outbox import notification_queue`)."""

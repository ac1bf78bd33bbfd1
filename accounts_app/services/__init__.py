"""State changes of accounts_app, one module per concern (import the module you need:
`from accounts_app.services.auth import account_deactivate`)."""

"""Reads of accounts_app, one module per concern (import the module you need:
`from accounts_app.selectors.accounts import contacts_for_user`)."""

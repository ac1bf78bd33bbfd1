"""One module per integration and per project app, imported by `settings/base.py`.

Each module sets its own names once; a module that needs another's value imports it by name.
"""

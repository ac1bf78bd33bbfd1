"""The production settings, except that static files are not collected (no manifest needed).

Used by the deploy tests to serve real requests through the production middleware stack.
"""

from ccucaas_privacy.settings.production import *  # noqa: F403
from ccucaas_privacy.settings.production import STORAGES

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

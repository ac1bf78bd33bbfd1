"""One settings package. `DJANGO_ENV=production` switches on the production hardening.

Every setting lives in `base.py` (and its `components/`) and is driven by environment
variables (or `.env`); `production.py` only tightens what must be tight in production and
refuses to start without the secrets it needs.
"""

import os

if os.environ.get("DJANGO_ENV", "").lower() == "production":
    from .production import *
else:
    from .base import *

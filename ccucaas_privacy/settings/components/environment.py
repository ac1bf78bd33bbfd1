"""Where the settings read from: the environment (or `.env`), and the runtime state folder."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Runtime state of the embedded default: SQLite file, broker folders, mail files, private files.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

DJANGO_ENV = env("DJANGO_ENV", default="development").lower()

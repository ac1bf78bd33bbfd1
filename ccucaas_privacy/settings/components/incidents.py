"""incidents_app: the incident register (issue 22; APPI Art. 26, PPC rules Art. 8)."""

from .environment import env

# The preliminary report (速報) is due "promptly": by the end of this many JST days after the
# day the leak was learned of (ccucaas_privacy/clock.py; the final report is 30 or 60 days).
LEAK_PRELIMINARY_REPORT_DAYS = env.int("LEAK_PRELIMINARY_REPORT_DAYS", default=3)

"""Readiness checks of the database and the Celery broker, used by /healthz."""

import logging
import os

from django.db import connection

from ccucaas_privacy.celery import app

logger = logging.getLogger(__name__)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        logger.warning("healthz: database down: %s", exc)
        return "down"
    return "ok"


def broker_status() -> str:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=app.conf.broker_connection_timeout)
            if conn.transport.driver_type == "redis":
                conn.default_channel.client.ping()
            elif conn.transport.driver_type == "filesystem":
                folder = app.conf.broker_transport_options["data_folder_out"]
                if not os.access(folder, os.W_OK):
                    raise OSError(f"broker folder {folder} is not writable")
    except Exception as exc:  # kombu raises many types; any of them means "down"
        logger.warning("healthz: broker down: %s", exc)
        return "down"
    return "ok"

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=ccucaas_privacy.settings
WORKDIR /app

COPY pyproject.toml ./
COPY ccucaas_privacy ./ccucaas_privacy
COPY accounts_app ./accounts_app
COPY consent_app ./consent_app
COPY notifications_app ./notifications_app
COPY requests_app ./requests_app
RUN pip install --no-cache-dir .

COPY . .
RUN python -c "import glob, polib; [polib.pofile(p).save_as_mofile(p[:-3] + '.mo') for p in glob.glob('locale/*/LC_MESSAGES/*.po') + glob.glob('*_app/locale/*/LC_MESSAGES/*.po')]" \
 && DJANGO_ENV=production ALLOWED_HOSTS=build SITE_URL=https://build.invalid EMAIL_TRACKING_ESP= \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    python manage.py collectstatic --noinput \
 && useradd --create-home --uid 1000 app && mkdir -p var && chown -R app var
USER app

EXPOSE 8000
CMD ["gunicorn", "ccucaas_privacy.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]

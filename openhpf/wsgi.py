"""WSGI entry point. Without DJANGO_SETTINGS_MODULE it runs the production settings, which refuse to start without
real secrets and keys: a server is never started on the development settings by omission (`hpf runserver` uses
the development settings, with DEBUG off unless HPF_DEBUG=1)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.production")
application = get_wsgi_application()

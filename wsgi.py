"""Entry point for gunicorn ("wsgi:app") and the Flask CLI ("flask --app wsgi ...")."""

from cluster import create_app

app = create_app()

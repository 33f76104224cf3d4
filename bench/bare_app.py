"""The yardstick of bench/http_bench.py: a bare Flask app rendering a one-line template, served
by the same gunicorn settings as the project ("bench.bare_app:app")."""

from flask import Flask, render_template_string

app = Flask(__name__)


@app.get("/")
def hello():
    """Render one line, as the cheapest page a Flask app can serve."""
    return render_template_string("<p>Hello, {{ name }}!</p>", name="world")

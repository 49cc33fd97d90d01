"""What an ASGI server serves (`uvicorn app.asgi:app`); `optimizer serve` is the usual way.

Importing this module builds the application, which is its only purpose. Logging is set
up here too, so that the server's own access log (with query strings, where stream
tokens travel) is replaced by ours.
"""

from app.log import configure_logging
from app.main import create_app
from app.settings import load_settings

settings = load_settings()
configure_logging(settings.server.log_level, settings.server.log_format)
app = create_app(settings)

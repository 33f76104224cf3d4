"""The read-only JSON API v1 under /api/v1/, with its OpenAPI document (openapi.py).

views.py holds the operations; arguments.py reads and documents their query arguments;
schemas.py describes the answers; resources.py builds them; problems.py answers errors as
RFC 9457 problem documents; http.py adds CORS, ETags and the rate limit. The older /api/search
and /api/suggest (cluster/api.py) keep their own shapes.
"""

from .http import is_api_request
from .views import bp

__all__ = ["bp", "is_api_request"]

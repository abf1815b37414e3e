"""``rectrack serve``: a read-only web view of the store — units, reports, issue histories, alerts, search,
Atom feeds and a JSON API.

FastAPI (on Starlette, served by uvicorn) was chosen over Flask because it validates query and path
parameters from type hints (a bad one is a 422 naming it, never a traceback) and documents the JSON API
as OpenAPI from the same pydantic models the pages render, with no extra code; pages are server-rendered
Jinja2 templates with autoescaping on and no JavaScript.
"""

from .app import create_app

__all__ = ["create_app"]

"""The HTTP edge: the FastAPI app and its routes (the page, /api/config and the other JSON
routes, /healthz, /metrics), and the admission of /ws connections (origin, session cap)
before a session starts."""

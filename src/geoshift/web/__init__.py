"""``geoshift serve``: the web app and the HTTP API in one process (FastAPI + uvicorn)."""

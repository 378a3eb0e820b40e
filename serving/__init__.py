"""The scoring API and the analysts' review queue (FastAPI)."""

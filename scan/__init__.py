"""Batch scanning of exported feeds: `netra scan`."""

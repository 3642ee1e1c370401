"""SmartStore: the Phase 1 data layer (stores, products, users) on a real PostgreSQL.

Start with `smartstore.db` for an engine and sessions, and `smartstore.models` for the tables.
"""

__version__ = "0.1.0"  # the only place it is written: pyproject.toml reads it from here

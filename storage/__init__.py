"""The store: fetched pages and parsed reports, versioned, on SQLite or PostgreSQL."""

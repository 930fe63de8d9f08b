"""Voter file engine: layouts, synthetic files, imports and targeting, over DuckDB/Ibis. Imports no Django."""

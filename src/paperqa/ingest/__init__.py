"""Ingest: parsing files, chunking them and building the search indexes."""

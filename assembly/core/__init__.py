"""Pieces shared by every domain: column types, visibility, errors, Markdown."""

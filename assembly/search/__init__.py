"""Full-text search over everything a reader may read (DESIGN.md §4)."""

"""Care for the carers: each member's load, breaks, and how a body's load is spread."""

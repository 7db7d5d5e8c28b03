"""Collectives, networks of collectives, and the bodies where decisions are made."""

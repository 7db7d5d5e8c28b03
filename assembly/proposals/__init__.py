"""Proposals and their lifecycle: identified → drafting → … → agreed → re-evaluated."""

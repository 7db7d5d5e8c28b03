"""Implementation tracking: implementers record progress and completion of an agreement."""

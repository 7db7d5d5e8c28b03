"""Threaded comments on proposals, anchored to paragraphs of a revision."""

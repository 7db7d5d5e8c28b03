"""A member's own page: what changed since their last visit, the due dates that concern them,
and the same changes as a private Atom feed."""

"""Community translations of user content (proposals' text, agreements, minutes)."""

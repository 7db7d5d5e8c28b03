"""People, their memberships of collectives, invitations, login."""

"""Meetings of bodies, generated from their rhythm, with agendas and rotating roles."""

"""Networks and convergence (DESIGN.md §7): proposals brought jointly by several bodies, and
network agreements taken up by the member collectives."""

"""Board briefs: one page per sector and week for boards, drawn from the published digest."""

"""Identity: the user model, allauth customisation, roles, membership and vetting."""

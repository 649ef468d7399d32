"""The analyst workbench: the analyst's home page, counting and listing what waits for them."""

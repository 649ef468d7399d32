"""One date format per language (FORMAT_MODULE_PATH): templates name DATE_FORMAT or
DATETIME_FORMAT, never a pattern of their own, so every page and email agrees."""

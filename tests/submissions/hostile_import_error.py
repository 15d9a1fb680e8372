"""Hostile: the module cannot be imported at all."""
AFFECTED = "all"

import a_module_that_does_not_exist_anywhere  # noqa: E402,F401

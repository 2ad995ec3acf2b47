"""Projects paid by milestone: a deposit at acceptance, each milestone held and captured."""

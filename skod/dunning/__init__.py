"""Dunning: debts for delivered value that was not paid, and the ladder that chases them (the
failure notice, the friendly and the formal reminder, the mise en demeure, the recourse file).

One folder per thing people look for (README, "Architecture"): `rules/` (pure: the ladder, the
penalties, the recourse routes, the plan split), `debts/` (the cases and the sweep), `owed/`
(what is owed as of a day), `reminders/`, `mise_en_demeure/`, `recourse/` (one per document
of the ladder), `pay_page/` (the client's side), `disputes/` (a client contesting a debt,
answered by the provider), `receivables/` (the provider's side) and `board/`.
"""

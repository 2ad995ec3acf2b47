"""Step 4 (J+45), the recourse file: the route and court, the limitation, the insolvency check,
the amounts as of the day (facts), its ZIP (archive), the provider's pages and API."""

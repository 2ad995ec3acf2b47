"""Step 3 (J+30), the mise en demeure: one letter per client, provider and currency (services),
what it says (letter), its PDF and e-mails (documents), the provider's pages and API, the
registered-mail task."""

"""The provider's own bank statements: CAMT.053 and CSV read (camt.py, csv_lines.py, pure),
each credit line matched to the open debts (matching.py, pure), stored once and settled
(importing.py), the doubtful ones reviewed by the provider (review.py, pages.py, cli.py)."""

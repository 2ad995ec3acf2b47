"""The receivables board: what is owed by ladder step and age (summary), what came in and the
recovery rate of each step (money_in), the age chart as SVG (chart), all in words (view)."""

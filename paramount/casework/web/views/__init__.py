"""Views by area: accounts, cases (list, page, overdue), workflow (one page per step),
review, partner, reports (dashboard, evaluation), audit, administration."""

"""Selectors: every read of casework data, each taking the user, bounded in its query and
audited. Import from the modules: `cases`, `partner`, `reports`, `review`, `audit`,
`retention`, `accounts`, and `scope` for the filters themselves."""

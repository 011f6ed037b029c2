"""Services: every write of casework data, each checking its actor, validating its input,
appending a case event and an audit record in one transaction. Modules: `workflow` (the
case's journey), `importing`, `review`, `retention`, `users`, `notifications`, `events`,
`audit`."""

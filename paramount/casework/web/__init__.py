"""The casework pages (GOV.UK Design System look): thin views over `services` (writes) and
`selectors` (reads), forms that turn bad input into GOV.UK error messages, templates, and
server-rendered SVG charts and network pictures."""

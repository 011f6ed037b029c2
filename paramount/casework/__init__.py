"""Casework: stage two of Paramount, the application that carries identified children's
families from checks to a champion's visit, the family's agreement and the charity's support.

A Django project and its one app live together in this package: settings, urls and wsgi for
the project; models, services (writes), selectors (reads) and migrations for the app. Nothing
here imports Django at package import time, so `paramount` stays importable without it.
"""

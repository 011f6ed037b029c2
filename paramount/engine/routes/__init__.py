"""Routes to a child: one module a route, each a step producing evidence rows.

A route's table has one row per (reception, child nominal) with the records it rests on; the
method's last step turns routes' rows into the output list. `recorded_relationships` is the
baseline's only route; prison contacts, partner relationships, co-residence and
co-occurrence join it here as later methods. Each module ends in `ROUTE = Route(...)`
(`route.py`), everything the engine needs to know about the route; `registry.py` lists them.
"""

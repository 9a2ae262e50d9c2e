"""The JSON API at /api/v1/.

`auth` is the bottom of the API and imports no app: every app's `api.py` imports it for the
caller's scope. `root` holds the NinjaAPI, wires authentication to `orgs.access`, and mounts
the apps' routers; only the URLconf imports it. So no app and the API import each other in a
circle.
"""

from syncapp.admin import connections, records  # noqa: F401  (registers the ModelAdmins)

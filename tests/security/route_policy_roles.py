"""The policies a route can have: public, any logged-in user, or a set of roles."""

PUBLIC = "public"
AUTHENTICATED = "authenticated"
TRAINEE = {"trainee", "admin"}
MANAGER = {"manager", "admin"}
TRAINER = {"trainer", "admin"}
ADMIN = {"admin"}

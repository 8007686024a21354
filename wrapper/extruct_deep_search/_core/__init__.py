"""Sans-IO rules shared by the sync and async clients and the sandbox."""

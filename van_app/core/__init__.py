"""Core of the van app: domain, storage and security. Nothing below here imports Qt."""

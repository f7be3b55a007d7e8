# docs: protocol notes and guides (man pages live next to their code).
EXTRA_DIST += docs/PERFORMANCE.md docs/TESTING.md docs/guests.md docs/security.md docs/migration-stream.md

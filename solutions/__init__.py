"""Model answers for every unit; the release generator turns them into student stubs."""

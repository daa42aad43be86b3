"""The graded suite: what `pytest` (students) and `autograder grade` (staff) run."""

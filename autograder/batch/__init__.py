"""`autograder batch`: a whole class, graded in parallel by warm graders, resumable.

intake (what was handed in) → jobs (the unit files of each submission) → runner (warm
graders on this machine, or Dask workers) → store (one result per submission, written
atomically) → gradebook, feedback pages, plots and index.html, always rebuilt from the
stored results.
"""

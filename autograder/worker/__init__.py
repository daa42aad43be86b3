"""Run student code in a sandboxed child process; only plain data comes back."""

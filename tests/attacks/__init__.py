"""An adversarial corpus: submissions that try to cheat, escape or break the grader."""

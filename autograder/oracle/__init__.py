"""Reference implementations built from torch/numpy built-ins, used when solutions/ is absent."""

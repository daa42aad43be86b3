"""Wrong implementations for unit 3 (activations)."""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "activations.sigmoid": [
        (
            "wrong sign in the exponent: 1 / (1 + exp(x))",
            """
def sigmoid(x):
    import torch
    return 1.0 / (1.0 + torch.exp(x))
""",
        ),
        (
            "right values, but calls the built-in torch.sigmoid the task asks to write",
            """
def sigmoid(x):
    import torch
    return torch.sigmoid(x)
""",
        ),
    ],
    "activations.tanh": [
        (
            "naive (e^x - e^-x)/(e^x + e^-x) gives nan at |x| = 1e4",
            """
def tanh(x):
    import torch
    return (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))
""",
        ),
    ],
    "activations.relu": [
        (
            "returns a new float64 tensor, losing the input dtype",
            """
def relu(x):
    import torch
    return torch.clamp(x.double(), min=0.0)
""",
        ),
    ],
    "activations.leaky_relu": [
        (
            "ignores alpha and uses the default 0.01",
            """
def leaky_relu(x, alpha=0.01):
    import torch
    return torch.where(x > 0, x, 0.01 * x)
""",
        ),
    ],
    "activations.elu": [
        (
            "forgets alpha on the negative side",
            """
def elu(x, alpha=1.0):
    import torch
    return torch.where(x > 0, x, torch.expm1(torch.clamp(x, max=0.0)))
""",
        ),
    ],
    "activations.softmax": [
        (
            "no max-subtraction: exp overflows to inf/inf = nan for large logits",
            """
def softmax(x, dim=-1):
    import torch
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)
""",
        ),
        (
            "normalises over the wrong dimension",
            """
def softmax(x, dim=-1):
    import torch
    z = x - x.max(dim=0, keepdim=True).values
    e = torch.exp(z)
    return e / e.sum(dim=0, keepdim=True)
""",
        ),
    ],
    "activations.sigmoid_grad": [
        (
            "sigmoid' = s(1 + s) instead of s(1 - s)",
            """
def sigmoid_grad(x):
    import torch
    z = torch.exp(-torch.abs(x))
    s = torch.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
    return s * (1.0 + s)
""",
        ),
        (
            "right values through torch.autograd instead of the formula",
            """
def sigmoid_grad(x):
    import torch
    leaf = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(torch.sigmoid(leaf).sum(), leaf)
    return g
""",
        ),
    ],
    "activations.tanh_grad": [
        (
            "tanh' = 1 - tanh instead of 1 - tanh²",
            """
def tanh_grad(x):
    import torch
    return 1.0 - torch.tanh(x)
""",
        ),
    ],
    "activations.relu_grad": [
        (
            "derivative 1 at x = 0 (torch uses 0)",
            """
def relu_grad(x):
    import torch
    return (x >= 0).to(x.dtype)
""",
        ),
        (
            "returns a bool mask instead of numbers in x's dtype",
            """
def relu_grad(x):
    return x > 0
""",
        ),
    ],
    "activations.leaky_relu_grad": [
        (
            "slope 0 on the negative side",
            """
def leaky_relu_grad(x, alpha=0.01):
    import torch
    return (x > 0).to(x.dtype)
""",
        ),
    ],
    "activations.elu_grad": [
        (
            "uses alpha·x instead of alpha·exp(x) on the negative side",
            """
def elu_grad(x, alpha=1.0):
    import torch
    return torch.where(x > 0, torch.ones_like(x), alpha * x)
""",
        ),
    ],
    "activations.softmax_backward": [
        (
            "elementwise s(1 - s)·g: ignores the off-diagonal Jacobian terms",
            """
def softmax_backward(s, grad_out, dim=-1):
    return s * (1.0 - s) * grad_out
""",
        ),
    ],
}

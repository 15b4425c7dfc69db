"""n-reference gradient surgery on flat head gradients (Luo et al., ECCV 2020).

``f(g~) = cos(g~, g_ref) - lamb * ||g~||_2^2``; gradient ascent from ``g~ = g``:
``g <- g + step_size * (g_ref / (|g| |g_ref|) - cos * g / |g|^2 - 2 lamb g)``.
The reference code (``Referencer.refer_and_learn``) takes exactly one step of
size 1.0 with ``lamb = 0.01`` and only when ``cos(g, g_ref) < 0``.
"""

from keras import ops


def cosine(a, b, eps=1e-12):
    """Cosine similarity of two flat vectors (scalar)."""
    return ops.sum(a * b) / ops.maximum(ops.norm(a) * ops.norm(b), eps)


def ascent_direction(g, g_ref, lamb, eps=1e-12):
    """Analytic ``d f / d g`` of ``cos(g, g_ref) - lamb ||g||^2`` (flat vectors)."""
    ng = ops.maximum(ops.norm(g), eps)
    nr = ops.maximum(ops.norm(g_ref), eps)
    cos = ops.sum(g * g_ref) / (ng * nr)
    return g_ref / (ng * nr) - cos * g / (ng * ng) - 2.0 * lamb * g


def refine(g, g_ref, steps=1, step_size=1.0, lamb=0.01):
    """``steps`` gradient-ascent steps on ``f`` starting from ``g``; flat vectors."""
    for _ in range(steps):
        g = g + step_size * ascent_direction(g, g_ref, lamb)
    return g

"""Broken on purpose: the f-GAN table's Pearson conjugate t²/4 + t used for every t (f extended
to u < 0); over u ≥ 0 it is −1 for t < −2. Diagnosis: over_reals."""


def conjugate(t):
    return t * t / 4 + t

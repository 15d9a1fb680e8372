"""Hostile: ``optimal_discriminator`` returns NaN."""
AFFECTED = ["optimal_discriminator"]


def optimal_discriminator(p, q):
    return np.full(np.shape(p), np.nan)

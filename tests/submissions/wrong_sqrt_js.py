"""Mistake: the GAN value from scipy's ``jensenshannon``, which returns √JS, not JS."""
AFFECTED = ["gan_value"]


def gan_value(p, q):
    from scipy.spatial.distance import jensenshannon

    return float(2.0 * jensenshannon(p, q) - np.log(4.0))

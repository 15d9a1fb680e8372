"""Mistake: the GAN value from scipy's ``jensenshannon``, which returns √JS, not JS."""
from scipy.spatial.distance import jensenshannon

AFFECTED = ["gan_value"]


def gan_value(p, q):
    return float(2.0 * jensenshannon(p, q) - np.log(4.0))

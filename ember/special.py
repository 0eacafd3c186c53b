"""``ember.special``: PyTorch's ``torch.special`` namespace.

Functions ember already has (``erf``, ``expit`` = ``sigmoid``, ``gammaln`` = ``lgamma``,
``softmax``, ...) are the same ops under their ``torch.special`` names. The others (Bessel
and Airy functions, the normal distribution's cdf and quantile, the incomplete gamma
function, Hurwitz zeta, orthogonal polynomials) are computed here as NumPy array math in
float64, without SciPy, with backward rules in Tensor ops so that double backward works.
Where PyTorch has no gradient (the Bessel families, the polynomials), the result does not
require grad either.

This module also gives ember the ``torch.*`` names and Tensor methods that belong to
these functions: ``i0``, ``igamma``, ``igammac`` and ``mvlgamma``.
"""

import math

import numpy as np

from . import _dtype
from ._device import array_module
from ._tensor import Tensor, _type_word
from .autograd.function import Primitive
from .ops import activation, elementwise, reduction
from .ops._util import as_float_input, broadcast_shapes, check_tensor, promote_operands, write_out
from .ops.elementwise import _ERFC_CHEBYSHEV, _clenshaw, _erfc_array, _erfinv_array, _lgamma_array

# The functions defined below by name; the table-built ones (Bessel, polynomials, ...) are added where they are made.
__all__ = ["digamma", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc", "gammaln", "log1p",
           "log_softmax", "logit", "logsumexp", "multigammaln", "polygamma", "psi", "round", "sinc", "softmax",
           "xlog1py", "xlogy", "zeta"]

EULER_GAMMA = 0.5772156649015329
SQRT_2 = math.sqrt(2.0)
SQRT_2PI = math.sqrt(2.0 * math.pi)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
EPSILON = 1e-17                 # "negligible", relative to a float64 sum
TINY = 1e-300                   # keeps Lentz's continued fraction away from division by zero
CHUNK = 4096                    # elements per block where an element needs a row of work (quadrature, FFT)


# ----------------------------------------------------------------------------- the functions ember already has

erf, erfc, erfinv, exp2, expm1, log1p = (elementwise.erf, elementwise.erfc, elementwise.erfinv, elementwise.exp2,
                                         elementwise.expm1, elementwise.log1p)
digamma, psi, gammaln, polygamma = elementwise.digamma, elementwise.digamma, elementwise.lgamma, elementwise.polygamma
expit, logit, sinc, xlogy = elementwise.sigmoid, elementwise.logit, elementwise.sinc, elementwise.xlogy
logsumexp = reduction.logsumexp


def round(input, *, decimals=0, out=None):
    """``input`` rounded to ``decimals`` decimal places, halves to even (``ember.round``).

    >>> ember.special.round(ember.tensor([0.5, 1.25]), decimals=1)
    tensor([0.5000, 1.2000])
    """
    return elementwise.round(input, decimals=decimals, out=out)


def softmax(input, dim, *, dtype=None):
    """``exp(x) / exp(x).sum(dim)`` along ``dim`` (required here, as in ``torch.special``).

    >>> ember.special.softmax(ember.tensor([0.0, 0.0]), 0)
    tensor([0.5000, 0.5000])
    """
    return activation.softmax(input, dim, dtype)


def log_softmax(input, dim, *, dtype=None):
    """``log(softmax(x))`` along ``dim`` (required here, as in ``torch.special``).

    >>> ember.special.log_softmax(ember.tensor([0.0, 0.0]), 0)
    tensor([-0.6931, -0.6931])
    """
    return activation.log_softmax(input, dim, dtype)


# ----------------------------------------------------------------------------- array helpers

def _fill(out, mask, fn, *arrays):
    """``out[mask] = fn(*(a[mask] for a in arrays))``, skipping the call when ``mask`` selects nothing."""
    if mask.any():
        out[mask] = fn(*(a[mask] for a in arrays))


def _by_blocks(xp, fn, z, *rest):
    """``fn(z, *rest)`` on blocks of CHUNK elements, for functions that need a row of work per element."""
    if z.size <= CHUNK:
        return fn(z, *rest)
    parts = [fn(z[i:i + CHUNK], *(r[i:i + CHUNK] for r in rest)) for i in range(0, z.size, CHUNK)]
    return xp.concatenate(parts)


def _in_float64(array_fn):
    """Run ``array_fn(xp, *float64 arrays)`` on arrays of any float dtype; the result has the first one's dtype."""
    def run(*arrays):
        xp = array_module(arrays[0])
        with np.errstate(all="ignore"):
            result = array_fn(xp, *(xp.asarray(a, dtype=np.float64) for a in arrays))
            return result.astype(arrays[0].dtype)
    return run


# ----------------------------------------------------------------------------- Bessel I (and the series J shares)

I_SERIES_LIMIT = 30.0           # |x| above which I0 and I1 use Hankel's asymptotic series
ASYMPTOTIC_TERMS = 40


def _bessel_series(xp, z, order, sign):
    """sum_k sign^k (z/2)^(2k+order) / (k! (k+order)!): I_order(z) for sign +1, J_order(z) for sign -1."""
    step = sign * z * z / 4
    term = xp.ones_like(z) if order == 0 else z / 2
    total = term.copy()
    for k in range(1, 200):
        term = term * step / (k * (k + order))
        total += term
        if not xp.any(xp.abs(term) > EPSILON * xp.abs(total)):
            break
    return total


def _bessel_i_asymptotic(xp, z, order):
    """sqrt(2 pi z) exp(-z) I_order(z) for large z: sum_k (-1)^k a_k / z^k (DLMF 10.40.1)."""
    mu = 4.0 * order * order
    term = xp.ones_like(z)
    total = term.copy()
    for k in range(1, ASYMPTOTIC_TERMS):
        term = term * ((2 * k - 1) ** 2 - mu) / (8 * k * z)
        total += term
    return total


def _bessel_i(xp, x, order, scaled):
    """I_order(x), or exp(-|x|) I_order(x) when ``scaled``, for order 0 or 1 (odd in x for order 1)."""
    z = xp.abs(x)
    out = xp.full_like(z, np.nan)
    small = z <= I_SERIES_LIMIT
    if scaled:
        _fill(out, small, lambda s: _bessel_series(xp, s, order, 1) * xp.exp(-s), z)
        _fill(out, z > I_SERIES_LIMIT, lambda s: _bessel_i_asymptotic(xp, s, order) / xp.sqrt(2 * math.pi * s), z)
    else:   # exp(z) / sqrt(2 pi z) as one exponential, so it overflows only where I itself does
        _fill(out, small, lambda s: _bessel_series(xp, s, order, 1), z)
        _fill(out, z > I_SERIES_LIMIT,
              lambda s: xp.exp(s - 0.5 * xp.log(2 * math.pi * s)) * _bessel_i_asymptotic(xp, s, order), z)
    return xp.where(x < 0, -out, out) if order == 1 else out


def _i0_array(xp, x):
    return _bessel_i(xp, x, 0, scaled=False)


def _i0e_array(xp, x):
    return _bessel_i(xp, x, 0, scaled=True)


def _i1_array(xp, x):
    return _bessel_i(xp, x, 1, scaled=False)


def _i1e_array(xp, x):
    return _bessel_i(xp, x, 1, scaled=True)


# exp(x) overflows beyond these: float64, and float32 (in which PyTorch computes float16 and bfloat16 too)
EXP_LIMITS = {np.dtype(np.float64): math.log(float(np.finfo(np.float64).max)),
              "other": math.log(float(np.finfo(np.float32).max))}


def _values_overflowing_like_pytorch(array_fn):
    """``_in_float64(array_fn)`` for I0 and I1, which PyTorch computes as exp(|x|) times a series: its results
    are inf from where exp(|x|) overflows the computing dtype, a little before I itself would."""
    values = _in_float64(array_fn)

    def run(x):
        y = values(x)
        xp = array_module(x)
        limit = EXP_LIMITS.get(x.dtype, EXP_LIMITS["other"])
        return xp.where(xp.isfinite(x) & (xp.abs(x) > limit), xp.copysign(np.inf, y), y).astype(y.dtype, copy=False)
    return run


i0_values = _values_overflowing_like_pytorch(_i0_array)      # raw-array I0 in the array's dtype (kaiser_window)


# ----------------------------------------------------------------------------- Bessel J and Y

J_SERIES_LIMIT = 2.0            # |x| below which J0 and J1 use their power series
HANKEL_LIMIT = 25.0             # |x| from which J and Y use Hankel's asymptotic expansion
FFT_POINTS = 128                # samples of exp(i x sin t); its Fourier coefficients are J_0(x), J_1(x), ...
NEUMANN_TERMS = 30              # terms of the Neumann series of Y0 and Y1 (J_k below k = 62 matter for x < 25)
J_POINTS = 64                   # trapezoidal nodes for J0 and J1 alone


def _bessel_j_table(xp, z):
    """J_0(z) ... J_{2 NEUMANN_TERMS + 1}(z) in rows, for 0 <= z < HANKEL_LIMIT.

    exp(i z sin t) = sum_k J_k(z) exp(i k t) (Jacobi-Anger), so an FFT of equally spaced samples gives every
    J_k(z) at once, accurate to a few units of 1e-16 absolute (the periodic trapezoidal rule).
    """
    theta = xp.arange(FFT_POINTS) * (2 * math.pi / FFT_POINTS)
    samples = xp.exp(1j * z[:, None] * xp.sin(theta))
    return xp.fft.fft(samples, axis=-1)[:, :2 * NEUMANN_TERMS + 2].real / FFT_POINTS


def _bessel_j_quadrature(xp, z, order):
    """J_order(z) = (1 / 2 pi) int_0^2pi cos(order t - z sin t) dt by the trapezoidal rule on J_POINTS nodes.

    For this periodic integrand the rule is off only by J_{J_POINTS - order}(z) and beyond: below 1e-18 for
    z < HANKEL_LIMIT. One row of cosines per element, much cheaper than the FFT table when only J_order is wanted.
    """
    theta = xp.arange(J_POINTS) * (2 * math.pi / J_POINTS)
    return xp.cos(order * theta - z[:, None] * xp.sin(theta)).mean(axis=1)


def _hankel(xp, z, order):
    """Hankel's P and Q for J_order and Y_order at large z (DLMF 10.17.3)."""
    mu = 4.0 * order * order
    term = xp.ones_like(z)
    p, q = term.copy(), xp.zeros_like(z)
    for k in range(1, ASYMPTOTIC_TERMS):
        term = term * (mu - (2 * k - 1) ** 2) / (8 * k * z)
        if k % 4 == 0:
            p += term
        elif k % 4 == 1:
            q += term
        elif k % 4 == 2:
            p -= term
        else:
            q -= term
    return p, q


def _hankel_jy(xp, z, order):
    """(J_order(z), Y_order(z)) for z >= HANKEL_LIMIT: P and Q times the cosine and sine of z - (2 order + 1) pi / 4.

    The phase is expanded into cos z and sin z so that huge z lose no accuracy to the rounding of pi / 4.
    """
    p, q = _hankel(xp, z, order)
    c, s = xp.cos(z), xp.sin(z)
    if order == 0:
        cos_phase, sin_phase = c + s, s - c          # sqrt(2) cos(z - pi/4), sqrt(2) sin(z - pi/4)
    else:
        cos_phase, sin_phase = s - c, -(s + c)       # the same for z - 3 pi/4
    scale = 1 / xp.sqrt(math.pi * z)
    return scale * (p * cos_phase - q * sin_phase), scale * (p * sin_phase + q * cos_phase)


def _neumann_y(xp, z, order):
    """Y_order(z) for 0 < z < HANKEL_LIMIT from Neumann's series in J_k (A&S 9.1.88 and its derivative)."""
    table = _bessel_j_table(xp, z)
    log_term = xp.log(z / 2) + EULER_GAMMA
    k = xp.arange(1, NEUMANN_TERMS + 1)
    signs = (-1.0) ** k
    if order == 0:
        series = (table[:, 2 * k] * (signs / k)).sum(axis=1)
        return (2 / math.pi) * (log_term * table[:, 0] - 2 * series)
    series = ((table[:, 2 * k - 1] - table[:, 2 * k + 1]) * (signs / k)).sum(axis=1)
    return -(2 / math.pi) * (table[:, 0] / z - log_term * table[:, 1] - series)


def _bessel_j(xp, x, order):
    """J_order(x) for order 0 (even) or 1 (odd): power series, trapezoidal rule, or Hankel's expansion."""
    z = xp.abs(x)
    out = xp.full_like(z, np.nan)
    _fill(out, z < J_SERIES_LIMIT, lambda s: _bessel_series(xp, s, order, -1), z)
    middle = (z >= J_SERIES_LIMIT) & (z < HANKEL_LIMIT)
    _fill(out, middle, lambda s: _by_blocks(xp, lambda b: _bessel_j_quadrature(xp, b, order), s), z)
    _fill(out, z >= HANKEL_LIMIT, lambda s: _hankel_jy(xp, s, order)[0], z)
    return xp.where(x < 0, -out, out) if order == 1 else out


def _bessel_y(xp, x, order):
    """Y_order(x) for x > 0; -inf at 0 and NaN for negative x, as PyTorch."""
    out = xp.full_like(x, np.nan)
    _fill(out, (x > 0) & (x < HANKEL_LIMIT), lambda s: _by_blocks(xp, lambda b: _neumann_y(xp, b, order), s), x)
    _fill(out, x >= HANKEL_LIMIT, lambda s: _hankel_jy(xp, s, order)[1], x)
    out[x == 0] = -np.inf
    return out


def _j0_array(xp, x):
    return _bessel_j(xp, x, 0)


def _j1_array(xp, x):
    return _bessel_j(xp, x, 1)


def _y0_array(xp, x):
    return _bessel_y(xp, x, 0)


def _y1_array(xp, x):
    return _bessel_y(xp, x, 1)


def _spherical_j0_array(xp, x):
    """sin(x) / x, 1 at 0 and 0 at +-inf."""
    safe = xp.where(x == 0, 1.0, x)
    out = xp.where(x == 0, 1.0, xp.sin(safe) / safe)
    return xp.where(xp.isinf(x), 0.0, out)


# ----------------------------------------------------------------------------- Bessel K

K_SERIES_LIMIT = 2.0            # x up to which K0 and K1 use their power series
K_POINTS = 64                   # trapezoidal rule nodes for K beyond it


def _bessel_k_series(xp, z, order):
    """K_order(z) for 0 < z <= K_SERIES_LIMIT, order 0 or 1, from the power series of A&S 9.6.13 and 9.6.11."""
    step = z * z / 4
    log_half = xp.log(z / 2)
    if order == 0:      # K0 = -(log(z/2) + gamma) I0(z) + sum_k H_k (z^2/4)^k / (k!)^2
        term, harmonic, total = xp.ones_like(z), 0.0, xp.zeros_like(z)
        for k in range(1, 40):
            term = term * step / (k * k)
            harmonic += 1 / k
            total += harmonic * term
        return total - (log_half + EULER_GAMMA) * _bessel_series(xp, z, 0, 1)
    # K1 = 1/z + log(z/2) I1(z) - z/4 sum_k (psi(k+1) + psi(k+2)) (z^2/4)^k / (k! (k+1)!)
    term, digammas = xp.ones_like(z), 1 - 2 * EULER_GAMMA
    total = digammas * term
    for k in range(1, 40):
        term = term * step / (k * (k + 1))
        digammas += 1 / k + 1 / (k + 1)
        total += digammas * term
    return 1 / z + log_half * _bessel_series(xp, z, 1, 1) - z / 4 * total


def _bessel_k_integral(xp, z, order):
    """exp(z) K_order(z) = int_0^inf exp(-z (cosh t - 1)) cosh(order t) dt, by the trapezoidal rule.

    The integrand is smooth and decays doubly exponentially, so the rule converges geometrically; the range
    ends where the integrand is below exp(-50). Any real order works (Airy's function uses 1/3).
    """
    end = 2 * xp.arcsinh(xp.sqrt(25 / z))          # cosh(end) - 1 = 2 sinh(end / 2)^2 = 50 / z
    step = end / K_POINTS
    t = step[:, None] * xp.arange(K_POINTS + 1)
    values = xp.exp(-2 * z[:, None] * xp.sinh(t / 2) ** 2)
    if order:
        values *= xp.cosh(order * t)
    return step * (values.sum(axis=1) - values[:, 0] / 2)


def _bessel_k(xp, x, order, scaled):
    """K_order(x), or exp(x) K_order(x) when ``scaled``: inf at 0, NaN below 0, 0 at +inf."""
    def from_series(s):
        values = _bessel_k_series(xp, s, order)
        return values * xp.exp(s) if scaled else values

    def from_integral(s):
        values = _by_blocks(xp, lambda block: _bessel_k_integral(xp, block, order), s)
        return values if scaled else values * xp.exp(-s)

    out = xp.full_like(x, np.nan)
    _fill(out, (x > 0) & (x <= K_SERIES_LIMIT), from_series, x)
    _fill(out, x > K_SERIES_LIMIT, from_integral, x)
    out[x == 0] = np.inf
    out[x == np.inf] = 0.0
    return out


def _k0_array(xp, x):
    return _bessel_k(xp, x, 0, scaled=False)


def _k1_array(xp, x):
    return _bessel_k(xp, x, 1, scaled=False)


def _k0e_array(xp, x):
    return _bessel_k(xp, x, 0, scaled=True)


def _k1e_array(xp, x):
    return _bessel_k(xp, x, 1, scaled=True)


# ----------------------------------------------------------------------------- Airy Ai

AIRY_SERIES_LOW, AIRY_SERIES_HIGH = -7.0, 2.0    # the Maclaurin series between these, asymptotics / K_{1/3} outside
AIRY_AI_0 = 1 / (3 ** (2 / 3) * math.gamma(2 / 3))          # Ai(0)
AIRY_AI_PRIME_0 = -1 / (3 ** (1 / 3) * math.gamma(1 / 3))   # Ai'(0)


def _airy_series(xp, x):
    """Ai(x) = Ai(0) f(x) + Ai'(0) g(x) with f, g the Maclaurin series of DLMF 9.4.1."""
    cube = x * x * x
    f_term, g_term = xp.ones_like(x), x.copy()
    f, g = f_term.copy(), g_term.copy()
    for k in range(1, 80):
        f_term = f_term * cube / ((3 * k) * (3 * k - 1))
        g_term = g_term * cube / ((3 * k + 1) * (3 * k))
        f += f_term
        g += g_term
    return AIRY_AI_0 * f + AIRY_AI_PRIME_0 * g


def _airy_positive(xp, x):
    """Ai(x) for x > AIRY_SERIES_HIGH: sqrt(x/3) K_{1/3}(zeta) / pi with zeta = 2/3 x^(3/2)."""
    zeta = 2 / 3 * x * xp.sqrt(x)
    scaled = _by_blocks(xp, lambda b: _bessel_k_integral(xp, b, 1 / 3), zeta)
    return xp.sqrt(x / 3) / math.pi * scaled * xp.exp(-zeta)


def _airy_negative(xp, x):
    """Ai(x) for x < AIRY_SERIES_LOW from its oscillating asymptotic expansion (DLMF 9.7.9)."""
    z = -x
    zeta = 2 / 3 * z * xp.sqrt(z)
    term = xp.ones_like(z)
    even, odd = term.copy(), xp.zeros_like(z)
    for k in range(1, 40):       # u_k = (6k-5)(6k-3)(6k-1) / ((2k-1) 216 k) u_{k-1}
        term = term * ((6 * k - 5) * (6 * k - 3) * (6 * k - 1)) / ((2 * k - 1) * 216 * k) / zeta
        sign = 1.0 if (k // 2) % 2 == 0 else -1.0
        if k % 2 == 0:
            even += sign * term
        else:
            odd += sign * term
    phase = zeta - math.pi / 4
    return (xp.cos(phase) * even + xp.sin(phase) * odd) / (math.sqrt(math.pi) * z ** 0.25)


def _airy_ai_array(xp, x):
    out = xp.full_like(x, np.nan)
    _fill(out, (x >= AIRY_SERIES_LOW) & (x <= AIRY_SERIES_HIGH), lambda s: _airy_series(xp, s), x)
    _fill(out, x > AIRY_SERIES_HIGH, lambda s: _airy_positive(xp, s), x)
    _fill(out, x < AIRY_SERIES_LOW, lambda s: _airy_negative(xp, s), x)
    return out


# ----------------------------------------------------------------------------- the normal distribution, erfcx, entr

def _ndtr_array(xp, x):
    """The standard normal cdf, erfc(-x / sqrt 2) / 2 (erfc keeps the lower tail's relative accuracy)."""
    return 0.5 * _erfc_array(xp, -x / SQRT_2)


def _erfcx_positive(xp, z):
    """exp(z^2) erfc(z) for z >= 0.5: erfc's Chebyshev form t exp(-z^2 + P(t)), t = 2 / (2 + z), without exp(-z^2)."""
    t = 2 / (2 + z)
    return t * xp.exp(_clenshaw(xp, _ERFC_CHEBYSHEV, 2 * t - 1))


def _erfcx_array(xp, x):
    """exp(x^2) erfc(x), finite for large x (about 1 / (x sqrt(pi))) and overflowing only for x < -26.6."""
    out = xp.full_like(x, np.nan)
    _fill(out, xp.abs(x) < 0.5, lambda s: xp.exp(s * s) * _erfc_array(xp, s), x)
    _fill(out, x >= 0.5, lambda s: _erfcx_positive(xp, s), x)
    _fill(out, x <= -0.5, lambda s: 2 * xp.exp(s * s) - _erfcx_positive(xp, -s), x)
    return out


def _log_ndtr_array(xp, x):
    """log(ndtr(x)): through erfcx in the lower tail (no underflow), log1p of the upper tail elsewhere."""
    t = x / SQRT_2
    out = xp.empty_like(x)
    lower = x < -1
    _fill(out, lower, lambda s: xp.log(_erfcx_array(xp, -s) / 2) - s * s, t)
    _fill(out, ~lower, lambda s: xp.log1p(-_erfc_array(xp, s) / 2), t)
    return out


def _normal_tail_quantile(xp, q):
    """The x < 0 with ndtr(x) = q, for 0 < q < 0.25: a rational first guess (A&S 26.2.23), then Halley steps."""
    t = xp.sqrt(-2 * xp.log(q))
    x = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308))))
    for _ in range(3):
        ratio = (_ndtr_array(xp, x) - q) * SQRT_2PI * xp.exp(x * x / 2)      # (ndtr(x) - q) / density(x)
        x = x - ratio / (1 + x * ratio / 2)
    return x


def _ndtri_array(xp, p):
    """The standard normal quantile: sqrt(2) erfinv(2p - 1) in the middle, Halley's method in the tails."""
    out = xp.full_like(p, np.nan)
    _fill(out, (p >= 0.25) & (p <= 0.75), lambda s: SQRT_2 * _erfinv_array(xp, 2 * s - 1), p)
    _fill(out, (p > 0) & (p < 0.25), lambda s: _normal_tail_quantile(xp, s), p)
    _fill(out, (p > 0.75) & (p < 1), lambda s: -_normal_tail_quantile(xp, 1 - s), p)
    out[p == 0] = -np.inf
    out[p == 1] = np.inf
    return out


def _entr_array(xp, x):
    """-x log(x) for x > 0, 0 at 0, -inf below 0, NaN for NaN."""
    safe = xp.where(x > 0, x, 1.0)
    out = xp.where(x > 0, -x * xp.log(safe), xp.where(x == 0, 0.0, -np.inf))
    return xp.where(xp.isnan(x), np.nan, out)


def _xlog1py_array(xp, x, y):
    """x log(1 + y), and 0 where x is 0 (unless y is NaN)."""
    product = xp.where(x == 0, 0.0, x * xp.log1p(y))
    return xp.where(xp.isnan(y), np.nan, product)


# ----------------------------------------------------------------------------- Hurwitz zeta

# Bernoulli numbers B_2 ... B_24, each divided by its (2k)!, for the Euler-Maclaurin tail of zeta
_BERNOULLI = ((1, 6), (-1, 30), (1, 42), (-1, 30), (5, 66), (-691, 2730), (7, 6), (-3617, 510), (43867, 798),
              (-174611, 330), (854513, 138), (-236364091, 2730))
_BERNOULLI_OVER_FACTORIAL = tuple(num / den / math.factorial(2 * k) for k, (num, den) in enumerate(_BERNOULLI, 1))


def _hurwitz_zeta(xp, s, q):
    """sum_k (q + k)^-s for s > 1 (and q > 0, or s an integer and q not one).

    Terms are added directly until q + k reaches max(10, s) (or the rest is negligible); the remaining sum
    is the Euler-Maclaurin formula at a = q + k, whose correction terms then shrink by (s / (2 pi a))^2 each.
    """
    total = xp.zeros_like(s)
    a = q.copy()
    needs_tail = xp.ones(s.shape, dtype=bool)
    bound = xp.maximum(10.0, s)
    pending = xp.nonzero(a < bound)[0]
    while pending.size:
        sp, ap = s[pending], a[pending]
        term = ap ** -sp
        total[pending] += term
        ap = ap + 1
        a[pending] = ap
        rest = xp.abs(term) * (1 + ap / (sp - 1))        # bounds the remaining terms once they decrease (a > 0)
        negligible = (ap > 1) & (rest <= EPSILON * xp.abs(total[pending]))
        needs_tail[pending[negligible]] = False
        pending = pending[~negligible & (ap < bound[pending])]
    _fill(total, needs_tail, lambda t, sv, av: t + _euler_maclaurin_tail(xp, sv, av), total, s, a)
    return total


def _euler_maclaurin_tail(xp, s, a):
    """sum_{k>=0} (a + k)^-s for a >= max(10, s): a^(1-s)/(s-1) + a^-s/2 + sum_j B_2j/(2j)! (s)_(2j-1) a^(-s-2j+1)."""
    power = a ** -s
    tail = power * a / (s - 1) + power / 2
    factor = s / a                                  # (s)(s+1)...(s+2j-2) / a^(2j-1)
    for j, coefficient in enumerate(_BERNOULLI_OVER_FACTORIAL, start=1):
        tail += power * factor * coefficient
        factor = factor * (s + 2 * j - 1) * (s + 2 * j) / (a * a)
    return tail


def _zeta_array(xp, x, q):
    """Hurwitz zeta(x, q) with PyTorch's values at the edges of its domain."""
    x, q = xp.broadcast_arrays(x, q)
    out = xp.full(x.shape, np.nan)
    q_pole = (q <= 0) & (q == xp.floor(q))
    valid = (x > 1) & xp.isfinite(x) & xp.isfinite(q) & ~q_pole & ((q > 0) | (x == xp.floor(x)))
    _fill(out, valid, lambda s, v: _hurwitz_zeta(xp, s, v), x, q)
    out[(x == 1) & ~xp.isnan(q)] = np.inf
    out[q_pole & (x > 1)] = np.inf
    infinite_x = (x == np.inf) & ~xp.isnan(q)
    out[infinite_x] = xp.where(q[infinite_x] < 1, np.inf, xp.where(q[infinite_x] == 1, 1.0, np.nan))
    return out


# ----------------------------------------------------------------------------- regularized incomplete gamma

MAX_ITERATIONS = 100000         # series and continued fractions take about 10 sqrt(a) steps near x = a
_ZETA_INTEGERS = None           # zeta(2), zeta(3), ... for the series of lgamma(1 + a), made on first use


def _lgamma1p(xp, a):
    """log Gamma(1 + a), accurate near a = 0 too: -gamma a + sum_k (-1)^k zeta(k) a^k / k for |a| < 0.2."""
    global _ZETA_INTEGERS
    if _ZETA_INTEGERS is None:
        orders = np.arange(2.0, 32.0)
        _ZETA_INTEGERS = _hurwitz_zeta(np, orders, np.ones_like(orders))
    out = _lgamma_array(xp, 1 + a)
    small = xp.abs(a) < 0.2
    if small.any():
        s = a[small]
        total = -EULER_GAMMA * s
        power = -s                                  # (-a)^k
        for k, zeta_k in enumerate(_ZETA_INTEGERS.tolist(), start=2):
            power = power * -s
            total += zeta_k * power / k
        out[small] = total
    return out


def _log_power_factor(xp, a, x):
    """log(x^a exp(-x) / Gamma(a + 1)); for large a in Stirling's form around x = a, which keeps it accurate."""
    out = a * xp.log(x) - x - _lgamma1p(xp, a)
    large = a > 50
    if large.any():
        s, d = a[large], (x[large] - a[large]) / a[large]
        stirling = 1 / (12 * s) - 1 / (360 * s ** 3) + 1 / (1260 * s ** 5) - 1 / (1680 * s ** 7)
        out[large] = s * (xp.log1p(d) - d) - 0.5 * xp.log(2 * math.pi * s) - stirling
    return out


def _lower_gamma_series(xp, a, x):
    """P(a, x) = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n)); converges fast for x < a + 1."""
    term = xp.ones_like(a)
    total = xp.ones_like(a)
    denominator = a.copy()
    pending = xp.arange(a.size)
    for _ in range(MAX_ITERATIONS):
        if not pending.size:
            break
        denominator[pending] += 1
        term[pending] *= x[pending] / denominator[pending]
        total[pending] += term[pending]
        pending = pending[term[pending] > EPSILON * total[pending]]
    return xp.exp(_log_power_factor(xp, a, x)) * total


def _upper_gamma_fraction(xp, a, x):
    """Q(a, x) = x^a e^-x / Gamma(a) * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / ...)), for x > a.

    The continued fraction is evaluated forwards with Lentz's method.
    """
    b = x + 1 - a
    c = xp.full_like(a, 1 / TINY)
    d = 1 / b
    fraction = d.copy()
    pending = xp.arange(a.size)
    for i in range(1, MAX_ITERATIONS):
        if not pending.size:
            break
        numerator = -i * (i - a[pending])
        b[pending] += 2
        dp = numerator * d[pending] + b[pending]
        dp = 1 / xp.where(xp.abs(dp) < TINY, TINY, dp)
        cp = b[pending] + numerator / c[pending]
        cp = xp.where(xp.abs(cp) < TINY, TINY, cp)
        d[pending], c[pending] = dp, cp
        change = dp * cp
        fraction[pending] *= change
        pending = pending[xp.abs(change - 1) > EPSILON]
    return xp.exp(_log_power_factor(xp, a, x)) * a * fraction


def _upper_gamma_small(xp, a, x):
    """Q(a, x) for x <= 1.1 and small a, without cancelling 1 - P (DLMF 8.7.3 rearranged):

    Q = 1 - x^a / Gamma(a + 1) - x^a / Gamma(a) * sum_{n>=1} (-x)^n / (n! (a + n)).
    """
    log_factor = a * xp.log(x) - _lgamma1p(xp, a)
    term = xp.ones_like(a)
    total = xp.zeros_like(a)
    for n in range(1, 60):
        term = term * -x / n
        total += term / (a + n)
    return -xp.expm1(log_factor) - a * xp.exp(log_factor) * total


def _incomplete_gamma(xp, a, x, upper):
    """P(a, x) (or Q(a, x) = 1 - P when ``upper``) with PyTorch's values at the edges of the domain.

    The method is chosen as in Cephes: P's series where x <= max(a, 1); otherwise Q, by the continued
    fraction for x > 1.1 or by the small-x series, and P = 1 - Q.
    """
    a, x = xp.broadcast_arrays(a, x)
    inside = (a > 0) & (x > 0) & xp.isfinite(a) & xp.isfinite(x)
    by_series = inside & ((x <= 1) | (x <= a))
    small_x = inside & (x <= 1.1) & xp.where(x <= 0.5, -0.4 / xp.log(xp.where(inside, x, 0.5)) >= a, 1.1 * x >= a)
    by_fraction = inside & (x > 1.1) & (x >= a)
    lower = xp.full(a.shape, np.nan)
    upper_values = xp.full(a.shape, np.nan)
    _fill(lower, by_series, lambda s, v: _lower_gamma_series(xp, s, v), a, x)
    _fill(upper_values, by_fraction, lambda s, v: _upper_gamma_fraction(xp, s, v), a, x)
    _fill(upper_values, small_x, lambda s, v: _upper_gamma_small(xp, s, v), a, x)
    if upper:
        out = xp.where(small_x | by_fraction, upper_values, 1 - lower)
    else:
        out = xp.where(by_series, lower, 1 - upper_values)
    # the edges: P(0, x > 0) = 1, P(a, 0) = 0, P(inf, x) = 0, P(a, inf) = 1; NaN where undefined
    one, zero = (0.0, 1.0) if upper else (1.0, 0.0)
    out = xp.where((a == 0) & (x > 0), one, out)
    out = xp.where((x == 0) & (a > 0), zero, out)
    out = xp.where((a == np.inf) & (x >= 0) & (x < np.inf), zero, out)
    out = xp.where((x == np.inf) & (a > 0) & (a < np.inf), one, out)
    return xp.where((a < 0) | (x < 0) | xp.isnan(a) | xp.isnan(x), np.nan, out)


def _gammainc_array(xp, a, x):
    return _incomplete_gamma(xp, a, x, upper=False)


def _gammaincc_array(xp, a, x):
    return _incomplete_gamma(xp, a, x, upper=True)


# ----------------------------------------------------------------------------- orthogonal polynomials
# Each is PyTorch's: the three-term recurrence in the degree, a closed trigonometric form for the Chebyshev
# kinds at high degree inside (-1, 1), exact values at x = +-1, and 0 for negative degrees.

def _degree(xp, n):
    """The integer degree PyTorch uses: n truncated toward zero; NaN and out-of-range values count as negative."""
    usable = xp.isfinite(n) & (xp.abs(n) < 2.0 ** 63)
    return xp.where(usable, xp.trunc(xp.where(usable, n, 0.0)), -1.0).astype(np.int64)


def _recurrence(xp, x, n, first, second, step, skip):
    """p_n(x) per element from p_0 = first, p_1 = second and p_{k+1} = step(k, x, p_k, p_{k-1}).

    Elements where ``skip`` holds are left at p_0 or p_1 (their value comes from elsewhere). The loop stops
    early once every unfinished element has turned NaN (it then stays NaN).
    """
    out = xp.where(n <= 0, first, second)
    index = xp.nonzero((n >= 2) & ~skip)[0]
    if not index.size:
        return out
    xs, ns = x[index], n[index]
    previous, current = first[index], second[index]
    values = current.copy()
    for k in range(1, int(ns.max())):
        previous, current = current, step(k, xs, current, previous)
        finished = ns == k + 1
        values[finished] = current[finished]
        if k % 64 == 0 and xp.isnan(current[ns > k + 1]).all():
            values[ns > k + 1] = np.nan
            break
    out[index] = values
    return out


def _even(n):
    return n % 2 == 0


def _chebyshev_t_array(xp, x, n):
    ones = xp.ones_like(x)
    closed = (n > 6) & (xp.abs(x) < 1)
    out = _recurrence(xp, x, n, ones, x, lambda k, x, p, q: (x + x) * p - q, closed | (xp.abs(x) == 1))
    out = xp.where(closed, xp.cos(n * xp.arccos(xp.clip(x, -1, 1))), out)
    out = xp.where(xp.abs(x) == 1, xp.where((x > 0) | _even(n), 1.0, -1.0), out)
    return xp.where(n < 0, 0.0, out)


def _chebyshev_u_array(xp, x, n):
    ones = xp.ones_like(x)
    closed = (n > 8) & (xp.abs(x) < 1)
    out = _recurrence(xp, x, n, ones, x + x, lambda k, x, p, q: (x + x) * p - q, closed | (xp.abs(x) == 1))
    angle = xp.arccos(xp.clip(x, -1, 1))
    sine = xp.sin(angle)
    ratio = xp.where(sine != 0, xp.sin((n + 1) * angle) / xp.where(sine != 0, sine, 1.0),
                     (n + 1) * xp.cos((n + 1) * angle) / x)
    out = xp.where(closed, ratio, out)
    out = xp.where(xp.abs(x) == 1, xp.where((x > 0) | _even(n), n + 1.0, -(n + 1.0)), out)
    return xp.where(n < 0, 0.0, out)


def _chebyshev_v_array(xp, x, n):
    ones = xp.ones_like(x)
    closed = (n > 8) & (xp.abs(x) < 1)
    out = _recurrence(xp, x, n, ones, x + x - 1, lambda k, x, p, q: (x + x) * p - q, closed | (xp.abs(x) == 1))
    angle = xp.arccos(xp.clip(x, -1, 1))
    at_minus_one = xp.where(_even(n), n + n + 1.0, -(n + n + 1.0))
    ratio = xp.where(xp.sin(angle / 2) != 1, xp.cos((n + 0.5) * angle) / xp.cos(angle / 2), at_minus_one)
    out = xp.where(closed, ratio, out)
    out = xp.where(xp.abs(x) == 1, xp.where(x > 0, 1.0, at_minus_one), out)
    return xp.where(n < 0, 0.0, out)


def _chebyshev_w_array(xp, x, n):
    ones = xp.ones_like(x)
    closed = (n > 8) & (xp.abs(x) < 1)
    out = _recurrence(xp, x, n, ones, x + x + 1, lambda k, x, p, q: (x + x) * p - q, closed | (xp.abs(x) == 1))
    angle = xp.arccos(xp.clip(x, -1, 1))
    at_ends = xp.where(x > 0, n + n + 1.0, xp.where(_even(n), 1.0, -1.0))
    ratio = xp.where(xp.cos(angle / 2) != 1, xp.sin((n + 0.5) * angle) / xp.sin(angle / 2), at_ends)
    out = xp.where(closed, ratio, out)
    out = xp.where(xp.abs(x) == 1, at_ends, out)
    return xp.where(n < 0, 0.0, out)


def _shifted(array_fn):
    """The shifted polynomial p*(x) = p(2x - 1), on [0, 1]."""
    return lambda xp, x, n: array_fn(xp, x + x - 1, n)


def _hermite_h_array(xp, x, n):
    out = _recurrence(xp, x, n, xp.ones_like(x), x + x, lambda k, x, p, q: (x + x) * p - (k + k) * q,
                      xp.zeros(x.shape, dtype=bool))
    return xp.where(n < 0, 0.0, out)


def _hermite_he_array(xp, x, n):
    out = _recurrence(xp, x, n, xp.ones_like(x), x.copy(), lambda k, x, p, q: x * p - k * q,
                      xp.zeros(x.shape, dtype=bool))
    return xp.where(n < 0, 0.0, out)


def _laguerre_l_array(xp, x, n):
    out = _recurrence(xp, x, n, xp.ones_like(x), 1 - x, lambda k, x, p, q: ((k + k + 1 - x) * p - k * q) / (k + 1),
                      x == 0)
    out = xp.where(x == 0, 1.0, out)
    return xp.where(n < 0, 0.0, out)


def _legendre_p_array(xp, x, n):
    out = _recurrence(xp, x, n, xp.ones_like(x), x.copy(), lambda k, x, p, q: ((k + k + 1) * x * p - k * q) / (k + 1),
                      xp.abs(x) == 1)
    out = xp.where(xp.abs(x) == 1, xp.where((x > 0) | _even(n), 1.0, -1.0), out)
    return xp.where(n < 0, 0.0, out)


_POLYNOMIALS = {
    # name: (what it is, array function of float64 x and integer degree n)
    "chebyshev_polynomial_t": ("The Chebyshev polynomial of the first kind T_n", _chebyshev_t_array),
    "chebyshev_polynomial_u": ("The Chebyshev polynomial of the second kind U_n", _chebyshev_u_array),
    "chebyshev_polynomial_v": ("The Chebyshev polynomial of the third kind V_n", _chebyshev_v_array),
    "chebyshev_polynomial_w": ("The Chebyshev polynomial of the fourth kind W_n", _chebyshev_w_array),
    "shifted_chebyshev_polynomial_t": ("The shifted Chebyshev polynomial T*_n(x) = T_n(2x - 1)",
                                       _shifted(_chebyshev_t_array)),
    "shifted_chebyshev_polynomial_u": ("The shifted Chebyshev polynomial U*_n(x) = U_n(2x - 1)",
                                       _shifted(_chebyshev_u_array)),
    "shifted_chebyshev_polynomial_v": ("The shifted Chebyshev polynomial V*_n(x) = V_n(2x - 1)",
                                       _shifted(_chebyshev_v_array)),
    "shifted_chebyshev_polynomial_w": ("The shifted Chebyshev polynomial W*_n(x) = W_n(2x - 1)",
                                       _shifted(_chebyshev_w_array)),
    "hermite_polynomial_h": ("The physicists' Hermite polynomial H_n", _hermite_h_array),
    "hermite_polynomial_he": ("The probabilists' Hermite polynomial He_n", _hermite_he_array),
    "laguerre_polynomial_l": ("The Laguerre polynomial L_n", _laguerre_l_array),
    "legendre_polynomial_p": ("The Legendre polynomial P_n", _legendre_p_array),
}


# ----------------------------------------------------------------------------- unary functions with gradients

def _where(condition, a, b):
    """``a`` where ``condition`` holds, else ``b``; gradients flow to the side that was picked."""
    return elementwise._select(condition, a, b)


def _near_zero(x):
    """Where |x| is at most the dtype's epsilon, and x moved off zero there (PyTorch's guard for i1's 1/x)."""
    eps = float(np.finfo(x._data.dtype).eps)
    tiny = x.abs() <= eps
    return tiny, _where(tiny, eps, x)


def _i1_slope(x, y):
    """d i1/dx = i0(x) - i1(x) / x, and 1/2 at 0."""
    tiny, safe = _near_zero(x)
    return _where(tiny, 0.5, _UNARY_PRIMITIVES["i0"].apply(safe) - y / safe)


def _i1e_slope(x, y):
    """d i1e/dx = i0e(x) - i1e(x) (sign(x) + 1/x), and 1/2 at 0."""
    tiny, safe = _near_zero(x)
    return _where(tiny, 0.5, _UNARY_PRIMITIVES["i0e"].apply(safe) - y * (safe.sgn() + safe.reciprocal()))


_UNARY = {
    # name: (what it computes, array function, derivative from input x, output y and incoming grad g)
    "i0": ("The modified Bessel function of the first kind of order 0", _i0_array,
           lambda x, y, g: g * _UNARY_PRIMITIVES["i1"].apply(x)),
    "i0e": ("The exponentially scaled modified Bessel function exp(-|x|) I0(x)", _i0e_array,
            lambda x, y, g: g * (_UNARY_PRIMITIVES["i1e"].apply(x) - x.sgn() * y)),
    "i1": ("The modified Bessel function of the first kind of order 1", _i1_array,
           lambda x, y, g: g * _i1_slope(x, y)),
    "i1e": ("The exponentially scaled modified Bessel function exp(-|x|) I1(x)", _i1e_array,
            lambda x, y, g: g * _i1e_slope(x, y)),
    "ndtr": ("The standard normal cumulative distribution function", _ndtr_array,
             lambda x, y, g: g * (x * x * -0.5).exp() / SQRT_2PI),
    "ndtri": ("The standard normal quantile function, the inverse of ndtr", _ndtri_array,
              lambda x, y, g: g * SQRT_2PI * (y * y * 0.5).exp()),
    "log_ndtr": ("The logarithm of the standard normal cdf, accurate far into both tails", _log_ndtr_array,
                 lambda x, y, g: g / SQRT_2PI * (-(y + x * x * 0.5)).exp()),
    "erfcx": ("The scaled complementary error function exp(x^2) erfc(x)", _erfcx_array,
              lambda x, y, g: g * (2 * x * y - TWO_OVER_SQRT_PI)),
    "entr": ("The entropy term -x log(x) (0 at 0, -inf for negative x)", _entr_array,
             lambda x, y, g: g * -(1 + x.log())),
}
_HALF_KERNELS = {"i0", "i0e", "i1", "i1e", "ndtr", "entr"}     # the others have no float16/bfloat16 kernel


_OVERFLOW_LIKE_PYTORCH = {"i0", "i1", "modified_bessel_i0", "modified_bessel_i1"}


def _values(name, array_fn):
    """The raw-array function of the op ``name``: ``array_fn`` in float64, the result in the input's dtype."""
    if name in _OVERFLOW_LIKE_PYTORCH:
        return _values_overflowing_like_pytorch(array_fn)
    return _in_float64(array_fn)


def _unary_primitive(name, array_fn, derivative):
    """A Primitive computing ``array_fn`` (in float64) whose backward is ``derivative(x, y, grad)``."""
    values = _values(name, array_fn)

    def forward(ctx, x):
        y = values(x)
        ctx.save_for_backward(x, y)
        return y

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return derivative(x, y, grad)

    class_name = "Special" + "".join(part.capitalize() for part in name.split("_"))
    return type(class_name, (Primitive,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                           "__module__": __name__})


_UNARY_PRIMITIVES = {name: _unary_primitive(name, fn, derivative) for name, (_, fn, derivative) in _UNARY.items()}


def _float_operand(name, input):
    """``input`` checked to be a Tensor, as a float tensor, refusing float16/bfloat16 where PyTorch has no kernel."""
    check_tensor(input, "input", name)
    x = as_float_input(input)
    if x.dtype.name in ("float16", "bfloat16") and name not in _HALF_KERNELS:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_type_word(x.dtype)}'")
    return x


def _unary_function(name, what, compute):
    """The public function ``name(input, *, out=None)``: ``compute`` applied to ``input`` as a float tensor."""
    def op(input, *, out=None):
        return write_out(out, compute(_float_operand(name, input)), name)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"{what}, elementwise.\n\n    >>> y = ember.special.{name}(ember.tensor([0.25, 1.5]))\n    "
    return op


def _values_only(name, array_fn):
    """A compute step for functions PyTorch gives no gradient: the result never requires grad."""
    values = _values(name, array_fn)
    return lambda x: Tensor._make(values(x._data))


_NO_GRADIENT = {
    # name: (what it computes, array function); PyTorch defines no derivative for these
    "bessel_j0": ("The Bessel function of the first kind of order 0", _j0_array),
    "bessel_j1": ("The Bessel function of the first kind of order 1", _j1_array),
    "bessel_y0": ("The Bessel function of the second kind of order 0 (NaN for negative x)", _y0_array),
    "bessel_y1": ("The Bessel function of the second kind of order 1 (NaN for negative x)", _y1_array),
    "modified_bessel_i0": ("The modified Bessel function of the first kind of order 0", _i0_array),
    "modified_bessel_i1": ("The modified Bessel function of the first kind of order 1", _i1_array),
    "modified_bessel_k0": ("The modified Bessel function of the second kind of order 0", _k0_array),
    "modified_bessel_k1": ("The modified Bessel function of the second kind of order 1", _k1_array),
    "scaled_modified_bessel_k0": ("The exponentially scaled modified Bessel function exp(x) K0(x)", _k0e_array),
    "scaled_modified_bessel_k1": ("The exponentially scaled modified Bessel function exp(x) K1(x)", _k1e_array),
    "spherical_bessel_j0": ("The spherical Bessel function of the first kind of order 0, sin(x) / x",
                            _spherical_j0_array),
    "airy_ai": ("The Airy function Ai", _airy_ai_array),
}

_UNARY_FUNCTIONS = {name: _unary_function(name, what, _UNARY_PRIMITIVES[name].apply)
                    for name, (what, _, _) in _UNARY.items()}
_UNARY_FUNCTIONS.update({name: _unary_function(name, what, _values_only(name, fn))
                         for name, (what, fn) in _NO_GRADIENT.items()})
globals().update(_UNARY_FUNCTIONS)
__all__ += list(_UNARY_FUNCTIONS)


# ----------------------------------------------------------------------------- binary functions

def _check_operands(name, input, other, names=("input", "other")):
    """PyTorch's TypeError unless both are Tensors, or one is a Tensor and the other a Python number."""
    def allowed(value):
        return isinstance(value, (Tensor, bool, int, float))
    if isinstance(input, Tensor) and allowed(other) or isinstance(other, Tensor) and allowed(input):
        return
    for position, (argument, value) in enumerate(zip(names, (input, other)), start=1):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}(): argument '{argument}' (position {position}) must be Tensor, not "
                            f"{type(value).__name__}")


def _float_operands(input, other):
    """``input`` and ``other`` promoted to their common dtype, made float (the default dtype) when integral."""
    (a, b), result = promote_operands(input, other)
    if result.is_floating_point:
        return a, b, result
    default = _dtype.get_default_dtype()
    cast = [x._cast(default) if isinstance(x, Tensor) else x.astype(default.np_dtype) for x in (a, b)]
    return cast[0], cast[1], default


class SpecialXlog1py(Primitive):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _in_float64(_xlog1py_array)(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_x = _where((x == 0) & (y <= -1), 0, SpecialXlog1py.apply(grad, y))
        if ctx.needs_input_grad[1]:
            grad_y = grad * x / (y + 1)
        return grad_x, grad_y


def xlog1py(input, other, *, out=None):
    """``input * log1p(other)``, and 0 where ``input`` is 0 (so ``0 * log1p(-1)`` is 0); either may be a number.

    >>> ember.special.xlog1py(ember.tensor([0.0, 2.0]), ember.tensor([-1.0, 0.0]))
    tensor([0., 0.])
    """
    _check_operands("special_xlog1py", input, other)
    x, y, _ = _float_operands(input, other)
    return write_out(out, SpecialXlog1py.apply(x, y), "special_xlog1py")


class SpecialZeta(Primitive):
    @staticmethod
    def forward(ctx, x, q):
        ctx.save_for_backward(x, q)
        return _in_float64(_zeta_array)(x, q)

    @staticmethod
    def backward(ctx, grad):
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        x, q = ctx.saved_tensors
        return None, grad * -x * SpecialZeta.apply(x + 1, q)


def zeta(input, other, *, out=None):
    """The Hurwitz zeta function sum_k (other + k)^-input (Riemann's zeta at ``other = 1``).

    Only ``other`` has a gradient, as in PyTorch. Either argument may be a number.

    >>> ember.special.zeta(ember.tensor([2.0]), 1.0)
    tensor([1.6449])
    """
    _check_operands("special_zeta", input, other)
    x, q, result = _float_operands(input, other)
    if result.name in ("float16", "bfloat16"):
        raise NotImplementedError(f"\"zeta_cpu\" not implemented for '{_type_word(result)}'")
    return write_out(out, SpecialZeta.apply(x, q), "special_zeta")


class _IncompleteGamma(Primitive):
    """P(a, x) or Q(a, x); only x has a derivative, x^(a-1) exp(-x) / Gamma(a) (negated for Q)."""

    upper = False
    torch_name = "igamma"

    @classmethod
    def forward(cls, ctx, a, x):
        ctx.save_for_backward(a, x)
        return _in_float64(_gammaincc_array if cls.upper else _gammainc_array)(a, x)

    @classmethod
    def backward(cls, ctx, grad):
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative for '{cls.torch_name}: input' is not implemented.")
        a, x = ctx.saved_tensors
        density = ((a - 1) * x.log() - x - a.lgamma()).exp()
        return None, grad * (-density if cls.upper else density)


class Igamma(_IncompleteGamma):
    """The regularised lower incomplete gamma function P(a, x) (the base class's defaults)."""


class Igammac(_IncompleteGamma):
    upper = True
    torch_name = "igammac"


def _incomplete_gamma_function(cls, name, input, other, out):
    for position, (argument, value) in enumerate((("input", input), ("other", other)), start=1):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}(): argument '{argument}' (position {position}) must be Tensor, not "
                            f"{type(value).__name__}")
    (a, x), result = promote_operands(input, other)
    if not result.is_floating_point:
        raise NotImplementedError(f"\"{cls.torch_name}_cpu\" not implemented for '{_type_word(result)}'")
    return write_out(out, cls.apply(a, x), name)


def gammainc(input, other, *, out=None):
    """The regularized lower incomplete gamma function P(input, other) = gamma(a, x) / Gamma(a).

    Only ``other`` has a gradient, as in PyTorch.

    >>> ember.special.gammainc(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 1.0]))
    tensor([0.6321, 0.2642])
    """
    return _incomplete_gamma_function(Igamma, "special_gammainc", input, other, out)


def gammaincc(input, other, *, out=None):
    """The regularized upper incomplete gamma function Q(input, other) = 1 - P(input, other).

    >>> ember.special.gammaincc(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 1.0]))
    tensor([0.3679, 0.7358])
    """
    return _incomplete_gamma_function(Igammac, "special_gammaincc", input, other, out)


def igamma(input, other, *, out=None):
    """``torch.igamma``: the regularized lower incomplete gamma function (``special.gammainc``).

    >>> ember.igamma(ember.tensor([1.0]), ember.tensor([1.0]))
    tensor([0.6321])
    """
    return _incomplete_gamma_function(Igamma, "igamma", input, other, out)


def igammac(input, other, *, out=None):
    """``torch.igammac``: the regularized upper incomplete gamma function (``special.gammaincc``).

    >>> ember.igammac(ember.tensor([1.0]), ember.tensor([1.0]))
    tensor([0.3679])
    """
    return _incomplete_gamma_function(Igammac, "igammac", input, other, out)


# ----------------------------------------------------------------------------- multigammaln

def _check_p(p, name):
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'p' (position 2) must be int, not {type(p).__name__}")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return int(p)


def _multigammaln(input, p, name):
    check_tensor(input, "input", name)
    p = _check_p(p, name)
    if input.dtype is _dtype.bool:
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    x = as_float_input(input)
    offsets = Tensor._make((np.arange(p) / 2).astype(x._data.dtype))
    terms = (x.unsqueeze(-1) - offsets).lgamma().sum(-1)
    return terms + p * (p - 1) / 4 * math.log(math.pi)


def multigammaln(input, p, *, out=None):
    """The multivariate log-gamma function of dimension ``p``: p(p-1)/4 log(pi) + sum_j lgamma(input - j/2).

    >>> ember.special.multigammaln(ember.tensor([2.5]), 2)
    tensor([0.8570])
    """
    return write_out(out, _multigammaln(input, p, "special_multigammaln"), "special_multigammaln")


def mvlgamma(input, p, *, out=None):
    """``torch.mvlgamma``: the multivariate log-gamma function (``special.multigammaln``).

    >>> ember.mvlgamma(ember.tensor([2.5]), 2)
    tensor([0.8570])
    """
    return write_out(out, _multigammaln(input, p, "mvlgamma"), "mvlgamma")


# ----------------------------------------------------------------------------- the polynomial functions

def _polynomial_function(name, what, array_fn):
    """The public function ``name(input, n, *, out=None)``: values only, as PyTorch gives no gradient."""
    def op(input, n, *, out=None):
        fn = f"special_{name}"
        _check_operands(fn, input, n, names=("x", "n"))
        x, degree, result = _float_operands(input, n)
        if result.name in ("float16", "bfloat16"):
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_type_word(result)}'")
        x_array = x._data if isinstance(x, Tensor) else x
        n_array = degree._data if isinstance(degree, Tensor) else degree
        shape = broadcast_shapes(np.shape(x_array), np.shape(n_array))
        xp = array_module(x_array)
        with np.errstate(all="ignore"):
            x64 = xp.broadcast_to(xp.asarray(x_array, dtype=np.float64), shape).reshape(-1)
            n64 = _degree(xp, xp.broadcast_to(xp.asarray(n_array, dtype=np.float64), shape).reshape(-1))
            values = array_fn(xp, x64, n64).reshape(shape)
        return write_out(out, Tensor._make(xp.asarray(values).astype(result.np_dtype)), fn)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"{what} of degree ``n`` at ``input`` (either may be a number; ``n`` is truncated to an integer)."
                  f"\n\n    >>> y = ember.special.{name}(ember.tensor([0.5]), 3)\n    ")
    return op


_POLYNOMIAL_FUNCTIONS = {name: _polynomial_function(name, what, fn) for name, (what, fn) in _POLYNOMIALS.items()}
globals().update(_POLYNOMIAL_FUNCTIONS)
__all__ += list(_POLYNOMIAL_FUNCTIONS)


# ----------------------------------------------------------------------------- torch.* names and Tensor methods

def _inplace(fn, name):
    def method(self, *args):
        return self._assign_inplace(fn(self, *args))
    method.__name__ = name
    method.__doc__ = f"In-place version of :func:`{fn.__name__}`."
    return method


i0 = _UNARY_FUNCTIONS["i0"]

# torch.i0, torch.igamma, ... (the torch.special functions are reached as ember.special.*)
TORCH_FUNCTIONS = {"i0": i0, "igamma": igamma, "igammac": igammac, "mvlgamma": mvlgamma}
TENSOR_METHODS = {
    "i0": i0, "igamma": igamma, "igammac": igammac, "mvlgamma": lambda self, p: mvlgamma(self, p),
}
TENSOR_METHODS.update({name + "_": _inplace(fn, name + "_") for name, fn in list(TENSOR_METHODS.items())})
TORCH_FUNCTIONS["i0_"] = TENSOR_METHODS["i0_"]
